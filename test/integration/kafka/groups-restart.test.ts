// Groups are durable: what the coordinator acknowledged is in __consumer_offsets, read back in full when
// the broker starts (compacted or not), and until then group requests are answered COORDINATOR_LOAD_IN_PROGRESS.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { partitionForGroup } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { GroupService } from '../../../src/kafka/groups/service.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { assignment, findCoordinator, join, waitFor } from './groups-harness.js';

const OFFSETS = '__consumer_offsets';
const PARTITIONS = 3;

let broker: TestBroker;
let conn: KafkaConnection;

beforeAll(async () => {
  broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': String(PARTITIONS) });
  conn = await KafkaConnection.connect(broker.bootstrap, { clientId: 'restarts' });
  await conn.send(ApiKey.CreateTopics, 4, { topics: [{ name: 't', numPartitions: 2, replicationFactor: 1 }], timeoutMs: 5_000 });
});

afterAll(async () => {
  conn.close();
  await broker.close();
});

async function restart(): Promise<void> {
  conn.close();
  broker = await broker.restart();
  conn = await KafkaConnection.connect(broker.bootstrap, { clientId: 'restarts' });
}

function commit(groupId: string, generationIdOrMemberEpoch: number, memberId: string, offsets: number[]) {
  return conn.send(ApiKey.OffsetCommit, 8, {
    groupId,
    generationIdOrMemberEpoch,
    memberId,
    topics: [{ name: 't', partitions: offsets.map((committedOffset, partitionIndex) => ({ partitionIndex, committedOffset, committedMetadata: `at ${committedOffset}` })) }],
  });
}

async function committed(groupId: string): Promise<number[]> {
  const r = await conn.send(ApiKey.OffsetFetch, 7, { groupId, topics: [{ name: 't', partitionIndexes: [0, 1] }], requireStable: true });
  expect(r.errorCode).toBe(0);
  return r.topics[0]!.partitions.map((p) => p.committedOffset);
}

test('a restart resumes every group where it was: members, generation, assignments and offsets', async () => {
  await findCoordinator(conn, 'stable');
  const member = await join(conn, 'stable', 5);
  await conn.send(ApiKey.SyncGroup, 3, {
    groupId: 'stable',
    generationId: 1,
    memberId: member.memberId,
    assignments: [{ memberId: member.memberId, assignment: assignment('t', 0, 1) }],
  });
  expect((await commit('stable', 1, member.memberId, [10, 20])).topics[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0]);
  await commit('stable', 1, member.memberId, [11, 21]);
  await commit('offsets-only', -1, '', [5, 6]);
  // A KIP-848 member, answered once its group's records are durable.
  const kip848 = () => ({ groupId: 'kip848', memberId: 'next-gen', rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['t'], topicPartitions: [] });
  const joined = await conn.send(ApiKey.ConsumerGroupHeartbeat, 1, { ...kip848(), memberEpoch: 0 });
  expect(joined).toMatchObject({ errorCode: 0, memberEpoch: 1 });
  await commit('deleted', -1, '', [1, 1]);
  expect((await conn.send(ApiKey.DeleteGroups, 2, { groupsNames: ['deleted'] })).results[0]!.errorCode).toBe(0);
  await conn.send(ApiKey.OffsetDelete, 0, { groupId: 'offsets-only', topics: [{ name: 't', partitions: [{ partitionIndex: 1 }] }] });

  // Each group's records are in its own __consumer_offsets partition, Kafka's hash of the group id.
  const written = broker.broker.replicas.partitionsOf(OFFSETS)!.map((p) => p.log.logEndOffset > 0);
  for (const groupId of ['stable', 'offsets-only', 'deleted']) expect(written[partitionForGroup(groupId, PARTITIONS)]).toBe(true);

  await restart();
  await findCoordinator(conn, 'stable');
  expect(await committed('stable')).toEqual([11, 21]);
  expect(await committed('offsets-only')).toEqual([5, -1]);
  expect(await committed('deleted')).toEqual([-1, -1]);
  const listed = await conn.send(ApiKey.ListGroups, 4, { statesFilter: [] });
  expect(listed.groups.map((g) => [g.groupId, g.groupState]).sort()).toEqual([
    ['kip848', 'Stable'],
    ['offsets-only', 'Empty'],
    ['stable', 'Stable'],
  ]);
  // The KIP-848 member carries on with its epoch and partitions too.
  const beat848 = await conn.send(ApiKey.ConsumerGroupHeartbeat, 1, { ...kip848(), memberEpoch: 1, subscribedTopicNames: null, topicPartitions: joined.assignment!.topicPartitions });
  expect(beat848).toMatchObject({ errorCode: 0, memberEpoch: 1, assignment: joined.assignment });

  // The member carries on with the generation it had: no rejoin, same assignment.
  const beat = await conn.send(ApiKey.Heartbeat, 4, { groupId: 'stable', generationId: 1, memberId: member.memberId });
  expect(beat.errorCode).toBe(0);
  const synced = await conn.send(ApiKey.SyncGroup, 3, { groupId: 'stable', generationId: 1, memberId: member.memberId, assignments: [] });
  expect(synced).toMatchObject({ errorCode: 0, assignment: assignment('t', 0, 1) });
  const fetched = await conn.send(ApiKey.OffsetFetch, 7, { groupId: 'stable', topics: null, requireStable: false });
  expect(fetched.topics[0]!.partitions.map((p) => p.metadata)).toEqual(['at 11', 'at 21']);
});

