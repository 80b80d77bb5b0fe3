// PartitionLog.appendAsFollower: a follower stores the leader's batches byte for byte, at the leader's
// offsets and epochs, and refuses anything that does not continue its log.
import { describe, expect, it } from 'vitest';
import { setBaseOffset, setPartitionLeaderEpoch } from '../../../protocol/kafka/records/batch-header.js';
import { CorruptRecordError } from '../../../src/log/errors.js';
import { makeBatch } from './batches.js';
import { openLog, readAll, T0, tempDir } from './fixture.js';

/** What a leader would send: `values` as one batch at `base`, stamped with `epoch`. */
function leaderBatch(base: number, epoch: number, values: string[]): Buffer {
  const b = makeBatch(values.map((value) => ({ value, timestamp: T0 })));
  setBaseOffset(b, 0, base);
  setPartitionLeaderEpoch(b, 0, epoch);
  return b;
}

describe('PartitionLog.appendAsFollower', () => {
  it('keeps offsets, epochs and bytes as the leader sent them', async () => {
    const log = await openLog(await tempDir(), {}, { highWatermarkFollowsLogEnd: false });
    const first = leaderBatch(0, 3, ['a', 'b']);
    const second = leaderBatch(2, 5, ['c']);
    const sent = Buffer.concat([first, second]);
    const copy = Buffer.from(sent);
    const result = log.appendAsFollower(sent, T0 + 99);
    expect(result).toMatchObject({ baseOffset: 0, lastOffset: 2, recordCount: 3, batchCount: 2 });
    expect(sent.equals(copy)).toBe(true);
    expect(log.leaderEpochEntries()).toEqual([
      { epoch: 3, startOffset: 0 },
      { epoch: 5, startOffset: 2 },
    ]);
    expect(log.highWatermark).toBe(0);
    await log.flush();
    const read = await log.read(0, 1 << 20);
    expect(Buffer.concat(read.chunks).equals(copy)).toBe(true);
  });

  it('refuses a batch that does not start at the log end, a bad CRC or a falling epoch, appending nothing', async () => {
    const log = await openLog(await tempDir(), {}, { highWatermarkFollowsLogEnd: false });
    log.appendAsFollower(leaderBatch(0, 2, ['a']), T0);
    expect(() => log.appendAsFollower(leaderBatch(5, 2, ['x']), T0)).toThrow(CorruptRecordError);
    expect(() => log.appendAsFollower(Buffer.concat([leaderBatch(1, 2, ['x']), leaderBatch(3, 2, ['y'])]), T0)).toThrow(/does not follow/);
    expect(() => log.appendAsFollower(leaderBatch(1, 1, ['x']), T0)).toThrow(/leader epoch 1 below 2/);
    const corrupt = leaderBatch(1, 2, ['x']);
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0xff, corrupt.length - 1);
    expect(() => log.appendAsFollower(corrupt, T0)).toThrow(/CRC/);
    expect(log.logEndOffset).toBe(1);
    log.appendAsFollower(leaderBatch(1, 4, ['b']), T0);
    expect((await readAll(log)).map((r) => [r.offset, r.value])).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
  });

  it('survives a reopen with its epochs, and tells append listeners the new end', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, {}, { highWatermarkFollowsLogEnd: false });
    const ends: number[] = [];
    log.onAppend((end) => ends.push(end));
    log.appendAsFollower(leaderBatch(0, 1, ['a', 'b', 'c']), T0);
    log.appendAsFollower(leaderBatch(3, 4, ['d']), T0);
    expect(ends).toEqual([3, 4]);
    await log.close();
    const again = await openLog(dir);
    expect(again.logEndOffset).toBe(4);
    expect(again.leaderEpochEntries()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 4, startOffset: 3 },
    ]);
  });

  it('switches the high watermark between following the log end and being set', async () => {
    const log = await openLog(await tempDir(), {}, { highWatermarkFollowsLogEnd: false });
    log.appendAsFollower(leaderBatch(0, 0, ['a', 'b']), T0);
    expect(log.highWatermark).toBe(0);
    log.highWatermark = 1;
    expect(log.highWatermark).toBe(1);
    log.setHighWatermarkFollowsLogEnd(true);
    expect(log.highWatermark).toBe(2);
    log.replaceLeaderEpochs([{ epoch: 0, startOffset: 0 }]);
    expect(() => log.replaceLeaderEpochs([{ epoch: 1, startOffset: 3 }])).toThrow(RangeError);
  });
});

describe('PartitionLog.restartAt', () => {
  it('empties the log and starts it past its old end, durable at once', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, {}, { highWatermarkFollowsLogEnd: false });
    log.appendAsFollower(leaderBatch(0, 1, ['a', 'b']), T0);
    expect(await log.restartAt(10)).toBe(10);
    expect([log.logStartOffset, log.logEndOffset, log.highWatermark, log.recoveryPoint]).toEqual([10, 10, 10, 10]);
    expect(log.leaderEpochEntries()).toEqual([]);
    log.appendAsFollower(leaderBatch(10, 2, ['k']), T0);
    await log.close();
    const again = await openLog(dir);
    expect([again.logStartOffset, again.logEndOffset]).toEqual([10, 11]);
    expect((await readAll(again)).map((r) => [r.offset, r.value])).toEqual([[10, 'k']]);
  });
});
