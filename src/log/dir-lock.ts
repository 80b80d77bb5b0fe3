// Keeps a second broker (or a second LogManager in this process) off a data directory. Node has no
// flock, so the lock is a file naming its owner's pid: a lock whose owner is gone is taken over.
// Known limit: a pid reused by an unrelated live process makes a stale lock look held (start fails,
// the operator removes the file); two brokers starting at the same instant over a stale lock can race.
import { open, readFile, realpath, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { LogDirLockedError } from './errors.js';

export const LOCK_FILE = '.lock';
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function ownerOf(path: string): Promise<number | undefined> {
  try {
    const text = (await readFile(path, 'utf8')).slice(0, 32).trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export class DirLock {
  private constructor(
    private readonly key: string,
    private readonly path: string,
  ) {}

  /** Takes the lock of an existing directory, or throws LogDirLockedError naming the holder. */
  static async acquire(dir: string): Promise<DirLock> {
    const key = await realpath(dir);
    if (held.has(key)) throw new LogDirLockedError(`${dir} is already in use by this process`);
    held.add(key);
    const path = join(key, LOCK_FILE);
    try {
      try {
        const file = await open(path, 'wx');
        await file.writeFile(String(process.pid));
        await file.close();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = await ownerOf(path);
        // Our own pid here is a previous incarnation (e.g. pid 1 in a container): this process holds no lock on it.
        if (owner !== undefined && owner !== process.pid && alive(owner)) {
          throw new LogDirLockedError(`${dir} is locked by process ${owner} (${path})`);
        }
        const tmp = `${path}.${process.pid}.tmp`;
        const file = await open(tmp, 'w');
        await file.writeFile(String(process.pid));
        await file.close();
        await rename(tmp, path);
      }
      if ((await ownerOf(path)) !== process.pid) throw new LogDirLockedError(`${dir}: another process took the lock at the same time`);
    } catch (err) {
      held.delete(key);
      throw err;
    }
    return new DirLock(key, path);
  }

  async release(): Promise<void> {
    if (!held.delete(this.key)) return;
    if ((await ownerOf(this.path)) === process.pid) await unlink(this.path).catch(() => undefined);
  }
}
