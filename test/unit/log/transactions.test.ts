// Transactions in one partition: producer state's open transactions and markers (pure), the last stable
// offset, the aborted-transaction index (Kafka's .txnindex format, collection for read_committed
// fetches), snapshots keeping open transactions, and what a log keeps across a crash, a truncation and
// retention.
import { copyFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { ErrorCode } from '../../../protocol/kafka/index.js';
import { writeInt64 } from '../../../protocol/bytes.js';
import { crc32c } from '../../../protocol/checksum/crc32c.js';
import { buildEndTxnMarkerBatch, ControlRecordType } from '../../../protocol/kafka/records/control-record.js';
import { decodeSnapshot, encodeSnapshot } from '../../../src/log/producer-snapshot.js';
import { NO_OFFSET, ProducerStateTable, type ProducerBatch, type TxnMarker } from '../../../src/log/producer-state.js';
import { AbortedTxnIndex, decodeTxnIndex, encodeTxnIndex, type AbortedTxn } from '../../../src/log/txn-index.js';
import { applyMarker } from '../../../src/log/producer-state-loader.js';
import { TRANSACTIONAL_BIT } from '../../../protocol/kafka/records/batch-header.js';
import { makeBatch } from './batches.js';
import { openLog, T0, tempDir } from './fixture.js';

/** The files of `from` as a kill -9 would leave them; one the log deletes meanwhile (an old snapshot) is skipped. */
async function copyDir(from: string, to: string): Promise<void> {
  for (const name of await readdir(from)) {
    await copyFile(join(from, name), join(to, name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}

function txnBatch(producerId: number, baseSequence: number, records = 1, producerEpoch = 0): ProducerBatch {
  return { producerId, producerEpoch, baseSequence, lastOffsetDelta: records - 1, maxTimestamp: T0, attributes: TRANSACTIONAL_BIT };
}

function marker(producerId: number, commit: boolean, producerEpoch = 0, coordinatorEpoch = 0): TxnMarker {
  return { producerId, producerEpoch, coordinatorEpoch, commit, timestamp: T0 };
}

describe('producer state with transactions', () => {
  test('the first transactional batch opens the transaction; the marker closes it; the high watermark settles it', () => {
    const t = new ProducerStateTable();
    t.record(txnBatch(1, 0, 2), 10);
    t.record(txnBatch(2, 0), 12);
    t.record(txnBatch(1, 2), 13);
    expect(t.entry(1)!.currentTxnFirstOffset).toBe(10);
    expect(t.firstUnstableOffset()).toBe(10);
    expect(t.lastStableOffsetAfter(1, 14)).toBe(12);
    expect(t.recordMarker(marker(1, false), 14)).toEqual({ producerId: 1, firstOffset: 10, lastOffset: 14, aborted: true });
    expect(t.entry(1)!.currentTxnFirstOffset).toBe(NO_OFFSET);
    // Closed but its marker is not below the high watermark yet: still unstable.
    expect(t.firstUnstableOffset()).toBe(10);
    t.onHighWatermark(14);
    expect(t.firstUnstableOffset()).toBe(10);
    t.onHighWatermark(15);
    expect(t.firstUnstableOffset()).toBe(12);
    expect(t.lastStableOffsetAfter(2, 15)).toBe(16);
    t.recordMarker(marker(2, true), 15);
    t.onHighWatermark(16);
    expect(t.firstUnstableOffset()).toBeUndefined();
  });

  test('a marker without data closes nothing; one at a new epoch moves the producer there', () => {
    const t = new ProducerStateTable();
    expect(t.recordMarker(marker(5, false, 3, 1), 0)).toBeUndefined();
    expect(t.entry(5)).toMatchObject({ epoch: 3, coordinatorEpoch: 1, currentTxnFirstOffset: NO_OFFSET });
  });

  test("Kafka's refusals: a plain batch inside a transaction, a stale marker epoch, a fenced coordinator", () => {
    const t = new ProducerStateTable();
    t.record(txnBatch(1, 0, 1, 2), 0);
    const plain: ProducerBatch = { producerId: 1, producerEpoch: 2, baseSequence: 1, lastOffsetDelta: 0, maxTimestamp: T0 };
    expect(t.checkClientBatch(plain)).toMatchObject({ kind: 'refused', errorCode: ErrorCode.INVALID_TXN_STATE });
    expect(t.checkClientBatch(txnBatch(1, 1, 1, 2))).toEqual({ kind: 'append' });
    expect(t.checkMarker(marker(1, true, 1))?.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    t.recordMarker(marker(1, true, 2, 7), 1);
    expect(t.checkMarker(marker(1, true, 2, 6))?.errorCode).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    expect(t.checkMarker(marker(1, true, 2, 7))).toBeUndefined();
    expect(t.checkEpoch(1, 1)?.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    // Closed: a plain batch is fine again.
    expect(t.checkClientBatch(plain)).toEqual({ kind: 'append' });
  });

  test('an open transaction keeps its producer through expiry and eviction', () => {
    const t = new ProducerStateTable(2);
    t.record(txnBatch(1, 0), 0);
    expect(t.expire(T0 + 10_000, 1)).toBe(0);
    t.record({ ...txnBatch(2, 0), attributes: 0 }, 1);
    t.record({ ...txnBatch(3, 0), attributes: 0 }, 2);
    expect(t.entry(1)).toBeDefined();
    expect(t.entry(2)).toBeUndefined();
    expect(t.firstUnstableOffset()).toBe(0);
  });

  test('truncation reopens nothing it cannot see and forgets transactions opened past the cut', () => {
    const t = new ProducerStateTable();
    t.record(txnBatch(1, 0), 0);
    t.record(txnBatch(2, 0), 5);
    t.truncateFrom(5);
    expect(t.entry(2)).toBeUndefined();
    expect(t.firstUnstableOffset()).toBe(0);
  });

  test('snapshots keep open transactions and coordinator epochs; a restored table knows them in offset order', () => {
    const t = new ProducerStateTable();
    t.record(txnBatch(2, 0), 7);
    t.record(txnBatch(1, 0), 3);
    t.recordMarker(marker(4, true, 0, 9), 8);
    t.record(txnBatch(5, 0), 9);
    t.recordMarker(marker(5, false), 10);
    const state = decodeSnapshot(encodeSnapshot(t.entries(), t.unsettledTxns()));
    if (typeof state === 'string') throw new Error(state);
    expect(state).toEqual({ producers: [...t.entries()], unsettled: [{ producerId: 5, firstOffset: 9, lastOffset: 10, aborted: true }] });
    const restored = new ProducerStateTable();
    for (const e of state.producers) restored.restore(e);
    restored.restoreUnsettled(state.unsettled);
    expect(restored.firstUnstableOffset()).toBe(3);
    expect(restored.lastStableOffsetAfter(1, 9)).toBe(7);
    expect(restored.entry(4)!.coordinatorEpoch).toBe(9);
  });

  test('a version 1 snapshot (before transactions) still loads, with no open transaction', () => {
    const v1 = Buffer.alloc(10 + 19 + 28);
    v1.writeInt16BE(1, 0);
    v1.writeInt32BE(1, 6);
    writeInt64(v1, 10, 42);
    v1.writeInt16BE(3, 18);
    writeInt64(v1, 20, T0);
    v1.writeInt8(1, 28);
    v1.writeInt32BE(0, 29);
    v1.writeInt32BE(4, 33);
    writeInt64(v1, 37, 100);
    v1.writeInt32BE(4, 45);
    writeInt64(v1, 49, T0);
    v1.writeUInt32BE(crc32c(v1.subarray(6)), 2);
    expect(decodeSnapshot(v1)).toEqual({
      producers: [{ producerId: 42, epoch: 3, lastTimestamp: T0, currentTxnFirstOffset: NO_OFFSET, coordinatorEpoch: -1, batches: [{ firstSeq: 0, lastSeq: 4, firstOffset: 100, lastOffset: 104, timestamp: T0 }] }],
      unsettled: [],
    });
  });
});

describe('aborted transaction index', () => {
  test("entries are Kafka's 34 bytes: version, producer id, first, last and last stable offset", () => {
    const entry: AbortedTxn = { producerId: 0x0102030405, firstOffset: 7, lastOffset: 9, lastStableOffset: 8 };
    const bytes = encodeTxnIndex([entry]);
    expect(bytes.toString('hex')).toBe('0000' + '0000000102030405' + '0000000000000007' + '0000000000000009' + '0000000000000008');
    expect(decodeTxnIndex(Buffer.concat([bytes, bytes.subarray(0, 10)]))).toEqual([entry]);
    expect(typeof decodeTxnIndex(Buffer.from('ff'.repeat(34), 'hex'))).toBe('string');
  });

  test('a fetch gets the aborted transactions overlapping what it read, and the walk stops at the last stable offset', () => {
    const index = new AbortedTxnIndex([
      { producerId: 1, firstOffset: 0, lastOffset: 5, lastStableOffset: 2 },
      { producerId: 2, firstOffset: 2, lastOffset: 8, lastStableOffset: 9 },
      { producerId: 3, firstOffset: 10, lastOffset: 12, lastStableOffset: 13 },
      { producerId: 4, firstOffset: 20, lastOffset: 22, lastStableOffset: 23 },
    ]);
    expect(index.collect(0, 4)).toEqual([{ producerId: 1, firstOffset: 0 }, { producerId: 2, firstOffset: 2 }]);
    expect(index.collect(6, 11)).toEqual([{ producerId: 2, firstOffset: 2 }, { producerId: 3, firstOffset: 10 }]);
    expect(index.collect(13, 15)).toEqual([]);
    index.truncateFrom(12);
    index.dropBelow(6);
    expect(index.all().map((e) => e.producerId)).toEqual([2]);
  });

  test('applyMarker indexes an aborted transaction with the last stable offset of that moment', () => {
    const t = new ProducerStateTable();
    const index = new AbortedTxnIndex();
    t.record(txnBatch(1, 0), 0);
    t.record(txnBatch(2, 0), 1);
    applyMarker(t, index, marker(1, false), 2);
    applyMarker(t, index, marker(2, true), 3);
    expect(index.all()).toEqual([{ producerId: 1, firstOffset: 0, lastOffset: 2, lastStableOffset: 1 }]);
  });
});

describe('a partition log with transactions', () => {
  const data = (producerId: number, seq: number, value: string) =>
    makeBatch([{ value, timestamp: T0 }], { producerId, producerEpoch: 0, baseSequence: seq, transactional: true });
  const end = (producerId: number, type: ControlRecordType) => buildEndTxnMarkerBatch({ type, coordinatorEpoch: 0, producerId, producerEpoch: 0, timestamp: T0 });

  test('the last stable offset follows open transactions and a replicated high watermark', async () => {
    const log = await openLog(await tempDir());
    log.setHighWatermarkFollowsLogEnd(false);
    log.append(makeBatch(['plain']), T0);
    log.append(data(1, 0, 'a'), T0);
    log.highWatermark = 2;
    expect(log.lastStableOffset).toBe(1);
    log.append(end(1, ControlRecordType.Commit), T0);
    log.highWatermark = 3;
    // The marker at 2 is not below the high watermark (3 means offsets 0-2 are): it is.
    expect(log.lastStableOffset).toBe(3);
    log.append(data(2, 0, 'b'), T0);
    log.append(end(2, ControlRecordType.Abort), T0);
    log.highWatermark = 4;
    expect(log.lastStableOffset).toBe(3);
    log.highWatermark = 5;
    expect(log.lastStableOffset).toBe(5);
    expect(log.abortedTransactions(0, 5)).toEqual([{ producerId: 2, firstOffset: 3 }]);
  });

  test('a crash keeps the aborted index and the open transaction; the .txnindex sits beside the marker\'s segment', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, { segmentBytes: 400 });
    for (let i = 0; i < 3; i++) log.append(makeBatch([{ value: 'x'.repeat(150), timestamp: T0 }]), T0);
    log.append(data(1, 0, 'aborted'), T0);
    log.append(end(1, ControlRecordType.Abort), T0);
    log.append(data(2, 0, 'open'), T0);
    for (let i = 0; i < 3; i++) log.append(makeBatch([{ value: 'y'.repeat(150), timestamp: T0 }]), T0);
    await log.flush();
    const markerOffset = 4;
    expect(log.abortedTransactions(0, log.logEndOffset)).toEqual([{ producerId: 1, firstOffset: 3 }]);
    expect(log.lastStableOffset).toBe(5);
    // The index file and snapshots are written in the background: the copy below is taken once the
    // last roll's snapshot is in (a copy is not atomic, unlike the directory a kill -9 leaves).
    const activeBase = log.segmentBaseOffsets().at(-1)!;
    const names = await vi.waitFor(async () => {
      const files = await readdir(dir);
      expect(files.filter((n) => n.endsWith('.snapshot')).sort().at(-1)).toBe(`${String(activeBase).padStart(20, '0')}.snapshot`);
      const found = files.filter((n) => n.endsWith('.txnindex'));
      expect(found).toHaveLength(1);
      return found;
    });
    // kill -9: the directory as it is now, without a clean close.
    const copy = await tempDir();
    await copyDir(dir, copy);
    const segmentOfMarker = Math.max(...log.segmentBaseOffsets().filter((b) => b <= markerOffset));
    expect(names[0]).toBe(`${String(segmentOfMarker).padStart(20, '0')}.txnindex`);
    expect(decodeTxnIndex(await readFile(join(dir, names[0]!)))).toEqual([{ producerId: 1, firstOffset: 3, lastOffset: 4, lastStableOffset: 5 }]);
    const reopened = await openLog(copy, { segmentBytes: 400 });
    expect(reopened.abortedTransactions(0, reopened.logEndOffset)).toEqual([{ producerId: 1, firstOffset: 3 }]);
    expect(reopened.lastStableOffset).toBe(5);
  });

  test('truncating below a marker reopens its transaction and drops its index entry', async () => {
    const log = await openLog(await tempDir());
    log.append(data(1, 0, 'a'), T0);
    log.append(end(1, ControlRecordType.Abort), T0);
    await log.flush();
    expect(log.lastStableOffset).toBe(2);
    await log.truncateTo(1);
    expect(log.abortedTransactions(0, 1)).toEqual([]);
    expect(log.lastStableOffset).toBe(0);
  });

  test('retention deletes a segment\'s .txnindex with it', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, { segmentBytes: 400, retentionMs: 1000 });
    log.append(data(1, 0, 'a'.repeat(100)), T0);
    log.append(end(1, ControlRecordType.Abort), T0);
    log.append(makeBatch([{ value: 'z'.repeat(250), timestamp: T0 + 10_000 }]), T0);
    log.append(makeBatch([{ value: 'z'.repeat(250), timestamp: T0 + 10_000 }]), T0);
    await log.flush();
    await vi.waitFor(async () => expect((await readdir(dir)).some((n) => n.endsWith('.txnindex'))).toBe(true));
    expect(await log.applyRetention(T0 + 5_000)).toBeGreaterThan(0);
    await log.close();
    expect((await readdir(dir)).some((n) => n.endsWith('.txnindex'))).toBe(false);
  });
});

test('after a crash, transactions the replay closes below the log end do not hold a single replica\'s last stable offset', async () => {
  const dir = await tempDir();
  const log = await openLog(dir);
  log.append(makeBatch([{ value: 'a', timestamp: T0 }], { producerId: 1, producerEpoch: 0, baseSequence: 0, transactional: true }), T0);
  log.append(buildEndTxnMarkerBatch({ type: ControlRecordType.Commit, coordinatorEpoch: 0, producerId: 1, producerEpoch: 0, timestamp: T0 }), T0);
  await log.flush();
  const copy = await tempDir();
  await copyDir(dir, copy);
  // No snapshot: the replay closes the transaction again, and the high watermark (the log end) covers it.
  expect((await readdir(copy)).filter((n) => n.endsWith('.snapshot'))).toEqual([]);
  const reopened = await openLog(copy);
  expect(reopened.lastStableOffset).toBe(2);
});

test('many aborts in one segment are appended to its .txnindex, which a crash copy reads back whole', async () => {
  const dir = await tempDir();
  const log = await openLog(dir);
  const ABORTS = 50;
  for (let i = 0; i < ABORTS; i++) {
    log.append(makeBatch([{ value: `v${i}`, timestamp: T0 }], { producerId: 1, producerEpoch: 0, baseSequence: i, transactional: true }), T0);
    log.append(buildEndTxnMarkerBatch({ type: ControlRecordType.Abort, coordinatorEpoch: 0, producerId: 1, producerEpoch: 0, timestamp: T0 }), T0);
  }
  await log.flush();
  const file = join(dir, '00000000000000000000.txnindex');
  await vi.waitFor(async () => expect(decodeTxnIndex(await readFile(file))).toHaveLength(ABORTS));
  const entries = decodeTxnIndex(await readFile(file));
  expect(entries).toEqual(Array.from({ length: ABORTS }, (_, i) => ({ producerId: 1, firstOffset: 2 * i, lastOffset: 2 * i + 1, lastStableOffset: 2 * i + 2 })));
  const copy = await tempDir();
  await copyDir(dir, copy);
  const reopened = await openLog(copy);
  expect(reopened.abortedTransactions(0, reopened.logEndOffset)).toHaveLength(ABORTS);
});

test('the last stable offset never falls below a log start moved past an open transaction', async () => {
  const log = await openLog(await tempDir());
  log.append(makeBatch([{ value: 'open', timestamp: T0 }], { producerId: 1, producerEpoch: 0, baseSequence: 0, transactional: true }), T0);
  log.append(makeBatch(['a', 'b']), T0);
  expect(log.lastStableOffset).toBe(0);
  await log.deleteRecordsBefore(2);
  expect(log.lastStableOffset).toBe(2);
});
