import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBatchHeader, validateBatch } from '../../../protocol/kafka/records/batch-header.js';
import {
  CorruptRecordError,
  LogClosedError,
  OffsetOutOfRangeError,
  RecordBatchTooLargeError,
  RecordTooLargeError,
} from '../../../src/log/errors.js';
import { batchOffsetsOf, makeBatch, recordsOf } from './batches.js';
import { appendEach, openLog, readAll, T0, tempDir } from './fixture.js';

const values = (n: number, prefix = 'v'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const sameMemory = (a: Buffer, b: Buffer): boolean => a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length;

describe('PartitionLog append and read', () => {
  it('assigns consecutive offsets, rewriting baseOffset in the very buffer given', async () => {
    const log = await openLog(await tempDir());
    const b1 = makeBatch(['a', 'b', 'c']);
    const b2 = makeBatch(['d']);
    const r1 = log.append(b1, T0);
    const r2 = log.append(b2, T0);
    expect(r1).toMatchObject({ baseOffset: 0, lastOffset: 2, logAppendTime: -1, recordCount: 3, batchCount: 1, logStartOffset: 0 });
    expect(r2).toMatchObject({ baseOffset: 3, lastOffset: 3 });
    expect(readBatchHeader(b2).baseOffset).toBe(3);
    expect(log.logEndOffset).toBe(4);
    expect(log.highWatermark).toBe(4);
    // The tail is served from memory: the chunks are the producers' buffers themselves.
    const read = await log.read(0, 1 << 20);
    expect(sameMemory(read.chunks[0]!, b1)).toBe(true);
    expect(sameMemory(read.chunks[1]!, b2)).toBe(true);
    expect(recordsOf(read.chunks).map((r) => [r.offset, r.value])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
      [3, 'd'],
    ]);
  });

  it('accepts several batches back to back in one append', async () => {
    const log = await openLog(await tempDir());
    const many = Buffer.concat([makeBatch(['a', 'b']), makeBatch(['c']), makeBatch(['d', 'e', 'f'])]);
    const r = log.append(many, T0);
    expect(r).toMatchObject({ baseOffset: 0, lastOffset: 5, recordCount: 6, batchCount: 3 });
    await log.waitWritten(5);
    expect((await readAll(log)).map((x) => x.value)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(batchOffsetsOf((await log.read(0, 1 << 20)).chunks)).toEqual([0, 2, 3]);
  });

  it('reads from the files once the cache has let go, the same bytes as appended', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, {}, { tailCacheBytes: 0 });
    const batches = values(50).map((v) => makeBatch([v, `${v}-second`]));
    const copies = batches.map((b) => Buffer.from(b));
    for (const b of batches) log.append(b, T0);
    await log.waitWritten(log.logEndOffset - 1);
    const read = await log.read(0, 1 << 20);
    // Stored and returned bytes equal what was appended (after offset assignment).
    expect(read.chunks.some((c) => batches.some((b) => c.buffer === b.buffer))).toBe(false);
    const all = Buffer.concat(read.chunks);
    expect(all.equals(Buffer.concat(batches))).toBe(true);
    expect(copies[10]!.subarray(8).equals(batches[10]!.subarray(8))).toBe(true);
    expect((await stat(join(dir, '00000000000000000000.log'))).size).toBe(all.length);
  });

  it('returns the whole batch holding the fetch offset, and stops at batch boundaries', async () => {
    const log = await openLog(await tempDir(), {}, { tailCacheBytes: 0 });
    for (let i = 0; i < 10; i++) log.append(makeBatch(values(5, `b${i}-`)), T0);
    await log.waitWritten(49);
    for (const fetch of [0, 1, 4, 5, 7, 49]) {
      const r = await log.read(fetch, 1);
      const first = Math.floor(fetch / 5) * 5;
      expect(r.firstOffset).toBe(first);
      expect(batchOffsetsOf(r.chunks)).toEqual([first]);
      expect(r.nextOffset).toBe(first + 5);
    }
    const atEnd = await log.read(50, 1000);
    expect(atEnd).toEqual({ chunks: [], sizeBytes: 0, firstOffset: -1, nextOffset: 50 });
  });

  it('honours maxBytes: at least one batch, then only whole batches that fit', async () => {
    for (const cache of [1 << 20, 0]) {
      const log = await openLog(await tempDir(), {}, { tailCacheBytes: cache });
      for (const v of values(8)) log.append(makeBatch([v.padEnd(100, 'x')]), T0);
      await log.waitWritten(7);
      const one = (await log.read(0, 1 << 20)).sizeBytes / 8;
      expect((await log.read(0, 0)).chunks.length).toBe(1);
      expect((await log.read(0, 0, { minOneBatch: false })).chunks.length).toBe(0);
      expect(batchOffsetsOf((await log.read(0, one)).chunks)).toEqual([0]);
      expect(batchOffsetsOf((await log.read(0, one * 3 - 1)).chunks)).toEqual([0, 1]);
      expect(batchOffsetsOf((await log.read(2, one * 3)).chunks)).toEqual([2, 3, 4]);
      expect((await log.read(3, one * 3)).sizeBytes).toBe(one * 3);
    }
  });

  it('stops at upToOffset (the high watermark) and never splits a batch at it', async () => {
    const log = await openLog(await tempDir());
    log.append(makeBatch(['a', 'b']), T0);
    log.append(makeBatch(['c', 'd']), T0);
    log.append(makeBatch(['e']), T0);
    expect(batchOffsetsOf((await log.read(0, 1 << 20, { upToOffset: 4 })).chunks)).toEqual([0, 2]);
    expect(batchOffsetsOf((await log.read(0, 1 << 20, { upToOffset: 3 })).chunks)).toEqual([0]);
    expect((await log.read(4, 1 << 20, { upToOffset: 4 })).chunks).toEqual([]);
  });

  it('distinguishes offsets below the log start from offsets above the log end', async () => {
    const log = await openLog(await tempDir());
    appendEach(log, values(3));
    await expect(log.read(4, 100)).rejects.toMatchObject({ side: 'above-end', errorCode: 1, logEndOffset: 3 });
    await log.deleteRecordsBefore(2);
    const below = await log.read(1, 100).catch((e: unknown) => e);
    expect(below).toBeInstanceOf(OffsetOutOfRangeError);
    expect(below).toMatchObject({ side: 'below-start', logStartOffset: 2 });
    // The batch holding the log start is returned whole; clients skip the records before it.
    expect((await log.read(2, 100)).firstOffset).toBe(2);
  });

  it('rolls segments by segment.bytes and reads across them', async () => {
    const dir = await tempDir();
    const batchBytes = makeBatch(['x'.repeat(200)]).length;
    const log = await openLog(dir, { segmentBytes: batchBytes * 4 + 10, indexIntervalBytes: 1 }, { tailCacheBytes: 0 });
    appendEach(log, values(30).map((v) => v.padEnd(200, 'x')));
    await log.waitWritten(29);
    expect(log.segmentBaseOffsets()).toEqual([0, 4, 8, 12, 16, 20, 24, 28]);
    const files = (await readdir(dir)).filter((f) => f.endsWith('.log'));
    expect(files).toContain('00000000000000000012.log');
    // A read never spans segments; reading on continues in the next one.
    const r = await log.read(5, 1 << 20);
    expect(batchOffsetsOf(r.chunks)).toEqual([5, 6, 7]);
    expect((await readAll(log)).map((x) => x.offset)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('rolls by segment.ms measured from the first batch timestamp to the incoming one', async () => {
    const log = await openLog(await tempDir(), { segmentMs: 1000 });
    log.append(makeBatch([{ value: 'a', timestamp: T0 }]), T0);
    log.append(makeBatch([{ value: 'b', timestamp: T0 + 1000 }]), T0 + 5000);
    expect(log.segmentCount).toBe(1);
    log.append(makeBatch([{ value: 'c', timestamp: T0 + 1001 }]), T0 + 5000);
    expect(log.segmentBaseOffsets()).toEqual([0, 2]);
  });

  it('rolls by wall clock since creation when batches carry no timestamp', async () => {
    let now = T0;
    const log = await openLog(await tempDir(), { segmentMs: 1000 }, { clock: () => now });
    log.append(makeBatch([{ value: 'a', timestamp: -1 }]), now);
    now += 1000;
    log.append(makeBatch([{ value: 'b', timestamp: -1 }]), now);
    expect(log.segmentCount).toBe(1);
    now += 1;
    log.append(makeBatch([{ value: 'c', timestamp: -1 }]), now);
    expect(log.segmentBaseOffsets()).toEqual([0, 2]);
  });

  it('stamps LogAppendTime batches with the broker clock and a fresh CRC', async () => {
    const log = await openLog(await tempDir(), { timestampType: 'LogAppendTime' });
    const batch = makeBatch([{ value: 'a', timestamp: 5 }, { value: 'b', timestamp: 6 }]);
    const r = log.append(batch, T0 + 42);
    expect(r.logAppendTime).toBe(T0 + 42);
    const h = readBatchHeader(batch);
    expect(h.maxTimestamp).toBe(T0 + 42);
    expect(h.attributes & 0x08).toBe(0x08);
    expect(() => validateBatch(batch, h)).not.toThrow();
    expect(recordsOf([batch]).map((x) => x.timestamp)).toEqual([T0 + 42, T0 + 42]);
  });

  it('sets the partition leader epoch when asked', async () => {
    const log = await openLog(await tempDir());
    const batch = makeBatch(['a']);
    log.append(batch, T0, { leaderEpoch: 7 });
    expect(readBatchHeader(batch).partitionLeaderEpoch).toBe(7);
  });

  it('refuses malformed and oversized batches with typed errors, leaving the log unchanged', async () => {
    const log = await openLog(await tempDir(), { maxMessageBytes: 200, segmentBytes: 150 });
    const good = makeBatch(['a']);
    const truncated = good.subarray(0, good.length - 1);
    expect(() => log.append(Buffer.concat([makeBatch(['ok']), truncated]), T0)).toThrow(CorruptRecordError);
    expect(() => log.append(Buffer.alloc(0), T0)).toThrow(CorruptRecordError);
    const magic1 = Buffer.from(good);
    magic1[16] = 1;
    expect(() => log.append(magic1, T0)).toThrow(CorruptRecordError);
    expect(() => log.append(makeBatch(['x'.repeat(300)]), T0)).toThrow(RecordTooLargeError);
    expect(() => log.append(makeBatch(['x'.repeat(100)]), T0)).toThrow(RecordBatchTooLargeError);
    expect(log.logEndOffset).toBe(0);
    expect(log.append(good, T0).baseOffset).toBe(0);
  });

  it('resolves waitWritten and waitDurable, and refuses appends after close', async () => {
    const log = await openLog(await tempDir());
    appendEach(log, values(100));
    await Promise.all([log.waitWritten(50), log.waitDurable(99), log.waitDurable(3)]);
    expect(log.recoveryPoint).toBe(100);
    await log.close();
    expect(() => log.append(makeBatch(['late']), T0)).toThrow(LogClosedError);
  });

  it('notifies high watermark listeners as appends advance it', async () => {
    const log = await openLog(await tempDir());
    const seen: number[] = [];
    log.onHighWatermark((hw) => seen.push(hw));
    appendEach(log, values(3));
    expect(seen).toEqual([1, 2, 3]);
  });
});

describe('PartitionLog reopen', () => {
  it('reopens after a clean close with every record, offsets continuing', async () => {
    const dir = await tempDir();
    const batchBytes = makeBatch(['x'.repeat(100)]).length;
    const log = await openLog(dir, { segmentBytes: batchBytes * 10, indexIntervalBytes: 300 });
    appendEach(log, values(45).map((v) => v.padEnd(100, 'x')));
    await log.close();
    const again = await openLog(dir, { segmentBytes: batchBytes * 10, indexIntervalBytes: 300 });
    expect(again.logEndOffset).toBe(45);
    expect(again.segmentBaseOffsets()).toEqual([0, 10, 20, 30, 40]);
    expect((await readAll(again)).map((r) => r.value.slice(0, 3))).toEqual(values(45).map((v) => v.padEnd(100, 'x').slice(0, 3)));
    expect(again.append(makeBatch(['next']), T0).baseOffset).toBe(45);
    await again.close();
    const third = await openLog(dir);
    expect(third.logEndOffset).toBe(46);
    expect((await readAll(third, 44)).map((r) => r.value)).toEqual(['v44'.padEnd(100, 'x'), 'next']);
  });
});
