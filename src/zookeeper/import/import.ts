// `skein zk import`: an Apache ZooKeeper data directory becomes a Skein ZooKeeper data directory holding
// one snapshot of the recovered tree (every znode with its stat and ACL, the sessions, the last zxid).
// Written under a temporary name beside the target and renamed into place only when complete, so a
// failed or interrupted import leaves no half-written directory a server could start from.
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { syncDirectory } from '../../fs/dir-sync.js';
import { writeSnapshot } from '../persistence/snapshot.js';
import { ImportError, readApacheDataDir, type ApacheDataDir } from './apache-data-dir.js';

export interface ImportOptions {
  /** Apache ZooKeeper's dataDir (or its version-2 directory). */
  from: string;
  /** Apache's dataLogDir, when its logs are not in dataDir. */
  fromLogDir?: string;
  /** The Skein ZooKeeper data directory to create: zoo.cfg's dataDir, or <data-dir>/zookeeper for `skein start`. */
  dataDir: string;
}

export interface ImportSummary extends Omit<ApacheDataDir, 'tree'> {
  nodes: number;
  sessions: number;
  lastZxid: bigint;
  dataDir: string;
}

/** Refuses a target that holds anything: an import never mixes with or replaces existing data. */
async function checkTarget(dir: string): Promise<boolean> {
  try {
    const names = await readdir(dir);
    if (names.length > 0) throw new ImportError(dir, undefined, 'the target data directory is not empty: give a new or empty one');
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

export async function importApacheZooKeeper(opts: ImportOptions): Promise<ImportSummary> {
  const target = resolve(opts.dataDir);
  const existed = await checkTarget(target);
  const read = await readApacheDataDir(opts.from, opts.fromLogDir ?? opts.from);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = join(parent, `.${basename(target)}.importing-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  try {
    await writeSnapshot(read.tree, staging);
    if (existed) await rmdir(target);
    await rename(staging, target);
    await syncDirectory(parent);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  const { tree, ...rest } = read;
  return { ...rest, nodes: tree.nodeCount, sessions: tree.sessions.size, lastZxid: tree.lastProcessedZxid, dataDir: target };
}
