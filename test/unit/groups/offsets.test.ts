import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { decodeConsumerOffsetsRecord } from '../../../protocol/kafka/consumer-offsets/records.js';
import type { ConsumerOffsetsRecord } from '../../../src/kafka/groups/api.js';
import { Harness, SESSION_MS, subscription } from './harness.js';

const decode = (records: ConsumerOffsetsRecord[]) => records.map((r) => decodeConsumerOffsetsRecord(r.key, r.value));
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe('OffsetCommit and OffsetFetch', () => {
  test('a simple consumer (generation -1, no member id) commits to a group that exists only for its offsets', () => {
    const h = new Harness({ autoAppend: false });
    const t = h.commit([
      { topic: 'orders', partition: 0, offset: 42, metadata: 'm' },
      { topic: 'any-topic-at-all', partition: 7, offset: 1 },
    ]);
    // Not answered, and not visible, before it is durable.
    expect(h.answered(t)).toBe(false);
    expect(h.committed('orders', 0)).toBe(-1);
    expect(h.pendingAppends).toHaveLength(1);
    expect(decode(h.pendingAppends[0]!.records)).toEqual([
      {
        type: 'offset',
        group: 'g',
        topic: 'orders',
        partition: 0,
        value: { offset: 42, leaderEpoch: -1, metadata: 'm', commitTimestamp: h.now, expireTimestamp: -1 },
      },
      {
        type: 'offset',
        group: 'g',
        topic: 'any-topic-at-all',
        partition: 7,
        value: { offset: 1, leaderEpoch: -1, metadata: '', commitTimestamp: h.now, expireTimestamp: -1 },
      },
    ]);
    h.completeAppends();
    expect(h.commitErrors(t)).toEqual({ 'orders/0': ErrorCode.NONE, 'any-topic-at-all/7': ErrorCode.NONE });
    expect(h.committed('orders', 0)).toBe(42);
    expect(h.describe()).toMatchObject({ groupState: 'Empty', protocolType: '', members: [] });
  });

  test('OffsetFetch: unknown partitions and groups read -1; null topics means every committed partition', () => {
    const h = new Harness();
    h.commit([
      { topic: 'a', partition: 1, offset: 10, metadata: 'x' },
      { topic: 'b', partition: 0, offset: 20 },
      { topic: 'a', partition: 0, offset: 5 },
    ]);
    expect(h.fetch('g', [{ name: 'a', partitionIndexes: [0, 9] }])).toEqual({
      groupId: 'g',
      errorCode: ErrorCode.NONE,
      topics: [
        {
          name: 'a',
          partitions: [
            { partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE },
            { partitionIndex: 9, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE },
          ],
        },
      ],
    });
    const all = h.fetch('g', null);
    expect(all.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata])])).toEqual([
      ['a', [[1, 10, 'x'], [0, 5, '']]],
      ['b', [[0, 20, '']]],
    ]);
    expect(h.fetch('nobody', null)).toEqual({ groupId: 'nobody', errorCode: ErrorCode.NONE, topics: [] });
    expect(h.fetch('nobody', [{ name: 'a', partitionIndexes: [0] }]).topics[0]!.partitions[0]!.committedOffset).toBe(-1);
  });

  test('OffsetFetch v8 answers several groups at once', () => {
    const h = new Harness();
    h.commit([{ topic: 't', partition: 0, offset: 1 }]);
    h.commit([{ topic: 't', partition: 0, offset: 2 }], { groupId: 'h' });
    const token = 'multi';
    h.absorb(
      h.c.offsetFetch(h.now, token, {
        groups: [
          { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] },
          { groupId: 'h', topics: null },
        ],
        requireStable: false,
      }),
    );
    const r = h.response(token, 'offsetFetch');
    expect(r.groups.map((g) => [g.groupId, g.topics[0]!.partitions[0]!.committedOffset])).toEqual([
      ['g', 1],
      ['h', 2],
    ]);
  });

  test('the leader epoch and an explicit v1 commit timestamp are kept', () => {
    const h = new Harness();
    const t = 'epoch';
    h.absorb(
      h.c.offsetCommit(h.now, t, {
        groupId: 'g',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [
          {
            name: 't',
            partitions: [{ partitionIndex: 0, committedOffset: 9, committedLeaderEpoch: 3, commitTimestamp: 1234, committedMetadata: null }],
          },
        ],
      }),
    );
    expect(h.fetch('g', [{ name: 't', partitionIndexes: [0] }]).topics[0]!.partitions[0]).toMatchObject({
      committedOffset: 9,
      committedLeaderEpoch: 3,
    });
    expect(h.c.snapshot()[0]!.offsets[0]).toMatchObject({ commitTimestampMs: 1234 });
  });

  test('members of a group commit with their generation; others are fenced', () => {
    const h = new Harness();
    const { memberId } = h.soloMember();
    const member = { memberId, generationIdOrMemberEpoch: 1 };
    expect(h.commitErrors(h.commit([{ topic: 't', partition: 0, offset: 5 }], member))).toEqual({ 't/0': ErrorCode.NONE });
    expect(h.committed('t', 0)).toBe(5);
    // Outsiders cannot commit to a group with members...
    expect(h.commitErrors(h.commit([{ topic: 't', partition: 0, offset: 6 }]))).toEqual({ 't/0': ErrorCode.UNKNOWN_MEMBER_ID });
    expect(h.commitErrors(h.commit([{ topic: 't', partition: 0, offset: 6 }], { memberId: 'x', generationIdOrMemberEpoch: 1 }))).toEqual({
      't/0': ErrorCode.UNKNOWN_MEMBER_ID,
    });
    // ...nor can a member of a bygone generation.
    expect(h.commitErrors(h.commit([{ topic: 't', partition: 0, offset: 6 }], { memberId, generationIdOrMemberEpoch: 0 }))).toEqual({
      't/0': ErrorCode.ILLEGAL_GENERATION,
    });
    // A generation for a group the coordinator does not have is a bygone one too.
    expect(h.commitErrors(h.commit([{ topic: 't', partition: 0, offset: 6 }], { groupId: 'new', memberId, generationIdOrMemberEpoch: 3 }))).toEqual({
      't/0': ErrorCode.ILLEGAL_GENERATION,
    });
    expect(h.committed('t', 0)).toBe(5);
  });

  test('commits count as liveness, and during a rebalance the previous generation may still commit', () => {
    const h = new Harness();
    const { memberId } = h.soloMember();
    for (let i = 0; i < 3; i++) {
      h.advance(SESSION_MS - 1);
      expect(h.commitErrors(h.commit([{ topic: 't', partition: 0, offset: i }], { memberId, generationIdOrMemberEpoch: 1 }))).toEqual({
        't/0': ErrorCode.NONE,
      });
    }
    expect(h.state()).toBe('Stable');
    h.joinNew();
    expect(h.state()).toBe('PreparingRebalance');
    expect(h.commitErrors(h.commit([{ topic: 't', partition: 0, offset: 9 }], { memberId, generationIdOrMemberEpoch: 1 }))).toEqual({
      't/0': ErrorCode.NONE,
    });
  });

  test('a commit between JoinGroup and SyncGroup is told to finish the rebalance', () => {
    const h = new Harness();
    const j = h.response(h.joinNew(), 'joinGroup');
    expect(h.commitErrors(h.commit([{ topic: 't', partition: 0, offset: 1 }], { memberId: j.memberId, generationIdOrMemberEpoch: 1 }))).toEqual({
      't/0': ErrorCode.REBALANCE_IN_PROGRESS,
    });
  });

  test('metadata over offset.metadata.max.bytes fails that partition only', () => {
    const h = new Harness({ config: { offsetMetadataMaxBytes: 4 } });
    const t = h.commit([
      { topic: 't', partition: 0, offset: 1, metadata: 'abcde' },
      { topic: 't', partition: 1, offset: 2, metadata: 'abcd' },
    ]);
    expect(h.commitErrors(t)).toEqual({ 't/0': ErrorCode.OFFSET_METADATA_TOO_LARGE, 't/1': ErrorCode.NONE });
    expect(h.committed('t', 0)).toBe(-1);
    expect(h.committed('t', 1)).toBe(2);
    // All too large: nothing is written and no group is left behind.
    const none = h.commit([{ topic: 't', partition: 0, offset: 1, metadata: 'abcde' }], { groupId: 'other' });
    expect(h.commitErrors(none)).toEqual({ 't/0': ErrorCode.OFFSET_METADATA_TOO_LARGE });
    expect(h.list().map((g) => g.groupId)).toEqual(['g']);
  });

  test('what cannot be written to __consumer_offsets is refused per partition, not thrown', () => {
    const h = new Harness({ config: { offsetMetadataMaxBytes: 1_000_000 } });
    const t = h.commit([
      { topic: 't'.repeat(40_000), partition: 0, offset: 1 },
      { topic: 't', partition: 0, offset: 1, metadata: 'é'.repeat(20_000) },
      { topic: 't', partition: 1, offset: 1 },
    ]);
    expect(h.commitErrors(t)).toEqual({
      [`${'t'.repeat(40_000)}/0`]: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      't/0': ErrorCode.OFFSET_METADATA_TOO_LARGE,
      't/1': ErrorCode.NONE,
    });
  });

  test('a failed write fails the commit with the coordinator error for it, and the offset is unchanged', () => {
    const h = new Harness({ autoAppend: false });
    h.commit([{ topic: 't', partition: 0, offset: 1 }]);
    h.completeAppends();
    const cases: Array<[number, number]> = [
      [ErrorCode.NOT_ENOUGH_REPLICAS, ErrorCode.COORDINATOR_NOT_AVAILABLE],
      [ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.NOT_COORDINATOR],
      [ErrorCode.RECORD_LIST_TOO_LARGE, ErrorCode.INVALID_COMMIT_OFFSET_SIZE],
      [ErrorCode.REQUEST_TIMED_OUT, ErrorCode.REQUEST_TIMED_OUT],
    ];
    for (const [appendError, clientError] of cases) {
      const t = h.commit([{ topic: 't', partition: 0, offset: 99 }]);
      h.completeAppends(appendError);
      expect(h.commitErrors(t)).toEqual({ 't/0': clientError });
      expect(h.committed('t', 0)).toBe(1);
    }
  });

  test('requireStable: a partition with a commit on its way reads UNSTABLE_OFFSET_COMMIT', () => {
    const h = new Harness({ autoAppend: false });
    h.commit([{ topic: 't', partition: 0, offset: 1 }]);
    h.completeAppends();
    h.commit([{ topic: 't', partition: 0, offset: 2 }]);
    const stable = h.fetch('g', [{ name: 't', partitionIndexes: [0] }], true).topics[0]!.partitions[0]!;
    expect(stable).toMatchObject({ committedOffset: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT });
    expect(h.fetch('g', null, true).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
    expect(h.committed('t', 0)).toBe(1);
    h.completeAppends();
    expect(h.fetch('g', [{ name: 't', partitionIndexes: [0] }], true).topics[0]!.partitions[0]!.committedOffset).toBe(2);
  });
});

