// kafkajs (a real client, run in-process) against our records code: its RecordBatch encoder's output decoded
// by ours, and our batches decoded by its RecordBatch decoder. kafkajs has only gzip built in.
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { buildRecordBatch } from '../../../../protocol/kafka/records/batch-builder.js';
import { Compression } from '../../../../protocol/kafka/records/batch-header.js';
import { checkProduceBatch, validateBatchRecords } from '../../../../protocol/kafka/records/batch-validation.js';

const require = createRequire(import.meta.url);
type KafkajsRecord = { offsetDelta: number; timestampDelta: number; key: Buffer | null; value: Buffer | null };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch(o: object): Promise<{ buffer: Buffer }>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (o: object) => KafkajsRecord;
const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: unknown) => Promise<{
  firstOffset: string;
  producerId: string;
  inTransaction: boolean;
  records: Array<{ offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers: object }>;
}>;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown;
const kafkajsLong = require('kafkajs/src/utils/long.js') as { fromValue(v: number): unknown };

const BASE_TS = 1_700_000_000_000;
const MESSAGES = [
  { key: Buffer.from('k1'), value: Buffer.from('v1'), headers: { trace: Buffer.from('abc') }, ts: BASE_TS },
  { key: null, value: Buffer.from('x'.repeat(5000)), headers: {}, ts: BASE_TS + 42 },
  { key: Buffer.from('tomb'), value: null, headers: { a: Buffer.from('1'), b: Buffer.from('') }, ts: BASE_TS - 9 },
];

describe.each([
  ['none', 0],
  ['gzip', 1],
])('kafkajs with %s', (_name, compression) => {
  test("kafkajs's batches decode with ours: offsets, timestamps, keys, values, headers", async () => {
    const records = MESSAGES.map((m, i) =>
      Record({ offsetDelta: i, timestampDelta: m.ts - BASE_TS, key: m.key, value: m.value, headers: m.headers }),
    );
    const encoded = await RecordBatch({
      compression,
      firstOffset: kafkajsLong.fromValue(500),
      firstTimestamp: BASE_TS,
      maxTimestamp: BASE_TS + 42,
      lastOffsetDelta: records.length - 1,
      records,
    });
    const buf = encoded.buffer;
    const decoded = validateBatchRecords(buf);
    expect(
      decoded.map((r) => ({
        offset: r.offset,
        timestamp: r.timestamp,
        key: r.key,
        value: r.value,
        headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value])),
      })),
    ).toEqual(
      MESSAGES.map((m, i) => ({ offset: 500 + i, timestamp: m.ts, key: m.key, value: m.value, headers: m.headers })),
    );
    // kafkajs's producer leaves producer fields at -1/0/0 when not idempotent; the produce checks accept that.
    expect(checkProduceBatch(buf, { maxBatchBytes: 1 << 20, produceVersion: 3 }).recordCount).toBe(3);
  });

  test("kafkajs's decoder reads our batches", async () => {
    const buf = buildRecordBatch(
      MESSAGES.map((m) => ({
        key: m.key,
        value: m.value,
        timestamp: m.ts,
        headers: Object.entries(m.headers).map(([key, value]) => ({ key, value })),
      })),
      { compression: compression === 1 ? Compression.Gzip : Compression.None, baseOffset: 77, producerId: 9 },
    );
    const batch = await decodeKafkajsBatch(new Decoder(buf));
    expect(batch.firstOffset).toBe('77');
    expect(batch.producerId).toBe('9');
    expect(batch.records).toMatchObject(
      MESSAGES.map((m, i) => ({ offset: String(77 + i), timestamp: String(m.ts), key: m.key, value: m.value })),
    );
    expect(batch.records.map((r) => r.headers)).toEqual(MESSAGES.map((m) => m.headers));
  });
});
