// A fault (a bug, not bad input) while answering one client's request costs that client its connection,
// with a log line, never the server: also for a read that waited behind the session's pending write
// and runs only when that write completes, outside the frame dispatch that guards the others.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { pino } from 'pino';
import { afterEach, expect, test } from 'vitest';
import { FrameReader } from '../../../src/net/frame-reader.js';
import { ClientConnection, type ConnectionHost } from '../../../src/zookeeper/connection.js';

let server: Server | undefined;
let client: Socket | undefined;

afterEach(() => {
  client?.destroy();
  server?.close();
});

/** A connected socket pair: the server side, and a promise of the client side closing. */
async function socketPair(): Promise<{ accepted: Socket; clientClosed: Promise<void> }> {
  const accepted = new Promise<Socket>((resolve) => {
    server = createServer(resolve);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server!.address() as { port: number };
  client = connect(port, '127.0.0.1');
  client.on('error', () => {});
  const clientClosed = new Promise<void>((resolve) => client!.on('close', () => resolve()));
  return { accepted: await accepted, clientClosed };
}

test('a read that throws after waiting behind a write closes its connection with a log line', async () => {
  const { accepted, clientClosed } = await socketPair();
  const lines: { msg: string }[] = [];
  const host: ConnectionHost = {
    log: pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) }),
    handshake: () => {},
    request: () => {},
    fourLetterWord: () => '',
    closed: () => {},
  };
  const conn = new ClientConnection(accepted, new FrameReader(1 << 20), host);
  const pendingWrite = conn.reserve();
  conn.answer(() => {
    throw new Error('a bug in a read');
  });
  // The write's commit completes it, which runs the read behind it: the fault must not escape to the
  // commit path (it would be an unhandled error there, taking every session down).
  expect(() => conn.complete(pendingWrite, [Buffer.from([0, 0, 0, 0])])).not.toThrow();
  await clientClosed;
  expect(conn.isClosed).toBe(true);
  expect(lines.map((l) => l.msg)).toContain('closing connection: request handling failed');
});
