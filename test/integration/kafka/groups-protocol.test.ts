// The group APIs on the wire, request by request over our codec: every served version, the creation of
// __consumer_offsets on first need, the coordinator's timers firing in a running broker, and bad input
// answered with Kafka's error codes while the broker keeps serving.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeConsumerAssignment } from '../../../protocol/kafka/consumer-offsets/consumer-protocol.js';
import { ApiKey, ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { assignment, findCoordinator, join, subscription, waitFor } from './groups-harness.js';

const OFFSETS = '__consumer_offsets';

let broker: TestBroker;
let conn: KafkaConnection;

beforeAll(async () => {
  broker = await startTestBroker({
    'group.initial.rebalance.delay.ms': '0',
    'group.min.session.timeout.ms': '500',
    'offsets.topic.num.partitions': '4',
    'num.partitions': '2',
  });
  conn = await KafkaConnection.connect(broker.bootstrap, { clientId: 'skein-test' });
  await conn.send(ApiKey.CreateTopics, 4, { topics: [{ name: 't', numPartitions: 2, replicationFactor: 1 }], timeoutMs: 5_000 });
});

afterAll(async () => {
  conn.close();
  await broker.close();
});

async function describeGroup(groupId: string, version = 5) {
  const r = await conn.send(ApiKey.DescribeGroups, version, { groups: [groupId], includeAuthorizedOperations: false });
  return r.groups[0]!;
}

describe('__consumer_offsets and FindCoordinator', () => {
  test('nothing is created by listing groups; the first FindCoordinator creates the topic and answers once it exists', async () => {
    const listed = await conn.send(ApiKey.ListGroups, 4, { statesFilter: [] });
    expect(listed).toMatchObject({ errorCode: ErrorCode.NONE, groups: [] });
    expect(broker.broker.topics.get(OFFSETS)).toBeUndefined();

    const first = await conn.send(ApiKey.FindCoordinator, 0, { key: 'app' });
    expect(first).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, nodeId: -1, host: '', port: -1 });
    await findCoordinator(conn, 'app');

    const topic = broker.broker.topics.get(OFFSETS)!;
    expect(topic.replicas).toEqual([[0], [0], [0], [0]]);
    expect(topic.configs).toEqual({ 'cleanup.policy': 'compact', 'segment.bytes': '104857600' });
    expect(broker.broker.replicas.partition(OFFSETS, 0)!.log.config).toMatchObject({ compact: true, delete: false });
    const metadata = await conn.send(ApiKey.Metadata, 1, { topics: [{ name: OFFSETS }] });
    expect(metadata.topics[0]).toMatchObject({ errorCode: ErrorCode.NONE, isInternal: true });
  });

  test('every version names this broker; v1-3 say "NONE"; v4 answers a batch of keys', async () => {
    await findCoordinator(conn, 'app');
    const node = { nodeId: 0, host: '127.0.0.1', port: broker.port };
    expect(await conn.send(ApiKey.FindCoordinator, 0, { key: 'app' })).toMatchObject({ errorCode: 0, ...node });
    for (const version of [1, 2, 3]) {
      expect(await conn.send(ApiKey.FindCoordinator, version, { key: 'app', keyType: 0 })).toMatchObject({ errorCode: 0, errorMessage: 'NONE', ...node });
    }
    const batched = await conn.send(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['a', 'b', ''] });
    expect(batched.coordinators).toEqual(['a', 'b', ''].map((key) => ({ key, ...node, errorCode: 0, errorMessage: null })));
  });

  test('transactional ids are located here too, once __transaction_state is created; an unknown key type is INVALID_REQUEST', async () => {
    // The first lookup creates the topic and hears COORDINATOR_NOT_AVAILABLE, as in Kafka; clients retry.
    expect(await conn.send(ApiKey.FindCoordinator, 3, { key: 'tx-1', keyType: 1 })).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, nodeId: -1 });
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      const found = await conn.send(ApiKey.FindCoordinator, 3, { key: 'tx-1', keyType: 1 });
      if (found.errorCode === ErrorCode.NONE) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await conn.send(ApiKey.FindCoordinator, 3, { key: 'tx-1', keyType: 1 })).toMatchObject({ errorCode: 0, nodeId: 0 });
    expect(await conn.send(ApiKey.FindCoordinator, 2, { key: 'x', keyType: 7 })).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      nodeId: -1,
    });
    const batched = await conn.send(ApiKey.FindCoordinator, 4, { keyType: 7, coordinatorKeys: ['x'] });
    expect(batched.coordinators[0]).toMatchObject({ key: 'x', errorCode: ErrorCode.INVALID_REQUEST, nodeId: -1 });
  });
});