describe('OffsetDelete', () => {
  test('deletes offsets of an empty group, writing tombstones, answered once durable', () => {
    const h = new Harness();
    h.commit([
      { topic: 't', partition: 0, offset: 1 },
      { topic: 't', partition: 1, offset: 2 },
      { topic: 'u', partition: 0, offset: 3 },
    ]);
    h.autoAppend = false;
    const t = h.offsetDelete('g', [{ name: 't', partitions: [0, 5] }]);
    expect(h.answered(t)).toBe(false);
    expect(decode(h.pendingAppends[0]!.records)).toEqual([{ type: 'offset', group: 'g', topic: 't', partition: 0, value: null }]);
    h.completeAppends();
    expect(h.response(t, 'offsetDelete')).toEqual({
      errorCode: ErrorCode.NONE,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, errorCode: ErrorCode.NONE },
            { partitionIndex: 5, errorCode: ErrorCode.NONE },
          ],
        },
      ],
    });
    expect(h.committed('t', 0)).toBe(-1);
    expect(h.committed('t', 1)).toBe(2);
  });

  test('a consumer group keeps offsets of topics it subscribes to (GROUP_SUBSCRIBED_TO_TOPIC)', () => {
    const h = new Harness();
    const { memberId } = h.soloMember({ protocols: [{ name: 'range', metadata: subscription('orders') }] });
    h.commit(
      [
        { topic: 'orders', partition: 0, offset: 1 },
        { topic: 'old', partition: 0, offset: 2 },
      ],
      { memberId, generationIdOrMemberEpoch: 1 },
    );
    const r = h.response(h.offsetDelete('g', [{ name: 'orders', partitions: [0] }, { name: 'old', partitions: [0] }]), 'offsetDelete');
    expect(r.topics.map((t) => [t.name, t.partitions[0]!.errorCode])).toEqual([
      ['orders', ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC],
      ['old', ErrorCode.NONE],
    ]);
    expect(h.committed('orders', 0)).toBe(1);
    expect(h.committed('old', 0)).toBe(-1);
  });

  test('unknown groups, non-consumer groups with members and bad ids are refused', () => {
    const h = new Harness();
    expect(h.response(h.offsetDelete('nope', [{ name: 't', partitions: [0] }]), 'offsetDelete').errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect(h.response(h.offsetDelete('', [{ name: 't', partitions: [0] }]), 'offsetDelete').errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    h.soloMember({ protocolType: 'connect' });
    expect(h.response(h.offsetDelete('g', [{ name: 't', partitions: [0] }]), 'offsetDelete')).toEqual({
      errorCode: ErrorCode.NON_EMPTY_GROUP,
      topics: [],
    });
  });

  test('deleting the last offsets of an offsets-only group forgets the group', () => {
    const h = new Harness();
    h.commit([{ topic: 't', partition: 0, offset: 1 }]);
    h.offsetDelete('g', [{ name: 't', partitions: [0] }]);
    expect(h.list()).toEqual([]);
  });

  test('a commit still on its way when its offset is deleted does not resurrect it', () => {
    const h = new Harness({ autoAppend: false });
    h.commit([{ topic: 't', partition: 0, offset: 1 }]);
    h.completeAppends();
    h.commit([{ topic: 't', partition: 0, offset: 2 }]);
    h.offsetDelete('g', [{ name: 't', partitions: [0] }]);
    h.completeAppends();
    expect(h.committed('t', 0)).toBe(-1);
    // The log agrees: the tombstone follows the commit.
    expect(decode(h.log).at(-1)).toMatchObject({ type: 'offset', topic: 't', partition: 0, value: null });
  });
});

