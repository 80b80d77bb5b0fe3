import type { Socket } from 'node:net';

/**
 * Writes one frame: its int32 size, then its chunks as they are (stored record batches go to the socket
 * without a copy). Returns false when the socket's send buffer is full and the caller should wait for
 * 'drain' before writing much more.
 */
export function writeFrame(socket: Socket, chunks: readonly Buffer[]): boolean {
  let size = 0;
  for (const c of chunks) size += c.length;
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeInt32BE(size, 0);
  let ok = socket.write(prefix);
  for (const c of chunks) ok = socket.write(c) && ok;
  return ok;
}
