// DescribeTopicPartitions (75) and DescribeLogDirs (35) against an in-process broker, raw requests: the
// pages and cursors Kafka's handler gives (all topics, named ones, a page that fills up at a topic's end,
// the broker's cap on a client's limit), its refusals, and the log dirs with each partition's size as
// its segment files hold it.
import { readdirSync, statfsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { produceRecords } from '../../../src/kafka/client/producer.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';

let broker: TestBroker;
let conn: KafkaConnection;
const SIZES = { a: 3, b: 2, c: 1 };
/** The broker's max.request.partition.size.limit: below the 6 partitions there are. */
const BROKER_LIMIT = 4;

beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false', 'max.request.partition.size.limit': String(BROKER_LIMIT) });
  conn = await KafkaConnection.connect(broker.bootstrap);
  for (const [name, numPartitions] of Object.entries(SIZES)) {
    const r = await conn.send(ApiKey.CreateTopics, 7, { topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    expect(r.topics[0]!.errorCode).toBe(ErrorCode.NONE);
  }
  await produceRecords(conn, 'a', 0, Array.from({ length: 20 }, (_, i) => ({ value: Buffer.alloc(100, i) })));
  await produceRecords(conn, 'a', 2, [{ value: Buffer.from('one') }]);
});
afterAll(async () => {
  conn?.close();
  await broker?.close();
});

type Cursor = { topicName: string; partitionIndex: number } | null;

function describeTopics(names: string[], limit: number, cursor: Cursor = null) {
  return conn.send(ApiKey.DescribeTopicPartitions, 0, { topics: names.map((name) => ({ name })), responsePartitionLimit: limit, cursor });
}

/** The (topic, partition) pairs of one answer. */
async function page(names: string[], limit: number, cursor: Cursor = null): Promise<{ got: string[]; next: Cursor }> {
  const r = await describeTopics(names, limit, cursor);
  return { got: r.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}`)), next: r.nextCursor };
}

test('DescribeTopicPartitions: every topic, described as Metadata describes it, with empty ELR lists', async () => {
  const meta = await conn.send(ApiKey.Metadata, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: true });
  const first = await describeTopics([], 3);
  expect(first.topics.map((t) => t.name)).toEqual(['a']);
  const a = first.topics[0]!;
  const metaA = meta.topics.find((t) => t.name === 'a')!;
  expect(a.topicId).toBe(metaA.topicId);
  expect(a.topicId).not.toBe(ZERO_UUID);
  expect(a.isInternal).toBe(false);
  expect(a.topicAuthorizedOperations).toBe(metaA.topicAuthorizedOperations);
  expect(a.partitions).toEqual(
    metaA.partitions.map((p) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: p.partitionIndex,
      leaderId: p.leaderId,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicaNodes,
      isrNodes: p.isrNodes,
      eligibleLeaderReplicas: [],
      lastKnownELR: [],
      offlineReplicas: p.offlineReplicas,
    })),
  );
  // The page filled up exactly at the end of `a`: the cursor names the next topic at partition 0.
  expect(first.nextCursor).toEqual({ topicName: 'b', partitionIndex: 0 });
});

test('DescribeTopicPartitions: pages of 2 follow the cursor through every partition once', async () => {
  const seen: string[] = [];
  const cursors: Cursor[] = [];
  let cursor: Cursor = null;
  do {
    const { got, next }: { got: string[]; next: Cursor } = await page([], 2, cursor);
    seen.push(...got);
    cursors.push((cursor = next));
  } while (cursor !== null);
  expect(seen).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'b-1', 'c-0']);
  expect(cursors).toEqual([{ topicName: 'a', partitionIndex: 2 }, { topicName: 'b', partitionIndex: 1 }, null]);
});

test('DescribeTopicPartitions: the broker caps a larger limit, a limit below 1 is 1', async () => {
  expect(await page([], 100)).toEqual({ got: ['a-0', 'a-1', 'a-2', 'b-0'], next: { topicName: 'b', partitionIndex: 1 } });
  expect(await page([], 0)).toEqual({ got: ['a-0'], next: { topicName: 'a', partitionIndex: 1 } });
});

test('DescribeTopicPartitions: named topics in name order, unknown and invalid names answered with their errors', async () => {
  const r = await describeTopics(['c', 'nope', 'bad/name', 'c'], 10);
  expect(r.topics.map((t) => [t.name, t.errorCode, t.partitions.length])).toEqual([
    ['bad/name', ErrorCode.INVALID_TOPIC_EXCEPTION, 0],
    ['c', ErrorCode.NONE, 1],
    ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0],
  ]);
  expect(r.nextCursor).toBeNull();
  // From a cursor: topics before it are left out, the cursor's topic starts at its partition.
  expect(await page(['a', 'b', 'c'], 10, { topicName: 'b', partitionIndex: 1 })).toEqual({ got: ['b-1', 'c-0'], next: null });
  // A cursor beyond the topic's partitions gives none of them.
  expect(await page(['c'], 10, { topicName: 'c', partitionIndex: 5 })).toEqual({ got: [], next: null });
});

test('DescribeTopicPartitions: a cursor outside the named topics, or with a negative partition, is INVALID_REQUEST for every topic', async () => {
  for (const cursor of [{ topicName: 'a', partitionIndex: 0 }, { topicName: 'b', partitionIndex: -1 }]) {
    const r = await describeTopics(['b', 'c'], 10, cursor);
    expect(r.topics.map((t) => [t.name, t.errorCode, t.partitions])).toEqual([
      ['b', ErrorCode.INVALID_REQUEST, []],
      ['c', ErrorCode.INVALID_REQUEST, []],
    ]);
  }
});

/** Bytes of the partition's segment files. */
function onDisk(topic: string, partition: number): number {
  const dir = join(broker.dataDir, `${topic}-${partition}`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

test('DescribeLogDirs v4: the log dir with every partition and its size, and the volume it is on', async () => {
  const r = await conn.send(ApiKey.DescribeLogDirs, 4, { topics: null });
  expect(r.errorCode).toBe(ErrorCode.NONE);
  expect(r.results).toHaveLength(1);
  const dir = r.results[0]!;
  expect(dir.errorCode).toBe(ErrorCode.NONE);
  expect(dir.logDir).toBe(resolve(broker.dataDir));
  const volume = statfsSync(broker.dataDir);
  expect(dir.totalBytes).toBe(volume.blocks * volume.bsize);
  expect(dir.usableBytes).toBeGreaterThan(0);
  expect(dir.usableBytes).toBeLessThanOrEqual(dir.totalBytes);
  const sizes = Object.fromEntries(dir.topics.flatMap((t) => t.partitions.map((p) => [`${t.name}-${p.partitionIndex}`, [p.partitionSize, p.offsetLag, p.isFutureKey]])));
  expect(sizes).toEqual(
    Object.fromEntries(Object.entries(SIZES).flatMap(([t, n]) => Array.from({ length: n }, (_, p) => [`${t}-${p}`, [onDisk(t, p), 0, false]]))),
  );
  expect(onDisk('a', 0)).toBeGreaterThan(2000);
  expect(onDisk('b', 0)).toBe(0);
});

test('DescribeLogDirs v0 and v4 with named partitions: ones not held here are left out, and topics left empty', async () => {
  const topics = [
    { topic: 'a', partitions: [2, 7] },
    { topic: 'nope', partitions: [0] },
  ];
  const v4 = await conn.send(ApiKey.DescribeLogDirs, 4, { topics });
  expect(v4.results[0]!.topics).toEqual([{ name: 'a', partitions: [{ partitionIndex: 2, partitionSize: onDisk('a', 2), offsetLag: 0, isFutureKey: false }] }]);
  const v0 = await conn.send(ApiKey.DescribeLogDirs, 0, { topics });
  expect(v0.results[0]!.topics).toEqual(v4.results[0]!.topics);
  // Before v4 the volume's sizes are not on the wire: the decoded defaults.
  expect([v0.results[0]!.totalBytes, v0.results[0]!.usableBytes]).toEqual([-1, -1]);
});
