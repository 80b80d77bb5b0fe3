// Keeps a second process (or a second user in this process) off a data directory. The lock is a Unix
// socket bound in Linux's abstract namespace under a name made from the directory's real path. Binding is
// atomic, a second bind fails with EADDRINUSE, and the kernel frees the name as soon as the holder's file
// descriptors close: at exit or kill -9, before the dead process is reaped. A pid file cannot promise
// that: a killed process that is not yet reaped still answers kill(pid, 0), and pids are reused. Node has
// no flock, and an abstract socket needs no native module and leaves nothing stale behind.
// The holder's pid is also written to `.lock` in the directory, only to name it in the error.
// Limits: Linux only; abstract names belong to a network namespace, so processes in different network
// namespaces (two containers sharing one volume) do not see each other's locks.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { readFile, realpath, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const LOCK_FILE = '.lock';

/** Another process, or another user in this one, holds the directory's lock. */
export class DirLockedError extends Error {
  override readonly name = 'DirLockedError';

  constructor(
    readonly dir: string,
    holder: number | undefined,
  ) {
    super(
      holder === process.pid
        ? `${dir} is already in use by this process`
        : `${dir} is locked by ${holder === undefined ? 'another process' : `process ${holder}`}`,
    );
  }
}

/** The abstract socket name standing for the directory at real path `key`. */
function lockName(key: string): string {
  return `\0skein-lock-${createHash('sha256').update(key).digest('hex')}`;
}

function listen(server: Server, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(name, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The pid in `.lock`, if it holds one: whoever wrote it last, which is the holder when the lock is held. */
async function holderOf(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return /^\d+\s*$/.test(text) ? Number(text) : undefined;
}

export class DirLock {
  private constructor(
    private readonly server: Server,
    private readonly path: string,
  ) {}

  /** Takes the lock of an existing directory, or throws DirLockedError naming the holder. */
  static async acquire(dir: string): Promise<DirLock> {
    const key = await realpath(dir);
    const path = join(key, LOCK_FILE);
    const server = createServer();
    // Nothing is served: a process that connects to the name is hung up on at once.
    server.maxConnections = 0;
    try {
      await listen(server, lockName(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new DirLockedError(dir, await holderOf(path));
      throw err;
    }
    // The lock alone must not keep the process running.
    server.unref();
    try {
      await writeFile(path, `${process.pid}\n`);
    } catch (err) {
      await close(server);
      throw err;
    }
    return new DirLock(server, path);
  }

  /** Locks every directory in order, or none: on a failure the ones already taken are released. */
  static async acquireAll(dirs: readonly string[]): Promise<DirLock[]> {
    const locks: DirLock[] = [];
    try {
      for (const dir of dirs) locks.push(await DirLock.acquire(dir));
    } catch (err) {
      await Promise.all(locks.map((l) => l.release()));
      throw err;
    }
    return locks;
  }

  async release(): Promise<void> {
    if (!this.server.listening) return;
    await unlink(this.path).catch(() => undefined);
    await close(this.server);
  }
}
