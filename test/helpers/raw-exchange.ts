// Raw bytes to a server and the frames it answers: for tests that send what no client would.
import { connect } from 'node:net';
import { FrameReader } from '../../src/net/frame-reader.js';

/** `body` with its int32 size prefix. */
export function sizePrefixed(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/**
 * Sends `bytes` to `address` ("host:port"); resolves with the reply frames once `replies` have come (then
 * hangs up) or the server closes the connection.
 */
export function exchange(address: string, bytes: Buffer, replies = Infinity): Promise<{ frames: Buffer[]; closedByServer: boolean }> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const frames: Buffer[] = [];
    const reader = new FrameReader(1 << 24);
    let hungUp = false;
    reader.sink = {
      frame: (f) => {
        frames.push(f);
        if (frames.length >= replies && !hungUp) {
          hungUp = true;
          socket.end();
        }
      },
      invalid: reject,
    };
    const socket = connect(Number(port), host, () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A server that closes with bytes of ours unread resets the connection: that is it closing too.
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
    });
    socket.on('close', () => resolve({ frames, closedByServer: !hungUp }));
  });
}
