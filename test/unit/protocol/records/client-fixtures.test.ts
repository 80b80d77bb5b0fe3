// Batches encoded by real clients (see test/fixtures/records/README.md), decoded and checked by ours.
import { beforeAll, describe, expect, test } from 'vitest';
import { initCompression } from '../../../../protocol/kafka/compression/codecs.js';
import { compressionId, isTransactional } from '../../../../protocol/kafka/records/batch-attributes.js';
import { Compression, readBatchHeader } from '../../../../protocol/kafka/records/batch-header.js';
import { checkProduceBatch, validateBatchRecords } from '../../../../protocol/kafka/records/batch-validation.js';
import { describeRecord, type Manifest, readFixture, readManifest } from '../../../fixtures/records/manifest.js';

beforeAll(() => initCompression());

const ONE_MIB = 1024 * 1024;

interface KafkaPythonEntry {
  file: string;
  compression: number;
  recordCount: number;
  transactional?: boolean;
  producer_id?: number;
  producer_epoch?: number;
  base_sequence?: number;
}

interface LibrdkafkaEntry {
  file: string;
  codec: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  idempotent: boolean;
  produceVersion: number;
  recordCount: number;
}

const CODEC_IDS = {
  none: Compression.None,
  gzip: Compression.Gzip,
  snappy: Compression.Snappy,
  lz4: Compression.Lz4,
  zstd: Compression.Zstd,
} as const;

function decodesExactly(manifest: Manifest<unknown>, file: string, codec: number, recordCount: number): Buffer {
  const buf = readFixture(file);
  const header = readBatchHeader(buf);
  expect(header.sizeBytes).toBe(buf.length);
  expect(compressionId(header.attributes)).toBe(codec);
  expect(header.recordCount).toBe(recordCount);
  const records = validateBatchRecords(buf);
  expect(records.map(describeRecord)).toEqual(manifest.records.slice(0, recordCount));
  expect(records.map((r) => r.offset)).toEqual([...Array(recordCount).keys()]);
  expect(header.baseTimestamp).toBe(manifest.baseTimestamp);
  expect(header.maxTimestamp).toBe(Math.max(...records.map((r) => r.timestamp)));
  return buf;
}

describe('kafka-python batches', () => {
  const manifest = readManifest<KafkaPythonEntry>('kafka-python.json');

  test.each(manifest.batches)('$file', (entry) => {
    const buf = decodesExactly(manifest, entry.file, entry.compression, entry.recordCount);
    const header = checkProduceBatch(buf, { maxBatchBytes: ONE_MIB, produceVersion: 7 });
    expect(isTransactional(header.attributes)).toBe(entry.transactional ?? false);
    expect(header.producerId).toBe(entry.producer_id ?? -1);
    expect(header.producerEpoch).toBe(entry.producer_epoch ?? -1);
    expect(header.baseSequence).toBe(entry.base_sequence ?? -1);
  });

  test('covers every codec, and zstd both with and without a content size', () => {
    expect(new Set(manifest.batches.map((b) => b.compression))).toEqual(new Set(Object.values(CODEC_IDS)));
    expect(manifest.batches.filter((b) => b.compression === Compression.Zstd)).toHaveLength(2);
  });
});

describe('librdkafka batches', () => {
  const manifest = readManifest<LibrdkafkaEntry>('librdkafka.json');

  test.each(manifest.batches)('$file', (entry) => {
    const buf = decodesExactly(manifest, entry.file, CODEC_IDS[entry.codec], entry.recordCount);
    const header = checkProduceBatch(buf, { maxBatchBytes: ONE_MIB, produceVersion: entry.produceVersion });
    if (entry.idempotent) {
      expect(header.producerId).toBeGreaterThanOrEqual(0);
      expect(header.producerEpoch).toBe(0);
      expect(header.baseSequence).toBe(0);
    } else {
      expect(header.producerId).toBe(-1);
    }
  });

  test('covers every codec', () => {
    expect(new Set(manifest.batches.map((b) => b.codec))).toEqual(new Set(Object.keys(CODEC_IDS)));
  });
});
