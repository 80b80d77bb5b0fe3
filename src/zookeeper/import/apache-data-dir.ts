// Reads an Apache ZooKeeper data directory (its version-2 snapshots and transaction logs) into a znode
// tree the way Apache ZooKeeper itself recovers on start (FileTxnSnapLog.restore): the newest snapshot,
// then every logged transaction after its zxid. Anything damaged is refused with the file and the byte
// offset, never skipped: an import that quietly left out transactions would serve a tree that never was.
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DecodeError, Reader } from '../../../protocol/bytes.js';
import { snappyDecompress } from '../../../protocol/kafka/compression/snappy.js';
import { ApacheFormatError, decodeSnapshot, ttlOf, type ApacheSnapshot } from '../../../protocol/zookeeper/apache-snapshot.js';
import { decodeLogHeader, LOG_HEADER_BYTES, nextLogRecord } from '../../../protocol/zookeeper/apache-txn-log.js';
import { OpCode } from '../../../protocol/zookeeper/codes.js';
import { SetDataTxn, TxnHeader } from '../../../protocol/zookeeper/records.js';
import { readTransaction, type Transaction } from '../../../protocol/zookeeper/txn.js';
import { formatZxid, zxidFollows } from '../../consensus/zxid.js';
import { DataTree, ownBytes } from '../../znode/data-tree.js';
import { isSessionOwner, ZNode } from '../../znode/znode.js';

/** Largest decompressed snapshot accepted (Node's Buffer limit is not much more). */
export const SNAPSHOT_BYTES_MAX = 2 * 1024 * 1024 * 1024 - 1;
/** Largest log entry accepted: far above jute.maxbuffer's 1 MiB default, which a multi may exceed a little. */
export const LOG_ENTRY_BYTES_MAX = 64 * 1024 * 1024;
/** Bytes read from a log file at a time: the files are 64 MiB of mostly zero padding. */
const LOG_CHUNK_BYTES = 1024 * 1024;

/** The import refused the directory: what is wrong, in which file, at which byte. */
export class ImportError extends Error {
  override readonly name = 'ImportError';
  constructor(
    readonly file: string,
    readonly offset: number | undefined,
    detail: string,
  ) {
    super(offset === undefined ? `${file}: ${detail}` : `${file} at byte ${offset}: ${detail}`);
  }
}

interface ZxidNamed {
  path: string;
  zxid: bigint;
  /** A snapshot's compression, from its name's suffix (zookeeper.snapshot.compression.method). */
  compression?: 'gz' | 'snappy';
}

export interface ApacheDataDir {
  tree: DataTree;
  /** The snapshot loaded, if the directory had one. */
  snapshot?: ZxidNamed;
  logs: string[];
  replayed: number;
  /** Where a write cut off by a crash ended the last log (Apache drops it too). */
  tornTail?: { file: string; offset: number };
  /** Sessions whose ephemerals were deleted because the session itself was gone (as Apache's loadData does). */
  deadSessions: number;
}

/** `dir` itself if it holds ZooKeeper files, else its version-2 subdirectory (dataDir as zoo.cfg names it). */
async function versionDir(dir: string): Promise<{ dir: string; names: string[] }> {
  const sub = join(dir, 'version-2');
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    throw new ImportError(dir, undefined, err.code === 'ENOENT' ? 'no such directory' : err.message);
  });
  if (names.includes('version-2') && (await stat(sub)).isDirectory()) return { dir: sub, names: await readdir(sub) };
  return { dir, names };
}

function zxidFiles(dir: string, names: string[], prefix: string, suffixes: boolean): ZxidNamed[] {
  const pattern = new RegExp(`^${prefix}\\.([0-9a-f]{1,16})${suffixes ? '(?:\\.(gz|snappy))?' : ''}$`);
  const out: ZxidNamed[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const file: ZxidNamed = { path: join(dir, name), zxid: BigInt(`0x${m[1]!}`) };
    if (m[2] === 'gz' || m[2] === 'snappy') file.compression = m[2];
    out.push(file);
  }
  return out.sort((a, b) => (a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0));
}

/**
 * ZooKeeper writes snapshots under their final name, so one it was writing when it died is cut short and
 * ZooKeeper itself starts from the one before. The import does not guess that: it says how to ask for it.
 */
const SNAPSHOT_HINT = '; if ZooKeeper stopped while writing it, move it out of the directory and import again (the snapshot before it and the logs after that are read then)';

