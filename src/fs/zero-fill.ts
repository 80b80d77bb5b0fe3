// Log files are zero-filled ahead of the write position: an fdatasync then rarely has to persist a new
// file size along with the data, and a zero record length marks where the written part ends.
import { writeAll, type WritableFile } from './write-all.js';

/** Bytes zero-filled at a time. */
export const ZERO_FILL_BYTES = 4 * 1024 * 1024;
const ZEROS = Buffer.alloc(ZERO_FILL_BYTES);

/** Zero-fills `file` from `allocated` on, a step at a time, until it covers `needed` bytes; returns the new allocated size. */
export async function zeroFillTo(file: WritableFile, allocated: number, needed: number): Promise<number> {
  let at = allocated;
  while (at < needed) {
    await writeAll(file, [ZEROS], at);
    at += ZEROS.length;
  }
  return at;
}
