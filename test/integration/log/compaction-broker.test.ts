// Compaction end to end on a running broker, driven by kafkajs: a topic created with
// cleanup.policy=compact is cleaned by the broker's own cleaner, a consumer group then reads each key's
// latest value at its original offset (tombstones too), the log start stays, DeleteRecords is refused,
// and all of it survives a restart, including the group's offsets committed to the compacted
// __consumer_offsets.
import { CompressionTypes, ConfigResourceTypes, Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import type { PartitionLog } from '../../../src/log/partition-log.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { kafkaRequest } from '../../helpers/kafka-request.js';
import { findCoordinator, waitFor } from '../kafka/groups-harness.js';

const TOPIC = 'profiles';
const KEYS = 8;
const SENDS = 30;

let broker: TestBroker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const consumers: Consumer[] = [];
/** key -> [offset, value] of its latest record, as produced. */
const latest = new Map<string, [string, string | null]>();
let produced = 0;

function connect(b: TestBroker): Kafka {
  return new Kafka({ brokers: [b.bootstrap], clientId: 'compaction', logLevel: logLevel.NOTHING, retry: { initialRetryTime: 100, retries: 10 } });
}

beforeAll(async () => {
  broker = await startTestBroker({
    'log.cleaner.backoff.ms': '50',
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.num.partitions': '1',
    'offsets.topic.segment.bytes': '1024',
    'log.cleaner.min.cleanable.ratio': '0.01',
  });
  kafka = connect(broker);
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      {
        topic: TOPIC,
        numPartitions: 1,
        configEntries: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'segment.bytes', value: '2048' },
          { name: 'delete.retention.ms', value: '3600000' },
        ],
      },
    ],
  });
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  for (let s = 0; s < SENDS; s++) {
    const messages = Array.from({ length: 4 }, (_, i) => {
      const key = `user-${(s * 4 + i) % KEYS}`;
      const value = s === SENDS - 1 && i === 2 ? null : `profile ${s}.${i} ${'.'.repeat(40)}`;
      return { key, value };
    });
    const [meta] = await producer.send({ topic: TOPIC, compression: CompressionTypes.GZIP, messages });
    messages.forEach((m, i) => latest.set(m.key, [String(Number(meta!.baseOffset) + i), m.value]));
    produced += messages.length;
  }
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.disconnect()));
  await producer.disconnect();
  await admin.disconnect();
  await broker.close();
});

/** Everything a new consumer group reads from the start, up to the log end. */
async function readAll(client: Kafka, groupId: string): Promise<{ offset: string; key: string; value: string | null }[]> {
  const consumer = client.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 500 });
  consumers.push(consumer);
  const seen: { offset: string; key: string; value: string | null }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push({ offset: message.offset, key: message.key!.toString(), value: message.value === null ? null : message.value.toString() });
    },
  });
  await waitFor('the consumer to reach the log end', () => (seen.length > 0 && Number(seen.at(-1)!.offset) >= produced - 1 ? true : undefined));
  await consumer.disconnect();
  consumers.splice(consumers.indexOf(consumer), 1);
  return seen;
}

/** What compaction must leave: the latest record of each key below the cleaned end, everything after. */
function check(seen: { offset: string; key: string; value: string | null }[], cleanedTo: number): void {
  const offsets = seen.map((s) => Number(s.offset));
  for (let i = 1; i < offsets.length; i++) expect(offsets[i]).toBeGreaterThan(offsets[i - 1]!);
  const below = seen.filter((s) => Number(s.offset) < cleanedTo);
  expect(new Set(below.map((s) => s.key)).size).toBe(below.length);
  const last = new Map(seen.map((s) => [s.key, [s.offset, s.value] as [string, string | null]]));
  expect(last).toEqual(latest);
  expect(seen.length).toBeLessThan(produced);
  expect(seen.some((s) => s.value === null)).toBe(true);
}

/**
 * Waits until the cleaner has cleaned `log` up to its active segment and returns that cleaned end. The
 * cleaner runs while records are produced, so a round may have cleaned part of the log with another one
 * still due; once everything below the active segment is clean and nothing more is produced, no round
 * is left to move the cleaned end, so it holds for whatever is read afterwards.
 */
async function cleanedUpToActive(log: PartitionLog): Promise<number> {
  await log.flush();
  const activeBase = log.segmentBaseOffsets().at(-1)!;
  await waitFor(`${log.dir} to be cleaned up to its active segment`, () => (log.firstDirtyOffset >= activeBase ? true : undefined));
  return log.firstDirtyOffset;
}

test('the broker cleans a compacted topic on its own; a consumer group reads each key once below the cleaned end', async () => {
  const cleanedTo = await cleanedUpToActive(broker.broker.logs.get(TOPIC, 0)!);
  expect(cleanedTo).toBeGreaterThan(0);
  const seen = await readAll(kafka, 'reader');
  check(seen, cleanedTo);
  // The log start does not move: the earliest offset is still 0, the latest the number produced.
  expect(await admin.fetchTopicOffsets(TOPIC)).toEqual([expect.objectContaining({ partition: 0, low: '0', high: String(produced) })]);
  const [resource] = (await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPIC, configNames: ['cleanup.policy'] }], includeSynonyms: false })).resources;
  expect(resource!.configEntries[0]).toMatchObject({ configName: 'cleanup.policy', configValue: 'compact' });
});

test('DeleteRecords on a compacted topic is a policy violation', async () => {
  const r = await kafkaRequest(broker.bootstrap, ApiKey.DeleteRecords, 2, { topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, offset: 5 }] }], timeoutMs: 5000 });
  expect(r.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.POLICY_VIOLATION, lowWatermark: -1 });
  expect(broker.broker.logs.get(TOPIC, 0)!.logStartOffset).toBe(0);
});

test('a restart keeps the compacted log and the committed offsets, __consumer_offsets compacted too', async () => {
  // Commit over and over (as a consumer outside any generation may), so __consumer_offsets has
  // something to compact.
  const conn = await KafkaConnection.connect(broker.bootstrap);
  await findCoordinator(conn, 'committer');
  for (let i = 0; i <= 42; i++) {
    const r = await conn.send(ApiKey.OffsetCommit, 8, {
      groupId: 'committer',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: i, committedMetadata: `commit ${i}` }] }],
    });
    expect(r.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
  }
  conn.close();
  const offsetsLog = broker.broker.logs.get('__consumer_offsets', 0)!;
  expect(await cleanedUpToActive(offsetsLog)).toBeGreaterThan(20);
  // 43 commits of one key: below the active segment only the last one is left.
  expect(offsetsLog.sizeBytes - 1024).toBeLessThan(300);
  const cleanedTo = await cleanedUpToActive(broker.broker.logs.get(TOPIC, 0)!);

  await producer.disconnect();
  await admin.disconnect();
  broker = await broker.restart();
  kafka = connect(broker);
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
  const seen = await readAll(kafka, 'after-restart');
  check(seen, cleanedTo);
  const committed = await waitFor('the committed offsets', async () => {
    try {
      return await admin.fetchOffsets({ groupId: 'committer', topics: [TOPIC] });
    } catch {
      return undefined;
    }
  });
  expect(committed).toEqual([{ topic: TOPIC, partitions: [expect.objectContaining({ partition: 0, offset: '42', metadata: 'commit 42' })] }]);
});
