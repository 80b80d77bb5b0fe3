// A connection closed over one of its requests answers every request before it, in order, and only then
// closes; the wait is bounded by FLUSH_BEFORE_CLOSE_MS, and the request budget is given back either way.
// A real loopback socket pair; the handler's replies are promises the test settles by hand.
import { createServer, connect, type Socket } from 'node:net';
import { pino } from 'pino';
import { afterEach, expect, test, vi } from 'vitest';
import { ByteBudget } from '../../../src/net/byte-budget.js';
import { FrameReader } from '../../../src/net/frame-reader.js';
import { FLUSH_BEFORE_CLOSE_MS, FramedConnection, type InFlightRequest, type Reply } from '../../../src/net/framed-connection.js';
import { sizePrefixed } from '../../helpers/raw-exchange.js';

/** A frame whose first byte is BAD makes the handler close the connection over it. */
const BAD = 0xff;
/** A frame whose first byte is THROW makes the handler throw. */
const THROW = 0xee;
/** A frame whose first byte is MUTE mutes the connection for 1 s as it is read (a Produce over its quota). */
const MUTE = 0xdd;

interface Pending {
  frame: Buffer;
  request: InFlightRequest;
  answer(): void;
  fail(err: Error): void;
}

interface Setup {
  client: Socket;
  budget: ByteBudget;
  /** Requests handed to the handler, in order, waiting for the test to settle them. */
  pending: Pending[];
  logged: string[];
  /** Reply frames the client read, and whether the server has closed its side. */
  replies: Buffer[];
  serverEnded: Promise<void>;
}

let cleanup: (() => void)[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const c of cleanup) c();
  cleanup = [];
});

async function setUp(): Promise<Setup> {
  const budget = new ByteBudget(1 << 20);
  const pending: Pending[] = [];
  const logged: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void logged.push((JSON.parse(line) as { msg: string }).msg) });
  const server = createServer((socket) => {
    const frames = new FrameReader(1 << 20, budget);
    frames.gate.socket = socket;
    new FramedConnection(socket, frames, {
      maxInFlight: 100,
      log,
      onFrame(frame, _conn, request): Reply | Promise<Reply> {
        if (frame[0] === BAD) {
          request.closeConnection('bad frame');
          return null;
        }
        if (frame[0] === THROW) throw new Error('handler bug');
        if (frame[0] === MUTE) request.mute(1000);
        return new Promise((resolve, reject) => {
          pending.push({ frame, request, answer: () => resolve([frame]), fail: reject });
        });
      },
    });
    socket.on('data', (chunk: Buffer) => frames.push(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const client = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', resolve));
  cleanup.push(() => {
    client.destroy();
    server.close();
  });
  const replies: Buffer[] = [];
  const reader = new FrameReader(1 << 20);
  reader.sink = { frame: (f) => replies.push(f), invalid: (err) => client.destroy(err) };
  client.on('data', (chunk: Buffer) => reader.push(chunk));
  const serverEnded = new Promise<void>((resolve) => client.on('end', resolve));
  return { client, budget, pending, logged, replies, serverEnded };
}

const good = (n: number) => sizePrefixed(Buffer.from([n, n, n]));

/** Waits for `check` to pass, polling on setImmediate: vi.waitFor would advance the faked timers. */
async function until(check: () => void, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setImmediate(r));
    }
  }
}

test('a bad frame after pipelined requests: no frame after it is read, the earlier ones are all answered in order, then the connection ends', async () => {
  const s = await setUp();
  s.client.write(Buffer.concat([good(1), good(2), good(3), sizePrefixed(Buffer.from([BAD])), good(4)]));
  await vi.waitFor(() => expect(s.logged).toContain('closing connection: bad frame'));
  expect(s.pending.map((p) => p.frame[0])).toEqual([1, 2, 3]);
  // Settled out of order; they still leave in request order.
  for (const i of [2, 0, 1]) s.pending[i]!.answer();
  await s.serverEnded;
  expect(s.replies.map((r) => r[0])).toEqual([1, 2, 3]);
  expect(s.pending.map((p) => p.frame[0])).toEqual([1, 2, 3]);
  expect(s.budget.usedBytes).toBe(0);
});

test('a framing error (negative length) after pipelined requests also waits for their replies', async () => {
  const s = await setUp();
  s.client.write(Buffer.concat([good(1), good(2), Buffer.from([0xff, 0xff, 0xff, 0xfe])]));
  await vi.waitFor(() => expect(s.logged).toContain('closing connection: negative frame size -2'));
  for (const p of s.pending) p.answer();
  await s.serverEnded;
  expect(s.replies.map((r) => r[0])).toEqual([1, 2]);
  expect(s.budget.usedBytes).toBe(0);
});

test('a handler that fails mid-pipeline: the requests before it are answered, it and the ones after are not', async () => {
  const s = await setUp();
  s.client.write(Buffer.concat([good(1), good(2), good(3)]));
  await vi.waitFor(() => expect(s.pending).toHaveLength(3));
  s.pending[2]!.answer();
  s.pending[1]!.fail(new Error('handler bug'));
  await vi.waitFor(() => expect(s.logged).toContain('closing connection: request handling failed'));
  expect(s.pending[2]!.request.signal.aborted).toBe(false);
  s.pending[0]!.answer();
  await s.serverEnded;
  expect(s.replies.map((r) => r[0])).toEqual([1]);
  expect(s.pending[2]!.request.signal.aborted).toBe(true);
  expect(s.budget.usedBytes).toBe(0);
});

