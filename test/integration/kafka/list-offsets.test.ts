// ListOffsets end to end: kafkajs' admin (fetchTopicOffsets, fetchTopicOffsetsByTimestamp) and raw
// requests for every version: earliest, latest, by timestamp, max timestamp (v7), the tiered-storage
// specs of v8-v11 on logs without remote storage (and the versions that may ask them), v0's offset lists.
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { Compression } from '../../../protocol/kafka/records/batch-header.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { listOffset } from '../../../src/kafka/client/consumer.js';
import { produceRecords } from '../../../src/kafka/client/producer.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';

let broker: TestBroker;
let admin: Admin;
let conn: KafkaConnection;
/** Record i of 'timed' partition 0 has timestamp BASE + 1000 * i. */
const BASE = Date.now() - 600_000;

beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false' });
  admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
  conn = await KafkaConnection.connect(broker.bootstrap);
  await admin.createTopics({
    topics: [
      { topic: 'timed', numPartitions: 2 },
      { topic: 'segmented', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: '1000' }] },
    ],
  });
  for (let b = 0; b < 5; b++) {
    // Two records per batch, the second compressed batch a little out of order inside.
    const records = [0, 1].map((j) => ({ value: Buffer.from(`r${2 * b + j}`), timestamp: BASE + 1000 * (2 * b + j) }));
    await produceRecords(conn, 'timed', 0, records, { batch: { compression: b % 2 === 0 ? Compression.None : Compression.Gzip } });
  }
  await produceRecords(conn, 'timed', 1, [{ value: Buffer.from('one') }]);
  for (let i = 0; i < 6; i++) await produceRecords(conn, 'segmented', 0, [{ value: Buffer.alloc(400, i) }]);
});
afterAll(async () => {
  conn.close();
  await admin.disconnect();
  await broker.close();
});

function request(partitions: { topic: string; partition: number; timestamp: number; maxNumOffsets?: number; currentLeaderEpoch?: number }[], isolationLevel = 0) {
  const topics = [...new Set(partitions.map((p) => p.topic))].map((name) => ({
    name,
    partitions: partitions
      .filter((p) => p.topic === name)
      .map((p) => ({ partitionIndex: p.partition, timestamp: p.timestamp, maxNumOffsets: p.maxNumOffsets ?? 1, currentLeaderEpoch: p.currentLeaderEpoch ?? -1 })),
  }));
  return { replicaId: -1, isolationLevel, topics };
}

test('kafkajs fetchTopicOffsets: high and low watermarks per partition', async () => {
  const offsets = await admin.fetchTopicOffsets('timed');
  expect(offsets.sort((a, b) => a.partition - b.partition)).toEqual([
    { partition: 0, offset: '10', high: '10', low: '0' },
    { partition: 1, offset: '1', high: '1', low: '0' },
  ]);
});

