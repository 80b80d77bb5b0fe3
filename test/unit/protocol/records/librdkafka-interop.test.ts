// Batches our encoder builds, for every codec, fetched and decoded by librdkafka (a real client, through
// confluent-kafka and librdkafka's in-process mock broker) with CRC checks on.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, test } from 'vitest';
import { initCompression } from '../../../../protocol/kafka/compression/codecs.js';
import { buildRecordBatch } from '../../../../protocol/kafka/records/batch-builder.js';
import { Compression } from '../../../../protocol/kafka/records/batch-header.js';
import { validateBatchRecords } from '../../../../protocol/kafka/records/batch-validation.js';
import { describeRecord, FIXTURES, PYTHON, readFixture } from './manifest.js';

beforeAll(() => initCompression());

const CODECS = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd];

test('librdkafka consumes our batches for every codec: offsets, timestamps, keys, values, headers', () => {
  const source = validateBatchRecords(readFixture('kafka-python-none.bin'));
  const inputs = source.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp }));
  const batches = CODECS.map((compression) => buildRecordBatch(inputs, { compression }));
  const out = execFileSync(PYTHON, [fileURLToPath(new URL('consume_librdkafka.py', FIXTURES))], {
    input: JSON.stringify(batches.map((b) => b.toString('hex'))),
    stdio: ['pipe', 'pipe', 'ignore'],
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  const expected = source.map((r) => {
    const { offsetDelta, ...rest } = describeRecord(r);
    return { offset: offsetDelta, ...rest };
  });
  expect(JSON.parse(out.toString('utf8'))).toEqual(CODECS.map(() => expected));
});
