// The pure transaction coordinator on virtual time: each test drives requests, write completions and
// marker outcomes by hand and checks Kafka's answers.
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../../../protocol/kafka/errors.js';
import type { TxnOutput } from '../../../../src/kafka/txn/api.js';
import { TransactionCoordinator } from '../../../../src/kafka/txn/coordinator.js';

const CONFIG = { maxTimeoutMs: 900_000, idExpirationMs: 604_800_000, retryBackoffMs: 100, logPartitions: 50 };
const TP = { topic: 'a', partition: 0 };

/** A coordinator with every log partition loaded at epoch 0, and helpers that complete writes. */
function harness() {
  const c = new TransactionCoordinator<string>(CONFIG);
  for (let p = 0; p < CONFIG.logPartitions; p++) c.partitionLoaded(0, p, 0, new Map());
  let now = 1000;
  let pid = 100;
  const replies = new Map<string, unknown>();
  const pendingAppends: number[] = [];
  const pendingMarkers: TxnOutput<string>['markers'] = [];
  const absorb = (out: TxnOutput<string>) => {
    for (const r of out.replies) replies.set(r.token, r.api === 'error' ? r.errorCode : r.response);
    pendingAppends.push(...out.appends.map((a) => a.id));
    pendingMarkers.push(...out.markers);
    return out;
  };
  const h = {
    c,
    replies,
    pendingMarkers,
    get now() {
      return now;
    },
    advance(ms: number) {
      now += ms;
      return absorb(c.tick(now));
    },
    /** Completes every write under way (and those they cause) with `errorCode`. */
    flushWrites(errorCode: number = ErrorCode.NONE) {
      while (pendingAppends.length > 0) absorb(c.appendCompleted(now, pendingAppends.shift()!, errorCode));
    },
    /** Acknowledges every marker request under way. */
    ackMarkers(errorCode: number = ErrorCode.NONE) {
      while (pendingMarkers.length > 0) {
        const m = pendingMarkers.shift()!;
        absorb(c.markersWritten(now, m.id, m.partitions.map((p) => ({ ...p, errorCode }))));
      }
    },
    init(token: string, id = 'tx', timeoutMs = 60_000, producerId = -1, producerEpoch = -1) {
      const fresh = c.wantsProducerId(id) ? pid++ : undefined;
      absorb(c.initProducerId(now, token, { transactionalId: id, transactionTimeoutMs: timeoutMs, producerId, producerEpoch }, fresh));
    },
    add(token: string, producerId: number, producerEpoch: number, partitions = [TP], id = 'tx') {
      absorb(c.addPartitions(now, token, { transactionalId: id, producerId, producerEpoch, partitions }));
    },
    end(token: string, producerId: number, producerEpoch: number, committed: boolean, id = 'tx') {
      absorb(c.endTxn(now, token, { transactionalId: id, producerId, producerEpoch, committed }));
    },
  };
  return h;
}

