// A growable byte buffer for decoders whose output size is unknown until the end, with a hard ceiling.
import { DecodeError } from '../../bytes.js';

export class BoundedOutput {
  buf = Buffer.alloc(0);
  length = 0;

  constructor(readonly maxBytes: number) {}

  /** Makes room for `n` more bytes, or throws DecodeError if that would pass the ceiling. */
  reserve(n: number): void {
    const needed = this.length + n;
    if (needed <= this.buf.length) return;
    if (needed > this.maxBytes) {
      throw new DecodeError(`decompressed data exceeds the limit of ${this.maxBytes} bytes`);
    }
    const grown = Buffer.allocUnsafe(Math.min(this.maxBytes, Math.max(needed, this.buf.length * 2)));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }

  append(src: Uint8Array): void {
    this.reserve(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
  }

  /** The bytes written so far, as a view (no copy). */
  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** Copies `len` bytes from `offset` back; an overlapping copy repeats the pattern, as LZ77 formats require. */
export function copyMatch(dst: Buffer, op: number, offset: number, len: number): void {
  const from = op - offset;
  if (offset >= len) {
    dst.copyWithin(op, from, from + len);
    return;
  }
  for (let i = 0; i < len; i++) dst[op + i] = dst[from + i]!;
}
