// Batches our encoder builds, for every codec, decoded by kafka-python (a real client) in a subprocess.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, test } from 'vitest';
import { initCompression } from '../../../../protocol/kafka/compression/codecs.js';
import { TimestampType } from '../../../../protocol/kafka/records/batch-attributes.js';
import { buildRecordBatch, type RecordInput } from '../../../../protocol/kafka/records/batch-builder.js';
import { Compression } from '../../../../protocol/kafka/records/batch-header.js';
import { validateBatchRecords } from '../../../../protocol/kafka/records/batch-validation.js';
import { describeBytes, FIXTURES, PYTHON, readFixture } from './manifest.js';

beforeAll(() => initCompression());

interface PythonBatch {
  crcValid: boolean;
  compression: number;
  timestampType: number;
  baseOffset: number;
  maxTimestamp: number;
  transactional: boolean;
  control: boolean;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  records: Array<{ offset: number; timestamp: number; key: unknown; value: unknown; headers: unknown[] }>;
}

function decodeWithKafkaPython(batches: Buffer[]): PythonBatch[] {
  const out = execFileSync(PYTHON, [fileURLToPath(new URL('decode_kafka_python.py', FIXTURES))], {
    input: JSON.stringify(batches.map((b) => b.toString('hex'))),
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.toString('utf8')) as PythonBatch[];
}

/** The records of a real client's batch, as input for our encoder: the same keys, values and timestamps. */
function clientRecords(): RecordInput[] {
  return validateBatchRecords(readFixture('kafka-python-none.bin')).map((r) => ({
    key: r.key,
    value: r.value,
    headers: r.headers,
    timestamp: r.timestamp,
  }));
}

const CODECS = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd];

test('kafka-python decodes our batches for every codec, CRC and records intact', () => {
  const records = clientRecords();
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
