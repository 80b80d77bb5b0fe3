// KIP-848 consumer groups on the wire, request by request: ConsumerGroupHeartbeat and
// ConsumerGroupDescribe in a running broker, commits checked against member epochs, ListGroups v5, and
// a group id kept to one protocol (Kafka's refusals when a classic member meets a consumer group), and
// the group's records in __consumer_offsets: read back when the coordinator moves, so members carry on.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { partitionForGroup } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { decodeConsumerAssignment } from '../../../protocol/kafka/consumer-offsets/consumer-protocol.js';
import { assignment, findCoordinator, join, subscription } from './groups-harness.js';

let broker: TestBroker;
let conn: KafkaConnection;
let topicId: string;

beforeAll(async () => {
  broker = await startTestBroker({ 'offsets.topic.num.partitions': '2', 'group.initial.rebalance.delay.ms': '0' });
  conn = await KafkaConnection.connect(broker.bootstrap, { clientId: 'skein-test' });
  const created = await conn.send(ApiKey.CreateTopics, 7, { topics: [{ name: 'kt', numPartitions: 4, replicationFactor: 1 }], timeoutMs: 5_000 });
  topicId = created.topics[0]!.topicId;
  await findCoordinator(conn, 'cg');
});

afterAll(async () => {
  conn.close();
  await broker.close();
});

function heartbeat(over: Record<string, unknown>) {
  return conn.send(ApiKey.ConsumerGroupHeartbeat, 1, {
    groupId: 'cg',
    memberId: 'member-1',
    memberEpoch: 0,
    rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: ['kt'],
    topicPartitions: [],
    ...over,
  });
}

test('a member joins, owns every partition, commits with its epoch, and is described and listed as a consumer group', async () => {
  const joined = await heartbeat({});
  expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, memberId: 'member-1', memberEpoch: 1, heartbeatIntervalMs: 5_000 });
  expect(joined.assignment?.topicPartitions).toEqual([{ topicId, partitions: [0, 1, 2, 3] }]);

  const commit = (memberEpoch: number, memberId = 'member-1') =>
    conn.send(ApiKey.OffsetCommit, 9, { groupId: 'cg', generationIdOrMemberEpoch: memberEpoch, memberId, topics: [{ name: 'kt', partitions: [{ partitionIndex: 0, committedOffset: 5 }] }] });
  expect((await commit(1)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
  expect((await commit(7)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.STALE_MEMBER_EPOCH);
  expect((await commit(1, 'nobody')).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  const fetched = await conn.send(ApiKey.OffsetFetch, 8, { groups: [{ groupId: 'cg', topics: [{ name: 'kt', partitionIndexes: [0] }] }], requireStable: false });
  expect(fetched.groups[0]!.topics[0]!.partitions[0]!.committedOffset).toBe(5);

  const described = await conn.send(ApiKey.ConsumerGroupDescribe, 1, { groupIds: ['cg', 'missing'], includeAuthorizedOperations: false });
  expect(described.groups[0]).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'Stable', groupEpoch: 1, assignmentEpoch: 1, assignorName: 'uniform' });
  expect(described.groups[0]!.members[0]).toMatchObject({ memberId: 'member-1', clientId: 'skein-test', memberEpoch: 1, subscribedTopicNames: ['kt'], memberType: 1 });
  expect(described.groups[0]!.members[0]!.assignment.topicPartitions).toEqual([{ topicId, topicName: 'kt', partitions: [0, 1, 2, 3] }]);
  expect(described.groups[1]).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, groupId: 'missing' });

  const listed = await conn.send(ApiKey.ListGroups, 5, { statesFilter: [], typesFilter: ['consumer'] });
  expect(listed.groups).toEqual([{ groupId: 'cg', protocolType: 'consumer', groupState: 'Stable', groupType: 'consumer' }]);
  const classicOnly = await conn.send(ApiKey.ListGroups, 5, { statesFilter: [], typesFilter: ['classic'] });
  expect(classicOnly.groups.map((g) => g.groupId)).not.toContain('cg');
});

