// Rebuilding a partition's producer state from disk (Kafka's ProducerStateManager.truncateAndReload plus
// loadProducersFromRecords): snapshots past the log end describe records that are gone and are deleted;
// the newest remaining snapshot that reads back whole is restored; the batches from its offset to the
// log end are replayed from their headers (records are never read). The log snapshots at every roll and
// clean close while it has producers, and deletes its snapshots when it has none, so without a usable
// snapshot no producer batch lies before the last roll: only the last two segments are replayed (as Kafka
// does on upgrading a log without snapshots), never the whole log.
//
// Markers in the replay close transactions as they did when written; the aborted ones become entries of
// the aborted-transaction index, which otherwise comes from the .txnindex files (txn-index.ts).
import { CONTROL_BIT } from '../../protocol/kafka/records/batch-header.js';
import type { Logger } from '../logger.js';
import { walkBatchHeaders, type WalkedBatch } from './batch-scan.js';
import { deleteSnapshot, listSnapshots, readSnapshot } from './producer-snapshot.js';
import { ProducerStateTable, type TxnMarker } from './producer-state.js';
import type { Segment } from './segment.js';
import { AbortedTxnIndex, readTxnIndexFiles, type TxnIndexFiles } from './txn-index.js';

/** Window for walking batch headers during a replay. */
const REPLAY_READ_BYTES = 64 * 1024;

/** Whether a stored batch belongs in producer state: it has a producer id and carries data, not a marker. */
export function isProducerDataBatch(batch: { producerId: number; attributes: number }): boolean {
  return batch.producerId >= 0 && (batch.attributes & CONTROL_BIT) === 0;
}

/** Segments a log without a usable snapshot replays (Kafka's rule for upgrades). */
const SEGMENTS_REPLAYED_WITHOUT_SNAPSHOT = 2;

/** A marker written at `offset`: it closes its producer's transaction; an aborted one is indexed. */
export function applyMarker(table: ProducerStateTable, aborted: AbortedTxnIndex, marker: TxnMarker, offset: number): void {
  const lastStableOffset = table.lastStableOffsetAfter(marker.producerId, offset);
  const completed = table.recordMarker(marker, offset);
  if (completed?.aborted) aborted.add({ producerId: completed.producerId, firstOffset: completed.firstOffset, lastOffset: offset, lastStableOffset });
}

export interface TransactionState {
  producers: ProducerStateTable;
  aborted: AbortedTxnIndex;
  /** What the .txnindex files hold. */
  txnIndexFiles: TxnIndexFiles;
}

export async function loadProducerState(dir: string, segments: readonly Segment[], logStartOffset: number, logEndOffset: number, log: Logger): Promise<TransactionState> {
  const table = new ProducerStateTable();
  const snapshots = await listSnapshots(dir);
  let from = segments.at(-SEGMENTS_REPLAYED_WITHOUT_SNAPSHOT)?.baseOffset ?? 0;
  while (snapshots.length > 0) {
    const offset = snapshots.pop()!;
    if (offset > logEndOffset) {
      await deleteSnapshot(dir, offset);
      continue;
    }
    const state = await readSnapshot(dir, offset);
    if (typeof state === 'string') {
      log.warn({ dir, offset, reason: state }, 'unusable producer state snapshot; deleting it');
      await deleteSnapshot(dir, offset);
      continue;
    }
    for (const entry of state.producers) table.restore(entry);
    table.restoreUnsettled(state.unsettled);
    from = offset;
    break;
  }
  const onDisk = await readTxnIndexFiles(dir);
  for (const problem of onDisk.problems) log.warn({ dir, problem }, 'unusable aborted transaction index; the entries it held are lost');
  const aborted = new AbortedTxnIndex(onDisk.entries.filter((e) => e.lastOffset >= logStartOffset && e.lastOffset < from));
  const replay = (batch: WalkedBatch): void => {
    if (batch.baseOffset < from) return;
    if (isProducerDataBatch(batch)) table.record(batch, batch.baseOffset);
    else if (batch.endTxn && batch.producerId >= 0) {
      const { producerId, producerEpoch, maxTimestamp: timestamp } = batch;
      applyMarker(table, aborted, { producerId, producerEpoch, coordinatorEpoch: batch.endTxn.coordinatorEpoch, commit: batch.endTxn.commit, timestamp }, batch.baseOffset);
    }
  };
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const next = segments[i + 1];
    if (next && next.baseOffset <= from) continue;
    await walkBatchHeaders(seg.log, seg.size, REPLAY_READ_BYTES, replay);
  }
  return { producers: table, aborted, txnIndexFiles: onDisk.files };
}
