// Share groups (KIP-932) on the wire, request by request: membership epochs and their refusals, share
// session epochs, acquisition and acknowledgement with Kafka's error codes for records a member does
// not hold, ListGroups' share type, ShareGroupDescribe of an unknown id, the offsets admin APIs (describe with
// the lag, reset and delete of an empty group's offsets). Real clients: compat/kafka/share-groups.test.ts.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { produceRecords } from '../../../src/kafka/client/producer.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { waitFor } from './groups-harness.js';

let broker: TestBroker;
let conn: KafkaConnection;
let topicId: string;
const GROUP = 'sg-wire';

beforeAll(async () => {
  broker = await startTestBroker({ 'offsets.topic.num.partitions': '1', 'share.auto.offset.reset': 'earliest', 'group.share.record.lock.duration.ms': '1000' });
  conn = await KafkaConnection.connect(broker.bootstrap, { clientId: 'share-test' });
  const created = await conn.send(ApiKey.CreateTopics, 7, { topics: [{ name: 'sq', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  expect(created.topics[0]!.errorCode).toBe(0);
  topicId = created.topics[0]!.topicId;
  await produceRecords(conn, 'sq', 0, Array.from({ length: 10 }, (_, i) => ({ value: Buffer.from(`v${i}`) })));
});
afterAll(async () => {
  conn.close();
  await broker.close();
});

const heartbeat = (memberId: string, memberEpoch: number, subscribedTopicNames: string[] | null = ['sq'], groupId = GROUP) =>
  conn.send(ApiKey.ShareGroupHeartbeat, 1, { groupId, memberId, memberEpoch, rackId: null, subscribedTopicNames });

/** The first heartbeat of the broker's first group waits while __consumer_offsets is created and loaded, as a client retries. */
async function firstHeartbeat(memberId: string) {
  for (;;) {
    const r = await heartbeat(memberId, 0);
    if (r.errorCode !== ErrorCode.COORDINATOR_NOT_AVAILABLE && r.errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return r;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function fetch(c: KafkaConnection, memberId: string, shareSessionEpoch: number, acks: { first: number; last: number; type: number }[] = [], maxRecords = 4, groupId = GROUP) {
  return c.send(ApiKey.ShareFetch, 2, {
    groupId,
    memberId,
    shareSessionEpoch,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    maxRecords,
    batchSize: maxRecords,
    shareAcquireMode: 1,
    isRenewAck: false,
    topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: acks.map((a) => ({ firstOffset: a.first, lastOffset: a.last, acknowledgeTypes: [a.type] })) }] }],
    forgottenTopicsData: [],
  });
}

const acknowledge = (c: KafkaConnection, memberId: string, shareSessionEpoch: number, first: number, last: number, type: number) =>
  c.send(ApiKey.ShareAcknowledge, 2, { groupId: GROUP, memberId, shareSessionEpoch, isRenewAck: false, topics: [{ topicId, partitions: [{ partitionIndex: 0, acknowledgementBatches: [{ firstOffset: first, lastOffset: last, acknowledgeTypes: [type] }] }] }] });

test('membership: join at epoch 0 gets the partition, a stale epoch is fenced, an unknown member refused, leaving at -1', async () => {
  const a = await firstHeartbeat('member-a');
  expect(a.errorCode).toBe(ErrorCode.NONE);
  expect(a.memberEpoch).toBeGreaterThan(0);
  expect(a.assignment?.topicPartitions).toEqual([{ topicId, partitions: [0] }]);
  const b = await heartbeat('member-b', 0);
  // Both share the only partition: a share group gives every member work.
  expect(b.assignment?.topicPartitions).toEqual([{ topicId, partitions: [0] }]);
  expect((await heartbeat('member-a', a.memberEpoch + 5, null)).errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
  expect((await heartbeat('member-x', 3, null)).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  expect((await heartbeat('member-c', 0, null)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  // member-a's next heartbeat with its epoch moves it to the group's new epoch (b joined).
  const again = await heartbeat('member-a', a.memberEpoch, null);
  expect(again.errorCode).toBe(ErrorCode.NONE);
  expect(again.memberEpoch).toBeGreaterThan(a.memberEpoch);
  const described = await conn.send(ApiKey.ShareGroupDescribe, 1, { groupIds: [GROUP, 'no-such-share-group'], includeAuthorizedOperations: false });
  expect(described.groups.map((g) => g.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.GROUP_ID_NOT_FOUND]);
  expect(described.groups[0]!.members.map((m) => m.memberId).sort()).toEqual(['member-a', 'member-b']);
  const listed = await conn.send(ApiKey.ListGroups, 5, { statesFilter: [], typesFilter: ['share'] });
  expect(listed.groups).toContainEqual({ groupId: GROUP, protocolType: 'share', groupState: 'Stable', groupType: 'share' });
  expect((await heartbeat('member-b', -1, null)).memberEpoch).toBe(-1);
});

test('share sessions and acknowledgements: one holder per record, refusals for records not held, release and lock expiry redeliver', async () => {
  const other = await KafkaConnection.connect(broker.bootstrap, { clientId: 'share-test-2' });
  try {
    // An epoch before the session opened, and acknowledging at epoch 0, are refused.
    expect((await fetch(conn, 'm1', 5)).errorCode).toBe(ErrorCode.SHARE_SESSION_NOT_FOUND);
    expect((await acknowledge(conn, 'm1', 0, 0, 0, 1)).errorCode).toBe(ErrorCode.INVALID_SHARE_SESSION_EPOCH);
    expect((await fetch(conn, 'm1', 0, [{ first: 0, last: 0, type: 1 }])).errorCode).toBe(ErrorCode.INVALID_REQUEST);

    const first = await fetch(conn, 'm1', 0);
    expect(first.errorCode).toBe(ErrorCode.NONE);
    expect(first.responses[0]!.partitions[0]!.acquiredRecords).toEqual([{ firstOffset: 0, lastOffset: 3, deliveryCount: 1 }]);
    const second = await fetch(other, 'm2', 0);
    expect(second.responses[0]!.partitions[0]!.acquiredRecords).toEqual([{ firstOffset: 4, lastOffset: 7, deliveryCount: 1 }]);
    // A replayed epoch is refused and changes nothing.
    expect((await fetch(conn, 'm1', 5)).errorCode).toBe(ErrorCode.INVALID_SHARE_SESSION_EPOCH);
    // m2 cannot acknowledge m1's records.
    const stolen = await acknowledge(other, 'm2', 1, 0, 0, 1);
    expect(stolen.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_RECORD_STATE);
    // m1 accepts 0-1 and releases 2-3 (piggybacked on its next fetch, which gets 2-3 again, delivery 2).
    const next = await fetch(conn, 'm1', 1, [{ first: 0, last: 1, type: 1 }, { first: 2, last: 3, type: 2 }]);
    const p = next.responses[0]!.partitions[0]!;
    expect(p.acknowledgeErrorCode).toBe(ErrorCode.NONE);
    expect(p.acquiredRecords).toEqual([
      { firstOffset: 2, lastOffset: 3, deliveryCount: 2 },
      { firstOffset: 8, lastOffset: 9, deliveryCount: 1 },
    ]);
    expect((await acknowledge(conn, 'm1', 2, 2, 3, 1)).responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    // Accepting again what is already accepted is refused.
    expect((await acknowledge(conn, 'm1', 3, 0, 0, 1)).responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_RECORD_STATE);
    expect((await acknowledge(conn, 'm1', 4, 8, 9, 1)).responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    // m2 never acknowledges: its locks (1 s here) run out and 4-7 are offered again.
    const deadline = Date.now() + 10_000;
    let redelivered: { firstOffset: number; lastOffset: number; deliveryCount: number }[] = [];
    let epoch = 5;
    while (redelivered.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      redelivered = (await fetch(conn, 'm1', epoch++)).responses[0]?.partitions[0]?.acquiredRecords ?? [];
    }
    expect(redelivered).toEqual([{ firstOffset: 4, lastOffset: 7, deliveryCount: 2 }]);
    // Closing the session (epoch -1, here accepting 4 on the way) releases what m1 still holds, at once.
    const closed = await acknowledge(conn, 'm1', -1, 4, 4, 1);
    expect(closed.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    const reopened = await fetch(other, 'm2', 0);
    expect(reopened.responses[0]!.partitions[0]!.acquiredRecords).toEqual([{ firstOffset: 5, lastOffset: 7, deliveryCount: 3 }]);
  } finally {
    other.close();
  }
});

test('an unknown topic id is refused per partition', async () => {
  const r = await conn.send(ApiKey.ShareFetch, 1, {
    groupId: GROUP,
    memberId: 'm9',
    shareSessionEpoch: 0,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    maxRecords: 10,
    batchSize: 10,
    topics: [{ topicId: '0123456789abcdef0123456789abcdef', partitions: [{ partitionIndex: 0, acknowledgementBatches: [] }] }],
    forgottenTopicsData: [],
  });
  expect(r.errorCode).toBe(ErrorCode.NONE);
  expect(r.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
});

test('DescribeShareGroupOffsets: the share-partition start offset, -1 where the group never fetched, GROUP_ID_NOT_FOUND', async () => {
  const all = await conn.send(ApiKey.DescribeShareGroupOffsets, 0, { groups: [{ groupId: GROUP, topics: null }, { groupId: 'no-such-share-group', topics: null }] });
  expect(all.groups[0]!.errorCode).toBe(ErrorCode.NONE);
  // 0-4 and 8-9 are accepted, 5-7 still held by m2: the start is 5.
  expect(all.groups[0]!.topics).toEqual([{ topicName: 'sq', topicId, partitions: [{ partitionIndex: 0, startOffset: 5, leaderEpoch: 0, lag: -1, errorCode: 0, errorMessage: null }] }]);
  expect(all.groups[1]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  const named = await conn.send(ApiKey.DescribeShareGroupOffsets, 0, { groups: [{ groupId: GROUP, topics: [{ topicName: 'sq', partitions: [0, 7] }] }] });
  expect(named.groups[0]!.topics[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode])).toEqual([
    [0, ErrorCode.NONE],
    [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
  ]);
});

test('DescribeShareGroupOffsets v1 lag; AlterShareGroupOffsets and DeleteShareGroupOffsets of an empty group, refused while it has members', async () => {
  // 5-7 are held by m2 (not done), 8-9 accepted, the high watermark 10: three records to go.
  const v1 = await conn.send(ApiKey.DescribeShareGroupOffsets, 1, { groups: [{ groupId: GROUP, topics: [{ topicName: 'sq', partitions: [0] }] }] });
  expect(v1.groups[0]!.topics[0]!.partitions[0]).toMatchObject({ startOffset: 5, lag: 3, errorCode: ErrorCode.NONE });

  const alter = (startOffset: number, topicName = 'sq') => conn.send(ApiKey.AlterShareGroupOffsets, 0, { groupId: GROUP, topics: [{ topicName, partitions: [{ partitionIndex: 0, startOffset }] }] });
  const busy = await alter(2);
  expect(busy.errorCode).toBe(ErrorCode.NON_EMPTY_GROUP);
  expect(busy.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NON_EMPTY_GROUP);
  expect((await conn.send(ApiKey.DeleteShareGroupOffsets, 0, { groupId: GROUP, topics: [{ topicName: 'sq' }] })).errorCode).toBe(ErrorCode.NON_EMPTY_GROUP);
  expect((await heartbeat('member-a', -1, null)).memberEpoch).toBe(-1);

  expect((await alter(-3)).responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  expect((await alter(2, 'no-such-topic')).responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const reset = await alter(2);
  expect(reset.errorCode).toBe(ErrorCode.NONE);
  expect(reset.responses).toEqual([{ topicName: 'sq', topicId, partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE, errorMessage: null }] }]);
  const described = await conn.send(ApiKey.DescribeShareGroupOffsets, 1, { groups: [{ groupId: GROUP, topics: [{ topicName: 'sq', partitions: [0] }] }] });
  expect(described.groups[0]!.topics[0]!.partitions[0]).toMatchObject({ startOffset: 2, lag: 8 });
  // The next session starts from the reset: 2 on, each record a first delivery again.
  const fresh = await fetch(conn, 'm5', 0);
  expect(fresh.responses[0]!.partitions[0]!.acquiredRecords).toEqual([{ firstOffset: 2, lastOffset: 5, deliveryCount: 1 }]);

  const deleted = await conn.send(ApiKey.DeleteShareGroupOffsets, 0, { groupId: GROUP, topics: [{ topicName: 'sq' }, { topicName: 'no-such-topic' }] });
  expect(deleted.errorCode).toBe(ErrorCode.NONE);
  expect(deleted.responses.map((t) => [t.topicName, t.errorCode])).toEqual([
    ['sq', ErrorCode.NONE],
    ['no-such-topic', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
  ]);
  const gone = await conn.send(ApiKey.DescribeShareGroupOffsets, 1, { groups: [{ groupId: GROUP, topics: [{ topicName: 'sq', partitions: [0] }] }] });
  expect(gone.groups[0]!.topics[0]!.partitions[0]).toMatchObject({ startOffset: -1, lag: -1 });
  // Deleted: the partition starts over as new to the group (share.auto.offset.reset=earliest here).
  const again = await fetch(conn, 'm5', 1);
  expect(again.responses[0]!.partitions[0]!.acquiredRecords).toEqual([{ firstOffset: 0, lastOffset: 3, deliveryCount: 1 }]);
});

test('DeleteGroups of a share group deletes its share-partition state: the id used again starts per share.auto.offset.reset', async () => {
  const group = 'sg-deleted';
  const joined = await heartbeat('d1', 0, ['sq'], group);
  expect(joined.assignment?.topicPartitions).toEqual([{ topicId, partitions: [0] }]);
  // Every record taken and accepted: the group's share-partition starts at the log end.
  const taken = await fetch(conn, 'd1', 0, [], 10, group);
  expect(taken.responses[0]!.partitions[0]!.acquiredRecords).toEqual([{ firstOffset: 0, lastOffset: 9, deliveryCount: 1 }]);
  expect((await fetch(conn, 'd1', 1, [{ first: 0, last: 9, type: 1 }], 10, group)).responses[0]!.partitions[0]!.acknowledgeErrorCode).toBe(ErrorCode.NONE);
  const state = () => conn.send(ApiKey.ReadShareGroupState, 0, { groupId: group, topics: [{ topicId, partitions: [{ partition: 0, leaderEpoch: -1 }] }] }).then((r) => r.results[0]!.partitions[0]!);
  expect(await state()).toMatchObject({ errorCode: ErrorCode.NONE, startOffset: 10 });
  const deleteGroup = async () => (await conn.send(ApiKey.DeleteGroups, 2, { groupsNames: [group] })).results;
  expect(await deleteGroup()).toEqual([{ groupId: group, errorCode: ErrorCode.NON_EMPTY_GROUP }]);
  expect((await heartbeat('d1', -1, null, group)).memberEpoch).toBe(-1);
  expect(await deleteGroup()).toEqual([{ groupId: group, errorCode: ErrorCode.NONE }]);
  // Gone with the group (Kafka deletes it with DeleteShareGroupState before the tombstones).
  expect(await state()).toMatchObject({ errorCode: ErrorCode.NONE, startOffset: -1 });
  expect(await deleteGroup()).toEqual([{ groupId: group, errorCode: ErrorCode.GROUP_ID_NOT_FOUND }]);
  // A new group of the same id reads from the start again (earliest here), each record a first delivery.
  const back = await heartbeat('d2', 0, ['sq'], group);
  expect(back.assignment?.topicPartitions).toEqual([{ topicId, partitions: [0] }]);
  const again = await fetch(conn, 'd2', 0, [], 10, group);
  expect(again.responses[0]!.partitions[0]!.acquiredRecords).toEqual([{ firstOffset: 0, lastOffset: 9, deliveryCount: 1 }]);
  expect((await heartbeat('d2', -1, null, group)).memberEpoch).toBe(-1);
  // DeleteShareGroupOffsets takes the topic out of the group's share-partitions; a reset brings it back,
  // so DeleteGroups deletes the state the reset wrote.
  const deleteOffsets = await conn.send(ApiKey.DeleteShareGroupOffsets, 0, { groupId: group, topics: [{ topicName: 'sq' }] });
  expect(deleteOffsets.responses.map((t) => t.errorCode)).toEqual([ErrorCode.NONE]);
  const alter = await conn.send(ApiKey.AlterShareGroupOffsets, 0, { groupId: group, topics: [{ topicName: 'sq', partitions: [{ partitionIndex: 0, startOffset: 6 }] }] });
  expect(alter.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
  expect(await state()).toMatchObject({ errorCode: ErrorCode.NONE, startOffset: 6 });
  expect(await deleteGroup()).toEqual([{ groupId: group, errorCode: ErrorCode.NONE }]);
  expect(await state()).toMatchObject({ errorCode: ErrorCode.NONE, startOffset: -1 });
});

test("deleting a topic deletes share groups' state of it and takes it out of their record 15", async () => {
  const group = 'sg-topic-gone';
  const created = await conn.send(ApiKey.CreateTopics, 7, { topics: [{ name: 'sq-gone', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  const goneId = created.topics[0]!.topicId;
  expect((await heartbeat('g1', 0, ['sq-gone'], group)).assignment?.topicPartitions).toEqual([{ topicId: goneId, partitions: [0, 1] }]);
  expect((await heartbeat('g1', -1, null, group)).memberEpoch).toBe(-1);
  const alter = await conn.send(ApiKey.AlterShareGroupOffsets, 0, { groupId: group, topics: [{ topicName: 'sq-gone', partitions: [{ partitionIndex: 0, startOffset: 0 }, { partitionIndex: 1, startOffset: 0 }] }] });
  expect(alter.responses[0]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
  const starts = async () => (await conn.send(ApiKey.ReadShareGroupState, 0, { groupId: group, topics: [{ topicId: goneId, partitions: [{ partition: 0, leaderEpoch: -1 }, { partition: 1, leaderEpoch: -1 }] }] })).results[0]!.partitions.map((p) => p.startOffset);
  expect(await starts()).toEqual([0, 0]);
  expect((await conn.send(ApiKey.DeleteTopics, 4, { topicNames: ['sq-gone'], timeoutMs: 5_000 })).responses[0]!.errorCode).toBe(ErrorCode.NONE);
  // The state goes after the topic, in the background, as in Kafka.
  await waitFor("the deleted topic's share-partition state to be deleted", async () => ((await starts()).every((s) => s === -1) ? true : undefined));
  expect((await conn.send(ApiKey.DeleteGroups, 2, { groupsNames: [group] })).results[0]!.errorCode).toBe(ErrorCode.NONE);
});

test("the share coordinator's inter-broker APIs: state written and read back, bad batches refused, older leader and state epochs fenced", async () => {
  const key = { groupId: 'sg-state', topicId: '0123456789abcdef0123456789abcdef' };
  const write = (leaderEpoch: number, stateEpoch: number, stateBatches: { firstOffset: number; lastOffset: number; deliveryState: number; deliveryCount: number }[], startOffset = 10) =>
    conn.send(ApiKey.WriteShareGroupState, 0, { groupId: key.groupId, topics: [{ topicId: key.topicId, partitions: [{ partition: 3, stateEpoch, leaderEpoch, startOffset, stateBatches }] }] }).then((r) => r.results[0]!.partitions[0]!.errorCode);
  const read = (leaderEpoch: number) => conn.send(ApiKey.ReadShareGroupState, 0, { groupId: key.groupId, topics: [{ topicId: key.topicId, partitions: [{ partition: 3, leaderEpoch }] }] }).then((r) => r.results[0]!.partitions[0]!);
  // A share-partition never written reads as none (start -1); the first read may wait for the topic to be made.
  const first = await waitForState(() => read(5));
  expect(first).toMatchObject({ startOffset: -1, stateBatches: [] });
  const batches = [{ firstOffset: 10, lastOffset: 12, deliveryState: 2, deliveryCount: 1 }, { firstOffset: 13, lastOffset: 13, deliveryState: 0, deliveryCount: 2 }];
  expect(await write(5, 1, batches)).toBe(ErrorCode.NONE);
  expect(await read(5)).toMatchObject({ errorCode: ErrorCode.NONE, stateEpoch: 1, startOffset: 10, stateBatches: batches });
  // Overlapping, below the start, or of an unknown state: INVALID_REQUEST, nothing written.
  expect(await write(5, 1, [batches[0]!, batches[0]!])).toBe(ErrorCode.INVALID_REQUEST);
  expect(await write(5, 1, [{ firstOffset: 2, lastOffset: 3, deliveryState: 2, deliveryCount: 1 }])).toBe(ErrorCode.INVALID_REQUEST);
  expect(await write(5, 1, [{ firstOffset: 10, lastOffset: 10, deliveryState: 7, deliveryCount: 1 }])).toBe(ErrorCode.INVALID_REQUEST);
  // A deposed leader (older leader epoch) and an older state epoch are fenced; a newer leader's read fences older writers.
  expect(await write(4, 1, [])).toBe(ErrorCode.FENCED_LEADER_EPOCH);
  expect(await write(5, 0, [])).toBe(ErrorCode.FENCED_STATE_EPOCH);
  expect((await read(7)).errorCode).toBe(ErrorCode.NONE);
  expect(await write(6, 1, [])).toBe(ErrorCode.FENCED_LEADER_EPOCH);
  expect((await read(6)).errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
  expect(await read(7)).toMatchObject({ stateEpoch: 1, startOffset: 10, stateBatches: batches });
});

/** Asks again while the share coordinator's topic is made and loaded, as a partition leader retries. */
async function waitForState<T extends { errorCode: number }>(ask: () => Promise<T>): Promise<T> {
  for (;;) {
    const r = await ask();
    if (r.errorCode !== ErrorCode.COORDINATOR_NOT_AVAILABLE && r.errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return r;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