test('share groups (KIP-932) come back too: epochs, members and assignments; an empty one listed, its offsets reset, deleted', async () => {
  const share = (groupId: string, memberId: string, memberEpoch: number) =>
    conn.send(ApiKey.ShareGroupHeartbeat, 1, { groupId, memberId, memberEpoch, rackId: null, subscribedTopicNames: memberEpoch === 0 ? ['t'] : null });
  const describe = () => conn.send(ApiKey.ShareGroupDescribe, 1, { groupIds: ['queue', 'idle-queue'], includeAuthorizedOperations: false });
  await findCoordinator(conn, 'queue');
  const a = await share('queue', 'worker-a', 0);
  expect(a.errorCode).toBe(ErrorCode.NONE);
  await share('queue', 'worker-b', 0);
  // worker-a moves to the epoch of worker-b's join; both hold one of the two partitions.
  const moved = await share('queue', 'worker-a', a.memberEpoch);
  expect(moved.assignment?.topicPartitions[0]!.partitions).toHaveLength(1);
  await share('idle-queue', 'gone', 0);
  expect((await share('idle-queue', 'gone', -1)).memberEpoch).toBe(-1);
  const before = await describe();
  const loaded = (r: typeof before) => (r.groups.some((g) => g.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) ? undefined : r);
  expect(before.groups.map((g) => [g.groupState, g.members.length])).toEqual([['Stable', 2], ['Empty', 0]]);

  await restart();
  await findCoordinator(conn, 'queue');
  const after = await waitFor('the share groups to be loaded', async () => loaded(await describe()));
  const sorted = (r: typeof before) => r.groups.map((g) => ({ ...g, members: [...g.members].sort((x, y) => (x.memberId < y.memberId ? -1 : 1)) }));
  expect(sorted(after)).toEqual(sorted(before));
  const listed = await conn.send(ApiKey.ListGroups, 5, { statesFilter: [], typesFilter: ['share'] });
  expect(listed.groups.map((g) => [g.groupId, g.groupState]).sort()).toEqual([['idle-queue', 'Empty'], ['queue', 'Stable']]);
  // The members carry on with the epochs they were told: no fencing, nothing new to assign.
  expect(await share('queue', 'worker-a', moved.memberEpoch)).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: moved.memberEpoch, assignment: null });
  // The offsets of the empty group may be reset; those of the one with members may not.
  const alter = (groupId: string) => conn.send(ApiKey.AlterShareGroupOffsets, 0, { groupId, topics: [{ topicName: 't', partitions: [{ partitionIndex: 0, startOffset: 0 }] }] });
  expect((await alter('idle-queue')).errorCode).toBe(ErrorCode.NONE);
  expect((await alter('queue')).errorCode).toBe(ErrorCode.NON_EMPTY_GROUP);
  // Not a classic group, nor a consumer group; deleted only when empty.
  const classic = await conn.send(ApiKey.DescribeGroups, 6, { groups: ['queue'], includeAuthorizedOperations: false });
  expect(classic.groups[0]).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group queue is not a classic group.' });
  const consumer = await conn.send(ApiKey.ConsumerGroupHeartbeat, 1, { groupId: 'queue', memberId: 'c', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['t'], topicPartitions: [] });
  expect(consumer.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  expect((await join(conn, 'queue', 5)).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  // And a classic group with members is not a share group.
  expect((await join(conn, 'classic-queue', 5)).errorCode).toBe(ErrorCode.NONE);
  expect((await share('classic-queue', 'worker-c', 0)).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  const deleted = await conn.send(ApiKey.DeleteGroups, 2, { groupsNames: ['queue', 'idle-queue'] });
  expect(deleted.results.map((r) => r.errorCode)).toEqual([ErrorCode.NON_EMPTY_GROUP, ErrorCode.NONE]);
  await restart();
  await findCoordinator(conn, 'queue');
  const final = await waitFor('the share groups to be loaded', async () => loaded(await describe()));
  expect(final.groups.map((g) => g.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.GROUP_ID_NOT_FOUND]);
});

test('until __consumer_offsets is read back, group requests get the errors Kafka gives each API while loading', async () => {
  // A second service over the running broker's (already loaded) topic: it starts loading at once.
  const { config, log, topics, metadata, replicas, shares: shareStates } = broker.broker;
  const service = new GroupService({ config, log, alone: true, topics, metadata, replicas, shareStates, now: () => Date.now() });
  service.start();
  expect(service.state).toBe('loading');
  expect(service.findCoordinator(0, 'stable')).toMatchObject({ errorCode: ErrorCode.NONE, node: { nodeId: 0 } });
  // Kafka answers a heartbeat blindly while its group loads, and sends a SyncGroup back to JoinGroup.
  expect(await service.heartbeat({ groupId: 'stable', generationId: 1, memberId: 'm', groupInstanceId: null })).toEqual({
    errorCode: ErrorCode.NONE,
  });
  expect((await service.syncGroup({ groupId: 'stable', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })).errorCode).toBe(
    ErrorCode.REBALANCE_IN_PROGRESS,
  );
  expect(await service.listGroups({ statesFilter: [] })).toEqual({ errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] });
  const fetch = await service.offsetFetch({ groups: [{ groupId: 'stable', topics: null }], requireStable: false });
  expect(fetch.groups).toEqual([{ groupId: 'stable', topics: [], errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS }]);
  await waitFor('the load', () => (service.state === 'ready' ? true : undefined));
  const loaded = await service.offsetFetch({ groups: [{ groupId: 'stable', topics: null }], requireStable: false });
  expect(loaded.groups[0]!.topics[0]!.partitions.map((p) => p.committedOffset)).toEqual([11, 21]);
  await service.stop();
  expect(service.state).toBe('stopped');
  expect((await service.listGroups({ statesFilter: [] })).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
});

test('a JoinGroup parked when the broker stops is answered NOT_COORDINATOR, so the client looks again', async () => {
  await findCoordinator(conn, 'parked');
  const first = await join(conn, 'parked', 5);
  expect(first.errorCode).toBe(0);
  const other = await KafkaConnection.connect(broker.bootstrap, { clientId: 'second' });
  // The second member's join waits for the first to rejoin, which it never does before the stop.
  const parked = join(other, 'parked', 5);
  await waitFor('the rebalance', async () => {
    const r = await conn.send(ApiKey.DescribeGroups, 5, { groups: ['parked'] });
    return r.groups[0]!.groupState === 'PreparingRebalance' ? true : undefined;
  });
  const stopped = broker.broker.groups.stop();
  expect(await parked).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, generationId: -1 });
  await stopped;
  other.close();
  await restart();
});

