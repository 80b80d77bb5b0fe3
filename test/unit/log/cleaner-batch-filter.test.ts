// One batch through the cleaner's filter: per key only the latest record stays, tombstones until their
// batch's delete horizon, and a rewritten batch keeps its offsets, compression, timestamps and producer
// fields (decoded again with the record codec, CRC checked).
import { beforeAll, describe, expect, it } from 'vitest';
import { initCompression } from '../../../protocol/kafka/compression/codecs.js';
import { compressionId, TimestampType, timestampTypeOf } from '../../../protocol/kafka/records/batch-attributes.js';
import { buildRecordBatch, type BatchOptions } from '../../../protocol/kafka/records/batch-builder.js';
import { Compression, DELETE_HORIZON_BIT, readBatchHeader } from '../../../protocol/kafka/records/batch-header.js';
import { batchRecords } from '../../../protocol/kafka/records/batch-records.js';
import { buildEndTxnMarkerBatch, ControlRecordType } from '../../../protocol/kafka/records/control-record.js';
import { validateStoredBatch } from '../../../src/log/batch-scan.js';
import { deleteHorizonOf, filterBatch, type FilterContext, type KeyOffsets } from '../../../src/log/cleaner/batch-filter.js';

const T = 1_700_000_000_000;
const NOW = T + 50_000;
const RETENTION = 86_400_000;

beforeAll(() => initCompression());

/** A map holding `latest` (key -> offset), covering offsets up to `latestOffset`. */
function mapOf(latest: Record<string, number>, latestOffset: number): KeyOffsets {
  return { latestOffset, get: (k) => latest[k.toString()] ?? -1 };
}

function ctx(map: KeyOffsets, now = NOW): FilterContext {
  return { map, now, deleteRetentionMs: RETENTION };
}

type Rec = [key: string | null, value: string | null, timestampDelta: number];

/** A batch at `baseOffset` of records at consecutive offsets, the i-th at T + its delta. */
function batch(baseOffset: number, recs: readonly Rec[], options: BatchOptions = {}): Buffer {
  return buildRecordBatch(
    recs.map(([k, v, dt]) => ({ key: k === null ? null : Buffer.from(k), value: v === null ? null : Buffer.from(v), timestamp: T + dt, headers: [{ key: 'h', value: Buffer.from(`${k}`) }] })),
    { baseOffset, baseTimestamp: T, partitionLeaderEpoch: 3, producerId: 77, producerEpoch: 2, baseSequence: 10, ...options },
  );
}

function decoded(bytes: Buffer) {
  return [...batchRecords(bytes)].map((r) => ({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, timestamp: r.timestamp, headers: r.headers.map((h) => `${h.key}=${h.value}`) }));
}

const RECS: Rec[] = [
  ['a', 'a1', 0],
  ['b', 'b1', 5],
  ['a', 'a2', 3],
  ['c', 'c1', 9],
];

