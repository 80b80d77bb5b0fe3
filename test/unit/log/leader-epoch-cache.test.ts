// The leader epoch cache: Kafka's LeaderEpochFileCache rules in memory, its leader-epoch-checkpoint file,
// and how a partition log keeps both across appends, truncations, log start moves, restarts and crashes.
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LeaderEpochCache } from '../../../src/log/leader-epoch-cache.js';
import { decodeLeaderEpochFile, encodeLeaderEpochFile, LEADER_EPOCH_FILE, readLeaderEpochFile } from '../../../src/log/leader-epoch-file.js';
import type { PartitionLog } from '../../../src/log/partition-log.js';
import { makeBatch } from './batches.js';
import { openLog, readAll, T0, tempDir } from './fixture.js';

const e = (epoch: number, startOffset: number) => ({ epoch, startOffset });

describe('cache rules', () => {
  it('assigns a new epoch where it starts, and ignores later batches of the latest one', () => {
    const c = new LeaderEpochCache();
    expect(c.assign(0, 0)).toBe(true);
    expect(c.assign(0, 5)).toBe(false);
    expect(c.assign(3, 10)).toBe(true);
    expect(c.list()).toEqual([e(0, 0), e(3, 10)]);
    // The latest epoch starting earlier moves its start back.
    expect(c.assign(3, 8)).toBe(true);
    expect(c.list()).toEqual([e(0, 0), e(3, 8)]);
    // An older epoch (or one starting at or before a later entry) drops what would break the order.
    expect(c.assign(2, 9)).toBe(true);
    expect(c.list()).toEqual([e(0, 0), e(2, 9)]);
    expect(c.assign(5, 0)).toBe(true);
    expect(c.list()).toEqual([e(5, 0)]);
    expect(() => c.assign(-1, 3)).toThrow(RangeError);
  });

  it('answers end offsets as Kafka does', () => {
    const c = new LeaderEpochCache([e(2, 10), e(4, 20), e(7, 35)]);
    const leo = 50;
    expect(c.endOffsetFor(-1, leo)).toEqual({ epoch: -1, endOffset: -1 });
    expect(c.endOffsetFor(7, leo)).toEqual({ epoch: 7, endOffset: 50 });
    expect(c.endOffsetFor(4, leo)).toEqual({ epoch: 4, endOffset: 35 });
    expect(c.endOffsetFor(5, leo)).toEqual({ epoch: 4, endOffset: 35 });
    expect(c.endOffsetFor(3, leo)).toEqual({ epoch: 2, endOffset: 20 });
    expect(c.endOffsetFor(2, leo)).toEqual({ epoch: 2, endOffset: 20 });
    // Below the first entry: that epoch's records are gone; the first known start is where it ended.
    expect(c.endOffsetFor(1, leo)).toEqual({ epoch: 1, endOffset: 10 });
    expect(c.endOffsetFor(8, leo)).toEqual({ epoch: -1, endOffset: -1 });
    expect(new LeaderEpochCache().endOffsetFor(0, leo)).toEqual({ epoch: -1, endOffset: -1 });
  });

  it('truncates from the end, and from the start clamping the epoch the new start falls in', () => {
    const c = new LeaderEpochCache([e(2, 10), e(4, 20), e(7, 35)]);
    c.truncateFromEnd(36);
    expect(c.list()).toEqual([e(2, 10), e(4, 20), e(7, 35)]);
    c.truncateFromStart(5);
    expect(c.version).toBe(0);
    c.truncateFromStart(25);
    expect(c.list()).toEqual([e(4, 25), e(7, 35)]);
    c.truncateFromStart(35);
    expect(c.list()).toEqual([e(7, 35)]);
    c.truncateFromStart(35);
    expect(c.version).toBe(2);
    c.truncateFromEnd(35);
    expect(c.list()).toEqual([]);
  });
});

describe('leader-epoch-checkpoint file', () => {
  it("is Kafka's text format", () => {
    expect(encodeLeaderEpochFile([e(0, 0), e(4, 1234)])).toBe('0\n2\n0 0\n4 1234\n');
    expect(encodeLeaderEpochFile([])).toBe('0\n0\n');
    expect(decodeLeaderEpochFile('0\n2\n0 0\n4 1234\n')).toEqual([e(0, 0), e(4, 1234)]);
    expect(decodeLeaderEpochFile('0\n0\n')).toEqual([]);
  });

  it.each([
    ['', /no header/],
    ['1\n0\n', /version/],
    ['0\n3\n0 0\n', /announces 3/],
    ['0\n1\n0\n', /malformed/],
    ['0\n1\n-1 0\n', /malformed/],
    ['0\n1\n0 x\n', /malformed/],
    ['0\n2\n3 0\n3 5\n', /do not rise/],
    ['0\n2\n3 5\n4 5\n', /do not rise/],
    ['0\n1\n2147483648 0\n', /out of range/],
  ])('refuses %j', (text, reason) => {
    expect(decodeLeaderEpochFile(text)).toMatch(reason);
  });
});

/** Appends `count` one-record batches stamped with `epoch`. */
function appendEpoch(log: PartitionLog, epoch: number, count: number): void {
  for (let i = 0; i < count; i++) log.append(makeBatch([`e${epoch}-${i}`.padEnd(60, '.')]), T0, { leaderEpoch: epoch });
}

const CFG = { segmentBytes: 400 };

