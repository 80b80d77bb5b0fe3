// The share group membership core: the SimpleAssignor balance (every member gets work, partitions shared
// as evenly as possible), the member lifecycle (epochs, session expiry, leaving) and the groups' records
// in __consumer_offsets (what a coordinator that takes over rebuilds).
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../../../protocol/kafka/index.js';
import { decodeConsumerOffsetsKey } from '../../../../protocol/kafka/consumer-offsets/records.js';
import { decodeShareGroupRecordValue, encodeShareGroupRecordKey, encodeShareGroupRecordValue } from '../../../../protocol/kafka/consumer-offsets/share-group.js';
import type { ConsumerOffsetsRecord } from '../../../../src/kafka/groups/api.js';
import { replayConsumerOffsets } from '../../../../src/kafka/groups/replay.js';
import { assignShared, ShareGroupCoordinator } from '../../../../src/kafka/share/share-group-coordinator.js';

const T = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const catalog = (partitions: number) => new Map([['t', { id: T, partitions }]]);
const members = (n: number) => Array.from({ length: n }, (_, i) => ({ memberId: `m${i}`, subscribedTopicNames: ['t'] }));
const partitionsOf = (a: Map<string, Map<string, number[]>>) => [...a.values()].map((byTopic) => byTopic.get(T) ?? []);