test('a handler that throws at once closes after the requests before it too', async () => {
  const s = await setUp();
  s.client.write(Buffer.concat([good(1), sizePrefixed(Buffer.from([THROW])), good(2)]));
  await vi.waitFor(() => expect(s.logged).toContain('closing connection: request handling failed'));
  expect(s.pending.map((p) => p.frame[0])).toEqual([1]);
  s.pending[0]!.answer();
  await s.serverEnded;
  expect(s.replies.map((r) => r[0])).toEqual([1]);
  expect(s.budget.usedBytes).toBe(0);
});

test('an earlier request that never finishes holds the close back FLUSH_BEFORE_CLOSE_MS at most; its memory goes back', async () => {
  const s = await setUp();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const closed = new Promise<void>((resolve) => s.client.on('close', () => resolve()));
  s.client.write(Buffer.concat([good(1), good(2), sizePrefixed(Buffer.from([BAD]))]));
  await until(() => expect(s.logged).toContain('closing connection: bad frame'));
  s.pending[0]!.answer();
  await until(() => expect(s.replies.map((r) => r[0])).toEqual([1]));
  vi.advanceTimersByTime(FLUSH_BEFORE_CLOSE_MS - 1);
  expect(s.pending[1]!.request.signal.aborted).toBe(false);
  vi.advanceTimersByTime(1);
  expect(s.pending[1]!.request.signal.aborted).toBe(true);
  expect(s.logged).toContain('dropping replies owed before closing: not answered in time');
  await closed;
  expect(s.replies.map((r) => r[0])).toEqual([1]);
  expect(s.budget.usedBytes).toBe(0);
});

test('a client that hangs up while replies are owed loses them at once: its requests are aborted and their memory goes back', async () => {
  const s = await setUp();
  s.client.write(Buffer.concat([good(1), sizePrefixed(Buffer.from([BAD]))]));
  await vi.waitFor(() => expect(s.logged).toContain('closing connection: bad frame'));
  s.client.destroy();
  await vi.waitFor(() => expect(s.pending[0]!.request.signal.aborted).toBe(true));
  expect(s.budget.usedBytes).toBe(0);
});

test('a muted connection (a quota throttle) sends the reply muted after, holds the replies read ahead of it and reads nothing until the time is up', async () => {
  const s = await setUp();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  s.client.write(Buffer.concat([good(1), good(2), good(3)]));
  await until(() => expect(s.pending).toHaveLength(3));
  s.pending[1]!.request.mute(1000);
  for (const p of s.pending) p.answer();
  await until(() => expect(s.replies.map((r) => r[0])).toEqual([1, 2]));
  s.client.write(good(4));
  // Give the server every chance to read and answer what it should not.
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  expect(s.replies.map((r) => r[0])).toEqual([1, 2]);
  expect(s.pending).toHaveLength(3);
  vi.advanceTimersByTime(1000);
  await until(() => expect(s.pending).toHaveLength(4));
  s.pending[3]!.answer();
  await until(() => expect(s.replies.map((r) => r[0])).toEqual([1, 2, 3, 4]));
});

test('requests read in the same read as one that mutes are handled only once the mute ends, one mute at a time', async () => {
  const s = await setUp();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const mute = sizePrefixed(Buffer.from([MUTE]));
  s.client.write(Buffer.concat([good(1), mute, mute, good(2)]));
  await until(() => expect(s.pending).toHaveLength(2));
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  expect(s.pending.map((p) => p.frame[0])).toEqual([1, MUTE]);
  for (const p of s.pending) p.answer();
  await until(() => expect(s.replies.map((r) => r[0])).toEqual([1, MUTE]));
  // The second muting request is handled when the first mute ends, and mutes again: 2 waits.
  vi.advanceTimersByTime(1000);
  await until(() => expect(s.pending).toHaveLength(3));
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  expect(s.pending).toHaveLength(3);
  s.pending[2]!.answer();
  vi.advanceTimersByTime(1000);
  await until(() => expect(s.pending).toHaveLength(4));
  s.pending[3]!.answer();
  await until(() => expect(s.replies.map((r) => r[0])).toEqual([1, MUTE, MUTE, 2]));
  expect(s.budget.usedBytes).toBe(0);
});

test('frames held by a mute are dropped, their memory given back, when the client leaves', async () => {
  const s = await setUp();
  s.client.write(Buffer.concat([sizePrefixed(Buffer.from([MUTE])), good(1), good(2)]));
  await until(() => expect(s.pending).toHaveLength(1));
  expect(s.budget.usedBytes).toBeGreaterThan(0);
  s.client.destroy();
  await vi.waitFor(() => expect(s.pending[0]!.request.signal.aborted).toBe(true));
  expect(s.budget.usedBytes).toBe(0);
  expect(s.pending).toHaveLength(1);
});

test('a connection closing over a request while muted answers the requests before it once the mute ends, then ends', async () => {
  const s = await setUp();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  s.client.write(Buffer.concat([good(1), good(2), good(3)]));
  await until(() => expect(s.pending).toHaveLength(3));
  s.pending[0]!.request.mute(1000);
  s.pending[0]!.answer();
  s.pending[1]!.answer();
  await until(() => expect(s.replies.map((r) => r[0])).toEqual([1]));
  s.pending[2]!.fail(new Error('handler bug'));
  await until(() => expect(s.logged).toContain('closing connection: request handling failed'));
  expect(s.replies.map((r) => r[0])).toEqual([1]);
  vi.advanceTimersByTime(1000);
  await s.serverEnded;
  expect(s.replies.map((r) => r[0])).toEqual([1, 2]);
  expect(s.budget.usedBytes).toBe(0);
});