async function loadSnapshot(file: ZxidNamed): Promise<ApacheSnapshot> {
  const { size } = await stat(file.path);
  if (size > SNAPSHOT_BYTES_MAX) throw new ImportError(file.path, undefined, `${size} bytes is more than the ${SNAPSHOT_BYTES_MAX} an import reads`);
  const raw = await readFile(file.path);
  let bytes: Buffer;
  try {
    if (file.compression === 'gz') bytes = gunzipSync(raw, { maxOutputLength: SNAPSHOT_BYTES_MAX });
    else if (file.compression === 'snappy') bytes = snappyDecompress(raw, SNAPSHOT_BYTES_MAX);
    else bytes = raw;
  } catch (err) {
    throw new ImportError(file.path, undefined, `cannot decompress (${file.compression}): ${(err as Error).message}${SNAPSHOT_HINT}`);
  }
  try {
    return decodeSnapshot(bytes);
  } catch (err) {
    if (err instanceof ApacheFormatError) {
      const where = (file.compression ? `${err.detail} (byte ${err.offset} of the decompressed snapshot)` : err.detail) + SNAPSHOT_HINT;
      throw new ImportError(file.path, file.compression ? undefined : err.offset, where);
    }
    throw err;
  }
}

/** Restores a decoded snapshot into a new tree whose last zxid is the snapshot's (its name). */
function treeOf(snapshot: ApacheSnapshot, zxid: bigint): DataTree {
  const tree = new DataTree();
  for (const n of snapshot.nodes) {
    const ttl = ttlOf(n.stat.ephemeralOwner);
    const owner = ttl === undefined ? n.stat.ephemeralOwner : 0n;
    const node = new ZNode(ownBytes(n.data), tree.aclCache.acquire(n.acl), n.stat.czxid, n.stat.ctime, owner, ttl ?? 0);
    node.mzxid = n.stat.mzxid;
    node.mtime = n.stat.mtime;
    node.version = n.stat.version;
    node.childCreates = n.stat.cversion;
    node.aversion = n.stat.aversion;
    node.pzxid = n.stat.pzxid;
    tree.restoreNode(n.path, node);
  }
  tree.linkSnapshot();
  for (const [id, timeout] of snapshot.sessions) {
    tree.sessions.set(id, timeout);
    tree.noteSessionId(id);
  }
  // A fuzzy snapshot may have caught nodes changed after the zxid in its name; replaying the log from that
  // zxid makes them exact, so the tree starts there whatever the last-zxid trailer says.
  tree.lastProcessedZxid = zxid;
  return tree;
}

/** The log files recovery from `snapshotZxid` reads: the last starting at or before it, and all later ones. */
function neededLogs(logs: ZxidNamed[], snapshotZxid: bigint): ZxidNamed[] {
  let first = 0;
  for (let i = 0; i < logs.length; i++) if (logs[i]!.zxid <= snapshotZxid) first = i;
  return logs.slice(first);
}

/**
 * The transaction in a log entry; one Skein cannot read is refused at the record's offset. An ensemble's
 * reconfig is a SetDataTxn of /zookeeper/config under its own type, and Apache applies it as that setData.
 */
function readRecord(entry: Buffer, path: string, pos: number): Transaction {
  try {
    const r = new Reader(entry);
    const h = TxnHeader.read(r);
    if (h.type !== OpCode.reconfig) return readTransaction(new Reader(entry));
    return { clientId: h.clientId, cxid: h.cxid, zxid: h.zxid, time: h.time, body: { type: OpCode.setData, ...SetDataTxn.read(r) } };
  } catch (err) {
    if (err instanceof DecodeError) throw new ImportError(path, pos, `transaction record: ${err.message}`);
    throw err;
  }
}

/**
 * Applies every transaction of one log file after the tree's last zxid. Returns the torn tail's offset
 * when the file ends in a record a crash cut off.
 */
