// Encoding a v2 record batch from records: for tools, tests, internal topics and control batches. The
// produce path never uses this; it stores producers' batches as they arrived.
import { Writer, writeInt64 } from '../../bytes.js';
import { compress } from '../compression/codecs.js';
import { encodeAttributes, TimestampType } from './batch-attributes.js';
import {
  ATTRIBUTES_AT,
  BASE_OFFSET_AT,
  BASE_SEQUENCE_AT,
  BASE_TIMESTAMP_AT,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH_AT,
  BATCH_LENGTH_OVERHEAD,
  Compression,
  computeBatchCrc,
  CRC_AT,
  LAST_OFFSET_DELTA_AT,
  MAGIC_AT,
  MAX_TIMESTAMP_AT,
  PARTITION_LEADER_EPOCH_AT,
  PRODUCER_EPOCH_AT,
  PRODUCER_ID_AT,
  RECORDS_COUNT_AT,
} from './batch-header.js';
import { type RecordHeader, writeRecord } from './record.js';

export interface RecordInput {
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: RecordHeader[];
  /** Defaults to the batch's baseTimestamp. */
  timestamp?: number;
  /** Defaults to the record's index in the batch; must increase from record to record. */
  offsetDelta?: number;
}

export interface BatchOptions {
  /** 0 by default. */
  baseOffset?: number;
  /** -1 (none) by default, as producers send it. */
  partitionLeaderEpoch?: number;
  compression?: Compression;
  timestampType?: TimestampType;
  /** Defaults to the first record's timestamp; required when no record has one. */
  baseTimestamp?: number;
  /** Defaults to the largest record timestamp; a LogAppendTime batch carries the append time here. */
  maxTimestamp?: number;
  /** -1 (no producer) by default, and likewise producerEpoch and baseSequence. */
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
}

/** Encodes `records` as one v2 batch with a correct CRC. zstd needs initCompression() to have completed. */
export function buildRecordBatch(records: readonly RecordInput[], options: BatchOptions = {}): Buffer {
  if (records.length === 0) throw new RangeError('a record batch needs at least one record');
  const baseTimestamp = options.baseTimestamp ?? records[0]!.timestamp;
  if (baseTimestamp === undefined) throw new RangeError('no baseTimestamp and no record timestamp');
  const w = new Writer();
  let lastOffsetDelta = -1;
  let maxTimestamp = Number.NEGATIVE_INFINITY;
  records.forEach((rec, i) => {
    const offsetDelta = rec.offsetDelta ?? i;
    if (offsetDelta <= lastOffsetDelta) throw new RangeError(`offsetDelta ${offsetDelta} does not increase`);
    const timestamp = rec.timestamp ?? baseTimestamp;
    maxTimestamp = Math.max(maxTimestamp, timestamp);
    writeRecord(w, {
      attributes: 0,
      timestampDelta: timestamp - baseTimestamp,
      offsetDelta,
      key: rec.key ?? null,
      value: rec.value ?? null,
      headers: rec.headers ?? [],
    });
    lastOffsetDelta = offsetDelta;
  });
  const compression = options.compression ?? Compression.None;
  const payload = compress(compression, w.toBuffer());

  const batch = Buffer.allocUnsafe(BATCH_HEADER_BYTES + payload.length);
  writeInt64(batch, BASE_OFFSET_AT, options.baseOffset ?? 0);
  batch.writeInt32BE(batch.length - BATCH_LENGTH_OVERHEAD, BATCH_LENGTH_AT);
  batch.writeInt32BE(options.partitionLeaderEpoch ?? -1, PARTITION_LEADER_EPOCH_AT);
  batch.writeInt8(2, MAGIC_AT);
  const attributes = encodeAttributes(
    compression,
    options.timestampType ?? TimestampType.CreateTime,
    options.transactional ?? false,
    options.control ?? false,
  );
  batch.writeInt16BE(attributes, ATTRIBUTES_AT);
  batch.writeInt32BE(lastOffsetDelta, LAST_OFFSET_DELTA_AT);
  writeInt64(batch, BASE_TIMESTAMP_AT, baseTimestamp);
  writeInt64(batch, MAX_TIMESTAMP_AT, options.maxTimestamp ?? maxTimestamp);
  writeInt64(batch, PRODUCER_ID_AT, options.producerId ?? -1);
  batch.writeInt16BE(options.producerEpoch ?? -1, PRODUCER_EPOCH_AT);
  batch.writeInt32BE(options.baseSequence ?? -1, BASE_SEQUENCE_AT);
  batch.writeInt32BE(records.length, RECORDS_COUNT_AT);
  payload.copy(batch, BATCH_HEADER_BYTES);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), CRC_AT);
  return batch;
}
