// Transactional offset commits in the pure coordinator: written in the producer's transactional batch,
// answered once durable, invisible (and UNSTABLE_OFFSET_COMMIT to require_stable readers) until the
// producer's marker settles them; the replay of __consumer_offsets does the same from the log.
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import type { AppendRequest, TxnOffsetCommitRequest } from '../../../src/kafka/groups/api.js';
import { ConsumerOffsetsReplay } from '../../../src/kafka/groups/replay.js';
import { Harness } from './harness.js';

function txnCommit(h: Harness, producerId: number, offset: number, over: Partial<TxnOffsetCommitRequest> = {}): string {
  const token = `txn-${producerId}-${offset}-${Math.random()}`;
  h.absorb(
    h.c.txnOffsetCommit(h.now, token, {
      transactionalId: `tx-${producerId}`,
      groupId: 'g',
      producerId,
      producerEpoch: 2,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }],
      ...over,
    }),
  );
  return token;
}

const errorOf = (h: Harness, token: string) => h.response(token, 'txnOffsetCommit').topics[0]!.partitions[0]!.errorCode;

describe('TxnOffsetCommit', () => {
  test('written as the producer\'s batch; visible only after a COMMIT marker, dropped by an ABORT', () => {
    const h = new Harness({ autoAppend: false });
    const token = txnCommit(h, 9, 5);
    expect(h.pendingAppends.map((a: AppendRequest) => a.producer)).toEqual([{ producerId: 9, producerEpoch: 2 }]);
    expect(h.answered(token)).toBe(false);
    expect(h.fetch('g', [{ name: 't', partitionIndexes: [0] }], true).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
    h.completeAppends();
    expect(errorOf(h, token)).toBe(ErrorCode.NONE);
    expect(h.committed('t', 0)).toBe(-1);
    expect(h.fetch('g', [{ name: 't', partitionIndexes: [0] }], true).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
    // A marker for another partition of __consumer_offsets settles nothing here.
    h.absorb(h.c.completeTransaction(h.now, 9, [99], true));
    expect(h.committed('t', 0)).toBe(-1);
    h.absorb(h.c.completeTransaction(h.now, 9, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49], true));
    expect(h.committed('t', 0)).toBe(5);
    const aborted = txnCommit(h, 10, 8);
    h.completeAppends();
    expect(errorOf(h, aborted)).toBe(ErrorCode.NONE);
    h.absorb(h.c.completeTransaction(h.now, 10, [...Array(50).keys()], false));
    expect(h.committed('t', 0)).toBe(5);
    expect(h.fetch('g', [{ name: 't', partitionIndexes: [0] }], true).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
  });

  test('without a producer id (-1) the offsets are an ordinary commit, as in Kafka', () => {
    const h = new Harness();
    const token = txnCommit(h, -1, 4);
    expect(errorOf(h, token)).toBe(ErrorCode.NONE);
    expect(h.committed('t', 0)).toBe(4);
  });

  test('a failed write leaves nothing pending', () => {
    const h = new Harness({ autoAppend: false });
    const token = txnCommit(h, 9, 5);
    h.completeAppends(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(errorOf(h, token)).toBe(ErrorCode.NOT_COORDINATOR);
    expect(h.fetch('g', [{ name: 't', partitionIndexes: [0] }], true).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
  });

  test('member and generation are checked when given (v3); an unknown group is created for the offsets', () => {
    const h = new Harness();
    expect(errorOf(h, txnCommit(h, 9, 1, { memberId: 'ghost' }))).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(errorOf(h, txnCommit(h, 9, 1, { generationId: 4 }))).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(errorOf(h, txnCommit(h, 9, 1, { groupId: '' }))).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(errorOf(h, txnCommit(h, 9, 1))).toBe(ErrorCode.NONE);
    expect(h.describe().groupState).toBe('Empty');
  });
});

describe('replaying transactional offsets', () => {
  test('records of a transactional batch wait for the marker; an open one stays pending in the loaded group', () => {
    const h = new Harness({ autoAppend: false });
    txnCommit(h, 9, 5);
    txnCommit(h, 10, 7);
    txnCommit(h, 11, 8);
    const appends = h.pendingAppends.splice(0);
    const replay = new ConsumerOffsetsReplay();
    for (const a of appends) for (const r of a.records) replay.apply(r, a.producer!.producerId);
    replay.applyMarker(9, true);
    replay.applyMarker(10, false);
    const [group] = replay.groups();
    expect(group!.offsets.get('t')?.get(0)?.offset).toBe(5);
    expect([...group!.pendingTxnOffsets.keys()]).toEqual([11]);
    const restarted = new Harness();
    restarted.absorb(restarted.c.groupsLoaded(restarted.now, replay.groups()));
    expect(restarted.fetch('g', [{ name: 't', partitionIndexes: [0] }], true).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
    restarted.absorb(restarted.c.completeTransaction(restarted.now, 11, [...Array(50).keys()], true));
    expect(restarted.committed('t', 0)).toBe(8);
  });
});
