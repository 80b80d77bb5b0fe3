// Sends fuzz frames to a server, many per connection, and checks what comes back. Each frame is followed
// by a probe, a request the server always answers; so the replies that arrive before a probe's answer
// belong to the frame before it, and a connection that closes before a probe's answer was closed by that
// frame. The sender then carries on with the next frame on a new connection.
import { connect, type Socket } from 'node:net';
import { FrameReader } from '../../src/net/frame-reader.js';
import { sizePrefixed } from '../helpers/raw-exchange.js';

/** The protocol-specific half of the exchange. */
export interface Wire {
  /** Sent first on every connection (ZooKeeper's ConnectRequest, size-prefixed); its one reply is skipped. */
  preamble?(): Buffer;
  /** A request the server answers under any circumstances, tagged `id` (size-prefixed). */
  probe(id: number): Buffer;
  /** The id (correlation id, xid) a request frame carries; undefined if it is too short to carry one. */
  requestId(frame: Buffer): number | undefined;
  /** The id a reply answers; undefined for replies that answer no request (watch events). */
  replyId(reply: Buffer): number | undefined;
  /** Why `reply` is not a well-formed answer to `frame`, or undefined when it is. */
  checkReply(frame: Buffer, reply: Buffer): string | undefined;
  /** Whether the server may leave `frame` unanswered and carry on (Kafka's acks=0 produce). */
  mayGoUnanswered(frame: Buffer): boolean;
}

export interface Tally {
  frames: number;
  answered: number;
  /** Connections the server closed in answer to a frame, without replying to it. */
  closedByServer: number;
  /** The frames behind closedByServer, the latest run's only (for the failure message). */
  closers: Buffer[];
  /** Connections the server closed after replying to the frame (ZooKeeper's closeSession, a failed auth). */
  closedAfterReply: number;
}

export function newTally(): Tally {
  return { frames: 0, answered: 0, closedByServer: 0, closers: [], closedAfterReply: 0 };
}

/** A property failure: the frame that caused it is in the message, as hex. */
export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
}

/** How long the server may go without answering or closing, under CPU contention included. */
export const STALL_MS = 20_000;
const MAX_REPLY_BYTES = 64 * 1024 * 1024;
const PROBE_IDS = 0x5a00_0000;

function probeIdFor(index: number, requestId: number | undefined): number {
  const id = PROBE_IDS + index;
  return id === requestId ? id + 0x0010_0000 : id;
}

interface Connection {
  socket: Socket;
  /** Resolves when the socket closes; `byServer` unless we ended it. */
  closed: Promise<void>;
}

function open(address: string, onReply: (reply: Buffer) => void, onProgress: () => void): Connection {
  const [host, port] = address.split(':') as [string, string];
  const reader = new FrameReader(MAX_REPLY_BYTES);
  const socket = connect(Number(port), host);
  socket.setNoDelay(true);
  reader.sink = {
    frame: onReply,
    invalid: (err) => socket.destroy(err),
  };
  socket.on('data', (chunk: Buffer) => {
    onProgress();
    reader.push(chunk);
  });
  const closed = new Promise<void>((resolve) => {
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
  return { socket, closed };
}

/** Rejects if `closed` has not settled after STALL_MS without progress; `touch` restarts the clock. */
function stallGuard(describe: () => string): { touch(): void; stalled: Promise<never>; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let fail: (e: Error) => void = () => {};
  const stalled = new Promise<never>((_resolve, reject) => (fail = reject));
  stalled.catch(() => {});
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => fail(new FuzzFailure(`no reply and no close for ${STALL_MS} ms: ${describe()}`)), STALL_MS);
  };
  touch();
  return { touch, stalled, stop: () => clearTimeout(timer) };
}

const hex = (b: Buffer) => b.toString('hex');

/**
 * Sends `frames` (without size prefix) to `address`, each with its correct size prefix, and checks that
 * every frame is answered well-formed or closes its connection. Throws FuzzFailure.
 *
 * Frames go out pipelined. A server that closes a connection may drop the replies still owed to earlier
 * frames, so a close in pipelined mode only says that some frame from the first unanswered one on closed
 * it: those frames are sent again one at a time, each waiting for its probe's answer, until the one that
 * closes the connection is found; pipelining resumes after it.
 */
