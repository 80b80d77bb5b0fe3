// Writes the disk cuts short or refuses, injected through the file layer the log opens its files with:
// a short write is finished before anything is acknowledged; a refused one is reported as
// KAFKA_STORAGE_ERROR, taken back out of the log, and the log takes writes again once space is back,
// while reads go on throughout. Nothing acknowledged is ever lost. Byte counts decide every fault.
import { readdir, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useFileLayer } from '../../../src/fs/file-layer.js';
import { DiskFullError } from '../../../src/fs/write-all.js';
import { StorageError } from '../../../src/log/errors.js';
import type { PartitionLog } from '../../../src/log/partition-log.js';
import { errnoError, FaultyFiles } from '../../helpers/faulty-files.js';
import { makeBatch } from './batches.js';
import { appendKVs, cleanerFor, COMPACT, latestByKey, readRecords, type KV } from './cleaner-fixture.js';
import { appendEach, openLog, readAll, T0, tempDir } from './fixture.js';

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

/** Segment .log files (not indexes or the checkpoint) go through `files`. */
function faultySegments(): FaultyFiles {
  const files = new FaultyFiles((path) => path.endsWith('.log'));
  restore = useFileLayer(files);
  return files;
}

/** Appends `values` one batch each, waiting for each to be durable; returns what was acknowledged. */
async function produce(log: PartitionLog, values: string[]): Promise<{ acked: Map<number, string>; refused: unknown[] }> {
  const acked = new Map<number, string>();
  const refused: unknown[] = [];
  for (const value of values) {
    try {
      const [offset] = appendEach(log, [value]);
      await log.waitDurable(offset!);
      acked.set(offset!, value);
    } catch (err) {
      refused.push(err);
    }
  }
  return { acked, refused };
}

/**
 * Appends `value` until the log accepts it: right after a refusal the log takes the refused batches back
 * out and refuses appends meanwhile, as a producer's retries would find. A checkpoint runs only after
 * that rollback (structural changes run one at a time), so one retry after it must succeed.
 */
async function produceRetrying(log: PartitionLog, value: string): Promise<number> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const { acked } = await produce(log, [value]);
    if (acked.size === 1) return [...acked.keys()][0]!;
    await log.checkpoint();
  }
  throw new Error(`the log never accepted ${value}`);
}

/** The log as a fresh open of its directory finds it (as after kill -9: no close ran). */
async function reopened(dir: string): Promise<Map<number, string>> {
  restore?.();
  restore = undefined;
  const log = await openLog(dir);
  return new Map((await readAll(log)).map((r) => [r.offset, r.value!]));
}

function expectAllThere(stored: Map<number, string>, acked: Map<number, string>): void {
  for (const [offset, value] of acked) expect(stored.get(offset), `acknowledged offset ${offset}`).toBe(value);
}

describe('short writes', () => {
  it('finishes a write the kernel cut short before acknowledging it', async () => {
    const files = faultySegments();
    files.halveWrites = true;
    const dir = await tempDir();
    const log = await openLog(dir);
    const offsets = appendEach(log, Array.from({ length: 50 }, (_, i) => `value-${i}`));
    await log.waitDurable(offsets.at(-1)!);
    expect(files.shortWrites).toBeGreaterThan(0);
    const stored = await reopened(dir);
    expect([...stored.values()]).toEqual(Array.from({ length: 50 }, (_, i) => `value-${i}`));
  });
});

