// The durable znode database: the recovered tree, the transaction log appends go to, periodic fuzzy
// snapshots and the purge of files no recovery needs any more.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeTransaction, type Transaction } from '../../../protocol/zookeeper/txn.js';
import { writeFileAtomic } from '../../fs/atomic-file.js';
import { DirLock } from '../../fs/dir-lock.js';
import type { Logger } from '../../logger.js';
import type { DataTree } from '../../znode/data-tree.js';
import { listZxidFiles } from './files.js';
import { firstNeededSegment, recover } from './recovery.js';
import { writeSnapshot } from './snapshot.js';
import { TxnLog } from './txn-log.js';

export interface DatabaseOptions {
  dataDir: string;
  dataLogDir: string;
  forceSync: boolean;
  /** Largest transaction record accepted when reading the log back. */
  maxRecordBytes: number;
  segmentBytes: number;
  log: Logger;
  /** Every appended transaction up to `zxid` is durable. */
  onDurable(zxid: bigint): void;
  onFatal(err: Error): void;
  /** An fdatasync of the transaction log took `ms`. */
  onSynced?(ms: number): void;
}

const SECRET_FILE = 'session-secret';

export class ZkDatabase {
  private snapshotRunning: Promise<void> | undefined;
  /** Transactions appended since the last snapshot began. */
  txnsSinceSnapshot = 0;

  private constructor(
    readonly tree: DataTree,
    private readonly txnLog: TxnLog,
    /** Key that session passwords are derived from; kept so sessions survive a restart. */
    readonly sessionSecret: Buffer,
    private readonly opts: DatabaseOptions,
    private readonly locks: DirLock[],
  ) {}

  static async open(opts: DatabaseOptions): Promise<ZkDatabase> {
    await mkdir(opts.dataDir, { recursive: true });
    await mkdir(opts.dataLogDir, { recursive: true });
    // Two servers on one directory would interleave their logs; dataLogDir is often dataDir itself.
    const sameDir = (await realpath(opts.dataLogDir)) === (await realpath(opts.dataDir));
    const locks = await DirLock.acquireAll(sameDir ? [opts.dataDir] : [opts.dataDir, opts.dataLogDir]);
    try {
      return await ZkDatabase.load(opts, locks);
    } catch (err) {
      await Promise.all(locks.map((l) => l.release()));
      throw err;
    }
  }

  private static async load(opts: DatabaseOptions, locks: DirLock[]): Promise<ZkDatabase> {
    const secret = await loadSecret(opts.dataDir);
    const { tree, tail, snapshotZxid, replayed } = await recover(
      opts.dataDir,
      opts.dataLogDir,
      opts.maxRecordBytes,
      opts.log,
    );
    opts.log.info(
      { snapshotZxid, replayed, lastZxid: tree.lastProcessedZxid, nodes: tree.nodeCount, sessions: tree.sessions.size },
      'znode database recovered',
    );
    const txnLog = await TxnLog.open(
      {
        dir: opts.dataLogDir,
        forceSync: opts.forceSync,
        segmentBytes: opts.segmentBytes,
        log: opts.log,
        onDurable: opts.onDurable,
        onFatal: opts.onFatal,
        onSynced: opts.onSynced,
      },
      tail,
    );
    const db = new ZkDatabase(tree, txnLog, secret, opts, locks);
    db.txnsSinceSnapshot = replayed;
    return db;
  }

  /** Queues a transaction for the log; opts.onDurable reports when it is on disk. */
  append(txn: Transaction): void {
    this.txnLog.append(txn.zxid, encodeTransaction(txn));
    this.txnsSinceSnapshot++;
  }

  get snapshotInProgress(): boolean {
    return this.snapshotRunning !== undefined;
  }

  /** Starts a fuzzy snapshot unless one is running; then purges old files when asked to keep `retain`. */
  snapshot(retain: number | undefined): Promise<void> {
    if (this.snapshotRunning) return this.snapshotRunning;
    this.txnsSinceSnapshot = 0;
    const started = Date.now();
    this.snapshotRunning = writeSnapshot(this.tree, this.opts.dataDir)
      .then(async (zxid) => {
        if (zxid !== undefined) {
          this.opts.log.info({ zxid, nodes: this.tree.nodeCount, ms: Date.now() - started }, 'snapshot written');
        }
        if (retain !== undefined) await this.purge(retain);
      })
      .catch((err: Error) => this.opts.log.error({ err }, 'snapshot failed'))
      .finally(() => {
        this.snapshotRunning = undefined;
      });
    return this.snapshotRunning;
  }

  /**
   * Keeps the newest `retain` snapshots and the log segments recovery from the oldest of them needs;
   * deletes the rest (ZooKeeper's autopurge).
   */
  async purge(retain: number): Promise<void> {
    const snapshots = await listZxidFiles(this.opts.dataDir, 'snapshot');
    if (snapshots.length === 0) return;
    const keep = snapshots.slice(-retain);
    const oldestKept = keep[0]!.zxid;
    const removed: string[] = [];
    for (const s of snapshots.slice(0, snapshots.length - keep.length)) {
      await rm(s.path, { force: true });
      removed.push(s.path);
    }
    const segments = await listZxidFiles(this.opts.dataLogDir, 'log');
    // Exactly what recovery from the oldest kept snapshot would skip; later snapshots need no more.
    for (const seg of segments.slice(0, firstNeededSegment(segments, oldestKept))) {
      await rm(seg.path, { force: true });
      removed.push(seg.path);
    }
    if (removed.length > 0) this.opts.log.info({ removed }, 'purged old snapshots and log segments');
  }

  async close(): Promise<void> {
    try {
      await this.snapshotRunning;
      await this.txnLog.close();
    } finally {
      await Promise.all(this.locks.map((l) => l.release()));
    }
  }
}

async function loadSecret(dir: string): Promise<Buffer> {
  const path = join(dir, SECRET_FILE);
  try {
    const secret = await readFile(path);
    if (secret.length === 32) return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32);
  await writeFileAtomic(path, secret);
  return secret;
}
