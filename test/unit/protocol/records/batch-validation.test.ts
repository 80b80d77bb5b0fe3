import { beforeAll, describe, expect, test } from 'vitest';
import { DecodeError } from '../../../../protocol/bytes.js';
import { initCompression } from '../../../../protocol/kafka/compression/codecs.js';
import { buildRecordBatch, type BatchOptions } from '../../../../protocol/kafka/records/batch-builder.js';
import {
  ATTRIBUTES_AT,
  Compression,
  computeBatchCrc,
  CRC_AT,
  LAST_OFFSET_DELTA_AT,
  MAGIC_AT,
  RECORDS_COUNT_AT,
} from '../../../../protocol/kafka/records/batch-header.js';
import {
  BatchErrorCode,
  checkProduceBatch,
  InvalidBatchError,
} from '../../../../protocol/kafka/records/batch-validation.js';

beforeAll(() => initCompression());

const LIMITS = { maxBatchBytes: 1 << 20, produceVersion: 9 };

function batch(options: BatchOptions = {}, count = 2): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ value: Buffer.from(`value-${i}`) }));
  return buildRecordBatch(records, { baseTimestamp: 1_700_000_000_000, ...options });
}

/** Applies `edit` to a copy of `b`, then fixes the CRC so only the edited field is wrong. */
function edited(b: Buffer, edit: (c: Buffer) => void): Buffer {
  const c = Buffer.from(b);
  edit(c);
  c.writeUInt32BE(computeBatchCrc(c, 0, c.length), CRC_AT);
  return c;
}

function codeOf(records: Buffer, limits = LIMITS): number | 'accepted' {
  try {
    checkProduceBatch(records, limits);
    return 'accepted';
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidBatchError);
    expect(err).toBeInstanceOf(DecodeError);
    return (err as InvalidBatchError).code;
  }
}

describe('checkProduceBatch', () => {
  test('accepts plain, idempotent and transactional batches, and returns the header', () => {
    expect(checkProduceBatch(batch(), LIMITS).recordCount).toBe(2);
    expect(codeOf(batch({ producerId: 7, producerEpoch: 0, baseSequence: 0 }))).toBe('accepted');
    expect(codeOf(batch({ producerId: 7, producerEpoch: 1, baseSequence: 5, transactional: true }))).toBe('accepted');
  });

  test('no batch, a truncated one, or more than one: INVALID_RECORD', () => {
    const b = batch();
    expect(codeOf(Buffer.alloc(0))).toBe(BatchErrorCode.InvalidRecord);
    expect(codeOf(b.subarray(0, 11))).toBe(BatchErrorCode.InvalidRecord);
    expect(codeOf(b.subarray(0, b.length - 1))).toBe(BatchErrorCode.InvalidRecord);
    expect(codeOf(Buffer.concat([b, b]))).toBe(BatchErrorCode.InvalidRecord);
    expect(codeOf(Buffer.concat([b, Buffer.alloc(3)]))).toBe(BatchErrorCode.InvalidRecord);
  });

  test('a batch length below the header size: CORRUPT_MESSAGE', () => {
    const b = Buffer.from(batch());
    b.writeInt32BE(10, 8);
    expect(codeOf(b.subarray(0, 22))).toBe(BatchErrorCode.CorruptMessage);
    b.writeInt32BE(-20, 8);
    expect(codeOf(b)).toBe(BatchErrorCode.CorruptMessage);
  });

  test('magic other than 2: INVALID_RECORD', () => {
    expect(codeOf(edited(batch(), (c) => c.writeInt8(1, MAGIC_AT)))).toBe(BatchErrorCode.InvalidRecord);
  });

  test('unknown codec ids: CORRUPT_MESSAGE; zstd before Produce v7: UNSUPPORTED_COMPRESSION_TYPE', () => {
    for (const id of [5, 6, 7]) {
      expect(codeOf(edited(batch(), (c) => c.writeInt16BE(id, ATTRIBUTES_AT)))).toBe(BatchErrorCode.CorruptMessage);
    }
    const zstd = batch({ compression: Compression.Zstd });
    expect(codeOf(zstd, { ...LIMITS, produceVersion: 6 })).toBe(BatchErrorCode.UnsupportedCompressionType);
    expect(codeOf(zstd, { ...LIMITS, produceVersion: 7 })).toBe('accepted');
    expect(codeOf(batch({ compression: Compression.Lz4 }), { ...LIMITS, produceVersion: 3 })).toBe('accepted');
  });

  test('over maxBatchBytes: MESSAGE_TOO_LARGE', () => {
    const b = batch();
    expect(codeOf(b, { ...LIMITS, maxBatchBytes: b.length })).toBe('accepted');
    expect(codeOf(b, { ...LIMITS, maxBatchBytes: b.length - 1 })).toBe(BatchErrorCode.MessageTooLarge);
  });

  test('any flipped byte covered by the CRC: CORRUPT_MESSAGE', () => {
    const b = batch();
    for (let at = ATTRIBUTES_AT + 1; at < b.length; at++) {
      const c = Buffer.from(b);
      c[at] = c[at]! ^ 0x01;
      expect(codeOf(c), `byte ${at}`).toBe(BatchErrorCode.CorruptMessage);
    }
  });

  test('record count not positive or disagreeing with lastOffsetDelta: INVALID_RECORD', () => {
    const b = batch();
    expect(codeOf(edited(b, (c) => c.writeInt32BE(0, RECORDS_COUNT_AT)))).toBe(BatchErrorCode.InvalidRecord);
    expect(codeOf(edited(b, (c) => c.writeInt32BE(-1, RECORDS_COUNT_AT)))).toBe(BatchErrorCode.InvalidRecord);
    expect(codeOf(edited(b, (c) => c.writeInt32BE(5, LAST_OFFSET_DELTA_AT)))).toBe(BatchErrorCode.InvalidRecord);
    expect(codeOf(edited(b, (c) => c.writeInt32BE(-1, LAST_OFFSET_DELTA_AT)))).toBe(BatchErrorCode.InvalidRecord);
  });

  test('an uncompressed batch too short for its record count: CORRUPT_MESSAGE', () => {
    const b = batch({}, 1);
    const c = edited(b, (x) => {
      x.writeInt32BE(99, RECORDS_COUNT_AT);
      x.writeInt32BE(98, LAST_OFFSET_DELTA_AT);
    });
    expect(codeOf(c)).toBe(BatchErrorCode.CorruptMessage);
  });

  test('control batches from a producer: INVALID_RECORD', () => {
    expect(codeOf(batch({ control: true, transactional: true, producerId: 1, producerEpoch: 0, baseSequence: 0 }))).toBe(
      BatchErrorCode.InvalidRecord,
    );
  });

  test('insane producer fields: INVALID_RECORD', () => {
    expect(codeOf(batch({ producerId: 7, producerEpoch: 0, baseSequence: -1 }))).toBe(BatchErrorCode.InvalidRecord);
    expect(codeOf(batch({ producerId: 7, producerEpoch: -1, baseSequence: 0 }))).toBe(BatchErrorCode.InvalidRecord);
    expect(codeOf(batch({ producerId: -2 }))).toBe(BatchErrorCode.InvalidRecord);
    expect(codeOf(batch({ transactional: true }))).toBe(BatchErrorCode.InvalidRecord);
  });

  test('never decompresses: a corrupt compressed payload with a valid CRC passes the cheap checks', () => {
    const b = edited(batch({ compression: Compression.Gzip }), (c) => c.fill(0, 70));
    expect(codeOf(b)).toBe('accepted');
  });
});