async function replayLog(path: string, tree: DataTree, snapshotZxid: bigint, last: boolean): Promise<{ replayed: number; tornAt?: number }> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    let bytes = Buffer.alloc(0);
    let eof = size === 0;
    // The bytes read so far stay whole, so offsets are the file's; they grow by doubling, so a log full
    // of records is copied O(its size) times in all, and a mostly-zero one is read only to its last record.
    const fill = async (until: number): Promise<void> => {
      if (until <= bytes.length) return;
      const want = Math.min(size, Math.max(until, 2 * bytes.length, LOG_CHUNK_BYTES)) - bytes.length;
      const more = Buffer.alloc(want);
      const { bytesRead } = await fh.read(more, 0, want, bytes.length);
      bytes = Buffer.concat([bytes, more.subarray(0, bytesRead)]);
      // A file that shrank under the import ends where reading ends.
      eof = bytes.length >= size || bytesRead === 0;
    };
    await fill(LOG_HEADER_BYTES);
    decodeLogHeader(bytes);
    let pos = LOG_HEADER_BYTES;
    let replayed = 0;
    for (;;) {
      const step = nextLogRecord(bytes, pos, eof, LOG_ENTRY_BYTES_MAX);
      if (step.kind === 'more') {
        await fill(step.until);
        continue;
      }
      if (step.kind === 'end') return { replayed };
      if (step.kind === 'partial') {
        if (!last) throw new ImportError(path, pos, 'a record without its end marker, before later log files');
        return { replayed, tornAt: pos };
      }
      const txn = readRecord(step.entry, path, pos);
      const prev = tree.lastProcessedZxid;
      if (txn.zxid > snapshotZxid) {
        if (txn.zxid <= prev || !zxidFollows(prev, txn.zxid)) {
          throw new ImportError(path, pos, `transaction ${formatZxid(txn.zxid)} does not follow ${formatZxid(prev)}: transactions are missing`);
        }
        tree.apply(txn);
        replayed++;
      }
      pos = step.next;
    }
  } catch (err) {
    if (err instanceof ApacheFormatError) throw new ImportError(path, err.offset, err.detail);
    throw err;
  } finally {
    await fh.close();
  }
}

/**
 * Reads the Apache ZooKeeper data in `dataDir` (and `dataLogDir` when the logs live elsewhere, as zoo.cfg's
 * dataLogDir puts them). Throws ImportError naming the file and offset of anything damaged.
 */
export async function readApacheDataDir(dataDir: string, dataLogDir = dataDir): Promise<ApacheDataDir> {
  const snapDir = await versionDir(dataDir);
  const logDir = dataLogDir === dataDir ? snapDir : await versionDir(dataLogDir);
  const snapshots = zxidFiles(snapDir.dir, snapDir.names, 'snapshot', true);
  const logs = zxidFiles(logDir.dir, logDir.names, 'log', false);
  if (snapshots.length === 0 && logs.length === 0) {
    throw new ImportError(snapDir.dir, undefined, 'no ZooKeeper snapshot.* or log.* files here (give the dataDir of zoo.cfg)');
  }
  // Apache falls back to an older snapshot when the newest is damaged; an import refuses instead, so a bad
  // copy is noticed rather than imported from whatever older state the logs can still reach.
  const snapshot = snapshots.at(-1);
  const snapshotZxid = snapshot?.zxid ?? 0n;
  const tree = snapshot ? treeOf(await loadSnapshot(snapshot), snapshot.zxid) : new DataTree();
  const needed = neededLogs(logs, snapshotZxid);
  const result: ApacheDataDir = { tree, logs: needed.map((l) => l.path), replayed: 0, deadSessions: 0 };
  if (snapshot) result.snapshot = snapshot;
  for (let i = 0; i < needed.length; i++) {
    const path = needed[i]!.path;
    const { replayed, tornAt } = await replayLog(path, tree, snapshotZxid, i === needed.length - 1);
    result.replayed += replayed;
    if (tornAt !== undefined) result.tornTail = { file: path, offset: tornAt };
  }
  result.deadSessions = closeDeadSessions(tree);
  return result;
}

/**
 * Deletes the ephemerals of sessions the tree no longer has (a fuzzy snapshot can hold one whose session
 * closed), as Apache's ZooKeeperServer.loadData does, at the last zxid so nothing new is numbered.
 */
function closeDeadSessions(tree: DataTree): number {
  const dead = new Set<bigint>();
  for (const [, node] of tree.entries()) if (isSessionOwner(node.owner) && !tree.sessions.has(node.owner)) dead.add(node.owner);
  for (const clientId of dead) {
    tree.apply({ clientId, cxid: 0, zxid: tree.lastProcessedZxid, time: 0, body: { type: OpCode.closeSession, paths2Delete: [] } });
  }
  return dead.size;
}
