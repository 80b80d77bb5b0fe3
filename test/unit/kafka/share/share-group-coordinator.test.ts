// The share group membership core: the SimpleAssignor balance (every member gets work, partitions shared
// as evenly as possible) and the member lifecycle (epochs, session expiry, leaving).
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../../../protocol/kafka/index.js';
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