describe('transaction coordinator', () => {
  test('a transaction commits: Ongoing, PrepareCommit, markers, CompleteCommit', () => {
    const h = harness();
    h.init('i');
    expect(h.replies.has('i')).toBe(false); // answered only once durable
    h.flushWrites();
    expect(h.replies.get('i')).toEqual({ errorCode: 0, producerId: 100, producerEpoch: 0 });
    h.add('a', 100, 0);
    h.flushWrites();
    expect(h.replies.get('a')).toBe(ErrorCode.NONE);
    expect(h.c.describe('tx')?.state).toBe('Ongoing');
    h.end('e', 100, 0, true);
    h.flushWrites();
    expect(h.replies.get('e')).toBe(ErrorCode.NONE);
    expect(h.pendingMarkers).toMatchObject([{ committed: true, producerId: 100, producerEpoch: 0, partitions: [TP] }]);
    // While the markers are in flight the id is busy.
    h.add('busy', 100, 0);
    expect(h.replies.get('busy')).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    h.init('busyInit');
    expect(h.replies.get('busyInit')).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    h.ackMarkers();
    h.flushWrites();
    expect(h.c.describe('tx')).toMatchObject({ state: 'CompleteCommit', partitions: [] });
    h.end('retry', 100, 0, true);
    expect(h.replies.get('retry')).toBe(ErrorCode.NONE);
    h.end('wrong', 100, 0, false);
    expect(h.replies.get('wrong')).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  test("Kafka's refusals", () => {
    const h = harness();
    h.init('big', 'tx', 900_001);
    expect(h.replies.get('big')).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    h.init('empty', '', 1000);
    expect(h.replies.get('empty')).toBe(ErrorCode.INVALID_REQUEST);
    h.add('unknown', 1, 0);
    expect(h.replies.get('unknown')).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    h.init('i');
    h.flushWrites();
    const { producerId } = h.replies.get('i') as { producerId: number };
    h.end('never', producerId, 0, true);
    expect(h.replies.get('never')).toBe(ErrorCode.INVALID_TXN_STATE);
    h.add('mapping', 7, 0);
    expect(h.replies.get('mapping')).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    h.add('old', producerId, 5);
    expect(h.replies.get('old')).toBe(ErrorCode.PRODUCER_FENCED);
  });

  test('a second producer fences the first and aborts its open transaction', () => {
    const h = harness();
    h.init('i1');
    h.flushWrites();
    h.add('a', 100, 0);
    h.flushWrites();
    h.init('i2');
    h.flushWrites();
    expect(h.replies.get('i2')).toBe(ErrorCode.CONCURRENT_TRANSACTIONS);
    expect(h.pendingMarkers).toMatchObject([{ committed: false, producerEpoch: 1 }]);
    h.ackMarkers();
    h.flushWrites();
    expect(h.c.describe('tx')?.state).toBe('CompleteAbort');
    h.init('i3');
    h.flushWrites();
    expect(h.replies.get('i3')).toEqual({ errorCode: 0, producerId: 100, producerEpoch: 2 });
    h.end('zombie', 100, 0, true);
    expect(h.replies.get('zombie')).toBe(ErrorCode.PRODUCER_FENCED);
  });

  test('KIP-360: a retried InitProducerId gets the same epoch, a stale one is fenced', () => {
    const h = harness();
    h.init('i1');
    h.flushWrites();
    h.init('i2', 'tx', 60_000, 100, 0);
    h.flushWrites();
    expect(h.replies.get('i2')).toEqual({ errorCode: 0, producerId: 100, producerEpoch: 1 });
    h.init('retry', 'tx', 60_000, 100, 0);
    h.flushWrites();
    expect(h.replies.get('retry')).toEqual({ errorCode: 0, producerId: 100, producerEpoch: 1 });
    h.init('half', 'tx', 60_000, 100, -1);
    expect(h.replies.get('half')).toBe(ErrorCode.INVALID_REQUEST);
  });

  test('an open transaction past its timeout is aborted with an epoch bump', () => {
    const h = harness();
    h.init('i', 'tx', 10_000);
    h.flushWrites();
    h.add('a', 100, 0);
    h.flushWrites();
    h.advance(10_000);
    expect(h.pendingMarkers).toEqual([]);
    h.advance(1);
    h.flushWrites();
    expect(h.pendingMarkers).toMatchObject([{ committed: false, producerEpoch: 1 }]);
    h.ackMarkers();
    h.flushWrites();
    expect(h.c.describe('tx')).toMatchObject({ state: 'CompleteAbort', producerEpoch: 1 });
    h.end('late', 100, 0, true);
    expect(h.replies.get('late')).toBe(ErrorCode.PRODUCER_FENCED);
  });

  test('failed markers are retried after a backoff; the completion waits for all of them', () => {
    const h = harness();
    h.init('i');
    h.flushWrites();
    h.add('a', 100, 0, [TP, { topic: 'b', partition: 3 }]);
    h.flushWrites();
    h.end('e', 100, 0, true);
    h.flushWrites();
    const m = h.pendingMarkers.shift()!;
    h.c.markersWritten(h.now, m.id, [
      { ...TP, errorCode: ErrorCode.NONE },
      { topic: 'b', partition: 3, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER },
    ]);
    expect(h.c.describe('tx')?.state).toBe('PrepareCommit');
    h.advance(100);
    expect(h.pendingMarkers).toMatchObject([{ partitions: [{ topic: 'b', partition: 3 }] }]);
    h.ackMarkers();
    h.flushWrites();
    expect(h.c.describe('tx')?.state).toBe('CompleteCommit');
  });

  test('a failed write answers the mapped error and leaves the id usable', () => {
    const h = harness();
    h.init('i');
    h.flushWrites(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(h.replies.get('i')).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    h.init('again');
    h.flushWrites();
    expect(h.replies.get('again')).toMatchObject({ errorCode: 0, producerEpoch: 0 });
  });

  test('loading a partition resends the markers of a transaction that was committing', () => {
    const c = new TransactionCoordinator<string>(CONFIG);
    const p = c.partitionFor('tx');
    const out = c.partitionLoaded(0, p, 3, new Map([['tx', {
      producerId: 9, previousProducerId: -1, producerEpoch: 2, transactionTimeoutMs: 60_000, status: 'PrepareCommit' as const,
      partitions: [{ topic: 'a', partitionIds: [0, 1] }], lastUpdateTimestampMs: 0, startTimestampMs: 0,
    }]]));
    expect(out.markers).toMatchObject([{ committed: true, producerId: 9, producerEpoch: 2, coordinatorEpoch: 3, partitions: [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 1 }] }]);
    const done = c.markersWritten(5, out.markers[0]!.id, [{ topic: 'a', partition: 0, errorCode: 0 }, { topic: 'a', partition: 1, errorCode: 0 }]);
    expect(done.appends).toMatchObject([{ partition: p, value: { status: 'CompleteCommit', partitions: [] } }]);
    const unloaded = c.partitionUnloaded(p);
    expect(unloaded.replies).toEqual([]);
    expect(c.describe('tx')).toBeUndefined();
  });

  test('an idle transactional id expires with a tombstone', () => {
    const h = harness();
    h.init('i');
    h.flushWrites();
    const out = h.advance(CONFIG.idExpirationMs);
    expect(out.appends).toMatchObject([{ transactionalId: 'tx', value: null }]);
    h.flushWrites();
    expect(h.c.describe('tx')).toBeUndefined();
  });

  test('ListTransactions filters by state and producer id', () => {
    const h = harness();
    h.init('i');
    h.flushWrites();
    h.init('j', 'other');
    h.flushWrites();
    h.add('a', 101, 0, [TP], 'other');
    h.flushWrites();
    expect(h.c.list(h.now, ['Ongoing', 'Bogus'], [], -1)).toMatchObject({ unknownStateFilters: ['Bogus'], transactions: [{ transactionalId: 'other' }] });
    expect(h.c.list(h.now, [], [100], -1).transactions.map((t) => t.transactionalId)).toEqual(['tx']);
  });
});
