// Retention, DeleteRecords and truncation: the log start moves, whole segments leave the disk.
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { LogTruncatedError } from '../../../src/log/errors.js';
import { makeBatch } from './batches.js';
import { appendEach, openLog, readAll, T0, tempDir } from './fixture.js';

const logFiles = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((f) => /^\d{20}\./.test(f)).sort();

/** 30 single-record batches, 5 per segment, batch i stamped T0 + 1000 i. */
async function sixSegments(overrides = {}) {
  const dir = await tempDir();
  const batchBytes = makeBatch([{ value: 'r00'.padEnd(100, '.'), timestamp: T0 }]).length;
  const log = await openLog(dir, { segmentBytes: batchBytes * 5, ...overrides });
  for (let i = 0; i < 30; i++) log.append(makeBatch([{ value: `r${String(i).padStart(2, '0')}`.padEnd(100, '.'), timestamp: T0 + 1000 * i }]), T0 + 1000 * i);
  await log.waitWritten(29);
  return { dir, log };
}

describe('retention', () => {
  it('deletes segments whose newest timestamp is older than retention.ms, files included', async () => {
    const { dir, log } = await sixSegments({ retentionMs: 10_000 });
    expect(log.segmentBaseOffsets()).toEqual([0, 5, 10, 15, 20, 25]);
    // Segment [5..9] has newest timestamp T0 + 9000: expired only once now - 9000 > 10000.
    expect(await log.applyRetention(T0 + 19_000)).toBe(1);
    expect(log.segmentBaseOffsets()).toEqual([5, 10, 15, 20, 25]);
    expect(await log.applyRetention(T0 + 19_001)).toBe(1);
    expect(log.logStartOffset).toBe(10);
    expect(await logFiles(dir)).not.toContain('00000000000000000005.log');
    expect(await logFiles(dir)).not.toContain('00000000000000000000.index');
    expect((await readAll(log))[0]!.offset).toBe(10);
  });

  it('rolls and deletes an expired active segment, keeping the log end', async () => {
    const { dir, log } = await sixSegments({ retentionMs: 1000 });
    expect(await log.applyRetention(T0 + 100_000)).toBe(6);
    expect(log.segmentBaseOffsets()).toEqual([30]);
    expect(log.logStartOffset).toBe(30);
    expect(log.logEndOffset).toBe(30);
    expect(await logFiles(dir)).toEqual(['00000000000000000030.index', '00000000000000000030.log', '00000000000000000030.timeindex']);
    // An empty active segment is never deleted.
    expect(await log.applyRetention(T0 + 200_000)).toBe(0);
    expect(log.append(makeBatch(['after']), T0).baseOffset).toBe(30);
  });

  it('deletes oldest segments while the log stays at least retention.bytes without them', async () => {
    const { dir, log } = await sixSegments({ retentionMs: -1 });
    const segBytes = log.sizeBytes / 6;
    log.updateConfig({ ...log.config, retentionBytes: segBytes * 3 + 1 });
    expect(await log.applyRetention(T0)).toBe(2);
    expect(log.segmentBaseOffsets()).toEqual([10, 15, 20, 25]);
    log.updateConfig({ ...log.config, retentionBytes: segBytes * 4 });
    expect(await log.applyRetention(T0)).toBe(0);
    log.updateConfig({ ...log.config, retentionBytes: 0 });
    expect(await log.applyRetention(T0)).toBe(4);
    expect(log.logStartOffset).toBe(30);
    expect(await logFiles(dir)).toHaveLength(3);
  });

  it('never deletes above the high watermark', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, { segmentBytes: 200, retentionMs: 1 }, { highWatermarkFollowsLogEnd: false });
    appendEach(log, ['a'.repeat(100), 'b'.repeat(100), 'c'.repeat(100)]);
    expect(log.segmentCount).toBe(3);
    log.highWatermark = 1;
    expect(await log.applyRetention(T0 + 1_000_000)).toBe(1);
    expect(log.logStartOffset).toBe(1);
  });

  it('keeps retention effects across a reopen', async () => {
    const { dir, log } = await sixSegments({ retentionMs: 10_000 });
    await log.applyRetention(T0 + 30_000);
    const start = log.logStartOffset;
    await log.close();
    const again = await openLog(dir);
    expect(again.logStartOffset).toBe(start);
    expect(again.logEndOffset).toBe(30);
  });
});