describe('a partition log', () => {
  it('records each new epoch where its first batch lands, writes the file and reads it back', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, CFG);
    appendEpoch(log, 0, 3);
    appendEpoch(log, 2, 4);
    // Batches a producer stamped themselves (no leader epoch given) count too; -1 says nothing.
    log.append(makeBatch(['p'], { partitionLeaderEpoch: 5 }), T0);
    log.append(makeBatch(['q']), T0);
    expect(log.leaderEpochEntries()).toEqual([e(0, 0), e(2, 3), e(5, 7)]);
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 7 });
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: 5, endOffset: 9 });
    expect(log.endOffsetForEpoch(6)).toBeUndefined();
    await log.close();
    expect(await readFile(join(dir, LEADER_EPOCH_FILE), 'utf8')).toBe('0\n3\n0 0\n2 3\n5 7\n');
    const again = await openLog(dir, CFG);
    expect(again.recoveredSegments).toBe(0);
    expect(again.leaderEpochEntries()).toEqual([e(0, 0), e(2, 3), e(5, 7)]);
  });

  it('a leader starting an epoch records it at the log end before any append', async () => {
    const log = await openLog(await tempDir());
    appendEpoch(log, 0, 2);
    log.startLeaderEpoch(1);
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 2 });
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 2 });
    appendEpoch(log, 1, 1);
    expect(log.leaderEpochEntries()).toEqual([e(0, 0), e(1, 2)]);
  });

  it('drops the epochs a truncation removes, durably', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, CFG);
    appendEpoch(log, 0, 5);
    appendEpoch(log, 1, 5);
    appendEpoch(log, 3, 5);
    await log.truncateTo(10);
    expect(log.leaderEpochEntries()).toEqual([e(0, 0), e(1, 5)]);
    expect(await readLeaderEpochFile(dir)).toEqual([e(0, 0), e(1, 5)]);
    await log.truncateTo(5);
    expect(log.leaderEpochEntries()).toEqual([e(0, 0)]);
    appendEpoch(log, 4, 1);
    expect(log.leaderEpochEntries()).toEqual([e(0, 0), e(4, 5)]);
  });

  it('clamps the first epoch to a log start moved by DeleteRecords or retention', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, CFG);
    appendEpoch(log, 0, 5);
    appendEpoch(log, 1, 5);
    appendEpoch(log, 3, 5);
    await log.deleteRecordsBefore(7);
    expect(log.leaderEpochEntries()).toEqual([e(1, 7), e(3, 10)]);
    expect(await readLeaderEpochFile(dir)).toEqual([e(1, 7), e(3, 10)]);
    log.updateConfig({ ...log.config, retentionBytes: 0 });
    expect(await log.applyRetention(T0)).toBeGreaterThan(0);
    expect(log.logStartOffset).toBeGreaterThan(10);
    expect(log.leaderEpochEntries()).toEqual([e(3, log.logStartOffset)]);
    expect(await readLeaderEpochFile(dir)).toEqual([e(3, log.logStartOffset)]);
  });

  it.each([
    ['missing', async (file: string) => rm(file)],
    ['corrupt', async (file: string) => writeFile(file, '0\n7\n0 0\n')],
    ['not ours', async (file: string) => writeFile(file, Buffer.alloc(2 << 20, 0x30))],
  ])('rebuilds a %s file from the batches', async (_label, spoil) => {
    const dir = await tempDir();
    const log = await openLog(dir, CFG);
    appendEpoch(log, 0, 4);
    appendEpoch(log, 2, 6);
    appendEpoch(log, 9, 3);
    await log.deleteRecordsBefore(2);
    const want = log.leaderEpochEntries();
    expect(want).toEqual([e(0, 2), e(2, 4), e(9, 10)]);
    await log.close();
    expect(log.segmentCount).toBeGreaterThan(3);
    await spoil(join(dir, LEADER_EPOCH_FILE));
    const again = await openLog(dir, CFG);
    expect(again.recoveredSegments).toBe(0);
    expect(again.leaderEpochEntries()).toEqual(want);
    expect(await readLeaderEpochFile(dir)).toEqual(want);
  });

  it('after a crash, takes the epochs past the recovery point from the batches recovery scans', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, CFG);
    appendEpoch(log, 0, 5);
    appendEpoch(log, 1, 5);
    await log.flush();
    await log.checkpoint();
    // Everything below the checkpointed recovery point has its epoch in the file.
    expect(await readLeaderEpochFile(dir)).toEqual([e(0, 0), e(1, 5)]);
    appendEpoch(log, 4, 5);
    await log.flush();
    // A kill -9 now: the data is on disk, the file does not know epoch 4 yet.
    const crashed = await tempDir();
    await cp(dir, crashed, { recursive: true });
    expect(await readLeaderEpochFile(crashed)).toEqual([e(0, 0), e(1, 5)]);
    const again = await openLog(crashed, CFG);
    expect(again.recoveredSegments).toBeGreaterThan(0);
    expect(again.logEndOffset).toBe(15);
    expect(again.leaderEpochEntries()).toEqual([e(0, 0), e(1, 5), e(4, 10)]);
    expect(await readLeaderEpochFile(crashed)).toEqual([e(0, 0), e(1, 5), e(4, 10)]);
  });

  it('drops entries the file holds for records a crash lost', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, CFG);
    appendEpoch(log, 0, 5);
    await log.close();
    // Written for an append whose records never reached the disk.
    await writeFile(join(dir, LEADER_EPOCH_FILE), encodeLeaderEpochFile([e(0, 0), e(6, 5)]));
    const again = await openLog(dir, CFG);
    expect(again.leaderEpochEntries()).toEqual([e(0, 0)]);
    expect((await readAll(again)).length).toBe(5);
  });
});
