// OffsetCommit v9-10 and OffsetFetch v9-10 as Kafka 4.x clients send them: v9's member epoch is the
// generation of a classic group, a commit claiming a generation of a group the coordinator does not have
// is GROUP_ID_NOT_FOUND from v9 (ILLEGAL_GENERATION before), and v10 names topics by id with
// UNKNOWN_TOPIC_ID for an id no topic has.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { waitFor } from './groups-harness.js';

let broker: TestBroker;
let conn: KafkaConnection;
const UNKNOWN = 'ffffffffffffffffffffffffffffffff';

beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false', 'offsets.topic.num.partitions': '1' });
  conn = await KafkaConnection.connect(broker.bootstrap);
  await broker.broker.topics.create({ name: 'ids', numPartitions: 2, replicationFactor: 1 });
  await broker.broker.topics.create({ name: 'names', numPartitions: 1, replicationFactor: 1 });
  // The first commit creates __consumer_offsets; its coordinator answers once the partition is loaded.
  await waitFor('the group coordinator', async () => {
    const r = await conn.send(ApiKey.OffsetCommit, 8, { groupId: 'warm-up', generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 'names', partitions: [partition(0, 0)] }] });
    return r.topics[0]!.partitions[0]!.errorCode === ErrorCode.NONE ? true : undefined;
  });
});
afterAll(async () => {
  conn.close();
  await broker.close();
});

const idOf = (name: string): string => broker.broker.topics.get(name)!.topicId;
const partition = (partitionIndex: number, committedOffset: number) => ({ partitionIndex, committedOffset, committedLeaderEpoch: -1, committedMetadata: 'm' });

test('v9 and before: a commit claiming a generation of a group the coordinator does not have', async () => {
  const commit = (version: number) =>
    conn.send(ApiKey.OffsetCommit, version, { groupId: `no-group-v${version}`, generationIdOrMemberEpoch: 3, memberId: 'm', topics: [{ name: 'names', partitions: [partition(0, 1)] }] });
  expect((await commit(8)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
  expect((await commit(9)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
});

test('v10 commits by topic id; OffsetFetch v10 reads back by id, v9 by name; unknown ids are UNKNOWN_TOPIC_ID', async () => {
  const committed = await conn.send(ApiKey.OffsetCommit, 10, {
    groupId: 'by-id',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    topics: [
      { topicId: idOf('ids'), partitions: [partition(0, 5), partition(1, 7), partition(9, 1)] },
      { topicId: UNKNOWN, partitions: [partition(0, 1)] },
    ],
  });
  expect(committed.topics.map((t) => [t.topicId, t.partitions.map((p) => [p.partitionIndex, p.errorCode])])).toEqual([
    [idOf('ids'), [[0, ErrorCode.NONE], [1, ErrorCode.NONE], [9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
    [UNKNOWN, [[0, ErrorCode.UNKNOWN_TOPIC_ID]]],
  ]);

  const byId = await conn.send(ApiKey.OffsetFetch, 10, {
    groups: [{ groupId: 'by-id', memberId: null, memberEpoch: -1, topics: [{ topicId: idOf('ids'), partitionIndexes: [1, 0] }, { topicId: UNKNOWN, partitionIndexes: [3] }] }],
    requireStable: true,
  });
  expect(byId.groups[0]!.errorCode).toBe(ErrorCode.NONE);
  expect(byId.groups[0]!.topics.map((t) => [t.topicId, t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.errorCode])])).toEqual([
    [idOf('ids'), [[1, 7, 0], [0, 5, 0]]],
    [UNKNOWN, [[3, -1, ErrorCode.UNKNOWN_TOPIC_ID]]],
  ]);

  // Every topic the group committed (null topics), by id.
  const all = await conn.send(ApiKey.OffsetFetch, 10, { groups: [{ groupId: 'by-id', memberId: null, memberEpoch: -1, topics: null }], requireStable: false });
  expect(all.groups[0]!.topics.map((t) => [t.topicId, t.partitions.map((p) => [p.partitionIndex, p.committedOffset]).sort()])).toEqual([[idOf('ids'), [[0, 5], [1, 7]]]]);

  // v9 names the same offsets by name; its member id and epoch mean nothing to a classic group.
  const byName = await conn.send(ApiKey.OffsetFetch, 9, { groups: [{ groupId: 'by-id', memberId: 'someone', memberEpoch: 12, topics: [{ name: 'ids', partitionIndexes: [0] }] }], requireStable: false });
  expect(byName.groups[0]!.topics.map((t) => [t.name, t.partitions])).toEqual([['ids', [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, metadata: 'm', errorCode: 0 }]]]);
});