describe('offset expiry (offsets.retention.minutes)', () => {
  const retention = { offsetsRetentionMs: 7 * DAY, offsetsRetentionCheckIntervalMs: 10 * MINUTE };

  test('an offsets-only group loses each offset a retention period after its commit, then is forgotten', () => {
    const h = new Harness({ config: retention });
    h.commit([{ topic: 't', partition: 0, offset: 1 }]);
    h.advance(3 * DAY);
    h.commit([{ topic: 't', partition: 1, offset: 2 }]);
    h.advance(4 * DAY + 10 * MINUTE);
    expect(h.committed('t', 0)).toBe(-1);
    expect(h.committed('t', 1)).toBe(2);
    h.advance(3 * DAY);
    expect(h.list()).toEqual([]);
    // Offsets-only groups never wrote group metadata, so only offset tombstones are written.
    expect(decode(h.log).filter((r) => r.type === 'offset' && r.value === null)).toHaveLength(2);
    expect(decode(h.log).filter((r) => r.type === 'group')).toHaveLength(0);
  });

  test('an empty consumer group keeps its offsets for a retention period from when it became empty', () => {
    const h = new Harness({ config: retention });
    const { memberId } = h.soloMember({ sessionTimeoutMs: 30 * MINUTE });
    h.commit([{ topic: 't', partition: 0, offset: 5 }], { memberId, generationIdOrMemberEpoch: 1 });
    // The member stays for ten days, committing nothing more, then leaves.
    for (let t = 0; t < 10 * DAY; t += 29 * MINUTE) {
      h.advance(29 * MINUTE);
      expect(h.heartbeat(memberId, 1)).toBe(ErrorCode.NONE);
    }
    expect(h.committed('t', 0)).toBe(5);
    h.leave([{ memberId }]);
    expect(h.state()).toBe('Empty');
    h.advance(7 * DAY - 20 * MINUTE);
    expect(h.committed('t', 0)).toBe(5);
    h.advance(30 * MINUTE);
    expect(h.committed('t', 0)).toBe(-1);
    expect(h.list()).toEqual([]);
    expect(decode(h.log).at(-1)).toEqual({ type: 'group', group: 'g', value: null });
  });

  test('a stable consumer group loses offsets of topics it no longer subscribes to, keeps the others', () => {
    const h = new Harness({ config: retention });
    const { memberId } = h.soloMember({
      sessionTimeoutMs: 30 * MINUTE,
      protocols: [{ name: 'range', metadata: subscription('current') }],
    });
    h.commit(
      [
        { topic: 'current', partition: 0, offset: 1 },
        { topic: 'former', partition: 0, offset: 2 },
      ],
      { memberId, generationIdOrMemberEpoch: 1 },
    );
    const week = 7 * DAY + 10 * MINUTE;
    for (let t = 0; t < week; t += 29 * MINUTE) {
      h.advance(29 * MINUTE);
      expect(h.heartbeat(memberId, 1)).toBe(ErrorCode.NONE);
    }
    expect(h.committed('current', 0)).toBe(1);
    expect(h.committed('former', 0)).toBe(-1);
  });

  test('a commit with its own retention (OffsetCommit v2-4 retentionTimeMs) expires on its own schedule', () => {
    const h = new Harness({ config: retention });
    h.commit([{ topic: 't', partition: 0, offset: 1 }], { retentionTimeMs: 30 * MINUTE });
    const value = decode(h.log)[0]!;
    expect(value).toMatchObject({ value: { expireTimestamp: h.now + 30 * MINUTE } });
    h.advance(20 * MINUTE);
    expect(h.committed('t', 0)).toBe(1);
    h.advance(20 * MINUTE);
    expect(h.committed('t', 0)).toBe(-1);
  });
});