test('kafkajs fetchTopicOffsetsByTimestamp: the first record at or after the time, else the end', async () => {
  const at = await admin.fetchTopicOffsetsByTimestamp('timed', BASE + 2500);
  expect(at.find((p) => p.partition === 0)!.offset).toBe('3');
  const future = await admin.fetchTopicOffsetsByTimestamp('timed', Date.now() + 60_000);
  expect(future.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual(['10', '1']);
});

test('by timestamp inside compressed batches, exact ones, and none (-1/-1)', async () => {
  expect(await listOffset(conn, 'timed', 0, BASE + 3000)).toEqual({ offset: 3, timestamp: BASE + 3000, leaderEpoch: 0 });
  expect(await listOffset(conn, 'timed', 0, BASE + 6001)).toEqual({ offset: 7, timestamp: BASE + 7000, leaderEpoch: 0 });
  expect(await listOffset(conn, 'timed', 0, 0)).toEqual({ offset: 0, timestamp: BASE, leaderEpoch: 0 });
  expect(await listOffset(conn, 'timed', 0, Date.now() + 60_000)).toEqual({ offset: -1, timestamp: -1, leaderEpoch: -1 });
});

test('earliest and latest carry no timestamp and the current leader epoch', async () => {
  expect(await listOffset(conn, 'timed', 0, -2)).toEqual({ offset: 0, timestamp: -1, leaderEpoch: 0 });
  expect(await listOffset(conn, 'timed', 0, -1)).toEqual({ offset: 10, timestamp: -1, leaderEpoch: 0 });
  expect(await listOffset(conn, 'timed', 0, -1, { isolationLevel: 1 })).toEqual({ offset: 10, timestamp: -1, leaderEpoch: 0 });
});

test('max timestamp (v7): the record with the largest timestamp; an empty partition has none', async () => {
  expect(await listOffset(conn, 'timed', 0, -3)).toEqual({ offset: 9, timestamp: BASE + 9000, leaderEpoch: 0 });
  await broker.broker.topics.create({ name: 'empty', numPartitions: 1, replicationFactor: 1 });
  expect(await listOffset(conn, 'empty', 0, -3)).toEqual({ offset: -1, timestamp: -1, leaderEpoch: -1 });
  expect(await listOffset(conn, 'empty', 0, -1)).toEqual({ offset: 0, timestamp: -1, leaderEpoch: 0 });
});

test('earliest local (-4, v8+) is the log start and latest tiered (-5, v9+) is -1 with no epoch: nothing is tiered', async () => {
  for (const version of [8, 9, 10, 11]) {
    expect(await listOffset(conn, 'timed', 0, -4, { version })).toEqual({ offset: 0, timestamp: -1, leaderEpoch: 0 });
    if (version >= 9) expect(await listOffset(conn, 'timed', 0, -5, { version })).toEqual({ offset: -1, timestamp: -1, leaderEpoch: -1 });
  }
});

test('earliest pending upload (-6, v11, KIP-1023) is -1 with no epoch: nothing waits for tiered storage', async () => {
  expect(await listOffset(conn, 'timed', 0, -6, { version: 11 })).toEqual({ offset: -1, timestamp: -1, leaderEpoch: -1 });
});

test('a spec older than the version asking, or a negative timestamp that is no spec, is UNSUPPORTED_VERSION for its partition', async () => {
  const refused: [number, number][] = [[6, -3], [7, -4], [8, -5], [10, -6], [11, -7], [1, -100]];
  for (const [version, timestamp] of refused) {
    const response = await conn.send(ApiKey.ListOffsets, version, request([{ topic: 'timed', partition: 0, timestamp }, { topic: 'timed', partition: 1, timestamp: -1 }]));
    expect(response.topics[0]!.partitions.map((p) => [p.errorCode, p.offset]), `v${version} ${timestamp}`).toEqual([
      [ErrorCode.UNSUPPORTED_VERSION, -1],
      [ErrorCode.NONE, 1],
    ]);
  }
  // Checked before leadership, as Kafka checks it: an unknown partition asked a refused spec hears UNSUPPORTED_VERSION.
  const unknown = await conn.send(ApiKey.ListOffsets, 11, request([{ topic: 'timed', partition: 9, timestamp: -8 }]));
  expect(unknown.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
});

test('every version from 1 to 11 answers latest and earliest alike', async () => {
  for (let version = 1; version <= 11; version++) {
    expect((await listOffset(conn, 'timed', 1, -1, { version })).offset).toBe(1);
    expect((await listOffset(conn, 'timed', 1, -2, { version })).offset).toBe(0);
  }
});

test('v0 answers lists: latest then the segment bases, newest first; earliest; at most max_num_offsets', async () => {
  const bases = broker.broker.replicas.partition('segmented', 0)!.log.segmentBaseOffsets();
  expect(bases.length).toBeGreaterThan(2);
  const response = await conn.send(
    ApiKey.ListOffsets,
    0,
    request([
      { topic: 'segmented', partition: 0, timestamp: -1, maxNumOffsets: 100 },
      { topic: 'timed', partition: 0, timestamp: -1, maxNumOffsets: 1 },
      { topic: 'timed', partition: 1, timestamp: -2, maxNumOffsets: 5 },
    ]),
  );
  const [segmented, timed] = response.topics;
  const expected = [...new Set([6, ...bases])].sort((a, b) => b - a);
  expect(segmented!.partitions[0]).toMatchObject({ errorCode: 0, oldStyleOffsets: expected });
  expect(timed!.partitions.map((p) => p.oldStyleOffsets)).toEqual([[10], [0]]);
});

test('a partition named twice is INVALID_REQUEST; unknown ones and stale epochs get their errors', async () => {
  const response = await conn.send(
    ApiKey.ListOffsets,
    7,
    request([
      { topic: 'timed', partition: 1, timestamp: -1 },
      { topic: 'timed', partition: 1, timestamp: -2 },
      { topic: 'timed', partition: 0, timestamp: -1, currentLeaderEpoch: 3 },
      { topic: 'timed', partition: 9, timestamp: -1 },
      { topic: 'unknown', partition: 0, timestamp: -1 },
    ]),
  );
  expect(response.topics.map((t) => t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.offset]))).toEqual([
    [
      [1, ErrorCode.INVALID_REQUEST, -1],
      [1, ErrorCode.INVALID_REQUEST, -1],
      [0, ErrorCode.UNKNOWN_LEADER_EPOCH, -1],
      [9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1],
    ],
    [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1]],
  ]);
});

test('the earliest offset follows DeleteRecords', async () => {
  await broker.broker.replicas.partition('segmented', 0)!.log.deleteRecordsBefore(4);
  expect((await listOffset(conn, 'segmented', 0, -2)).offset).toBe(4);
  expect((await listOffset(conn, 'segmented', 0, -4, { version: 10 })).offset).toBe(4);
  const [offsets] = await admin.fetchTopicOffsets('segmented');
  expect(offsets).toMatchObject({ low: '4', high: '6' });
});