describe('filterBatch', () => {
  it('returns the stored bytes themselves when every record stays', () => {
    const b = batch(100, [['a', 'a1', 0], ['b', 'b1', 5]]);
    const all = filterBatch(b, readBatchHeader(b), ctx(mapOf({ a: 100, b: 101, c: 103 }, 103)));
    expect(all).toEqual({ bytes: b, recordsRead: 2, recordsKept: 2, keyless: 0 });
    expect(all.bytes).toBe(b);
  });

  it.each([
    ['none', Compression.None],
    ['gzip', Compression.Gzip],
    ['snappy', Compression.Snappy],
    ['lz4', Compression.Lz4],
    ['zstd', Compression.Zstd],
  ])('rewrites a %s batch from its survivors, keeping codec, offsets, timestamps and producer fields', (_n, compression) => {
    const b = batch(100, RECS, { compression });
    const before = readBatchHeader(b);
    const r = filterBatch(b, before, ctx(mapOf({ a: 102, b: 101, c: 103 }, 103)));
    expect(r).toMatchObject({ recordsRead: 4, recordsKept: 3, keyless: 0 });
    const out = r.bytes!;
    const h = readBatchHeader(out);
    validateStoredBatch(out, h);
    expect(compressionId(h.attributes)).toBe(compression);
    expect(h).toMatchObject({
      baseOffset: 100,
      lastOffsetDelta: 3,
      recordCount: 3,
      partitionLeaderEpoch: 3,
      producerId: 77,
      producerEpoch: 2,
      baseSequence: 10,
      baseTimestamp: T + 5,
      maxTimestamp: T + 9,
    });
    expect(h.attributes & DELETE_HORIZON_BIT).toBe(0);
    expect(decoded(out)).toEqual([
      { offset: 101, key: 'b', value: 'b1', timestamp: T + 5, headers: ['h=b'] },
      { offset: 102, key: 'a', value: 'a2', timestamp: T + 3, headers: ['h=a'] },
      { offset: 103, key: 'c', value: 'c1', timestamp: T + 9, headers: ['h=c'] },
    ]);
  });

  it('drops a batch none of whose records stay', () => {
    const b = batch(100, RECS);
    expect(filterBatch(b, readBatchHeader(b), ctx(mapOf({ a: 200, b: 200, c: 200 }, 200)))).toEqual({ bytes: undefined, recordsRead: 4, recordsKept: 0, keyless: 0 });
  });

  it('keeps records past what the map covers, with or without a key', () => {
    const b = batch(100, [...RECS, [null, 'no key', 1]]);
    const r = filterBatch(b, readBatchHeader(b), ctx(mapOf({ a: 102 }, 101)));
    expect(decoded(r.bytes!).map((x) => x.offset)).toEqual([101, 102, 103, 104]);
  });

  it('removes records without a key that the map covers, counting them', () => {
    const b = batch(100, [['a', 'a1', 0], [null, 'x', 1], [null, 'y', 2]]);
    const r = filterBatch(b, readBatchHeader(b), ctx(mapOf({ a: 100 }, 102)));
    expect(r).toMatchObject({ recordsKept: 1, keyless: 2 });
    expect(readBatchHeader(r.bytes!)).toMatchObject({ baseOffset: 100, lastOffsetDelta: 2, recordCount: 1 });
  });

  it('stamps a delete horizon of now + delete.retention.ms on a batch keeping a tombstone, leaving record timestamps alone', () => {
    const b = batch(100, [['a', null, 7], ['b', 'b1', 2]]);
    const r = filterBatch(b, readBatchHeader(b), ctx(mapOf({ a: 100, b: 101 }, 101)));
    expect(r.recordsKept).toBe(2);
    const h = readBatchHeader(r.bytes!);
    validateStoredBatch(r.bytes!, h);
    expect(deleteHorizonOf(h)).toBe(NOW + RETENTION);
    expect(h.maxTimestamp).toBe(T + 7);
    expect(decoded(r.bytes!).map((x) => [x.key, x.value, x.timestamp])).toEqual([
      ['a', null, T + 7],
      ['b', 'b1', T + 2],
    ]);
  });

  it('keeps a tombstone until its horizon has passed, then drops it but not the values beside it', () => {
    const b = batch(100, [['a', null, 7], ['b', 'b1', 2]]);
    const map = mapOf({ a: 100, b: 101 }, 101);
    const stamped = filterBatch(b, readBatchHeader(b), ctx(map)).bytes!;
    const horizon = NOW + RETENTION;
    // Before the horizon: nothing to do, the stamped batch is kept as it is.
    const early = filterBatch(stamped, readBatchHeader(stamped), ctx(map, horizon - 1));
    expect(early.bytes).toBe(stamped);
    const late = filterBatch(stamped, readBatchHeader(stamped), ctx(map, horizon));
    expect(decoded(late.bytes!).map((x) => [x.offset, x.key, x.value, x.timestamp])).toEqual([[101, 'b', 'b1', T + 2]]);
    const h = readBatchHeader(late.bytes!);
    // The horizon stays with the batch once set (Kafka keeps it too).
    expect(deleteHorizonOf(h)).toBe(horizon);
    expect(h).toMatchObject({ baseOffset: 100, lastOffsetDelta: 1, recordCount: 1 });
    const lone = batch(200, [['a', null, 0]]);
    const loneStamped = filterBatch(lone, readBatchHeader(lone), ctx(mapOf({ a: 200 }, 200))).bytes!;
    expect(filterBatch(loneStamped, readBatchHeader(loneStamped), ctx(mapOf({ a: 200 }, 200), horizon)).bytes).toBeUndefined();
  });

  it('drops a tombstone that a later record of its key made obsolete, horizon or not', () => {
    const b = batch(100, [['a', null, 0], ['b', 'b1', 1]]);
    const r = filterBatch(b, readBatchHeader(b), ctx(mapOf({ a: 300, b: 101 }, 300)));
    expect(decoded(r.bytes!).map((x) => x.key)).toEqual(['b']);
    expect(deleteHorizonOf(readBatchHeader(r.bytes!))).toBeUndefined();
  });

  it('rewrites a LogAppendTime batch keeping its type and append time', () => {
    const b = batch(100, RECS, { timestampType: TimestampType.LogAppendTime, maxTimestamp: T + 1000 });
    const r = filterBatch(b, readBatchHeader(b), ctx(mapOf({ a: 102, b: 101, c: 103 }, 103)));
    const h = readBatchHeader(r.bytes!);
    expect(timestampTypeOf(h.attributes)).toBe(TimestampType.LogAppendTime);
    expect(h.maxTimestamp).toBe(T + 1000);
    expect(decoded(r.bytes!).map((x) => x.timestamp)).toEqual([T + 1000, T + 1000, T + 1000]);
  });

  it('keeps control batches (transaction markers) as they are', () => {
    const marker = buildEndTxnMarkerBatch({ type: ControlRecordType.Commit, coordinatorEpoch: 1, producerId: 5, producerEpoch: 0, timestamp: T, baseOffset: 100 });
    const r = filterBatch(marker, readBatchHeader(marker), ctx(mapOf({}, 500)));
    expect(r.bytes).toBe(marker);
  });
});
