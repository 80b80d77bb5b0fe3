// Batches our encoder builds, for every codec, decoded by kafka-python (a real client) in a subprocess.
import { beforeAll, expect, test } from 'vitest';
import { initCompression } from '../../protocol/kafka/compression/codecs.js';
import { TimestampType } from '../../protocol/kafka/records/batch-attributes.js';
import { buildRecordBatch } from '../../protocol/kafka/records/batch-builder.js';
import { Compression } from '../../protocol/kafka/records/batch-header.js';
import { validateBatchRecords } from '../../protocol/kafka/records/batch-validation.js';
import { describeBytes, recordInputsOf } from '../../test/fixtures/records/manifest.js';
import { decodeWithKafkaPython } from './python-clients.js';

beforeAll(() => initCompression());

const CODECS = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd];

test('kafka-python decodes our batches for every codec, CRC and records intact', () => {
  const records = recordInputsOf('kafka-python-none.bin');
  const batches = CODECS.map((compression) =>
    buildRecordBatch(records, {
      compression,
      baseOffset: 1000,
      producerId: 77,
      producerEpoch: 3,
      baseSequence: 12,
      transactional: compression === Compression.Gzip,
    }),
  );
  const decoded = decodeWithKafkaPython(batches);
  const expected = records.map((r, i) => ({
    offset: 1000 + i,
    timestamp: r.timestamp,
    key: describeBytes(r.key ?? null),
    value: describeBytes(r.value ?? null),
    headers: (r.headers ?? []).map((h) => [h.key, describeBytes(h.value)]),
  }));
  decoded.forEach((batch, i) => {
    expect(batch).toEqual({
      crcValid: true,
      compression: CODECS[i],
      timestampType: TimestampType.CreateTime,
      baseOffset: 1000,
      maxTimestamp: Math.max(...records.map((r) => r.timestamp!)),
      transactional: CODECS[i] === Compression.Gzip,
      control: false,
      producerId: 77,
      producerEpoch: 3,
      baseSequence: 12,
      records: expected,
    });
  });
});

test('kafka-python decodes a LogAppendTime batch with every record at maxTimestamp', () => {
  const batch = buildRecordBatch([{ value: Buffer.from('a') }, { value: Buffer.from('b'), timestamp: 5 }], {
    baseTimestamp: 1,
    timestampType: TimestampType.LogAppendTime,
    maxTimestamp: 1_700_000_000_000,
  });
  const [decoded] = decodeWithKafkaPython([batch]);
  expect(decoded!.crcValid).toBe(true);
  expect(decoded!.timestampType).toBe(TimestampType.LogAppendTime);
  expect(decoded!.records.map((r) => r.timestamp)).toEqual([1_700_000_000_000, 1_700_000_000_000]);
  expect(validateBatchRecords(batch).map((r) => r.timestamp)).toEqual([1_700_000_000_000, 1_700_000_000_000]);
});