describe('a member through every version', () => {
  test.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])('JoinGroup v%i with SyncGroup, Heartbeat, DescribeGroups and LeaveGroup', async (v) => {
    const groupId = `versions-${v}`;
    await findCoordinator(conn, groupId);
    const joined = await join(conn, groupId, v);
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range' });
    expect(joined.leader).toBe(joined.memberId);
    expect(joined.memberId).toMatch(/^skein-test-[0-9a-f-]{36}$/);
    expect(joined.members.map((m) => m.memberId)).toEqual([joined.memberId]);
    expect(joined.members[0]!.metadata).toEqual(subscription('t'));
    if (v >= 7) expect(joined.protocolType).toBe('consumer');

    const syncVersion = Math.min(v, 5);
    const synced = await conn.send(ApiKey.SyncGroup, syncVersion, {
      groupId,
      generationId: 1,
      memberId: joined.memberId,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: joined.memberId, assignment: assignment('t', 0, 1) }],
    });
    expect(synced.errorCode).toBe(0);
    expect(decodeConsumerAssignment(synced.assignment).assignedPartitions).toEqual([{ topic: 't', partitions: [0, 1] }]);
    if (syncVersion >= 5) expect(synced).toMatchObject({ protocolType: 'consumer', protocolName: 'range' });

    const beat = await conn.send(ApiKey.Heartbeat, Math.min(v, 4), { groupId, generationId: 1, memberId: joined.memberId });
    expect(beat.errorCode).toBe(0);

    const described = await describeGroup(groupId, Math.min(v, 5));
    expect(described).toMatchObject({ errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(described.members).toEqual([
      {
        memberId: joined.memberId,
        groupInstanceId: null,
        clientId: 'skein-test',
        clientHost: '/127.0.0.1',
        memberMetadata: subscription('t'),
        memberAssignment: assignment('t', 0, 1),
      },
    ]);

    const leaveVersion = Math.min(v, 5);
    const left = await conn.send(ApiKey.LeaveGroup, leaveVersion, {
      groupId,
      memberId: joined.memberId,
      members: [{ memberId: joined.memberId, groupInstanceId: null }],
    });
    expect(left.errorCode).toBe(0);
    if (leaveVersion >= 3) expect(left.members).toEqual([{ memberId: joined.memberId, groupInstanceId: null, errorCode: 0 }]);
    expect((await describeGroup(groupId)).groupState).toBe('Empty');
  });

  test('DescribeGroups v3+ reports the operations allowed on a group when asked (all of them: there is no authorizer)', async () => {
    const asked = await conn.send(ApiKey.DescribeGroups, 3, { groups: ['versions-3'], includeAuthorizedOperations: true });
    expect(asked.groups[0]!.authorizedOperations).toBe((1 << 3) | (1 << 6) | (1 << 8));
    const notAsked = await conn.send(ApiKey.DescribeGroups, 3, { groups: ['versions-3'], includeAuthorizedOperations: false });
    expect(notAsked.groups[0]!.authorizedOperations).toBe(-2147483648);
  });

  test('ListGroups lists groups with their state from v4, filtered by state', async () => {
    const all = await conn.send(ApiKey.ListGroups, 4, { statesFilter: [] });
    expect(all.groups).toContainEqual(expect.objectContaining({ groupId: 'versions-9', protocolType: 'consumer', groupState: 'Empty' }));
    const stable = await conn.send(ApiKey.ListGroups, 4, { statesFilter: ['stable'] });
    expect(stable.groups.filter((g) => g.groupId.startsWith('versions-'))).toEqual([]);
    const v0 = await conn.send(ApiKey.ListGroups, 0, {});
    expect(v0.groups).toContainEqual(expect.objectContaining({ groupId: 'versions-0', protocolType: 'consumer' }));
  });
});

