import { beforeAll, describe, expect, test } from 'vitest';
import { DecodeError, Reader, Writer } from '../../../../protocol/bytes.js';
import { initCompression } from '../../../../protocol/kafka/compression/codecs.js';
import { TimestampType } from '../../../../protocol/kafka/records/batch-attributes.js';
import { buildRecordBatch } from '../../../../protocol/kafka/records/batch-builder.js';
import {
  BATCH_HEADER_BYTES,
  Compression,
  computeBatchCrc,
  CRC_AT,
  RECORDS_COUNT_AT,
  readBatchHeader,
} from '../../../../protocol/kafka/records/batch-header.js';
import { batchRecords, decodeBatch } from '../../../../protocol/kafka/records/batch-records.js';
import { validateBatchRecords } from '../../../../protocol/kafka/records/batch-validation.js';
import { readRecord } from '../../../../protocol/kafka/records/record.js';
import { readFixture, recordInputsOf } from '../../../fixtures/records/manifest.js';

beforeAll(() => initCompression());

describe('encoder golden bytes', () => {
  test('an uncompressed batch is byte-identical to what kafka-python and librdkafka send', () => {
    const ours = buildRecordBatch(recordInputsOf('kafka-python-none.bin'), { partitionLeaderEpoch: 0 });
    expect(ours.equals(readFixture('kafka-python-none.bin'))).toBe(true);
    expect(ours.equals(readFixture('librdkafka-none.bin'))).toBe(true);
  });

  test("a transactional batch is byte-identical to kafka-python's", () => {
    const ours = buildRecordBatch(recordInputsOf('kafka-python-transactional.bin'), {
      partitionLeaderEpoch: 0,
      transactional: true,
      producerId: 4242,
      producerEpoch: 7,
      baseSequence: 100,
    });
    expect(ours.equals(readFixture('kafka-python-transactional.bin'))).toBe(true);
  });
});

describe('building and iterating', () => {
  test('defaults: offsets from 0, base timestamp from the first record, no producer, epoch -1', () => {
    const batch = buildRecordBatch([
      { value: Buffer.from('a'), timestamp: 1000 },
      { key: Buffer.from('k'), value: Buffer.from('b'), timestamp: 990 },
      { value: null, timestamp: 1010, headers: [{ key: 'h', value: null }] },
    ]);
    const { header, records } = decodeBatch(batch);
    expect(header).toMatchObject({
      baseOffset: 0,
      sizeBytes: batch.length,
      partitionLeaderEpoch: -1,
      magic: 2,
      attributes: 0,
      lastOffsetDelta: 2,
      baseTimestamp: 1000,
      maxTimestamp: 1010,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      recordCount: 3,
    });
    expect(records.map((r) => [r.offset, r.timestamp, r.timestampDelta, r.key?.toString() ?? null])).toEqual([
      [0, 1000, 0, null],
      [1, 990, -10, 'k'],
      [2, 1010, 10, null],
    ]);
    expect(records[2]!.value).toBeNull();
    expect(records[2]!.headers).toEqual([{ key: 'h', value: null }]);
  });

  test.each([Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd])(
    'codec %i: offsets and timestamps are absolute, attributes carry every flag',
    (compression) => {
      const batch = buildRecordBatch([{ value: Buffer.from('x') }, { value: Buffer.from('y'), timestamp: 2 ** 42 }], {
        compression,
        baseOffset: 2 ** 40,
        baseTimestamp: 2 ** 41,
        partitionLeaderEpoch: 12,
        producerId: 2 ** 45,
        producerEpoch: 32767,
        baseSequence: 2 ** 31 - 1,
        transactional: true,
      });
      const records = validateBatchRecords(batch);
      expect(records.map((r) => [r.offset, r.timestamp])).toEqual([
        [2 ** 40, 2 ** 41],
        [2 ** 40 + 1, 2 ** 42],
      ]);
      expect(readBatchHeader(batch)).toMatchObject({
        attributes: compression | 0x10,
        partitionLeaderEpoch: 12,
        producerId: 2 ** 45,
        producerEpoch: 32767,
        baseSequence: 2 ** 31 - 1,
        maxTimestamp: 2 ** 42,
      });
    },
  );

  test('LogAppendTime batches give every record the batch maxTimestamp', () => {
    const batch = buildRecordBatch([{ timestamp: 5 }, { timestamp: 9 }], {
      timestampType: TimestampType.LogAppendTime,
      maxTimestamp: 777,
    });
    expect(readBatchHeader(batch).attributes).toBe(0x08);
    expect([...batchRecords(batch)].map((r) => r.timestamp)).toEqual([777, 777]);
  });

  test('explicit offsetDeltas with gaps (as compaction leaves them) are kept, and must increase', () => {
    const batch = buildRecordBatch([{ offsetDelta: 0 }, { offsetDelta: 5 }], { baseTimestamp: 0, baseOffset: 10 });
    expect([...batchRecords(batch)].map((r) => r.offset)).toEqual([10, 15]);
    expect(readBatchHeader(batch).lastOffsetDelta).toBe(5);
    expect(() => validateBatchRecords(batch)).toThrow(DecodeError);
    expect(() => buildRecordBatch([{ offsetDelta: 3 }, { offsetDelta: 3 }], { baseTimestamp: 0 })).toThrow(RangeError);
  });

  test('a batch at an offset inside a larger buffer', () => {
    const a = buildRecordBatch([{ value: Buffer.from('first') }], { baseTimestamp: 1 });
    const b = buildRecordBatch([{ value: Buffer.from('second') }], { baseTimestamp: 2, baseOffset: 1 });
    const both = Buffer.concat([a, b]);
    expect(validateBatchRecords(both, a.length).map((r) => r.value?.toString())).toEqual(['second']);
  });

  test('refuses an empty batch and records with no timestamp at all', () => {
    expect(() => buildRecordBatch([])).toThrow(RangeError);
    expect(() => buildRecordBatch([{ value: Buffer.from('x') }])).toThrow(RangeError);
  });

  test('uncompressed keys and values are views of the batch, not copies', () => {
    const batch = buildRecordBatch([{ value: Buffer.from('view me') }], { baseTimestamp: 0 });
    const [rec] = [...batchRecords(batch)];
    expect(rec!.value!.buffer).toBe(batch.buffer);
  });
});

