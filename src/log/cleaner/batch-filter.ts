// What of one stored batch survives cleaning, with Kafka's rules (MemoryRecords.filterTo and the
// cleaner's record filter): per key only the record at the latest offset is kept; a tombstone (null
// value) only until its batch's delete horizon; records without a key go. A batch keeping every record
// is copied as it is. Otherwise it is re-encoded from its survivors with its own compression, offsets,
// timestamps and producer fields, and keeps its last offset (so a producer's last sequence stays
// visible). A tombstone's batch gets its delete horizon the first time a cleaning keeps it: the base
// timestamp becomes now + delete.retention.ms and attribute bit 6 says so (KIP-534); record timestamps
// stay the same, as they are stored relative to the base timestamp.
//
// Transactions (Kafka's cleaner does the same): a batch of an aborted transaction goes whole, as no
// read_committed reader ever sees it; markers are kept (the aborted-transaction index and producer state
// of a reloaded log still name them). Committed transactional records are compacted like any others.
import { isControl, isTransactional, timestampTypeOf, TimestampType } from '../../../protocol/kafka/records/batch-attributes.js';
import { buildRecordBatch } from '../../../protocol/kafka/records/batch-builder.js';
import {
  ATTRIBUTES_AT,
  type BatchHeader,
  type Compression,
  computeBatchCrc,
  COMPRESSION_MASK,
  CRC_AT,
  DELETE_HORIZON_BIT,
  LAST_OFFSET_DELTA_AT,
} from '../../../protocol/kafka/records/batch-header.js';
import { batchRecords, type BatchRecord } from '../../../protocol/kafka/records/batch-records.js';
import type { AbortedRanges } from './aborted-ranges.js';

/** The newest offset of a key, from the cleaning round's offset map. */
export interface KeyOffsets {
  /** Largest offset the map covers; records past it are kept whatever their key. */
  readonly latestOffset: number;
  /** The latest offset of `key`, or -1 if unknown. */
  get(key: Buffer): number;
}

export interface FilterContext {
  map: KeyOffsets;
  /** The aborted transactions of the cleaned section; without it no batch counts as aborted. */
  aborted?: AbortedRanges;
  /** The cleaning's clock (ms), compared with delete horizons. */
  now: number;
  deleteRetentionMs: number;
}

export interface FilterResult {
  /** The batch to write, undefined if nothing of it stays: the stored bytes themselves, or a new batch. */
  bytes: Buffer | undefined;
  recordsRead: number;
  recordsKept: number;
  /** Records dropped for having no key (a compacted topic should never hold them). */
  keyless: number;
}

/** The delete horizon a batch carries (its base timestamp, when attribute bit 6 is set), or undefined. */
export function deleteHorizonOf(header: BatchHeader): number | undefined {
  return (header.attributes & DELETE_HORIZON_BIT) !== 0 ? header.baseTimestamp : undefined;
}

/** Kafka's shouldRetainRecord, given the batch's delete horizon. */
function keep(record: BatchRecord, horizon: number | undefined, ctx: FilterContext): boolean | 'keyless' {
  if (record.offset > ctx.map.latestOffset) return true;
  if (record.key === null) return 'keyless';
  if (record.offset < ctx.map.get(record.key)) return false;
  return record.value !== null || horizon === undefined || ctx.now < horizon;
}

/** Whether `header` is a data batch of an aborted transaction. */
export function isAbortedBatch(header: BatchHeader, aborted: AbortedRanges | undefined): boolean {
  return aborted !== undefined && isTransactional(header.attributes) && !isControl(header.attributes) && aborted.contains(header.producerId, header.baseOffset);
}

/**
 * Filters the stored batch `batch` (whole, header `header`). Control batches (transaction markers) are
 * kept as they are; an aborted transaction's batch goes. Throws DecodeError for records that do not
 * decode (the caller treats the segment as uncleanable).
 */
export function filterBatch(batch: Buffer, header: BatchHeader, ctx: FilterContext): FilterResult {
  if (isControl(header.attributes)) return { bytes: batch, recordsRead: header.recordCount, recordsKept: header.recordCount, keyless: 0 };
  if (isAbortedBatch(header, ctx.aborted)) return { bytes: undefined, recordsRead: header.recordCount, recordsKept: 0, keyless: 0 };
  const horizon = deleteHorizonOf(header);
  const kept: BatchRecord[] = [];
  let recordsRead = 0;
  let keyless = 0;
  let tombstones = false;
  for (const record of batchRecords(batch)) {
    recordsRead++;
    const verdict = keep(record, horizon, ctx);
    if (verdict === 'keyless') keyless++;
    if (verdict !== true) continue;
    kept.push(record);
    if (record.value === null) tombstones = true;
  }
  const result = { recordsRead, recordsKept: kept.length, keyless };
  if (kept.length === 0) return { bytes: undefined, ...result };
  const newHorizon = tombstones && horizon === undefined ? ctx.now + ctx.deleteRetentionMs : undefined;
  if (kept.length === recordsRead && newHorizon === undefined) return { bytes: batch, ...result };
  return { bytes: rebuildBatch(header, kept, newHorizon ?? horizon), ...result };
}

/** A batch of `records` (survivors of `header`'s batch) with the original batch's fields and last offset. */
function rebuildBatch(header: BatchHeader, records: readonly BatchRecord[], horizon: number | undefined): Buffer {
  const logAppendTime = timestampTypeOf(header.attributes) === TimestampType.LogAppendTime;
  let maxTimestamp = -1;
  for (const r of records) maxTimestamp = Math.max(maxTimestamp, r.timestamp);
  const out = buildRecordBatch(
    records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: r.offsetDelta })),
    {
      baseOffset: header.baseOffset,
      partitionLeaderEpoch: header.partitionLeaderEpoch,
      compression: (header.attributes & COMPRESSION_MASK) as Compression,
      timestampType: logAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
      baseTimestamp: horizon ?? records[0]!.timestamp,
      maxTimestamp: logAppendTime ? header.maxTimestamp : maxTimestamp,
      producerId: header.producerId,
      producerEpoch: header.producerEpoch,
      baseSequence: header.baseSequence,
      transactional: isTransactional(header.attributes),
    },
  );
  out.writeInt32BE(header.lastOffsetDelta, LAST_OFFSET_DELTA_AT);
  if (horizon !== undefined) out.writeInt16BE(out.readInt16BE(ATTRIBUTES_AT) | DELETE_HORIZON_BIT, ATTRIBUTES_AT);
  out.writeUInt32BE(computeBatchCrc(out, 0, out.length), CRC_AT);
  return out;
}