describe('a full disk', () => {
  it('refuses what did not fit with KAFKA_STORAGE_ERROR and loses nothing acknowledged', async () => {
    const files = faultySegments();
    const dir = await tempDir();
    const log = await openLog(dir);
    const before = await produce(log, ['a', 'b', 'c']);
    // Room for a batch and a half: the next write is cut short inside the second batch, then refused.
    files.room = makeBatch([{ value: 'd'.repeat(60), timestamp: T0 }]).length + 50;
    const during = await produce(log, ['d'.repeat(60), 'e'.repeat(60), 'f'.repeat(60)]);
    expect(during.acked.size).toBe(1);
    expect(during.refused).toHaveLength(2);
    for (const err of during.refused) expect(err).toMatchObject({ name: 'StorageError', errorCode: 56 });
    expect(files.shortWrites).toBe(1);
    // Nothing torn stays in the file: it ends after the last batch that was written whole (checkpoint()
    // runs after the rollback, as structural changes run one at a time).
    expect(log.logEndOffset).toBe(4);
    await log.checkpoint();
    expect((await stat(join(dir, '00000000000000000000.log'))).size).toBe(log.sizeBytes);
    const stored = await reopened(dir);
    expectAllThere(stored, new Map([...before.acked, ...during.acked]));
    expect(stored.size).toBe(4);
  });

  it('keeps serving reads while full, and takes writes again once space is freed, without a restart', async () => {
    const files = faultySegments();
    const dir = await tempDir();
    const failures: Error[] = [];
    const log = await openLog(dir, {}, { onFailure: (err) => failures.push(err) });
    const before = await produce(log, ['a', 'b']);
    files.fill();
    const full = await produce(log, ['c', 'd', 'e']);
    expect(full.acked.size).toBe(0);
    expect(full.refused).toHaveLength(3);
    expect((await readAll(log)).map((r) => r.value)).toEqual(['a', 'b']);
    files.free();
    const after = new Map([
      [await produceRetrying(log, 'f'), 'f'],
      [await produceRetrying(log, 'g'), 'g'],
    ]);
    expect([...after.keys()]).toEqual([2, 3]);
    expect((await readAll(log)).map((r) => r.value)).toEqual(['a', 'b', 'f', 'g']);
    expect(failures).toEqual([]);
    await log.close();
    expectAllThere(await reopened(dir), new Map([...before.acked, ...after]));
  });

  it('gives up a rolled segment whose writes are refused and rolls again once there is room', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, { segmentBytes: 200 });
    const before = await produce(log, ['x'.repeat(60)]);
    // The next segment's file is /dev/full: every write to it fails with ENOSPC.
    await symlink('/dev/full', join(dir, '00000000000000000001.log'));
    const full = await produce(log, ['y'.repeat(60)]);
    expect(full.refused).toEqual([expect.any(StorageError)]);
    expect(log.logEndOffset).toBe(1);
    expect(await produceRetrying(log, 'z'.repeat(60))).toBe(1);
    expect((await stat(join(dir, '00000000000000000001.log'))).isFile()).toBe(true);
    expectAllThere(await reopened(dir), new Map([...before.acked, [1, 'z'.repeat(60)]]));
  });

  it('closed as a write is refused, it reopens with every acknowledged record and nothing else', async () => {
    const files = faultySegments();
    const dir = await tempDir();
    const log = await openLog(dir);
    const before = await produce(log, ['a', 'b']);
    files.room = 10;
    // close() is already waiting for this write when the disk refuses it.
    const [offset] = appendEach(log, ['c'.repeat(100)]);
    const outcome = log.waitDurable(offset!).then(
      () => 'acknowledged',
      (err: unknown) => err,
    );
    await log.close();
    expect(await outcome).toMatchObject({ name: 'StorageError', errorCode: 56 });
    const stored = await reopened(dir);
    expect(stored).toEqual(before.acked);
  });

  it('retries index writes the disk refused instead of failing the log', async () => {
    const files = new FaultyFiles((path) => path.endsWith('.index') || path.endsWith('.timeindex'));
    restore = useFileLayer(files);
    const dir = await tempDir();
    // Two 69-byte batches per segment: c seals the first segment, whose indexes are then written (the
    // active segment's wait for its sealing or the close); each holds one entry, for its second batch.
    const log = await openLog(dir, { indexIntervalBytes: 1, segmentBytes: 138 });
    files.fill();
    const full = await produce(log, ['a', 'b', 'c']);
    expect(full.acked.size).toBe(3);
    expect(files.refusedWrites).toBeGreaterThan(0);
    files.free();
    await produceRetrying(log, 'd');
    await log.close();
    const indexes = (await readdir(dir)).filter((n) => n.endsWith('.index')).sort();
    const sizes = await Promise.all(indexes.map(async (n) => (await stat(join(dir, n))).size));
    expect(sizes).toEqual(indexes.map(() => 8));
  });
});