/** One uncompressed batch around hand-written record bytes, with count and CRC made consistent. */
function batchAround(recordBytes: Buffer, recordCount = 1): Buffer {
  const shell = buildRecordBatch([{ value: Buffer.from('x') }], { baseTimestamp: 0 });
  const batch = Buffer.concat([shell.subarray(0, BATCH_HEADER_BYTES), recordBytes]);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(recordCount - 1, 23);
  batch.writeInt32BE(recordCount, RECORDS_COUNT_AT);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), CRC_AT);
  return batch;
}

/** Record bytes: the body is everything after the length prefix. */
function record(body: (w: Writer) => void, lengthAdjust = 0): Buffer {
  const inner = new Writer();
  body(inner);
  const bytes = inner.toBuffer();
  return Buffer.concat([new Writer().varint(bytes.length + lengthAdjust).toBuffer(), bytes]);
}

const wellFormed = (w: Writer): void => {
  w.int8(0).varlong(0).varint(0).varint(1).raw(Buffer.from('k')).varint(1).raw(Buffer.from('v')).varint(0);
};

describe('malformed records are DecodeErrors', () => {
  test('the hand-built record is well formed', () => {
    expect(validateBatchRecords(batchAround(record(wellFormed)))[0]!.value?.toString()).toBe('v');
  });

  const cases: Record<string, Buffer> = {
    'record length past the end': record(wellFormed, 5),
    'record length shorter than its fields': record(wellFormed, -1),
    'negative record length': Buffer.from([0x01]),
    'overlong varint': Buffer.from('ffffffffffffffffffffff01', 'hex'),
    'key length past the end': record((w) => w.int8(0).varlong(0).varint(0).varint(50).raw(Buffer.from('k'))),
    'key length below -1': record((w) => w.int8(0).varlong(0).varint(0).varint(-2).varint(-1).varint(0)),
    'negative header count': record((w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(-1).varint(-1)),
    'null header key': record((w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(-1).varint(1).varint(-1)),
    'header count past the end': record((w) => w.int8(0).varlong(0).varint(0).varint(-1).varint(-1).varint(1000)),
    'truncated in the timestamp': record((w) => w.int8(0).uint8(0x80)),
  };

  test.each(Object.entries(cases))('%s', (_name, bytes) => {
    expect(() => validateBatchRecords(batchAround(bytes))).toThrow(DecodeError);
    expect(() => readRecord(new Reader(bytes))).toThrow(DecodeError);
  });

  test('fewer records than the header counts, bytes left after the last, negative count', () => {
    const one = record(wellFormed);
    expect(() => validateBatchRecords(batchAround(one, 2))).toThrow(DecodeError);
    expect(() => validateBatchRecords(batchAround(Buffer.concat([one, one]), 1))).toThrow(/remain/);
    expect(() => [...batchRecords(batchAround(one, -1))]).toThrow(/negative record count/);
  });

  test('a truncated batch, a bad CRC, magic 1, an unknown codec', () => {
    const good = buildRecordBatch([{ value: Buffer.from('abc') }], { baseTimestamp: 0 });
    for (let cut = 0; cut < good.length; cut++) {
      expect(() => validateBatchRecords(good.subarray(0, cut))).toThrow(DecodeError);
    }
    const crc = Buffer.from(good);
    crc[good.length - 1] = crc[good.length - 1]! ^ 1;
    expect(() => validateBatchRecords(crc)).toThrow(/CRC/);
    const magic = Buffer.from(good);
    magic[16] = 1;
    expect(() => [...batchRecords(magic)]).toThrow(/magic/);
    const codec = Buffer.from(good);
    codec[22] = 5;
    expect(() => [...batchRecords(codec)]).toThrow(/codec id 5/);
  });

  test.each([Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd])(
    'codec %i: corrupt compressed records, and a bomb past maxDecompressedBytes',
    (compression) => {
      const values = Array.from({ length: 200 }, () => ({ value: Buffer.alloc(10_000) }));
      const batch = buildRecordBatch(values, { baseTimestamp: 0, compression });
      expect(() => [...batchRecords(batch, 0, { maxDecompressedBytes: 100_000 })]).toThrow(/limit/);
      expect([...batchRecords(batch)]).toHaveLength(200);
      const corrupt = Buffer.from(batch);
      corrupt.fill(0x33, BATCH_HEADER_BYTES + 4, BATCH_HEADER_BYTES + 40);
      expect(() => [...batchRecords(corrupt)]).toThrow(DecodeError);
    },
  );
});