export async function sendPipelined(address: string, frames: readonly Buffer[], wire: Wire, tally: Tally): Promise<void> {
  let next = 0;
  let stepwise = false;
  tally.closers = [];
  while (next < frames.length) {
    const closed = await sendFrom(address, frames, next, stepwise, wire, tally);
    if (closed === undefined) return;
    const closedAt = closed.at;
    if (stepwise) {
      tally.frames++;
      if (closed.replied) tally.closedAfterReply++;
      else {
        tally.closedByServer++;
        tally.closers.push(frames[closedAt]!);
      }
      next = closedAt + 1;
    } else {
      next = closedAt;
    }
    stepwise = !stepwise;
  }
}

/**
 * One connection's worth of sendPipelined, from frame `start`: all frames at once, or (`stepwise`) each
 * after the previous probe's answer. Returns the first frame not known to be handled when the server
 * closed the connection and whether it had a reply, or undefined once every frame is handled.
 */
async function sendFrom(
  address: string,
  frames: readonly Buffer[],
  start: number,
  stepwise: boolean,
  wire: Wire,
  tally: Tally,
): Promise<{ at: number; replied: boolean } | undefined> {
  let i = start;
  let answered = false;
  let awaitingPreamble = wire.preamble !== undefined;
  let done = false;
  let failure: FuzzFailure | undefined;
  const ids = frames.map((f) => wire.requestId(f));
  const fail = (message: string) => {
    failure ??= new FuzzFailure(`${message}; frame ${i}: ${hex(frames[i]!)}`);
    conn.socket.destroy();
  };
  const guard = stallGuard(() => `frame ${i}: ${hex(frames[i]!)}`);
  const framed = (k: number) => [sizePrefixed(frames[k]!), wire.probe(probeIdFor(k, ids[k]))];

  const onReply = (reply: Buffer) => {
    if (done || failure) return;
    if (awaitingPreamble) {
      awaitingPreamble = false;
      return;
    }
    const id = wire.replyId(reply);
    if (id === undefined) return;
    const frame = frames[i]!;
    if (id === probeIdFor(i, ids[i])) {
      if (!answered && !wire.mayGoUnanswered(frame)) return fail('no reply before the next request was answered');
      tally.frames++;
      i++;
      answered = false;
      if (i === frames.length) {
        done = true;
        conn.socket.end();
      } else if (stepwise) {
        conn.socket.write(Buffer.concat(framed(i)));
      }
      return;
    }
    if (answered) return fail(`a second reply (id ${id}): ${hex(reply)}`);
    if (id !== ids[i]) return fail(`a reply with id ${id}, not the request's ${ids[i]}: ${hex(reply)}`);
    const why = wire.checkReply(frame, reply);
    if (why !== undefined) return fail(`a malformed reply (${why}): ${hex(reply)}`);
    answered = true;
    tally.answered++;
  };

  const conn = open(address, onReply, () => guard.touch());
  const out: Buffer[] = [];
  if (wire.preamble) out.push(wire.preamble());
  for (let k = start; k < (stepwise ? start + 1 : frames.length); k++) out.push(...framed(k));
  conn.socket.write(Buffer.concat(out));
  try {
    await Promise.race([conn.closed, guard.stalled]);
  } finally {
    guard.stop();
    conn.socket.destroy();
  }
  if (failure) throw failure;
  return done ? undefined : { at: i, replied: answered };
}

/**
 * Sends bytes whose size prefix is wrong (after the preamble), then ends our side: the server must close
 * the connection, whatever it answered first.
 */
export async function sendMisframed(address: string, bytes: Buffer, wire: Wire, tally: Tally): Promise<void> {
  const guard = stallGuard(() => `misframed bytes: ${hex(bytes)}`);
  const conn = open(address, () => {}, () => guard.touch());
  try {
    conn.socket.end(wire.preamble ? Buffer.concat([wire.preamble(), bytes]) : bytes);
    await Promise.race([conn.closed, guard.stalled]);
  } finally {
    guard.stop();
    conn.socket.destroy();
  }
  tally.frames++;
}

/** A frame with a size prefix that disagrees with its length: a fixed value or the true size plus a delta. */
export function misframe(frame: Buffer, prefix: number | { delta: number }): Buffer {
  const out = sizePrefixed(frame);
  out.writeInt32BE(typeof prefix === 'number' ? prefix : Math.max(-0x8000_0000, frame.length + prefix.delta), 0);
  return out;
}