describe('a full disk under the indexes too', () => {
  it('takes refused writes back out even when the index entries cannot be written either', async () => {
    const isIndex = (path: string): boolean => path.endsWith('.index') || path.endsWith('.timeindex');
    const files = new FaultyFiles(isIndex);
    restore = useFileLayer(files);
    const dir = await tempDir();
    const log = await openLog(dir, { indexIntervalBytes: 1 });
    files.fill();
    // The batches are written; their index entries are refused and stay pending.
    const before = await produce(log, ['a', 'b', 'c']);
    expect(before.acked.size).toBe(3);
    files.affects = (path) => isIndex(path) || path.endsWith('.log');
    const full = await produce(log, ['d', 'e']);
    expect(full.acked.size).toBe(0);
    // Structural changes run one at a time: once this checkpoint ran, so did the rollback, disk still full.
    await log.checkpoint();
    expect(log.stopped).toBe(false);
    files.free();
    const after = new Map([[await produceRetrying(log, 'f'), 'f']]);
    expect(log.stopped).toBe(false);
    await log.close();
    const stored = await reopened(dir);
    expect(stored).toEqual(new Map([...before.acked, ...after]));
  });
});

describe('a failing device', () => {
  it('takes the log offline on an error other than a full disk', async () => {
    const files = faultySegments();
    const dir = await tempDir();
    const failures: Error[] = [];
    const log = await openLog(dir, {}, { onFailure: (err) => failures.push(err) });
    await produce(log, ['a']);
    files.failWith = errnoError('EIO');
    const broken = await produce(log, ['b']);
    expect(broken.refused).toEqual([expect.objectContaining({ name: 'StorageError', errorCode: 56 })]);
    expect(failures).toHaveLength(1);
    expect(() => appendEach(log, ['c'])).toThrow(StorageError);
    await expect(log.read(0, 100)).rejects.toBeInstanceOf(StorageError);
  });
});

describe('the log cleaner on a full disk', () => {
  // Keys that are never overwritten first, so the very first cleaned segment has survivors to write.
  const records: KV[] = Array.from({ length: 100 }, (_, i) => [i < 20 ? `once${i}` : `k${i % 3}`, `v${i}`]);
  const latest = async (log: PartitionLog): Promise<Map<string, string | null>> =>
    new Map((await readRecords(log)).map((r) => [r.key!, r.value] as const));
  const expected = new Map([...latestByKey(records)].map(([key, { value }]) => [key, value]));

  for (const [what, affects] of [
    ['a cleaned segment', (path: string) => path.endsWith('.cleaned')],
    ['the checkpoint before a swap', (path: string) => path.endsWith('partition.checkpoint.tmp')],
  ] as const) {
    it(`defers cleaning when ${what} does not fit, loses nothing, and cleans once space is back`, async () => {
      const dir = await tempDir();
      const log = await openLog(dir, COMPACT);
      appendKVs(log, records);
      await log.flush();
      const files = new FaultyFiles(affects);
      restore = useFileLayer(files);
      files.fill();
      const cleaner = cleanerFor([log]);
      expect(await cleaner.runPass(T0)).toEqual({ name: 't-0', stats: undefined });
      expect(files.refusedWrites).toBeGreaterThan(0);
      expect(log.stopped).toBe(false);
      expect(await latest(log)).toEqual(expected);
      files.free();
      expect((await cleaner.runPass(T0))?.stats).toBeDefined();
      expect(await latest(log)).toEqual(expected);
      expect((await readRecords(log)).length).toBeLessThan(40);
    });
  }
});

describe('retention on a full disk', () => {
  it('deletes expired segments even when the checkpoint cannot be written, so space comes back', async () => {
    const files = new FaultyFiles((path) => path.endsWith('partition.checkpoint.tmp'));
    restore = useFileLayer(files);
    const dir = await tempDir();
    const log = await openLog(dir, { segmentBytes: 200, retentionBytes: 0 });
    await produce(log, ['x'.repeat(60), 'y'.repeat(60), 'z'.repeat(60)]);
    expect(log.segmentCount).toBe(3);
    files.fill();
    // retention.bytes 0: every segment goes, the active one after a roll.
    await expect(log.applyRetention(T0 + 1)).rejects.toBeInstanceOf(DiskFullError);
    expect((await readdir(dir)).filter((n) => n.endsWith('.log'))).toEqual(['00000000000000000003.log']);
    expect(log.logStartOffset).toBe(3);
    files.free();
    await log.close();
    expect(await reopened(dir)).toEqual(new Map());
  });
});