describe('deleteRecordsBefore', () => {
  it('moves the log start, deletes whole segments below it, and persists the start', async () => {
    const { dir, log } = await sixSegments();
    expect(await log.deleteRecordsBefore(12)).toBe(12);
    expect(log.segmentBaseOffsets()).toEqual([10, 15, 20, 25]);
    expect(await logFiles(dir)).not.toContain('00000000000000000005.log');
    expect(await log.deleteRecordsBefore(3)).toBe(12);
    await expect(log.deleteRecordsBefore(31)).rejects.toMatchObject({ errorCode: 1 });
    expect((await readAll(log))[0]!.offset).toBe(12);
    await log.close();
    const again = await openLog(dir);
    expect(again.logStartOffset).toBe(12);
    await expect(again.read(11, 100)).rejects.toMatchObject({ side: 'below-start' });
  });

  it('can empty the log up to its end, keeping the active segment', async () => {
    const { log } = await sixSegments();
    expect(await log.deleteRecordsBefore(30)).toBe(30);
    expect(log.segmentBaseOffsets()).toEqual([25]);
    expect((await log.read(30, 100)).chunks).toEqual([]);
    expect(log.append(makeBatch(['x']), T0).baseOffset).toBe(30);
  });
});

describe('truncateTo', () => {
  it('removes whole batches from the offset on, across segments, and appends continue there', async () => {
    const { dir, log } = await sixSegments({ indexIntervalBytes: 150 });
    expect(await log.truncateTo(13)).toBe(13);
    expect(log.logEndOffset).toBe(13);
    expect(log.highWatermark).toBe(13);
    expect(log.segmentBaseOffsets()).toEqual([0, 5, 10]);
    expect(await logFiles(dir)).not.toContain('00000000000000000015.log');
    expect((await readAll(log)).map((r) => r.offset)).toEqual(Array.from({ length: 13 }, (_, i) => i));
    expect(await log.maxTimestampOffset()).toMatchObject({ offset: 12, timestamp: T0 + 12_000 });
    expect(log.append(makeBatch([{ value: 'new', timestamp: T0 }]), T0).baseOffset).toBe(13);
    await log.close();
    const again = await openLog(dir);
    expect(again.logEndOffset).toBe(14);
    expect((await readAll(again, 12)).map((r) => r.value.slice(0, 3))).toEqual(['r12', 'new']);
  });

  it('cuts at the start of the batch holding the offset', async () => {
    const log = await openLog(await tempDir());
    log.append(makeBatch(['a', 'b', 'c']), T0);
    log.append(makeBatch(['d', 'e']), T0);
    expect(await log.truncateTo(4)).toBe(3);
    expect((await readAll(log)).map((r) => r.value)).toEqual(['a', 'b', 'c']);
    expect(await log.truncateTo(0)).toBe(0);
    expect(log.sizeBytes).toBe(0);
    expect(log.append(makeBatch(['z']), T0).baseOffset).toBe(0);
  });

  it('rejects waiters for records it removes', async () => {
    const log = await openLog(await tempDir());
    appendEach(log, ['a', 'b', 'c']);
    const waiting = log.waitDurable(2).catch((e: unknown) => e);
    await log.truncateTo(1);
    const outcome = await waiting;
    // Either the fsync won the race (fine) or the waiter learns its record is gone.
    if (outcome !== undefined) expect(outcome).toBeInstanceOf(LogTruncatedError);
    expect(log.logEndOffset).toBe(1);
  });

  it('below the log start, restarts the log empty at the offset', async () => {
    const { log } = await sixSegments();
    await log.deleteRecordsBefore(20);
    expect(await log.truncateTo(7)).toBe(7);
    expect(log.logStartOffset).toBe(7);
    expect(log.segmentBaseOffsets()).toEqual([7]);
    expect(log.append(makeBatch(['x']), T0).baseOffset).toBe(7);
  });
});

describe('truncateTo below a log start inside a batch', () => {
  it('leaves an empty log at the log start', async () => {
    const log = await openLog(await tempDir());
    log.append(makeBatch(['a', 'b', 'c', 'd']), T0);
    log.append(makeBatch(['e']), T0);
    await log.deleteRecordsBefore(2);
    expect(await log.truncateTo(3)).toBe(2);
    expect(log.logStartOffset).toBe(2);
    expect(log.append(makeBatch(['z']), T0).baseOffset).toBe(2);
  });
});
