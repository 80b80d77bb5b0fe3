// Batches our encoder builds, for every codec, fetched and decoded by librdkafka (a real client, through
// confluent-kafka and librdkafka's in-process mock broker) with CRC checks on.
import { beforeAll, expect, test } from 'vitest';
import { initCompression } from '../../protocol/kafka/compression/codecs.js';
import { buildRecordBatch } from '../../protocol/kafka/records/batch-builder.js';
import { Compression } from '../../protocol/kafka/records/batch-header.js';
import { validateBatchRecords } from '../../protocol/kafka/records/batch-validation.js';
import { describeRecord, readFixture, recordInputsOf } from '../../test/fixtures/records/manifest.js';
import { consumeWithLibrdkafka } from './python-clients.js';

beforeAll(() => initCompression());

const CODECS = [Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4, Compression.Zstd];

test('librdkafka consumes our batches for every codec: offsets, timestamps, keys, values, headers', () => {
  const source = validateBatchRecords(readFixture('kafka-python-none.bin'));
  const inputs = recordInputsOf('kafka-python-none.bin');
  const batches = CODECS.map((compression) => buildRecordBatch(inputs, { compression }));
  const expected = source.map((r) => {
    const { offsetDelta, ...rest } = describeRecord(r);
    return { offset: offsetDelta, ...rest };
  });
  expect(consumeWithLibrdkafka(batches)).toEqual(CODECS.map(() => expected));
});
