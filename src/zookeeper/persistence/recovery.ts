// Startup: the newest intact snapshot, then every logged transaction after it, in zxid order. A torn
// tail in the last log segment (a crash mid-write) is cut off; damage anywhere else means transactions
// that were acknowledged are unreadable, and the server refuses to start rather than serve a past state.
// Zxids go up by one within an epoch and start again at counter 1 in a later one (zxidFollows), so a
// missing transaction shows as a zxid that does not follow the one before it.
import { readFile, rm, stat, truncate } from 'node:fs/promises';
import { Reader } from '../../../protocol/bytes.js';
import { readTransaction } from '../../../protocol/zookeeper/txn.js';
import { formatZxid, zxidFollows } from '../../consensus/zxid.js';
import type { Logger } from '../../logger.js';
import { DataTree } from '../../znode/data-tree.js';
import { listZxidFiles, type ZxidFile } from './files.js';
import { readSnapshot } from './snapshot.js';
import { scanSegment } from '../../../protocol/record-segment.js';
import { TXN_LOG_FORMAT, type LogTail } from './txn-log.js';

export class RecoveryError extends Error {
  override readonly name = 'RecoveryError';
}

export interface Recovered {
  tree: DataTree;
  /** The zxid of the snapshot loaded (0 without one). */
  snapshotZxid: bigint;
  /** Transactions replayed from the log. */
  replayed: number;
  /** The last log segment, where appends continue. */
  tail: LogTail | undefined;
}

export async function recover(
  dataDir: string,
  dataLogDir: string,
  maxRecordBytes: number,
  log: Logger,
): Promise<Recovered> {
  const { tree, zxid: snapshotZxid } = await loadNewestSnapshot(dataDir, log);
  const segments = await listZxidFiles(dataLogDir, 'log');
  const needed = segments.slice(firstNeededSegment(segments, snapshotZxid));
  let replayed = 0;
  let tail: LogTail | undefined;
  for (let i = 0; i < needed.length; i++) {
    const seg = needed[i]!;
    const last = i === needed.length - 1;
    const buf = await readFile(seg.path);
    const scan = scanSegment(buf, TXN_LOG_FORMAT, maxRecordBytes);
    let end = scan.end;
    let problem = scan.problem;
    for (const payload of scan.payloads) {
      const txn = readTransaction(new Reader(payload));
      const prev = tree.lastProcessedZxid;
      if (txn.zxid <= prev) {
        if (txn.zxid <= snapshotZxid) continue;
        problem = `zxid ${formatZxid(txn.zxid)} does not follow ${formatZxid(prev)}`;
        end = payload.byteOffset - buf.byteOffset - 8;
        break;
      }
      // Records are checksummed and written in order, so a skipped zxid is no torn write: transactions
      // were lost (a segment deleted, a wrong file copied in), and replaying past them would serve a
      // tree that never existed.
      if (!zxidFollows(prev, txn.zxid)) {
        throw new RecoveryError(
          `transactions after ${formatZxid(prev)} are missing: the log in ${seg.path} goes on at ${formatZxid(txn.zxid)}`,
        );
      }
      tree.apply(txn);
      replayed++;
    }
    if (problem === undefined) {
      tail = { path: seg.path, end, size: buf.length };
    } else {
      if (!last) throw new RecoveryError(`log segment ${seg.path} is damaged (${problem}) before later segments`);
      tail = (await cutTornTail(seg, end, buf.length, problem, log)) ?? tail;
    }
  }
  return { tree, snapshotZxid, replayed, tail };
}

/**
 * The index of the first log segment that recovery from a snapshot at `snapshotZxid` reads: the last
 * one starting at or before the snapshot, or the one starting just past it when there is one (the
 * segment before then ends at the snapshot). Segments before it are what purge may delete. A
 * transaction log need not go up by one at an epoch change, so past the snapshot only the replay can
 * tell whether a segment is missing.
 */
export function firstNeededSegment(segments: readonly ZxidFile[], snapshotZxid: bigint): number {
  let first = 0;
  for (let i = 0; i < segments.length; i++) if (segments[i]!.zxid <= snapshotZxid + 1n) first = i;
  return first;
}

async function loadNewestSnapshot(dir: string, log: Logger): Promise<{ tree: DataTree; zxid: bigint }> {
  const snapshots = await listZxidFiles(dir, 'snapshot');
  for (let i = snapshots.length - 1; i >= 0; i--) {
    const snap = snapshots[i]!;
    try {
      const tree = await readSnapshot(snap.path);
      log.info({ path: snap.path, zxid: snap.zxid, nodes: tree.nodeCount }, 'loaded snapshot');
      return { tree, zxid: tree.lastProcessedZxid };
    } catch (err) {
      log.warn({ path: snap.path, err: (err as Error).message }, 'skipping damaged snapshot');
    }
  }
  return { tree: new DataTree(), zxid: 0n };
}

async function cutTornTail(
  seg: ZxidFile,
  end: number,
  size: number,
  problem: string,
  log: Logger,
): Promise<LogTail | undefined> {
  if (end === 0) {
    // Not even the header made it to disk: the segment never held an acknowledged transaction.
    log.warn({ path: seg.path, problem }, 'removing log segment without a valid header');
    await rm(seg.path);
    return undefined;
  }
  log.warn({ path: seg.path, problem, cutAt: end, droppedBytes: size - end }, 'truncating torn log tail');
  await truncate(seg.path, end);
  const { size: after } = await stat(seg.path);
  return { path: seg.path, end, size: after };
}
