// The one way bytes reach a file. A positional write may take fewer bytes than asked: the kernel writes
// what fits on a full disk and returns the count, and libuv passes at most IOV_MAX buffers to one
// pwritev. Code that ignores the count acknowledges bytes that were never written, so every file write
// goes through writeAll, which keeps writing until the last byte is in or the disk refuses.
import type { FileHandle } from 'node:fs/promises';

/** What writeAll needs of a file: node's FileHandle, or a test's fault-injecting wrapper of one. */
export type WritableFile = Pick<FileHandle, 'writev'>;

/** errno codes that mean "no room": the disk or the user's quota is full. */
const NO_SPACE_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT']);

/**
 * The disk had no room for a write. `written` bytes from its start did land (a torn piece the caller
 * must cut off or overwrite); the rest did not. Space freed later makes writes possible again.
 */
export class DiskFullError extends Error {
  override readonly name = 'DiskFullError';
  readonly code = 'ENOSPC';

  constructor(
    message: string,
    readonly written: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Whether `err` says the disk (or quota) is full, as opposed to a failing device. */
export function isDiskFull(err: unknown): boolean {
  if (err instanceof DiskFullError) return true;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && NO_SPACE_CODES.has(code);
}

/**
 * Writes all of `buffers`, back to back, at `position`: resolves only once every byte is written.
 * Rejects with DiskFullError when the disk refuses (ENOSPC/EDQUOT, or a write that makes no progress);
 * other errors (EIO, EBADF) pass through unchanged.
 */
export async function writeAll(file: WritableFile, buffers: readonly Buffer[], position: number): Promise<void> {
  let pending = buffers.filter((b) => b.length > 0);
  let at = position;
  while (pending.length > 0) {
    let written: number;
    try {
      ({ bytesWritten: written } = await file.writev(pending, at));
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      throw new DiskFullError(`no space left to write at byte ${at}: ${(err as Error).message}`, at - position, { cause: err });
    }
    if (written <= 0) throw new DiskFullError(`a write at byte ${at} made no progress`, at - position);
    at += written;
    pending = dropBytes(pending, written);
  }
}

/** `buffers` without their first `n` bytes (views, no copies). */
function dropBytes(buffers: Buffer[], n: number): Buffer[] {
  let skip = n;
  let i = 0;
  while (i < buffers.length && skip >= buffers[i]!.length) skip -= buffers[i++]!.length;
  const rest = buffers.slice(i);
  if (skip > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(skip);
  return rest;
}