test('a group id keeps to the \"consumer\" embedded protocol across kinds: other protocol types are refused', async () => {
  // A classic member of another protocol type cannot join a consumer group (Kafka: INCONSISTENT_GROUP_PROTOCOL).
  expect((await join(conn, 'cg', 9, { protocolType: 'connect' })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  // A classic heartbeat naming a consumer group's member: not a classic member (Kafka: UNKNOWN_MEMBER_ID).
  expect((await conn.send(ApiKey.Heartbeat, 4, { groupId: 'cg', generationId: 1, memberId: 'member-1', groupInstanceId: null })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  // A classic group of another protocol type is not upgraded when a KIP-848 member comes.
  await findCoordinator(conn, 'classic-g');
  expect((await join(conn, 'classic-g', 9, { protocolType: 'connect' })).errorCode).toBe(ErrorCode.NONE);
  expect((await heartbeat({ groupId: 'classic-g' })).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
});

test('DescribeGroups: a consumer group is not a classic group (v6 GROUP_ID_NOT_FOUND with a message, Dead before)', async () => {
  const v6 = await conn.send(ApiKey.DescribeGroups, 6, { groups: ['cg', 'classic-g', 'missing'], includeAuthorizedOperations: false });
  expect(v6.groups.map((g) => [g.groupId, g.errorCode, g.errorMessage])).toEqual([
    ['cg', ErrorCode.GROUP_ID_NOT_FOUND, 'Group cg is not a classic group.'],
    ['classic-g', ErrorCode.NONE, null],
    ['missing', ErrorCode.GROUP_ID_NOT_FOUND, 'Group missing not found.'],
  ]);
  const v5 = await conn.send(ApiKey.DescribeGroups, 5, { groups: ['cg', 'missing'], includeAuthorizedOperations: false });
  expect(v5.groups.map((g) => [g.groupId, g.errorCode, g.groupState, g.members.length])).toEqual([
    ['cg', ErrorCode.NONE, 'Dead', 0],
    ['missing', ErrorCode.NONE, 'Dead', 0],
  ]);
});

test('bad input gets Kafka\'s codes and the group keeps serving', async () => {
  expect((await heartbeat({ memberId: 'member-2', serverAssignor: 'nope' })).errorCode).toBe(ErrorCode.UNSUPPORTED_ASSIGNOR);
  expect((await heartbeat({ memberId: 'member-2', subscribedTopicNames: null, subscribedTopicRegex: '(unclosed' })).errorCode).toBe(ErrorCode.INVALID_REGULAR_EXPRESSION);
  expect((await heartbeat({ memberId: 'member-1', memberEpoch: 99, topicPartitions: null, subscribedTopicNames: null })).errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
  expect((await heartbeat({ memberId: 'member-1', memberEpoch: -1 })).memberEpoch).toBe(-1);
  const described = await conn.send(ApiKey.ConsumerGroupDescribe, 0, { groupIds: ['cg'], includeAuthorizedOperations: false });
  expect(described.groups[0]).toMatchObject({ errorCode: ErrorCode.NONE, groupState: 'Empty', members: [] });
});

test('the coordinator moving away and back reloads the group from __consumer_offsets: members keep their epochs and partitions', async () => {
  const groupId = 'moving-cg';
  await findCoordinator(conn, groupId);
  const hb = (over: Record<string, unknown>) => heartbeat({ groupId, ...over });
  const a = await hb({ memberId: 'a' });
  const b = await hb({ memberId: 'b', instanceId: 'static-b' });
  // a is told to revoke half its partitions for b; the coordinator then moves before a confirms.
  const aRevoking = await hb({ memberId: 'a', memberEpoch: a.memberEpoch, topicPartitions: a.assignment!.topicPartitions, subscribedTopicNames: null });
  const kept = aRevoking.assignment!.topicPartitions[0]!.partitions;
  expect(kept.length).toBe(2);
  const { groups } = broker.broker;
  const partition = partitionForGroup(groupId, 2);
  const before = (await conn.send(ApiKey.ConsumerGroupDescribe, 1, { groupIds: [groupId], includeAuthorizedOperations: false })).groups[0]!;

  groups.onResignation(partition, 1);
  expect((await hb({ memberId: 'a', memberEpoch: aRevoking.memberEpoch, subscribedTopicNames: null, topicPartitions: null })).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  await groups.onElection(partition, 2);

  const after = (await conn.send(ApiKey.ConsumerGroupDescribe, 1, { groupIds: [groupId], includeAuthorizedOperations: false })).groups[0]!;
  expect(after).toEqual(before);
  // a confirms the revocation to the reloaded coordinator; b then gets the released partitions, same epoch.
  const aDone = await hb({ memberId: 'a', memberEpoch: aRevoking.memberEpoch, subscribedTopicNames: null, topicPartitions: [{ topicId, partitions: kept }] });
  expect(aDone).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: before.assignmentEpoch });
  const bDone = await hb({ memberId: 'b', instanceId: 'static-b', memberEpoch: b.memberEpoch, subscribedTopicNames: null, topicPartitions: [] });
  expect(bDone).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: before.assignmentEpoch });
  expect(bDone.assignment!.topicPartitions[0]!.partitions.length).toBe(2);

  // Once empty the group can be deleted: its records become tombstones, and a reload finds nothing.
  await hb({ memberId: 'a', memberEpoch: -1 });
  expect((await conn.send(ApiKey.DeleteGroups, 2, { groupsNames: [groupId] })).results[0]!.errorCode).toBe(ErrorCode.NON_EMPTY_GROUP);
  await hb({ memberId: 'b', instanceId: 'static-b', memberEpoch: -1 });
  expect((await conn.send(ApiKey.DeleteGroups, 2, { groupsNames: [groupId] })).results[0]!.errorCode).toBe(ErrorCode.NONE);
  groups.onResignation(partition, 3);
  await groups.onElection(partition, 4);
  const gone = await conn.send(ApiKey.ConsumerGroupDescribe, 1, { groupIds: [groupId], includeAuthorizedOperations: false });
  expect(gone.groups[0]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
});

test('an empty consumer group becomes a classic group when a classic member joins, its records tombstoned and its offsets kept', async () => {
  const groupId = 'converted';
  await findCoordinator(conn, groupId);
  const joined = await heartbeat({ groupId, memberId: 'c-1' });
  expect(joined.errorCode).toBe(ErrorCode.NONE);
  const commit = await conn.send(ApiKey.OffsetCommit, 9, { groupId, generationIdOrMemberEpoch: joined.memberEpoch, memberId: 'c-1', topics: [{ name: 'kt', partitions: [{ partitionIndex: 1, committedOffset: 3 }] }] });
  expect(commit.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
  await heartbeat({ groupId, memberId: 'c-1', memberEpoch: -1 });

  expect((await join(conn, groupId, 9)).errorCode).toBe(ErrorCode.NONE);
  const described = await conn.send(ApiKey.ConsumerGroupDescribe, 1, { groupIds: [groupId], includeAuthorizedOperations: false });
  expect(described.groups[0]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  const listed = await conn.send(ApiKey.ListGroups, 5, { statesFilter: [], typesFilter: [] });
  expect(listed.groups.filter((g) => g.groupId === groupId).map((g) => g.groupType)).toEqual(['classic']);
  const fetched = await conn.send(ApiKey.OffsetFetch, 8, { groups: [{ groupId, topics: [{ name: 'kt', partitionIndexes: [1] }] }], requireStable: false });
  expect(fetched.groups[0]!.topics[0]!.partitions[0]!.committedOffset).toBe(3);
  // Moved and reloaded, the group id is still the classic group's alone.
  const partition = partitionForGroup(groupId, 2);
  broker.broker.groups.onResignation(partition, 5);
  await broker.broker.groups.onElection(partition, 6);
  const again = await conn.send(ApiKey.ConsumerGroupDescribe, 1, { groupIds: [groupId], includeAuthorizedOperations: false });
  expect(again.groups[0]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
});

test('online migration: a KIP-848 member upgrades a classic group, the classic member is served by the consumer group, and the group goes back to classic when the KIP-848 member leaves', async () => {
  const groupId = 'migrating';
  await findCoordinator(conn, groupId);
  const protocols = [{ name: 'range', metadata: subscription('kt') }];
  // A classic member leads its group and takes every partition, then commits.
  const joined = await join(conn, groupId, 9, { protocols });
  const memberId = joined.memberId;
  const sync = (generationId: number, assignments: Array<{ memberId: string; assignment: Buffer }> = []) =>
    conn.send(ApiKey.SyncGroup, 5, { groupId, generationId, memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments });
  expect((await sync(joined.generationId, [{ memberId, assignment: assignment('kt', 0, 1, 2, 3) }])).errorCode).toBe(ErrorCode.NONE);
  const classicHeartbeat = (generationId: number) => conn.send(ApiKey.Heartbeat, 4, { groupId, generationId, memberId, groupInstanceId: null });
  const commit = (generationId: number, offset: number) =>
    conn.send(ApiKey.OffsetCommit, 8, { groupId, generationIdOrMemberEpoch: generationId, memberId, groupInstanceId: null, topics: [{ name: 'kt', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }] });
  expect((await commit(joined.generationId, 10)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);

  // A KIP-848 member joins: the group is a consumer group now; what the classic member owns is not given away.
  const c = await heartbeat({ groupId, memberId: 'kip848' });
  expect(c).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: joined.generationId + 1, assignment: { topicPartitions: [] } });
  expect((await classicHeartbeat(joined.generationId)).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  // It rejoins (an eager client owns nothing then) and is handed its half, at the new epoch.
  const rejoined = await conn.send(ApiKey.JoinGroup, 9, { groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols });
  expect(rejoined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: c.memberEpoch, protocolName: 'range', leader: '', members: [] });
  const handed = decodeConsumerAssignment((await sync(rejoined.generationId)).assignment).assignedPartitions;
  expect(handed.length === 1 && handed[0]!.topic === 'kt' && handed[0]!.partitions.length === 2).toBe(true);
  const rest = [0, 1, 2, 3].filter((p) => !handed[0]!.partitions.includes(p));
  expect((await classicHeartbeat(rejoined.generationId)).errorCode).toBe(ErrorCode.NONE);
  expect((await commit(joined.generationId, 11)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
  expect((await commit(rejoined.generationId, 12)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
  const got = await heartbeat({ groupId, memberId: 'kip848', memberEpoch: c.memberEpoch, subscribedTopicNames: null, topicPartitions: [] });
  expect(got.assignment!.topicPartitions).toEqual([{ topicId, partitions: rest }]);

  // Both kinds are described; a coordinator move reloads the classic member from its records.
  const describe = async () => (await conn.send(ApiKey.ConsumerGroupDescribe, 1, { groupIds: [groupId], includeAuthorizedOperations: false })).groups[0]!;
  const before = await describe();
  expect(before.members.map((m) => [m.memberId, m.memberType]).sort()).toEqual([[memberId, 0], ['kip848', 1]].sort());
  const partition = partitionForGroup(groupId, 2);
  broker.broker.groups.onResignation(partition, 11);
  await broker.broker.groups.onElection(partition, 12);
  expect(await describe()).toEqual(before);
  expect((await classicHeartbeat(rejoined.generationId)).errorCode).toBe(ErrorCode.NONE);

  // The KIP-848 member leaves: the group is classic again and rebalances; the offsets stayed throughout.
  await heartbeat({ groupId, memberId: 'kip848', memberEpoch: -1 });
  expect((await describe()).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  expect((await classicHeartbeat(rejoined.generationId)).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  const back = await conn.send(ApiKey.JoinGroup, 9, { groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols });
  expect(back).toMatchObject({ errorCode: ErrorCode.NONE, leader: memberId, generationId: rejoined.generationId + 1 });
  const listed = await conn.send(ApiKey.ListGroups, 5, { statesFilter: [], typesFilter: [] });
  expect(listed.groups.filter((g) => g.groupId === groupId).map((g) => g.groupType)).toEqual(['classic']);
  const fetched = await conn.send(ApiKey.OffsetFetch, 8, { groups: [{ groupId, topics: [{ name: 'kt', partitionIndexes: [0] }] }], requireStable: false });
  expect(fetched.groups[0]!.topics[0]!.partitions[0]!.committedOffset).toBe(12);
});
