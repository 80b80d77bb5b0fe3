// Clients that hold a connection without using it: idle sockets are closed at connections.max.idle.ms,
// half-sent requests at socket.request.read.timeout.ms, and a length prefix claiming 100 MiB costs no
// 100 MiB. Short timeouts keep the test quick; every wait polls with a deadline.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, encodeRequestFrame } from '../../../protocol/kafka/index.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { sizePrefixed } from '../../helpers/raw-exchange.js';

const IDLE_MS = 500;
const READ_TIMEOUT_MS = 500;
/** Generous: the server checks its deadlines at intervals and the machine may be busy. */
const CLOSE_DEADLINE_MS = 15_000;

let broker: TestBroker;

beforeAll(async () => {
  broker = await startTestBroker({ 'connections.max.idle.ms': String(IDLE_MS), 'socket.request.read.timeout.ms': String(READ_TIMEOUT_MS) });
});
afterAll(() => broker.close());

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(broker.port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Resolves with how long after `since` the server closed `socket`; rejects past the deadline. */
function closedBy(socket: Socket, since: number): Promise<number> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve(Date.now() - since);
    const timer = setTimeout(() => reject(new Error('the server kept the connection open')), CLOSE_DEADLINE_MS);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - since);
    });
    socket.resume();
  });
}

function apiVersionsFrame(correlationId: number): Buffer {
  return sizePrefixed(Buffer.concat(encodeRequestFrame({ apiKey: ApiKey.ApiVersions, apiVersion: 0, correlationId, clientId: 'slow' }, {} as never)));
}

/** This process's virtual size in bytes (VmSize). */
function virtualBytes(): number {
  const m = /VmSize:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(m![1]) * 1024;
}

test('a connection that sends nothing is closed once connections.max.idle.ms passes, a busy one is not', async () => {
  const started = Date.now();
  const idle = await open();
  const busy = await open();
  let replies = 0;
  busy.on('data', () => replies++);
  // Keep the busy connection talking for three idle periods.
  for (let i = 0; i < 15; i++) {
    busy.write(apiVersionsFrame(i));
    await new Promise((r) => setTimeout(r, IDLE_MS / 5));
  }
  const idleFor = await closedBy(idle, started);
  expect(idleFor).toBeGreaterThanOrEqual(IDLE_MS - 50);
  expect(busy.destroyed).toBe(false);
  expect(replies).toBeGreaterThan(0);
  busy.destroy();
});

test('a request whose bytes stop coming is closed at socket.request.read.timeout.ms, even while bytes trickle', async () => {
  const started = Date.now();
  const slow = await open();
  const whole = apiVersionsFrame(1);
  // One byte per tenth of the timeout: the connection is never idle, but the request never completes.
  let sent = 0;
  const trickle = setInterval(() => {
    if (!slow.destroyed && sent < whole.length - 1) slow.write(whole.subarray(sent, ++sent));
  }, READ_TIMEOUT_MS / 10);
  try {
    const after = await closedBy(slow, started);
    expect(after).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 50);
  } finally {
    clearInterval(trickle);
  }
});

test('length prefixes of 100 MiB reserve no memory, and their connections are closed at the request timeout', async () => {
  const CONNECTIONS = 100;
  const before = virtualBytes();
  let peak = before;
  const prefix = Buffer.alloc(7);
  prefix.writeInt32BE(100 * 1024 * 1024);
  prefix.write('abc', 4);
  const started = Date.now();
  const sockets = await Promise.all(Array.from({ length: CONNECTIONS }, open));
  for (const s of sockets) s.write(prefix);
  const sampler = setInterval(() => (peak = Math.max(peak, virtualBytes())), 20);
  try {
    await Promise.all(sockets.map((s) => closedBy(s, started)));
  } finally {
    clearInterval(sampler);
  }
  // 100 frames of 100 MiB would be ~10 GiB if reserved up front; a frame's first MiB at most is allowed.
  expect(peak - before).toBeLessThan(512 * 1024 * 1024);
  // The broker still serves.
  const client = await open();
  const answered = new Promise<void>((resolve) => client.once('data', () => resolve()));
  client.write(apiVersionsFrame(9));
  await answered;
  client.destroy();
});
