// The data-directory lock across processes: a live holder keeps everyone else out, and a holder killed
// with SIGKILL holds nothing, even while it is a zombie its parent has not reaped yet (a pid-file lock
// still saw such a process as alive: kill(pid, 0) succeeds on a zombie). A server that fails to start
// does not keep its directory locked.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { DirLock, DirLockedError } from '../../../src/fs/dir-lock.js';
import { brokerConfigFrom } from '../../../src/kafka/broker-config.js';
import { startKafka } from '../../../src/kafka/broker.js';
import { createLogger } from '../../../src/logger.js';
import { defaultZooKeeperConfig } from '../../../src/zookeeper/config.js';
import { startZooKeeper } from '../../../src/zookeeper/server.js';

const HOLDER = fileURLToPath(new URL('./lock-holder.mjs', import.meta.url));
const DEADLINE_MS = 20_000;

let dir: string;
let wrapper: ChildProcess | undefined;
let holder: number | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skein-dir-lock-'));
});

afterEach(async () => {
  // The holder first: once its parent is gone it would be reparented, still alive if the test left it so.
  if (holder !== undefined && stateOf(holder) !== undefined) process.kill(holder, 'SIGKILL');
  wrapper?.kill('SIGKILL');
  wrapper = undefined;
  holder = undefined;
  await rm(dir, { recursive: true, force: true });
});

/**
 * Starts a lock holder under a parent that never reaps it: `sh` starts the holder in the background and
 * replaces itself with `sleep`, which never waits for children. Resolves with the holder's pid once it
 * holds the lock.
 */
function holdInUnreapedChild(): Promise<number> {
  const child = spawn('sh', ['-c', `"$0" "$1" "$2" & exec sleep 300`, process.execPath, HOLDER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  wrapper = child;
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /LOCKED (\d+)\n/.exec(out);
      if (m) resolve((holder = Number(m[1])));
    });
    child.once('exit', () => reject(new Error(`the lock holder's parent exited: ${out}`)));
  });
}

/** The state letter of /proc/<pid>/stat (R, S, Z, ...), or undefined once the process is gone. */
function stateOf(pid: number): string | undefined {
  try {
    return /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Threads of `pid` still listed. A killed multi-threaded process's leader turns zombie while its other
 * threads may still be exiting, and its files (the lock's socket among them) are closed only as the last
 * thread exits; once the zombie leader is all that is left, they are closed.
 */
function threadsOf(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a live holder in another process keeps the lock, and the error names it', async () => {
  const pid = await holdInUnreapedChild();
  const refused = DirLock.acquire(dir);
  await expect(refused).rejects.toBeInstanceOf(DirLockedError);
  await expect(refused).rejects.toThrow(`${dir} is locked by process ${pid}`);
});

test('a holder killed with SIGKILL frees the lock at once, while it is still an unreaped zombie', async () => {
  const pid = await holdInUnreapedChild();
  process.kill(pid, 'SIGKILL');
  await until(`process ${pid} to be a zombie with no thread left running`, () => stateOf(pid) === 'Z' && threadsOf(pid) === 1);
  // What the pid-file lock relied on: the dead process still "exists".
  expect(() => process.kill(pid, 0)).not.toThrow();
  const lock = await DirLock.acquire(dir);
  expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe(`${process.pid}\n`);
  expect(stateOf(pid)).toBe('Z');
  await lock.release();
});

test('two users in one process cannot both hold it; after release it can be taken again', async () => {
  const lock = await DirLock.acquire(dir);
  await expect(DirLock.acquire(join(dir, '.', ''))).rejects.toThrow('is already in use by this process');
  await lock.release();
  const again = await DirLock.acquire(dir);
  await again.release();
});

test('a server whose listener cannot start releases its data directory', async () => {
  const log = createLogger('silent');
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const busy = (taken.address() as { port: number }).port;
  try {
    const zk = (clientPort: number) => defaultZooKeeperConfig({ dataDir: dir, dataLogDir: dir, clientPort, clientPortAddress: '127.0.0.1' });
    await expect(startZooKeeper(zk(busy), log)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await (await startZooKeeper(zk(0), log)).stop();

    const kafkaDir = join(dir, 'kafka');
    const kafka = (port: number) =>
      brokerConfigFrom([
        { key: 'listeners', value: `PLAINTEXT://127.0.0.1:${port}`, line: 0 },
        { key: 'log.dirs', value: kafkaDir, line: 0 },
      ]);
    await expect(startKafka(kafka(busy), log)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await (await startKafka(kafka(0), log)).stop();
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});
