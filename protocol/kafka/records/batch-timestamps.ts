// Record timestamps of a v2 batch read without decoding keys, values or headers, and the batch header's
// max timestamp rewritten in place. Kafka's LogValidator sets every appended CreateTime batch's max
// timestamp from its records; Skein trusts the header instead (see src/kafka/produce/timestamp-check.ts),
// except where no record could have produced it, as in the batches Sarama before 1.23 writes, whose max
// timestamp is always -1.
import { DecodeError, Reader, writeInt64 } from '../../bytes.js';
import { ATTRIBUTES_AT, type BatchHeader, computeBatchCrc, CRC_AT, MAX_TIMESTAMP_AT } from './batch-header.js';
import { type DecodeOptions, recordsPayload } from './batch-records.js';

/** A record or batch without a timestamp. */
export const NO_TIMESTAMP = -1;

/**
 * The timestamp (baseTimestamp + timestampDelta) of each record in `records`, a batch's uncompressed
 * records section, in order; only each record's length, attributes and timestamp delta are read.
 * Throws DecodeError if a record's length runs past the section.
 */
export function* recordTimestamps(records: Buffer, header: BatchHeader): Generator<number> {
  const r = new Reader(records);
  for (let i = 0; i < header.recordCount; i++) {
    const length = r.varint();
    if (length < 0) throw new DecodeError(`record ${i} has negative length ${length}`);
    const record = r.sub(length);
    record.skip(1);
    yield header.baseTimestamp + record.varlong();
  }
}

/**
 * Whether the header's max timestamp cannot be the largest of its records': below the base timestamp,
 * which is the first record's (every producer writes it so). A CreateTime batch only.
 */
export function implausibleMaxTimestamp(header: BatchHeader): boolean {
  return header.maxTimestamp < header.baseTimestamp;
}

/** The largest record timestamp of the batch at the start of `batch`, decompressing it if need be. */
export function maxRecordTimestamp(batch: Buffer, header: BatchHeader, options: DecodeOptions = {}): number {
  let max = NO_TIMESTAMP;
  for (const timestamp of recordTimestamps(recordsPayload(batch, header, 0, options), header)) max = Math.max(max, timestamp);
  return max;
}

/** Rewrites the batch's max timestamp (and attributes, for a timestamp type) in place, with a new CRC. */
export function setMaxTimestamp(buf: Buffer, pos: number, header: BatchHeader, maxTimestamp: number, attributes = header.attributes): void {
  buf.writeInt16BE(attributes, pos + ATTRIBUTES_AT);
  writeInt64(buf, pos + MAX_TIMESTAMP_AT, maxTimestamp);
  buf.writeUInt32BE(computeBatchCrc(buf, pos, header.sizeBytes), pos + CRC_AT);
}
