// The fixed 61-byte header of a v2 record batch (magic 2), read in place. Storage and the produce path
// need only this: offsets, sizes, timestamps, producer fields and the CRC. Records stay encoded.
import { DecodeError, readInt64, writeInt64 } from '../../bytes.js';
import { crc32c } from '../../checksum/crc32c.js';

export const BASE_OFFSET_AT = 0;
export const BATCH_LENGTH_AT = 8;
export const PARTITION_LEADER_EPOCH_AT = 12;
export const MAGIC_AT = 16;
export const CRC_AT = 17;
export const ATTRIBUTES_AT = 21;
export const LAST_OFFSET_DELTA_AT = 23;
export const BASE_TIMESTAMP_AT = 27;
export const MAX_TIMESTAMP_AT = 35;
export const PRODUCER_ID_AT = 43;
export const PRODUCER_EPOCH_AT = 51;
export const BASE_SEQUENCE_AT = 53;
export const RECORDS_COUNT_AT = 57;
export const BATCH_HEADER_BYTES = 61;
/** baseOffset and batchLength precede the bytes batchLength counts. */
export const BATCH_LENGTH_OVERHEAD = 12;

export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_BIT = 0x08;
export const TRANSACTIONAL_BIT = 0x10;
export const CONTROL_BIT = 0x20;
export const DELETE_HORIZON_BIT = 0x40;

/** The compression codec ids carried in the low bits of a batch's attributes. */
export const Compression = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;
export type Compression = (typeof Compression)[keyof typeof Compression];

export interface BatchHeader {
  baseOffset: number;
  /** Whole batch size on the wire and on disk, including baseOffset and batchLength. */
  sizeBytes: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/**
 * Reads the header of the batch starting at `pos`, checking only that the header and the length it
 * announces fit in `buf`. Use validateBatch before trusting anything else.
 */
export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  if (buf.length - pos < BATCH_HEADER_BYTES) {
    throw new DecodeError(`record batch header needs ${BATCH_HEADER_BYTES} bytes, have ${buf.length - pos}`);
  }
  const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_AT);
  const sizeBytes = batchLength + BATCH_LENGTH_OVERHEAD;
  if (sizeBytes < BATCH_HEADER_BYTES) throw new DecodeError(`record batch length ${batchLength} is too small`);
  if (sizeBytes > buf.length - pos) {
    throw new DecodeError(`record batch of ${sizeBytes} bytes is truncated to ${buf.length - pos}`);
  }
  return {
    baseOffset: readInt64(buf, pos + BASE_OFFSET_AT),
    sizeBytes,
    partitionLeaderEpoch: buf.readInt32BE(pos + PARTITION_LEADER_EPOCH_AT),
    magic: buf.readInt8(pos + MAGIC_AT),
    crc: buf.readUInt32BE(pos + CRC_AT),
    attributes: buf.readInt16BE(pos + ATTRIBUTES_AT),
    lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA_AT),
    baseTimestamp: readInt64(buf, pos + BASE_TIMESTAMP_AT),
    maxTimestamp: readInt64(buf, pos + MAX_TIMESTAMP_AT),
    producerId: readInt64(buf, pos + PRODUCER_ID_AT),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH_AT),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE_AT),
    recordCount: buf.readInt32BE(pos + RECORDS_COUNT_AT),
  };
}

/** The CRC-32C a batch should carry: over attributes through the end of the batch. */
export function computeBatchCrc(buf: Buffer, pos: number, sizeBytes: number): number {
  return crc32c(buf.subarray(pos + ATTRIBUTES_AT, pos + sizeBytes));
}

/**
 * Checks what Kafka checks before accepting a batch: magic 2, a matching CRC, and a record count that
 * agrees with lastOffsetDelta. Throws DecodeError naming the first problem.
 */
export function validateBatch(buf: Buffer, header: BatchHeader, pos = 0): void {
  if (header.magic !== 2) throw new DecodeError(`unsupported record batch magic ${header.magic}`);
  if (computeBatchCrc(buf, pos, header.sizeBytes) !== header.crc) {
    throw new DecodeError('record batch CRC mismatch');
  }
  if (header.recordCount < 0 || header.lastOffsetDelta + 1 !== header.recordCount) {
    throw new DecodeError(
      `record batch count ${header.recordCount} disagrees with lastOffsetDelta ${header.lastOffsetDelta}`,
    );
  }
}

/** Assigns offsets by rewriting baseOffset in place; it lies outside the CRC, so nothing is re-encoded. */
export function setBaseOffset(buf: Buffer, pos: number, baseOffset: number): void {
  writeInt64(buf, pos + BASE_OFFSET_AT, baseOffset);
}

/** Sets the partition leader epoch in place (also outside the CRC). */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + PARTITION_LEADER_EPOCH_AT);
}
