import type { Socket } from 'node:net';

/**
 * Writes one frame: its int32 size, then its chunks as they are (stored record batches go to the socket
 * without a copy). How much may wait unsent is the caller's concern (socket.writableLength).
 */
export function writeFrame(socket: Socket, chunks: readonly Buffer[]): void {
  let size = 0;
  for (const c of chunks) size += c.length;
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeInt32BE(size, 0);
  socket.write(prefix);
  for (const c of chunks) socket.write(c);
}
