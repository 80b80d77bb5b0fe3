// Reading __consumer_offsets back at start: every partition from its log start to its end, batch by
// batch, each record handed to the replay that rebuilds the groups (Kafka: GroupMetadataManager's
// doLoadGroupsAndOffsets, reading offsets.load.buffer.size at a time).
import { DecodeError } from '../../../protocol/bytes.js';
import { isControl, isTransactional } from '../../../protocol/kafka/records/batch-attributes.js';
import { readEndTxnMarkerBatch } from '../../../protocol/kafka/records/control-record.js';
import { readBatchHeader } from '../../../protocol/kafka/records/batch-header.js';
import { batchRecords, type BatchRecord } from '../../../protocol/kafka/records/batch-records.js';
import type { PartitionLog } from '../../log/partition-log.js';

/** What a load feeds each record to (the groups' replay, or the transaction state's). */
export interface RecordReplay {
  /** `producerId` when the record came in a transactional batch (a TxnOffsetCommit's). */
  apply(record: BatchRecord, producerId?: number): void;
  /** A transaction marker of `producerId` (only the groups' replay has transactional records to settle). */
  applyMarker?(producerId: number, commit: boolean): void;
}

/** Kafka's offsets.load.buffer.size default: the most one read of the log brings in while loading. */
export const OFFSETS_LOAD_BUFFER_BYTES = 5 * 1024 * 1024;

export interface LoadStats {
  batches: number;
  records: number;
  /** Batches whose records could not be decoded, left out as a torn write would be. */
  unreadableBatches: number;
}

/** Feeds every record of `logs` to `replay`, each log in offset order. */
export async function loadConsumerOffsets(logs: readonly PartitionLog[], replay: RecordReplay): Promise<LoadStats> {
  const stats: LoadStats = { batches: 0, records: 0, unreadableBatches: 0 };
  for (const log of logs) await loadPartition(log, replay, stats);
  return stats;
}

async function loadPartition(log: PartitionLog, replay: RecordReplay, stats: LoadStats): Promise<void> {
  const start = log.logStartOffset;
  const end = log.logEndOffset;
  let offset = start;
  while (offset < end) {
    const read = await log.read(offset, OFFSETS_LOAD_BUFFER_BYTES, { upToOffset: end });
    if (read.sizeBytes === 0) break;
    for (const chunk of read.chunks) applyBatches(chunk, start, replay, stats);
    offset = read.nextOffset;
  }
}

/** A chunk holds whole batches back to back, as the log returns them. */
function applyBatches(chunk: Buffer, logStart: number, replay: RecordReplay, stats: LoadStats): void {
  for (let pos = 0; pos < chunk.length; ) {
    const header = readBatchHeader(chunk, pos);
    stats.batches++;
    if (isControl(header.attributes)) {
      // A transaction marker settles the producer's transactional offsets (TxnOffsetCommit).
      const marker = header.producerId >= 0 && header.baseOffset >= logStart ? readEndTxnMarkerBatch(chunk, pos) : undefined;
      if (marker) replay.applyMarker?.(header.producerId, marker.commit);
    } else {
      const records = decodedOrUndefined(chunk, pos);
      if (!records) stats.unreadableBatches++;
      const producerId = isTransactional(header.attributes) ? header.producerId : undefined;
      for (const record of records ?? []) {
        // The first batch may begin below a log start that DeleteRecords moved into it.
        if (record.offset < logStart) continue;
        replay.apply(record, producerId);
        stats.records++;
      }
    }
    pos += header.sizeBytes;
  }
}

/** A batch is applied whole or not at all, so one that fails to decode part-way leaves no trace. */
function decodedOrUndefined(chunk: Buffer, pos: number): BatchRecord[] | undefined {
  try {
    return [...batchRecords(chunk, pos)];
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return undefined;
  }
}
