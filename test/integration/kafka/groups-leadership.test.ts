// A broker serves the groups of a __consumer_offsets partition only while it leads it: resigning drops
// them from memory (their records stay in the log) and answers their members NOT_COORDINATOR; being
// elected again reads them back, answering COORDINATOR_LOAD_IN_PROGRESS meanwhile; a load overtaken by a
// later resignation never installs its groups.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { partitionForGroup } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { assignment, findCoordinator, join, waitFor } from './groups-harness.js';

const PARTITIONS = 3;
const GROUP = 'moving';
const PARTITION = partitionForGroup(GROUP, PARTITIONS);
/** A group on another partition, which stays served throughout. */
const STAYING = ['staying-0', 'staying-1', 'staying-2', 'staying-3'].find((g) => partitionForGroup(g, PARTITIONS) !== PARTITION)!;

let broker: TestBroker;
let conn: KafkaConnection;

beforeAll(async () => {
  broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': String(PARTITIONS) });
  conn = await KafkaConnection.connect(broker.bootstrap, { clientId: 'leadership' });
  await conn.send(ApiKey.CreateTopics, 4, { topics: [{ name: 't', numPartitions: 2, replicationFactor: 1 }], timeoutMs: 5_000 });
});

afterAll(async () => {
  conn.close();
  await broker.close();
});

function commit(groupId: string, generationIdOrMemberEpoch: number, memberId: string, offsets: number[]) {
  return conn.send(ApiKey.OffsetCommit, 8, {
    groupId,
    generationIdOrMemberEpoch,
    memberId,
    topics: [{ name: 't', partitions: offsets.map((committedOffset, partitionIndex) => ({ partitionIndex, committedOffset, committedMetadata: null })) }],
  });
}

/** OffsetFetch v8 for both groups in one request: each answered on its own. */
async function fetchBoth() {
  const r = await conn.send(ApiKey.OffsetFetch, 8, {
    groups: [
      { groupId: GROUP, topics: [{ name: 't', partitionIndexes: [0, 1] }] },
      { groupId: STAYING, topics: [{ name: 't', partitionIndexes: [0, 1] }] },
    ],
    requireStable: false,
  });
  return r.groups.map((g) => ({ groupId: g.groupId, errorCode: g.errorCode, offsets: g.topics.flatMap((t) => t.partitions.map((p) => p.committedOffset)) }));
}

test('resignation unloads a partition, re-election reloads it, and a stale load is abandoned', async () => {
  const { groups } = broker.broker;
  await findCoordinator(conn, GROUP);
  const member = await join(conn, GROUP, 5);
  await conn.send(ApiKey.SyncGroup, 3, { groupId: GROUP, generationId: 1, memberId: member.memberId, assignments: [{ memberId: member.memberId, assignment: assignment('t', 0, 1) }] });
  expect((await commit(GROUP, 1, member.memberId, [10, 20])).topics[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0]);
  expect((await commit(STAYING, -1, '', [1, 2])).topics[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0]);

  // A second member's JoinGroup parks, waiting for the first to rejoin.
  const other = await KafkaConnection.connect(broker.bootstrap, { clientId: 'second' });
  const parked = join(other, GROUP, 5);
  await waitFor('the rebalance', () => (groups.snapshot().find((g) => g.groupId === GROUP)?.state === 'PreparingRebalance' ? true : undefined));
  const log = broker.broker.replicas.partition('__consumer_offsets', PARTITION)!.log;
  const logEnd = log.logEndOffset;

  groups.onResignation(PARTITION, 1);
  expect(await parked).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR });
  other.close();
  expect(groups.snapshot().map((g) => g.groupId)).toEqual([STAYING]);
  expect(log.logEndOffset).toBe(logEnd);
  expect((await conn.send(ApiKey.Heartbeat, 4, { groupId: GROUP, generationId: 1, memberId: member.memberId })).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  expect((await commit(GROUP, 1, member.memberId, [11, 21])).topics[0]!.partitions.map((p) => p.errorCode)).toEqual([
    ErrorCode.NOT_COORDINATOR,
    ErrorCode.NOT_COORDINATOR,
  ]);
  expect((await conn.send(ApiKey.DescribeGroups, 5, { groups: [GROUP, STAYING] })).groups.map((g) => g.errorCode)).toEqual([ErrorCode.NOT_COORDINATOR, ErrorCode.NONE]);
  expect(await fetchBoth()).toEqual([
    { groupId: GROUP, errorCode: ErrorCode.NOT_COORDINATOR, offsets: [] },
    { groupId: STAYING, errorCode: ErrorCode.NONE, offsets: [1, 2] },
  ]);

  // Elected again: loading until read back, then the group is back with its offsets.
  const reloaded = groups.onElection(PARTITION, 2);
  expect(groups.state).toBe('loading');
  // Asked of the service directly, before the (short) load can finish.
  const duringLoad = [
    groups.offsetFetch({ groups: [{ groupId: GROUP, topics: null }], requireStable: false }),
    groups.listGroups({ statesFilter: [] }),
    groups.heartbeat({ groupId: GROUP, generationId: 1, memberId: member.memberId, groupInstanceId: null }),
  ] as const;
  expect((await duringLoad[0]).groups[0]!.errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  // The groups of loaded partitions are listed, flagged incomplete.
  expect(await duringLoad[1]).toMatchObject({ errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [{ groupId: STAYING }] });
  expect((await duringLoad[2]).errorCode).toBe(ErrorCode.NONE);
  await reloaded;
  expect(groups.state).toBe('ready');
  expect(await fetchBoth()).toEqual([
    { groupId: GROUP, errorCode: ErrorCode.NONE, offsets: [10, 20] },
    { groupId: STAYING, errorCode: ErrorCode.NONE, offsets: [1, 2] },
  ]);
  // The member the group had when it was unloaded comes back with it and may carry on.
  expect((await conn.send(ApiKey.Heartbeat, 4, { groupId: GROUP, generationId: 1, memberId: member.memberId })).errorCode).toBe(ErrorCode.NONE);

  // A load overtaken by a resignation (a later epoch) installs nothing when it finishes.
  groups.onResignation(PARTITION, 3);
  const stale = groups.onElection(PARTITION, 4);
  groups.onResignation(PARTITION, 5);
  await stale;
  expect(groups.snapshot().map((g) => g.groupId)).toEqual([STAYING]);
  expect((await fetchBoth())[0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  // An election older than the resignation is ignored too.
  await groups.onElection(PARTITION, 4);
  expect((await fetchBoth())[0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);

  await groups.onElection(PARTITION, 6);
  expect((await fetchBoth())[0]).toEqual({ groupId: GROUP, errorCode: ErrorCode.NONE, offsets: [10, 20] });
});