describe('static membership', () => {
  test('a restarted static member takes its place back without a rebalance; the old id is fenced; an administrator removes it by instance id', async () => {
    const groupId = 'static';
    await findCoordinator(conn, groupId);
    const first = await join(conn, groupId, 5, { groupInstanceId: 'host-1' });
    expect(first).toMatchObject({ errorCode: 0, generationId: 1 });
    await conn.send(ApiKey.SyncGroup, 3, {
      groupId,
      generationId: 1,
      memberId: first.memberId,
      groupInstanceId: 'host-1',
      assignments: [{ memberId: first.memberId, assignment: assignment('t', 0, 1) }],
    });

    // The same instance comes back without its member id (a process restart): same generation, new id.
    const again = await join(conn, groupId, 5, { groupInstanceId: 'host-1' });
    expect(again).toMatchObject({ errorCode: 0, generationId: 1 });
    expect(again.memberId).not.toBe(first.memberId);
    const fenced = await conn.send(ApiKey.Heartbeat, 3, { groupId, generationId: 1, memberId: first.memberId, groupInstanceId: 'host-1' });
    expect(fenced.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    const synced = await conn.send(ApiKey.SyncGroup, 3, { groupId, generationId: 1, memberId: again.memberId, groupInstanceId: 'host-1', assignments: [] });
    expect(synced).toMatchObject({ errorCode: 0, assignment: assignment('t', 0, 1) });
    expect((await describeGroup(groupId)).members).toEqual([expect.objectContaining({ memberId: again.memberId, groupInstanceId: 'host-1' })]);

    const removed = await conn.send(ApiKey.LeaveGroup, 5, {
      groupId,
      members: [
        { memberId: '', groupInstanceId: 'host-1', reason: 'decommissioned' },
        { memberId: '', groupInstanceId: 'host-2', reason: null },
      ],
    });
    expect(removed).toMatchObject({
      errorCode: 0,
      members: [
        { memberId: '', groupInstanceId: 'host-1', errorCode: 0 },
        { memberId: '', groupInstanceId: 'host-2', errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
      ],
    });
    expect((await describeGroup(groupId)).groupState).toBe('Empty');
  });
});

describe('offsets through every version', () => {
  test.each([0, 1, 2, 3, 4, 5, 6, 7, 8])('OffsetCommit v%i, read back by every OffsetFetch version', async (v) => {
    const groupId = `offsets-${v}`;
    await findCoordinator(conn, groupId);
    const committed = await conn.send(ApiKey.OffsetCommit, v, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      retentionTimeMs: -1,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 100 + v, committedLeaderEpoch: 0, commitTimestamp: -1, committedMetadata: `v${v}` },
            { partitionIndex: 1, committedOffset: 200 + v, committedLeaderEpoch: 0, commitTimestamp: -1, committedMetadata: null },
          ],
        },
      ],
    });
    // Decoded topics carry v10's id field too, unset below v10.
    expect(committed.topics).toEqual([{ name: 't', topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 0 }] }]);

    const epoch = v >= 6 ? 0 : -1;
    const expected = [
      { partitionIndex: 0, committedOffset: 100 + v, metadata: `v${v}`, errorCode: 0 },
      { partitionIndex: 1, committedOffset: 200 + v, metadata: '', errorCode: 0 },
    ];
    for (const fv of [0, 1, 2, 3, 4, 5, 6, 7]) {
      const fetched = await conn.send(ApiKey.OffsetFetch, fv, { groupId, topics: [{ name: 't', partitionIndexes: [0, 1] }], requireStable: true });
      expect(fetched.topics).toEqual([{ name: 't', partitions: expected.map((p) => ({ ...p, committedLeaderEpoch: fv >= 5 ? epoch : -1 })) }]);
      expect(fetched.errorCode).toBe(0);
    }
    // v2+ with null topics: every partition the group committed.
    const all = await conn.send(ApiKey.OffsetFetch, 2, { groupId, topics: null });
    expect(all.topics).toEqual([{ name: 't', partitions: expected.map((p) => ({ ...p, committedLeaderEpoch: -1 })) }]);
    const batched = await conn.send(ApiKey.OffsetFetch, 8, {
      groups: [
        { groupId, topics: null },
        { groupId: 'never-committed', topics: [{ name: 't', partitionIndexes: [0] }] },
      ],
      requireStable: false,
    });
    expect(batched.groups).toEqual([
      { groupId, topics: [{ name: 't', topicId: ZERO_UUID, partitions: expected.map((p) => ({ ...p, committedLeaderEpoch: epoch })) }], errorCode: 0 },
      {
        groupId: 'never-committed',
        topics: [{ name: 't', topicId: ZERO_UUID, partitions: [{ partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] }],
        errorCode: 0,
      },
    ]);
  });

  test('OffsetDelete removes offsets of a group, except of topics a live consumer group subscribes to', async () => {
    const groupId = 'offsets-0';
    const deleted = await conn.send(ApiKey.OffsetDelete, 0, {
      groupId,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 1 }, { partitionIndex: 7 }] },
        { name: 'no-such-topic', partitions: [{ partitionIndex: 0 }] },
      ],
    });
    expect(deleted).toEqual({
      errorCode: 0,
      throttleTimeMs: 0,
      topics: [
        { name: 't', partitions: [{ partitionIndex: 1, errorCode: 0 }, { partitionIndex: 7, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
        { name: 'no-such-topic', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
      ],
    });
    const left = await conn.send(ApiKey.OffsetFetch, 7, { groupId, topics: null, requireStable: false });
    expect(left.topics).toEqual([{ name: 't', partitions: [expect.objectContaining({ partitionIndex: 0, committedOffset: 100 })] }]);

    const live = 'offsets-live';
    const member = await join(conn, live, 5);
    await conn.send(ApiKey.SyncGroup, 3, { groupId: live, generationId: 1, memberId: member.memberId, assignments: [] });
    const refused = await conn.send(ApiKey.OffsetDelete, 0, { groupId: live, topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] });
    expect(refused.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    expect((await conn.send(ApiKey.OffsetDelete, 0, { groupId: 'nobody', topics: [] })).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  test('deleting a topic removes every group offset of it, durably', async () => {
    await conn.send(ApiKey.CreateTopics, 4, { topics: [{ name: 'doomed', numPartitions: 2, replicationFactor: 1 }], timeoutMs: 5_000 });
    const commit = (groupId: string) =>
      conn.send(ApiKey.OffsetCommit, 8, {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        topics: [
          { name: 'doomed', partitions: [{ partitionIndex: 0, committedOffset: 5, committedMetadata: null }] },
          { name: 't', partitions: [{ partitionIndex: 0, committedOffset: 6, committedMetadata: null }] },
        ],
      });
    await commit('deletes-a');
    await commit('deletes-b');
    const deleted = await conn.send(ApiKey.DeleteTopics, 4, { topicNames: ['doomed'], timeoutMs: 5_000 });
    expect(deleted.responses[0]!.errorCode).toBe(0);
    for (const groupId of ['deletes-a', 'deletes-b']) {
      const fetched = await conn.send(ApiKey.OffsetFetch, 7, { groupId, topics: null, requireStable: false });
      expect(fetched.topics.map((t) => t.name)).toEqual(['t']);
    }
    expect(broker.broker.groups.snapshot().flatMap((g) => g.offsets).filter((o) => o.topic === 'doomed')).toEqual([]);
  });
});

describe('bad input', () => {
  test('empty and oversized group ids', async () => {
    await findCoordinator(conn, 'g');
    const joined = await conn.send(ApiKey.JoinGroup, 5, {
      groupId: '',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: subscription('t') }],
    });
    expect(joined).toMatchObject({ errorCode: ErrorCode.INVALID_GROUP_ID, generationId: -1, members: [] });
    const empty = { groupId: '', generationId: 1, memberId: 'm' };
    expect((await conn.send(ApiKey.SyncGroup, 3, { ...empty, assignments: [] })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await conn.send(ApiKey.Heartbeat, 3, empty)).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await conn.send(ApiKey.LeaveGroup, 1, empty)).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await conn.send(ApiKey.OffsetDelete, 0, { groupId: '', topics: [] })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    // Old clients commit without group management under '': Kafka accepts it, and so does Skein.
    const commit = await conn.send(ApiKey.OffsetCommit, 2, {
      groupId: '',
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }],
    });
    expect(commit.topics[0]!.partitions[0]!.errorCode).toBe(0);
    const deleted = await conn.send(ApiKey.DeleteGroups, 2, { groupsNames: ['', 'unknown-group'] });
    expect(deleted.results).toEqual([
      { groupId: '', errorCode: 0 },
      { groupId: 'unknown-group', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
  });

  test('unknown members, stale generations, wrong protocols and session timeouts out of range', async () => {
    const groupId = 'strict';
    await findCoordinator(conn, groupId);
    const member = await join(conn, groupId, 5);
    await conn.send(ApiKey.SyncGroup, 3, { groupId, generationId: 1, memberId: member.memberId, assignments: [] });

    expect((await conn.send(ApiKey.Heartbeat, 3, { groupId, generationId: 1, memberId: 'ghost' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await conn.send(ApiKey.Heartbeat, 3, { groupId: 'no-such-group', generationId: 1, memberId: 'ghost' })).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    expect((await conn.send(ApiKey.Heartbeat, 3, { groupId, generationId: 0, memberId: member.memberId })).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await conn.send(ApiKey.SyncGroup, 3, { groupId, generationId: 1, memberId: 'ghost', assignments: [] })).errorCode).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    const staleCommit = await conn.send(ApiKey.OffsetCommit, 7, {
      groupId,
      generationIdOrMemberEpoch: 7,
      memberId: member.memberId,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }],
    });
    expect(staleCommit.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    // A group with members takes commits only from them.
    const outsider = await conn.send(ApiKey.OffsetCommit, 7, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }],
    });
    expect(outsider.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);

    // LeaveGroup before v3 reports the member's error as the request's; v3+ per member.
    expect((await conn.send(ApiKey.LeaveGroup, 2, { groupId, memberId: 'ghost' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const batchLeave = await conn.send(ApiKey.LeaveGroup, 4, { groupId, members: [{ memberId: 'ghost', groupInstanceId: null }] });
    expect(batchLeave).toMatchObject({ errorCode: 0, members: [{ memberId: 'ghost', errorCode: ErrorCode.UNKNOWN_MEMBER_ID }] });

    expect((await join(conn, groupId, 5, { protocolType: 'connect' })).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await join(conn, groupId, 5, { protocols: [{ name: 'sticky', metadata: subscription('t') }] })).errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    expect((await join(conn, groupId, 5, { sessionTimeoutMs: 100 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await join(conn, groupId, 5, { sessionTimeoutMs: 3_600_000 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);

    // From v5 SyncGroup must name its protocol type and name (Kafka refuses it before the coordinator looks).
    const unnamed = await conn.send(ApiKey.SyncGroup, 5, { groupId, generationId: 1, memberId: member.memberId, assignments: [] });
    expect(unnamed).toMatchObject({ errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, protocolType: null, protocolName: null });

    const nonEmpty = await conn.send(ApiKey.DeleteGroups, 1, { groupsNames: [groupId] });
    expect(nonEmpty.results).toEqual([{ groupId, errorCode: ErrorCode.NON_EMPTY_GROUP }]);
    expect((await describeGroup('never-heard-of')).groupState).toBe('Dead');
    expect((await describeGroup(groupId)).members.map((m) => m.memberId)).toEqual([member.memberId]);
  });

  test('member metadata over the limit is refused and the group is untouched', async () => {
    const groupId = 'bloated';
    await findCoordinator(conn, groupId);
    const huge = Buffer.alloc(1024 * 1024 + 1, 1);
    const refused = await join(conn, groupId, 5, { protocols: [{ name: 'range', metadata: huge }] });
    expect(refused).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, generationId: -1 });
    expect((await describeGroup(groupId)).groupState).toBe('Dead');
    const fine = await join(conn, groupId, 5);
    expect(fine.errorCode).toBe(0);
  });

  test('commits for topics or partitions that do not exist are refused per partition; the rest are stored', async () => {
    const groupId = 'careless';
    await findCoordinator(conn, groupId);
    const partition = (partitionIndex: number) => ({ partitionIndex, committedOffset: 9, committedMetadata: null });
    const r = await conn.send(ApiKey.OffsetCommit, 8, {
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [
        { name: 'no-such-topic', partitions: [partition(0)] },
        { name: 't', partitions: [partition(5), partition(1), partition(-1), partition(0)] },
        { name: '', partitions: [partition(0)] },
      ],
    });
    const UNKNOWN = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    expect(r.topics.map(({ name, partitions }) => ({ name, partitions }))).toEqual([
      { name: 'no-such-topic', partitions: [{ partitionIndex: 0, errorCode: UNKNOWN }] },
      {
        name: 't',
        partitions: [
          { partitionIndex: 5, errorCode: UNKNOWN },
          { partitionIndex: 1, errorCode: 0 },
          { partitionIndex: -1, errorCode: UNKNOWN },
          { partitionIndex: 0, errorCode: 0 },
        ],
      },
      { name: '', partitions: [{ partitionIndex: 0, errorCode: UNKNOWN }] },
    ]);
    const stored = await conn.send(ApiKey.OffsetFetch, 7, { groupId, topics: null, requireStable: false });
    expect(stored.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex).sort()])).toEqual([['t', [0, 1]]]);
    // Only unknown partitions: answered without the coordinator, so no group is created.
    const none = await conn.send(ApiKey.OffsetCommit, 8, { groupId: 'phantom', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 'x', partitions: [partition(0)] }] });
    expect(none.topics[0]!.partitions[0]!.errorCode).toBe(UNKNOWN);
    expect((await describeGroup('phantom')).groupState).toBe('Dead');
  });

  test('a member that joins and never syncs is removed after the rebalance timeout; the group carries on without it', async () => {
    const groupId = 'never-syncs';
    await findCoordinator(conn, groupId);
    const silentConn = await KafkaConnection.connect(broker.bootstrap, { clientId: 'silent' });
    try {
      const options = { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 1_000 };
      const rejoin = (memberId: string) =>
        conn.send(ApiKey.JoinGroup, 5, {
          groupId,
          sessionTimeoutMs: 10_000,
          rebalanceTimeoutMs: 1_000,
          memberId,
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: subscription('t') }],
        });
      const leader = await join(conn, groupId, 5, options);
      // The second member's join waits for the rebalance it starts; the leader rejoins, and both are in generation 2.
      const silentJoin = join(silentConn, groupId, 5, options);
      await waitFor('the rebalance', async () => ((await describeGroup(groupId)).groupState === 'PreparingRebalance' ? true : undefined));
      const second = await rejoin(leader.memberId);
      const silent = await silentJoin;
      expect([second.generationId, silent.generationId, second.leader]).toEqual([2, 2, leader.memberId]);
      const synced = await conn.send(ApiKey.SyncGroup, 3, {
        groupId,
        generationId: 2,
        memberId: leader.memberId,
        assignments: [
          { memberId: leader.memberId, assignment: assignment('t', 0) },
          { memberId: silent.memberId, assignment: assignment('t', 1) },
        ],
      });
      expect(decodeConsumerAssignment(synced.assignment).assignedPartitions).toEqual([{ topic: 't', partitions: [0] }]);
      // The silent member's SyncGroup never comes: the rebalance timeout drops it and a rebalance starts.
      const start = Date.now();
      await waitFor('the silent member to be dropped', async () => {
        const g = await describeGroup(groupId);
        return g.members.length === 1 ? g : undefined;
      });
      // Dropped by the 1 s rebalance timeout, not the 10 s session timeout (the bound that tells them apart).
      expect(Date.now() - start).toBeLessThan(options.sessionTimeoutMs);
      const beat = await conn.send(ApiKey.Heartbeat, 3, { groupId, generationId: 2, memberId: leader.memberId });
      expect(beat.errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      const stale = await silentConn.send(ApiKey.Heartbeat, 3, { groupId, generationId: 2, memberId: silent.memberId });
      expect(stale.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      const third = await rejoin(leader.memberId);
      expect(third).toMatchObject({ errorCode: 0, generationId: 3 });
      expect(third.members.map((m) => m.memberId)).toEqual([leader.memberId]);
    } finally {
      silentConn.close();
    }
  });

  test('a member that stops heartbeating is removed when its session times out', async () => {
    const groupId = 'goes-quiet';
    await findCoordinator(conn, groupId);
    const member = await join(conn, groupId, 5, { sessionTimeoutMs: 600 });
    // The sync's own answer says the group reached Stable: a describe after it could already see the
    // 600 ms session lapse on a busy machine.
    const synced = await conn.send(ApiKey.SyncGroup, 3, { groupId, generationId: 1, memberId: member.memberId, assignments: [] });
    expect(synced.errorCode).toBe(0);
    await waitFor('the group to empty', async () => ((await describeGroup(groupId)).groupState === 'Empty' ? true : undefined), 5_000);
    expect((await conn.send(ApiKey.Heartbeat, 3, { groupId, generationId: 1, memberId: member.memberId })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('after all of that the broker still serves groups', async () => {
    const member = await join(conn, 'healthy', 9);
    expect(member.errorCode).toBe(0);
  });
});
