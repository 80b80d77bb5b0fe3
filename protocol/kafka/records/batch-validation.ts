// Checks on record batches. checkProduceBatch is what the produce path runs: it never decompresses.
// validateBatchRecords is the thorough check for tools and tests: it decodes every record.
import { DecodeError } from '../../bytes.js';
import { isKnownCompression } from '../compression/codecs.js';
import { compressionId, isControl, isTransactional } from './batch-attributes.js';
import {
  BATCH_HEADER_BYTES,
  BATCH_LENGTH_AT,
  BATCH_LENGTH_OVERHEAD,
  type BatchHeader,
  Compression,
  computeBatchCrc,
  readBatchHeader,
  validateBatch,
} from './batch-header.js';
import { type BatchRecord, batchRecords, type DecodeOptions } from './batch-records.js';

/** The Kafka error codes a rejected batch maps to (as in Kafka's Errors.java). */
export const BatchErrorCode = {
  CorruptMessage: 2,
  MessageTooLarge: 10,
  UnsupportedCompressionType: 76,
  InvalidRecord: 87,
} as const;
export type BatchErrorCode = (typeof BatchErrorCode)[keyof typeof BatchErrorCode];

/** A batch the broker must refuse, with the error code to answer the producer with. */
export class InvalidBatchError extends DecodeError {
  constructor(
    readonly code: BatchErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Produce v7 introduced zstd; older requests may not carry it. */
const FIRST_PRODUCE_VERSION_WITH_ZSTD = 7;
/** Smallest encoded record: length, attributes, timestampDelta, offsetDelta, key, value, header count. */
const MIN_RECORD_BYTES = 7;

export interface ProduceBatchLimits {
  /** Largest batch accepted, in bytes: the topic's max.message.bytes. */
  maxBatchBytes: number;
  /** Version of the Produce request carrying the batch. */
  produceVersion: number;
}

/**
 * What Kafka checks in one partition's records of a Produce request before appending them, all without
 * decompressing: exactly one whole v2 batch, a codec it knows (zstd only from Produce v7), within
 * maxBatchBytes, a matching CRC, a positive record count agreeing with lastOffsetDelta, not a control batch,
 * and a sequence number when there is a producer id. Beyond Kafka it also refuses what no producer writes:
 * producer ids below -1, a producer id without an epoch, a transactional batch without a producer id, and an
 * uncompressed batch too short to hold its record count.
 *
 * Returns the batch's header; throws InvalidBatchError with the error code of the first problem found.
 */
export function checkProduceBatch(records: Buffer, limits: ProduceBatchLimits): BatchHeader {
  const fail = (code: BatchErrorCode, message: string): never => {
    throw new InvalidBatchError(code, message);
  };
  if (records.length < BATCH_LENGTH_OVERHEAD) fail(BatchErrorCode.InvalidRecord, 'no record batch');
  const sizeBytes = records.readInt32BE(BATCH_LENGTH_AT) + BATCH_LENGTH_OVERHEAD;
  if (sizeBytes < BATCH_HEADER_BYTES) fail(BatchErrorCode.CorruptMessage, `record batch of ${sizeBytes} bytes`);
  if (sizeBytes > records.length) {
    fail(BatchErrorCode.InvalidRecord, `record batch of ${sizeBytes} bytes is truncated to ${records.length}`);
  }
  if (sizeBytes < records.length) fail(BatchErrorCode.InvalidRecord, 'more than one record batch');
  const h = readBatchHeader(records);

  if (h.magic !== 2) fail(BatchErrorCode.InvalidRecord, `record batch magic ${h.magic}, not 2`);
  const codec = compressionId(h.attributes);
  if (!isKnownCompression(codec)) fail(BatchErrorCode.CorruptMessage, `unknown compression codec id ${codec}`);
  if (codec === Compression.Zstd && limits.produceVersion < FIRST_PRODUCE_VERSION_WITH_ZSTD) {
    fail(BatchErrorCode.UnsupportedCompressionType, `zstd needs Produce v7+, got v${limits.produceVersion}`);
  }
  if (h.sizeBytes > limits.maxBatchBytes) {
    fail(BatchErrorCode.MessageTooLarge, `record batch of ${h.sizeBytes} bytes exceeds ${limits.maxBatchBytes}`);
  }
  if (computeBatchCrc(records, 0, h.sizeBytes) !== h.crc) fail(BatchErrorCode.CorruptMessage, 'CRC mismatch');

  if (h.recordCount <= 0) fail(BatchErrorCode.InvalidRecord, `record count ${h.recordCount}`);
  if (h.lastOffsetDelta + 1 !== h.recordCount) {
    fail(BatchErrorCode.InvalidRecord, `lastOffsetDelta ${h.lastOffsetDelta} disagrees with ${h.recordCount} records`);
  }
  if (codec === Compression.None && h.recordCount * MIN_RECORD_BYTES > h.sizeBytes - BATCH_HEADER_BYTES) {
    fail(BatchErrorCode.CorruptMessage, `${h.recordCount} records cannot fit in the batch`);
  }
  if (isControl(h.attributes)) fail(BatchErrorCode.InvalidRecord, 'clients may not write control batches');

  if (h.producerId < -1) fail(BatchErrorCode.InvalidRecord, `invalid producer id ${h.producerId}`);
  if (h.producerId >= 0 && h.baseSequence < 0) {
    fail(BatchErrorCode.InvalidRecord, `invalid sequence ${h.baseSequence} for producer ${h.producerId}`);
  }
  if (h.producerId >= 0 && h.producerEpoch < 0) {
    fail(BatchErrorCode.InvalidRecord, `invalid epoch ${h.producerEpoch} for producer ${h.producerId}`);
  }
  if (isTransactional(h.attributes) && h.producerId < 0) {
    fail(BatchErrorCode.InvalidRecord, 'transactional batch without a producer id');
  }
  return h;
}

/**
 * Validates the batch at `pos` completely: the header checks of validateBatch, a known codec, and every
 * record decoded (decompressing if need be) with offsetDeltas 0, 1, 2, ... in order. Returns the records;
 * throws DecodeError naming the first problem.
 */
export function validateBatchRecords(buf: Buffer, pos = 0, options: DecodeOptions = {}): BatchRecord[] {
  const header = readBatchHeader(buf, pos);
  validateBatch(buf, header, pos);
  const records: BatchRecord[] = [];
  for (const rec of batchRecords(buf, pos, options)) {
    if (rec.offsetDelta !== records.length) {
      throw new DecodeError(`record ${records.length} has offsetDelta ${rec.offsetDelta}`);
    }
    records.push(rec);
  }
  return records;
}