describe('assignShared', () => {
  test('no more members than partitions: each partition to exactly one member, balanced', () => {
    const a = partitionsOf(assignShared(members(3), catalog(7)));
    expect(a.flat().sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(a.map((p) => p.length).sort()).toEqual([2, 2, 3]);
  });

  test('more members than partitions: every member gets one partition, each partition shared by as few as possible', () => {
    const a = partitionsOf(assignShared(members(6), catalog(2)));
    expect(a.every((p) => p.length === 1)).toBe(true);
    expect(a.filter((p) => p[0] === 0)).toHaveLength(3);
    expect(a.filter((p) => p[0] === 1)).toHaveLength(3);
  });

  test('a topic no one subscribes to, or that does not exist, is not assigned', () => {
    const a = assignShared([{ memberId: 'm', subscribedTopicNames: ['missing'] }], catalog(2));
    expect([...a.get('m')!.keys()]).toEqual([]);
  });
});

describe('ShareGroupCoordinator', () => {
  const config = { sessionTimeoutMs: 1_000, heartbeatIntervalMs: 100, maxSize: 2, maxGroups: 2 };
  const join = (c: ShareGroupCoordinator, memberId: string, now: number) =>
    c.heartbeat({ groupId: 'g', memberId, memberEpoch: 0, rackId: null, subscribedTopicNames: ['t'], clientId: 'c', clientHost: '/127.0.0.1' }, now);

  test('a member silent past the session timeout is removed and the others get its partitions at their next heartbeat', () => {
    const c = new ShareGroupCoordinator(config, { topics: () => catalog(2) });
    const a = join(c, 'a', 0);
    const b = join(c, 'b', 0);
    expect(b.assignment!.topicPartitions[0]!.partitions).toHaveLength(1);
    expect(c.heartbeat({ groupId: 'g', memberId: 'a', memberEpoch: a.memberEpoch, rackId: null, subscribedTopicNames: null, clientId: 'c', clientHost: 'h' }, 900).assignment!.topicPartitions[0]!.partitions).toHaveLength(1);
    expect(c.tick(1_500)).toEqual([{ groupId: 'g', memberId: 'b' }]);
    const after = c.heartbeat({ groupId: 'g', memberId: 'a', memberEpoch: c.describe('g').members[0]!.memberEpoch, rackId: null, subscribedTopicNames: null, clientId: 'c', clientHost: 'h' }, 1_500);
    expect(after.assignment!.topicPartitions[0]!.partitions.sort()).toEqual([0, 1]);
  });

  test('a full group refuses another member; leaving frees the place', () => {
    const c = new ShareGroupCoordinator(config, { topics: () => catalog(2) });
    join(c, 'a', 0);
    join(c, 'b', 0);
    expect(join(c, 'x', 0).errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
    expect(c.heartbeat({ groupId: 'g', memberId: 'b', memberEpoch: -1, rackId: null, subscribedTopicNames: null, clientId: 'c', clientHost: 'h' }, 1).memberEpoch).toBe(-1);
    expect(join(c, 'x', 2).errorCode).toBe(ErrorCode.NONE);
  });

  test('a new share group beyond group.share.max.groups is refused', () => {
    const c = new ShareGroupCoordinator(config, { topics: () => catalog(2) });
    for (const groupId of ['g1', 'g2', 'g3']) {
      const r = c.heartbeat({ groupId, memberId: 'a', memberEpoch: 0, rackId: null, subscribedTopicNames: ['t'], clientId: 'c', clientHost: 'h' }, 0);
      expect(r.errorCode).toBe(groupId === 'g3' ? ErrorCode.GROUP_MAX_SIZE_REACHED : ErrorCode.NONE);
    }
  });
});

describe('ShareGroupCoordinator records', () => {
  const config = { sessionTimeoutMs: 1_000, heartbeatIntervalMs: 100, maxSize: 10, maxGroups: 10 };
  const topics = { topics: () => catalog(2) };
  const beat = (c: ShareGroupCoordinator, memberId: string, memberEpoch: number, now: number, groupId = 'g') =>
    c.heartbeat({ groupId, memberId, memberEpoch, rackId: memberEpoch === 0 ? 'rack-1' : null, subscribedTopicNames: memberEpoch === 0 ? ['t'] : null, clientId: `client-${memberId}`, clientHost: '/127.0.0.1' }, now);
  /** What the coordinator appended so far, as the log holds it. */
  const drain = (c: ShareGroupCoordinator, log: ConsumerOffsetsRecord[]) => {
    const drained = c.drainRecords().flatMap((a) => a.records);
    log.push(...drained);
    return drained;
  };
  const recordTypes = (records: readonly ConsumerOffsetsRecord[]) =>
    records.map((r) => {
      const k = decodeConsumerOffsetsKey(r.key);
      return k.type === 'shareGroup' ? `${k.recordType}${k.memberId === '' ? '' : `:${k.memberId}`}${r.value === null ? ' tombstone' : ''}` : k.type;
    });
  const reload = (log: ConsumerOffsetsRecord[], now: number) => {
    const c = new ShareGroupCoordinator(config, topics);
    expect(c.load(now, replayConsumerOffsets(log).shareGroups())).toBe(0);
    return c;
  };

  test('a coordinator that loads the records has the same group: epochs, members, assignments', () => {
    const c = new ShareGroupCoordinator(config, topics);
    const log: ConsumerOffsetsRecord[] = [];
    const a = beat(c, 'a', 0, 0);
    expect(recordTypes(drain(c, log)).sort()).toEqual(['10:a', '11', '12', '13:a', '14:a', '15']);
    beat(c, 'b', 0, 0);
    // a has not heard of b yet: its current assignment stays at its epoch, its target moved.
    expect(recordTypes(drain(c, log)).sort()).toEqual(['10:b', '11', '12', '13:a', '13:b', '14:b']);
    // A heartbeat that changes nothing writes nothing.
    beat(c, 'b', c.describe('g').assignmentEpoch, 10);
    expect(drain(c, log)).toEqual([]);

    const d = reload(log, 500);
    expect(d.describe('g')).toEqual(c.describe('g'));
    expect(d.list()).toEqual([{ groupId: 'g', groupState: 'Stable' }]);
    // a goes on with the epoch it was told, and moves to the new assignment as it would have before.
    const moved = beat(d, 'a', a.memberEpoch, 600);
    expect(moved.errorCode).toBe(ErrorCode.NONE);
    expect(moved.memberEpoch).toBe(c.describe('g').assignmentEpoch);
    expect(moved.assignment!.topicPartitions[0]!.partitions).toHaveLength(1);
    expect(recordTypes(drain(d, log))).toEqual(['14:a']);
    // b never heartbeats again: its session ran from the load; its records are tombstoned.
    expect(d.tick(1_500)).toEqual([{ groupId: 'g', memberId: 'b' }]);
    expect(recordTypes(drain(d, log)).sort()).toEqual(['10:b tombstone', '11', '12', '13:a', '13:b tombstone', '14:b tombstone']);
    expect(reload(log, 2_000).describe('g')).toMatchObject({ groupEpoch: d.describe('g').groupEpoch, members: [{ memberId: 'a' }] });
  });

  test('an empty share group is kept, listed Empty, and deleted with tombstones only when empty', () => {
    const c = new ShareGroupCoordinator(config, topics);
    const log: ConsumerOffsetsRecord[] = [];
    const a = beat(c, 'a', 0, 0);
    drain(c, log);
    expect(c.delete('g')).toBe(false);
    beat(c, 'a', -1, 1);
    expect(recordTypes(drain(c, log)).sort()).toEqual(['10:a tombstone', '11', '12', '13:a tombstone', '14:a tombstone']);
    expect(c.prepareDelete('other')).toBeUndefined();
    const d = reload(log, 10);
    expect(d.list()).toEqual([{ groupId: 'g', groupState: 'Empty' }]);
    expect(d.describe('g')).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'Empty', groupEpoch: c.describe('g').groupEpoch });
    // A member that left is gone for the new coordinator too.
    expect(beat(d, 'a', a.memberEpoch, 11).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(d.delete('g')).toBe(true);
    expect(recordTypes(drain(d, log)).sort()).toEqual(['11 tombstone', '12 tombstone', '15 tombstone']);
    expect(reload(log, 20).has('g')).toBe(false);
  });

  test('forget drops the groups of a partition no longer led here, and their unwritten changes', () => {
    const c = new ShareGroupCoordinator(config, topics);
    beat(c, 'a', 0, 0, 'stay');
    beat(c, 'a', 0, 0, 'go');
    c.forget((groupId) => groupId === 'stay');
    expect(c.list().map((g) => g.groupId)).toEqual(['stay']);
    expect(c.drainRecords().map((a) => a.groupId)).toEqual(['stay']);
  });

  test('ShareGroupStatePartitionMetadata: assigned share-partitions recorded as initialized; prepareDelete moves them to deleting, durable across a load', () => {
    let partitions = 2;
    const grown = { topics: () => catalog(partitions) };
    const c = new ShareGroupCoordinator(config, grown);
    const log: ConsumerOffsetsRecord[] = [];
    const a = beat(c, 'a', 0, 0);
    drain(c, log);
    const state = (records: readonly ConsumerOffsetsRecord[]) => {
      const r = records.filter((x) => recordTypes([x])[0] === '15').at(-1)!;
      return decodeShareGroupRecordValue(15, r.value!);
    };
    expect(state(log)).toEqual({ initializingTopics: [], initializedTopics: [{ topicId: T, topicName: 't', partitions: [0, 1] }], deletingTopics: [] });
    // The topic gains a partition: assigned at the next heartbeat, recorded with it.
    partitions = 3;
    beat(c, 'a', a.memberEpoch, 1);
    expect(state(drain(c, log)).initializedTopics).toEqual([{ topicId: T, topicName: 't', partitions: [0, 1, 2] }]);
    expect(c.prepareDelete('g')).toBeUndefined();
    beat(c, 'a', -1, 2);
    drain(c, log);
    // The new coordinator knows what to delete though no member subscribes any more.
    const d = new ShareGroupCoordinator(config, grown);
    d.load(3, replayConsumerOffsets(log).shareGroups());
    expect(d.prepareDelete('g')).toEqual([{ topicId: T, partitions: [0, 1, 2] }]);
    expect(recordTypes(drain(d, log))).toEqual(['15']);
    expect(state(log)).toEqual({ initializingTopics: [], initializedTopics: [], deletingTopics: [{ topicId: T, topicName: 't' }] });
    // A delete that failed is taken up again: the deleting topic's partitions, as the topic has them now.
    const e = new ShareGroupCoordinator(config, grown);
    e.load(4, replayConsumerOffsets(log).shareGroups());
    expect(e.prepareDelete('g')).toEqual([{ topicId: T, partitions: [0, 1, 2] }]);
    // A member that joins meanwhile takes the topic out of deleting again.
    beat(e, 'b', 0, 5);
    expect(state(drain(e, log))).toEqual({ initializingTopics: [], initializedTopics: [{ topicId: T, topicName: 't', partitions: [0, 1, 2] }], deletingTopics: [] });
  });

  test('ShareGroupStatePartitionMetadata follows AlterShareGroupOffsets (initialized) and DeleteShareGroupOffsets (deleting, then gone)', () => {
    const c = new ShareGroupCoordinator(config, topics);
    const log: ConsumerOffsetsRecord[] = [];
    const state = () => decodeShareGroupRecordValue(15, log.filter((x) => recordTypes([x])[0] === '15').at(-1)!.value!);
    expect(c.stateInitialized('g', [{ topicId: T, topicName: 't', partitions: [1] }])).toBe(false);
    expect(c.stateDeleting('g', [{ topicId: T, topicName: 't' }], false)).toBe(false);
    beat(c, 'a', 0, 0);
    beat(c, 'a', -1, 1);
    const U = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    expect(c.stateInitialized('g', [{ topicId: U, topicName: 'u', partitions: [4] }])).toBe(true);
    drain(c, log);
    expect(state().initializedTopics).toEqual([
      { topicId: T, topicName: 't', partitions: [0, 1] },
      { topicId: U, topicName: 'u', partitions: [4] },
    ]);
    expect(c.stateDeleting('g', [{ topicId: T, topicName: 't' }], false)).toBe(true);
    drain(c, log);
    expect(state()).toEqual({ initializingTopics: [], initializedTopics: [{ topicId: U, topicName: 'u', partitions: [4] }], deletingTopics: [{ topicId: T, topicName: 't' }] });
    c.stateDeleting('g', [{ topicId: T, topicName: 't' }], true);
    drain(c, log);
    expect(state()).toEqual({ initializingTopics: [], initializedTopics: [{ topicId: U, topicName: 'u', partitions: [4] }], deletingTopics: [] });
    expect(c.prepareDelete('g')).toEqual([{ topicId: U, partitions: [4] }]);
  });

  test('a record 15 Kafka wrote with initializing share-partitions: read back, and deleted with the group like initialized ones', () => {
    const U = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    const log: ConsumerOffsetsRecord[] = [
      { key: encodeShareGroupRecordKey({ recordType: 11, group: 'k', memberId: '' }), value: encodeShareGroupRecordValue(11, { epoch: 3, metadataHash: 0 }) },
      {
        key: encodeShareGroupRecordKey({ recordType: 15, group: 'k', memberId: '' }),
        value: encodeShareGroupRecordValue(15, {
          initializingTopics: [{ topicId: U, topicName: 'u', partitions: [2] }],
          initializedTopics: [{ topicId: T, topicName: 't', partitions: [0] }],
          deletingTopics: [],
        }),
      },
    ];
    const c = new ShareGroupCoordinator(config, topics);
    expect(c.load(0, replayConsumerOffsets(log).shareGroups())).toBe(0);
    expect(c.prepareDelete('k')).toEqual([
      { topicId: T, partitions: [0] },
      { topicId: U, partitions: [2] },
    ]);
    expect(decodeShareGroupRecordValue(15, c.drainRecords()[0]!.records[0]!.value!)).toEqual({
      initializingTopics: [],
      initializedTopics: [],
      deletingTopics: [
        { topicId: T, topicName: 't' },
        { topicId: U, topicName: 'u' },
      ],
    });
  });

  test("a deleted topic's share-partitions are found by name (its id gone from the catalog) and taken out once their state is deleted", () => {
    let live = catalog(2);
    const c = new ShareGroupCoordinator(config, { topics: () => live });
    const log: ConsumerOffsetsRecord[] = [];
    beat(c, 'a', 0, 0);
    drain(c, log);
    expect(c.statesOfDeletedTopics(new Set(['t']))).toEqual([]);
    // Deleted and created again under the same name: only the old id's share-partitions are the deleted topic's.
    live = new Map([['t', { id: 'cccccccccccccccccccccccccccccccc', partitions: 1 }]]);
    const gone = c.statesOfDeletedTopics(new Set(['t']));
    expect(gone).toEqual([{ groupId: 'g', topics: [{ topicId: T, topicName: 't', partitions: [0, 1] }] }]);
    expect(c.stateDeleting('g', gone[0]!.topics, true)).toBe(true);
    drain(c, log);
    const r = log.filter((x) => recordTypes([x])[0] === '15').at(-1)!;
    expect(decodeShareGroupRecordValue(15, r.value!)).toEqual({ initializingTopics: [], initializedTopics: [], deletingTopics: [] });
  });

  test('unreadable records are counted and left out; records Kafka alone writes do not make a group', () => {
    const c = new ShareGroupCoordinator(config, topics);
    const log: ConsumerOffsetsRecord[] = [];
    beat(c, 'a', 0, 0);
    drain(c, log);
    const metadataKey = log.find((r) => recordTypes([r])[0] === '11')!.key;
    log.push({ key: metadataKey, value: Buffer.from('0000ff', 'hex') });
    log.push({ key: Buffer.from('00090005 6f74686572'.replace(' ', ''), 'hex'), value: Buffer.from('00', 'hex') });
    const d = new ShareGroupCoordinator(config, topics);
    expect(d.load(0, replayConsumerOffsets(log).shareGroups())).toBe(1);
    expect(d.list().map((g) => g.groupId)).toEqual(['g']);
  });
});
