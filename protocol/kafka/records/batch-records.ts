// Reading the records of a v2 batch, decompressing them first when the batch is compressed.
import { DecodeError, Reader } from '../../bytes.js';
import { decompress, MAX_DECOMPRESSED_BYTES } from '../compression/codecs.js';
import { compressionId, TimestampType, timestampTypeOf } from './batch-attributes.js';
import { BATCH_HEADER_BYTES, type BatchHeader, readBatchHeader } from './batch-header.js';
import { type EncodedRecord, readRecord } from './record.js';

/** A record with its absolute offset and timestamp resolved against its batch. */
export interface BatchRecord extends EncodedRecord {
  offset: number;
  timestamp: number;
}

export interface DecodeOptions {
  /** Ceiling on a compressed batch's decompressed records; MAX_DECOMPRESSED_BYTES by default. */
  maxDecompressedBytes?: number;
}

/**
 * The records section of the batch at `pos`, decompressed if need be. Uncompressed batches return a view of
 * `buf`. Throws DecodeError for a bad header, magic other than 2, an unknown codec or corrupt compressed data.
 */
export function recordsPayload(buf: Buffer, header: BatchHeader, pos = 0, options: DecodeOptions = {}): Buffer {
  if (header.magic !== 2) throw new DecodeError(`unsupported record batch magic ${header.magic}`);
  const stored = buf.subarray(pos + BATCH_HEADER_BYTES, pos + header.sizeBytes);
  return decompress(compressionId(header.attributes), stored, options.maxDecompressedBytes ?? MAX_DECOMPRESSED_BYTES);
}

/**
 * Yields the records of the batch at `pos` in order, with absolute offsets (baseOffset + offsetDelta) and
 * timestamps (baseTimestamp + timestampDelta; every record gets maxTimestamp in a LogAppendTime batch).
 * Throws DecodeError, at the record where it is found, for any malformed record, for fewer records than the
 * header counts, and for bytes left after the last one. It does not check the CRC: see validateBatchRecords.
 */
export function* batchRecords(buf: Buffer, pos = 0, options: DecodeOptions = {}): Generator<BatchRecord> {
  const header = readBatchHeader(buf, pos);
  if (header.recordCount < 0) throw new DecodeError(`negative record count ${header.recordCount}`);
  const r = new Reader(recordsPayload(buf, header, pos, options));
  const logAppendTime = timestampTypeOf(header.attributes) === TimestampType.LogAppendTime;
  for (let i = 0; i < header.recordCount; i++) {
    const rec = readRecord(r);
    yield {
      ...rec,
      offset: header.baseOffset + rec.offsetDelta,
      timestamp: logAppendTime ? header.maxTimestamp : header.baseTimestamp + rec.timestampDelta,
    };
  }
  if (r.remaining !== 0) {
    throw new DecodeError(`${r.remaining} bytes remain after the ${header.recordCount} records the batch declares`);
  }
}

/** The header and every record of the batch at `pos`. */
export function decodeBatch(
  buf: Buffer,
  pos = 0,
  options: DecodeOptions = {},
): { header: BatchHeader; records: BatchRecord[] } {
  return { header: readBatchHeader(buf, pos), records: [...batchRecords(buf, pos, options)] };
}
