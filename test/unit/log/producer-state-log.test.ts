// Producer state as the partition log keeps it: fed by every append (leader and follower), restored on
// open from the newest snapshot plus the batches after it, rebuilt on truncation, cleared with the log.
import { readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { useFileLayer } from '../../../src/fs/file-layer.js';
import { FaultyFiles } from '../../helpers/faulty-files.js';
import { makeBatch } from './batches.js';
import { openLog, T0, tempDir } from './fixture.js';

/** A one-record batch of producer 7 at `epoch` with sequence `seq`, sized so a few fill a small segment. */
function idempotent(seq: number, epoch = 0, producerId = 7): Buffer {
  return makeBatch([{ value: `v${seq}`.padEnd(200, '.'), timestamp: T0 + seq }], { producerId, producerEpoch: epoch, baseSequence: seq });
}

async function snapshots(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.snapshot')).sort();
}

test('appends feed producer state; a reopened log still knows the last five batches', async () => {
  const dir = await tempDir();
  const log = await openLog(dir);
  for (let seq = 0; seq < 8; seq++) log.append(idempotent(seq), T0);
  expect(log.producers.checkClientBatch({ producerId: 7, producerEpoch: 0, baseSequence: 7, lastOffsetDelta: 0, maxTimestamp: T0 })).toEqual({ kind: 'duplicate', firstOffset: 7, lastOffset: 7 });
  await log.close();
  const reopened = await openLog(dir);
  expect(reopened.producers.entry(7)!.batches.map((b) => b.firstSeq)).toEqual([3, 4, 5, 6, 7]);
  expect(reopened.producers.checkClientBatch({ producerId: 7, producerEpoch: 0, baseSequence: 3, lastOffsetDelta: 0, maxTimestamp: T0 })).toEqual({ kind: 'duplicate', firstOffset: 3, lastOffset: 3 });
  expect(reopened.producers.checkClientBatch({ producerId: 7, producerEpoch: 0, baseSequence: 8, lastOffsetDelta: 0, maxTimestamp: T0 })).toEqual({ kind: 'append' });
});

test('a roll snapshots the state at the new segment; loading restores it and replays only later batches', async () => {
  const dir = await tempDir();
  const log = await openLog(dir, { segmentBytes: 1024 });
  for (let seq = 0; seq < 12; seq++) log.append(idempotent(seq), T0);
  log.append(idempotent(0, 0, 9), T0);
  await log.flush();
  expect(log.segmentCount).toBeGreaterThan(2);
  await log.close();
  const names = await snapshots(dir);
  // At most two kept, the newest at the log end of the clean close.
  expect(names.length).toBeLessThanOrEqual(2);
  expect(names.at(-1)).toBe('00000000000000000013.snapshot');
  const reopened = await openLog(dir, { segmentBytes: 1024 });
  expect(reopened.producers.entry(7)!.batches.map((b) => b.firstSeq)).toEqual([7, 8, 9, 10, 11]);
  expect(reopened.producers.entry(9)).toBeDefined();
});

test('without a usable snapshot (a torn one is deleted) the state is rebuilt from the last segments of the log', async () => {
  const dir = await tempDir();
  const log = await openLog(dir);
  for (let seq = 0; seq < 3; seq++) log.append(idempotent(seq), T0);
  await log.close();
  for (const name of await snapshots(dir)) await writeFile(join(dir, name), Buffer.from('torn'));
  const reopened = await openLog(dir);
  expect(reopened.producers.entry(7)!.batches.map((b) => b.lastOffset)).toEqual([0, 1, 2]);
  expect(await snapshots(dir)).toEqual([]);
});

test('a snapshot past the log end (its records lost in a crash) is deleted, not trusted', async () => {
  const dir = await tempDir();
  const log = await openLog(dir);
  log.append(idempotent(0), T0);
  await log.close();
  const [name] = await snapshots(dir);
  await rename(join(dir, name!), join(dir, '00000000000000000050.snapshot'));
  const reopened = await openLog(dir);
  expect(await snapshots(dir)).toEqual([]);
  expect(reopened.producers.entry(7)!.batches).toHaveLength(1);
});

test('truncation rebuilds the state of the batches still stored; a full truncation forgets everything', async () => {
  const dir = await tempDir();
  const log = await openLog(dir, { segmentBytes: 1024 });
  for (let seq = 0; seq < 10; seq++) log.append(idempotent(seq), T0);
  await log.flush();
  await log.truncateTo(6);
  expect(log.producers.entry(7)!.batches.map((b) => b.firstSeq)).toEqual([1, 2, 3, 4, 5]);
  expect(log.producers.checkClientBatch({ producerId: 7, producerEpoch: 0, baseSequence: 6, lastOffsetDelta: 0, maxTimestamp: T0 })).toEqual({ kind: 'append' });
  await log.restartAt(100);
  expect(log.producers.size).toBe(0);
  expect(await snapshots(dir)).toEqual([]);
});

test('a follower keeps producer state from the batches it copies', async () => {
  const leader = await openLog(await tempDir());
  const batches = [idempotent(0), idempotent(1)];
  for (const b of batches) leader.append(b, T0);
  const follower = await openLog(await tempDir());
  follower.appendAsFollower(Buffer.concat(batches), T0);
  expect(follower.producers.entry(7)!.batches.map((b) => [b.firstSeq, b.firstOffset])).toEqual([
    [0, 0],
    [1, 1],
  ]);
});

test('expireProducers drops producers idle for producer.id.expiration.ms', async () => {
  const log = await openLog(await tempDir());
  log.append(idempotent(0), T0);
  expect(log.expireProducers(T0 + 999, 1000)).toBe(0);
  expect(log.expireProducers(T0 + 1000, 1000)).toBe(1);
});

test('a batch the full disk refused leaves no producer state: its retry is appended, not taken for a duplicate', async () => {
  const files = new FaultyFiles((path) => path.endsWith('.log'));
  const restore = useFileLayer(files);
  try {
    const log = await openLog(await tempDir());
    await log.waitDurable(log.append(idempotent(0), T0).lastOffset);
    files.room = 0;
    const refused = log.append(idempotent(1), T0);
    await expect(log.waitDurable(refused.lastOffset)).rejects.toMatchObject({ errorCode: 56 });
    expect(log.producers.checkClientBatch({ producerId: 7, producerEpoch: 0, baseSequence: 1, lastOffsetDelta: 0, maxTimestamp: T0 })).toEqual({ kind: 'append' });
    files.free();
    await log.checkpoint(); // runs after the rollback: structural changes run one at a time
    expect(log.producers.entry(7)!.batches.map((b) => b.firstSeq)).toEqual([0]);
    const retried = log.append(idempotent(1), T0);
    await log.waitDurable(retried.lastOffset);
    expect(retried.baseOffset).toBe(1);
  } finally {
    restore();
  }
});

test('under LogAppendTime a producer is idle from the broker time of its batch, not its own clock', async () => {
  const log = await openLog(await tempDir(), { timestampType: 'LogAppendTime' });
  log.append(idempotent(0), T0 + 50_000);
  expect(log.producers.entry(7)!.lastTimestamp).toBe(T0 + 50_000);
});

test('a log whose producers all expired deletes its snapshots at the next roll, so a restart replays only the last segments', async () => {
  const dir = await tempDir();
  const log = await openLog(dir, { segmentBytes: 1024 });
  for (let seq = 0; seq < 8; seq++) log.append(idempotent(seq), T0);
  // Snapshots are written in the background after a roll.
  for (let i = 0; i < 100 && (await snapshots(dir)).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect((await snapshots(dir)).length).toBeGreaterThan(0);
  log.expireProducers(T0 + 10_000, 1000);
  for (let i = 0; i < 8; i++) log.append(makeBatch([{ value: 'plain'.padEnd(200, '.'), timestamp: T0 }]), T0);
  await log.close();
  expect(await snapshots(dir)).toEqual([]);
  const reopened = await openLog(dir, { segmentBytes: 1024 });
  expect(reopened.producers.size).toBe(0);
});