test('after the log cleaner compacts __consumer_offsets, a restart rebuilds exactly the same groups', async () => {
  // Small segments, so the commits below fill many finished segments the cleaner may compact. The test
  // runs the cleaner's passes itself: a background pass landing before sizeBefore is read (under load
  // the commits can outlast log.cleaner.backoff.ms) would shrink the log the comparison starts from.
  let compacting = await startTestBroker({
    'log.cleaner.enable': 'false',
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.num.partitions': '1',
    'offsets.topic.segment.bytes': '4096',
  });
  try {
    const c = await KafkaConnection.connect(compacting.bootstrap, { clientId: 'compaction' });
    await c.send(ApiKey.CreateTopics, 4, { topics: [{ name: 't', numPartitions: 2, replicationFactor: 1 }], timeoutMs: 5_000 });
    await findCoordinator(c, 'busy');
    const member = await join(c, 'busy', 5);
    await c.send(ApiKey.SyncGroup, 3, { groupId: 'busy', generationId: 1, memberId: member.memberId, assignments: [{ memberId: member.memberId, assignment: assignment('t', 0, 1) }] });
    const partitions = (offset: number) => [0, 1].map((partitionIndex) => ({ partitionIndex, committedOffset: offset + partitionIndex, committedMetadata: null }));
    for (let offset = 0; offset < 200; offset++) {
      await c.send(ApiKey.OffsetCommit, 8, { groupId: 'busy', generationIdOrMemberEpoch: 1, memberId: member.memberId, topics: [{ name: 't', partitions: partitions(offset) }] });
      await c.send(ApiKey.OffsetCommit, 8, { groupId: `passing-${offset % 10}`, generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 't', partitions: partitions(offset) }] });
    }
    expect((await c.send(ApiKey.DeleteGroups, 2, { groupsNames: ['passing-0', 'passing-1'] })).results.map((r) => r.errorCode)).toEqual([0, 0]);
    c.close();

    const log = compacting.broker.replicas.partition(OFFSETS, 0)!.log;
    const sizeBefore = log.sizeBytes;
    while ((await compacting.broker.logs.runCleaner()) !== undefined);
    expect(log.sizeBytes).toBeLessThan(sizeBefore / 4);
    const before = compacting.broker.groups.snapshot();
    expect(before.map((g) => g.groupId)).toEqual(['busy', ...Array.from({ length: 8 }, (_, i) => `passing-${i + 2}`)]);

    compacting = await compacting.restart();
    const { groups } = compacting.broker;
    await waitFor('the load', () => (groups.state === 'ready' ? true : undefined));
    expect(groups.snapshot()).toEqual(before);
  } finally {
    await compacting.close();
  }
});
