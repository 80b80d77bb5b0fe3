// Offset and timestamp lookups through the indexes, from disk (the tail cache is off).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Compression } from '../../../protocol/kafka/records/batch-header.js';
import { batchOffsetsOf, makeBatch } from './batches.js';
import { openLog, T0, tempDir } from './fixture.js';

describe('sparse offset index', () => {
  it('reads every offset correctly through a sparse index, across segments', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, { indexIntervalBytes: 500, segmentBytes: 5000 }, { tailCacheBytes: 0 });
    // Batches of varied sizes and record counts.
    let expected = 0;
    const bases: number[] = [];
    for (let i = 0; i < 200; i++) {
      const n = 1 + (i % 4);
      const r = log.append(makeBatch(Array.from({ length: n }, (_, j) => `${i}-${j}-${'p'.repeat((i * 37) % 150)}`)), T0);
      expect(r.baseOffset).toBe(expected);
      bases.push(expected);
      expected += n;
    }
    await log.waitWritten(expected - 1);
    expect(log.segmentCount).toBeGreaterThan(3);
    const indexBytes = (await stat(join(dir, '00000000000000000000.index'))).size;
    expect(indexBytes).toBeGreaterThan(8 * 4);
    expect(indexBytes % 8).toBe(0);
    for (let offset = 0; offset < expected; offset++) {
      const r = await log.read(offset, 1);
      const base = bases.filter((b) => b <= offset).pop()!;
      expect(batchOffsetsOf(r.chunks)).toEqual([base]);
    }
  });
});

describe('offsetForTimestamp and maxTimestampOffset', () => {
  it('finds the first record whose timestamp reaches the target, through the time index', async () => {
    const log = await openLog(await tempDir(), { indexIntervalBytes: 200, segmentBytes: 2000 }, { tailCacheBytes: 0 });
    // Batch i holds offsets 2i, 2i+1 at timestamps T0 + 10i and T0 + 10i + 5.
    for (let i = 0; i < 100; i++) {
      log.append(makeBatch([{ value: `a${i}`, timestamp: T0 + 10 * i }, { value: `b${i}`, timestamp: T0 + 10 * i + 5 }]), T0);
    }
    expect(log.segmentCount).toBeGreaterThan(2);
    expect(await log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: T0, leaderEpoch: -1 });
    expect(await log.offsetForTimestamp(T0 + 1)).toMatchObject({ offset: 1, timestamp: T0 + 5 });
    expect(await log.offsetForTimestamp(T0 + 5)).toMatchObject({ offset: 1 });
    expect(await log.offsetForTimestamp(T0 + 6)).toMatchObject({ offset: 2, timestamp: T0 + 10 });
    expect(await log.offsetForTimestamp(T0 + 500)).toMatchObject({ offset: 100 });
    expect(await log.offsetForTimestamp(T0 + 995)).toMatchObject({ offset: 199 });
    expect(await log.offsetForTimestamp(T0 + 996)).toBeUndefined();
    expect(await log.maxTimestampOffset()).toMatchObject({ offset: 199, timestamp: T0 + 995 });
    // Never below the log start, even inside the batch holding it.
    await log.deleteRecordsBefore(101);
    expect(await log.offsetForTimestamp(0)).toMatchObject({ offset: 101, timestamp: T0 + 505 });
  });

  it('decompresses only the batch it lands in to pick the record', async () => {
    const log = await openLog(await tempDir());
    log.append(makeBatch([{ value: 'a', timestamp: T0 }]), T0, { leaderEpoch: 3 });
    const stamps = [T0 + 10, T0 + 30, T0 + 20];
    log.append(makeBatch(stamps.map((timestamp, i) => ({ value: `g${i}`, timestamp })), { compression: Compression.Gzip }), T0, { leaderEpoch: 4 });
    expect(await log.offsetForTimestamp(T0 + 11)).toEqual({ offset: 2, timestamp: T0 + 30, leaderEpoch: 4 });
    expect(await log.offsetForTimestamp(T0 + 1)).toEqual({ offset: 1, timestamp: T0 + 10, leaderEpoch: 4 });
    expect(await log.maxTimestampOffset()).toEqual({ offset: 2, timestamp: T0 + 30, leaderEpoch: 4 });
  });

  it('gives every record of a LogAppendTime batch the append time', async () => {
    const log = await openLog(await tempDir(), { timestampType: 'LogAppendTime' });
    log.append(makeBatch([{ value: 'a', timestamp: 5 }, { value: 'b', timestamp: 9 }]), T0 + 100);
    log.append(makeBatch([{ value: 'c', timestamp: 1 }]), T0 + 200);
    expect(await log.offsetForTimestamp(T0 + 100)).toMatchObject({ offset: 0, timestamp: T0 + 100 });
    expect(await log.offsetForTimestamp(T0 + 101)).toMatchObject({ offset: 2, timestamp: T0 + 200 });
  });

  it('keeps the newest timestamp of each segment across a clean reopen', async () => {
    const dir = await tempDir();
    const cfg = { segmentBytes: 400, indexIntervalBytes: 100 };
    const log = await openLog(dir, cfg);
    const stamps = [50, 10, 90, 30, 70, 20, 80, 60, 40, 100, 5, 15];
    stamps.forEach((ts, i) => log.append(makeBatch([{ value: `r${i}`.padEnd(60, '.'), timestamp: T0 + ts }]), T0));
    await log.close();
    const again = await openLog(dir, cfg);
    expect(again.segmentCount).toBeGreaterThan(2);
    expect(await again.maxTimestampOffset()).toMatchObject({ offset: 9, timestamp: T0 + 100 });
    expect(await again.offsetForTimestamp(T0 + 85)).toMatchObject({ offset: 2 });
    expect(await again.offsetForTimestamp(T0 + 95)).toMatchObject({ offset: 9 });
  });
});
