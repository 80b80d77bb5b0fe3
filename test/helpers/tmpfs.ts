// A small real filesystem that fills up: a tmpfs the test mounts (root only, as in CI) under a temp dir,
// and filler files that take its space and give it back. Tests that need one skip, with a note naming
// why, when they do not run as root.
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);

/** Mounting needs root; CI runs the tests as root. */
export const CAN_MOUNT = process.getuid?.() === 0;

/** Says (once per file, on stderr) why the full-disk tests of `what` are skipped here. */
export function noteSkippedWithoutRoot(what: string): void {
  if (!CAN_MOUNT) console.warn(`SKIPPED: ${what} needs root to mount a tmpfs (CI runs as root); running as uid ${process.getuid?.()}`);
}

export interface Tmpfs {
  dir: string;
  unmount(): Promise<void>;
}

export async function mountTmpfs(sizeMiB: number): Promise<Tmpfs> {
  const dir = await mkdtemp(join(tmpdir(), 'skein-tmpfs-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
  return {
    dir,
    async unmount() {
      await run('umount', ['-l', dir]);
      await rmdir(dir);
    },
  };
}

/**
 * For the calling file's tests: mounts a tmpfs of `sizeMiB` before them and unmounts it after them
 * (after the file's own afterAll hooks, which stop the processes using it). Call the result to reach it.
 */
export function tmpfsForTests(sizeMiB: number): () => Tmpfs {
  let tmpfs: Tmpfs | undefined;
  beforeAll(async () => {
    tmpfs = await mountTmpfs(sizeMiB);
  });
  afterAll(async () => {
    await tmpfs?.unmount();
  });
  return () => {
    if (!tmpfs) throw new Error('the tmpfs is not mounted: it is in beforeAll');
    return tmpfs;
  };
}

/** Writes `path` with up to `mib` MiB of zeros, stopping early (not failing) when the disk is full. */
export async function writeFiller(path: string, mib: number): Promise<void> {
  const file = await open(path, 'w');
  const chunk = Buffer.alloc(1 << 20, 0x5a);
  try {
    for (let i = 0; i < mib; i++) await file.write(chunk, 0, chunk.length, i * chunk.length);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await file.close();
  }
}

/** Gives the filler's space back. */
export function removeFiller(path: string): Promise<void> {
  return rm(path, { force: true });
}
