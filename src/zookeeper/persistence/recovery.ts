// Startup: the newest intact snapshot, then every logged transaction after it, in zxid order. A torn
// tail in the last log segment (a crash mid-write) is cut off; damage anywhere else means transactions
// that were acknowledged are unreadable, and the server refuses to start rather than serve a past state.
import { readFile, rm, stat, truncate } from 'node:fs/promises';
import { Reader } from '../../../protocol/bytes.js';
import { readTransaction } from '../../../protocol/zookeeper/txn.js';
import type { Logger } from '../../logger.js';
import { DataTree } from '../../znode/data-tree.js';
import { listZxidFiles, type ZxidFile } from './files.js';
import { readSnapshot } from './snapshot.js';
import { scanSegment, type LogTail } from './txn-log.js';

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
  // The segment holding snapshotZxid + 1 is the last one starting at or before it.
  let first = 0;
  for (let i = 0; i < segments.length; i++) if (segments[i]!.zxid <= snapshotZxid + 1n) first = i;
  const needed = segments.slice(first);
  if (needed.length > 0 && needed[0]!.zxid > snapshotZxid + 1n) {
    throw new RecoveryError(
      `transactions ${snapshotZxid + 1n}..${needed[0]!.zxid - 1n} are missing: no log segment holds them`,
    );
  }
  let replayed = 0;
  let tail: LogTail | undefined;
  for (let i = 0; i < needed.length; i++) {
    const seg = needed[i]!;
    const last = i === needed.length - 1;
    const buf = await readFile(seg.path);
    const scan = scanSegment(buf, maxRecordBytes);
    let end = scan.end;
    let problem = scan.problem;
    for (const payload of scan.payloads) {
      const txn = readTransaction(new Reader(payload));
      if (txn.zxid <= tree.lastProcessedZxid) {
        if (txn.zxid <= snapshotZxid) continue;
        problem = `zxid ${txn.zxid} does not follow ${tree.lastProcessedZxid}`;
        end = payload.byteOffset - buf.byteOffset - 8;
        break;
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
