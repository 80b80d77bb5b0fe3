// Consumer groups with real Debian clients against a `skein kafka` process: kcat's balanced consumer
// (-G), confluent-kafka-python subscribing and committing synchronously across a kill -9 of the broker,
// and kafka-python's KafkaConsumer sharing a topic with another member. They speak other versions of
// the group APIs than kafkajs: kafka-python 2.0.2 FindCoordinator v0, JoinGroup v2, SyncGroup v1,
// OffsetCommit v2 and OffsetFetch v1; librdkafka 2.0.2 up to JoinGroup v5 and OffsetCommit/OffsetFetch v7.
import { expect, test } from 'vitest';
import { ApiKey } from '../../protocol/kafka/index.js';
import { run, runPythonJson } from '../helpers/commands.js';
import { createTopic, withConnection } from '../helpers/kafka-admin.js';
import { kafkaForTests } from '../helpers/skein-process.js';

// Kafka's default initial rebalance delay (3 s) lets clients started together share the first generation.
const kafka = kafkaForTests({ 'offsets.topic.num.partitions': '5', 'group.initial.rebalance.delay.ms': '3000' });

/** kcat as a producer: one value per line, into one partition. */
async function kcatProduce(topic: string, partition: number, values: string[]): Promise<void> {
  const r = await run('kcat', ['-b', kafka().bootstrap, '-P', '-t', topic, '-p', String(partition)], `${values.join('\n')}\n`);
  expect(r.code, r.stderr).toBe(0);
}

async function committedOffsets(groupId: string, topic: string, partitions: number): Promise<number[]> {
  return withConnection(kafka().bootstrap, async (conn) => {
    const indexes = Array.from({ length: partitions }, (_, i) => i);
    const r = await conn.send(ApiKey.OffsetFetch, 7, { groupId, topics: [{ name: topic, partitionIndexes: indexes }], requireStable: true });
    return r.topics[0]!.partitions.map((p) => p.committedOffset);
  });
}

interface Line {
  partition: number;
  offset: number;
  value: string;
}

/** kcat -G: a librdkafka balanced consumer that exits once its assigned partitions are read to the end. */
async function kcatGroup(groupId: string, topic: string): Promise<Line[]> {
  const r = await run('kcat', ['-b', kafka().bootstrap, '-G', groupId, '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%p %o %s\\n', topic]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [partition, offset, value] = l.split(' ');
      return { partition: Number(partition), offset: Number(offset), value: value! };
    });
}

interface GroupRead {
  consumed: Array<[partition: number, offset: number, value: string]>;
  committed: Array<[partition: number, offset: number]>;
}

const CONFLUENT_GROUP = new URL('confluent_group.py', import.meta.url);
const KAFKA_PYTHON_GROUP = new URL('kafka_python_group.py', import.meta.url);

function values(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

test('kcat -G: two balanced consumers split the partitions; the group resumes where it committed', async () => {
  const topic = 'kcat-orders';
  await createTopic(kafka().bootstrap, topic, 2);
  await kcatProduce(topic, 0, values('a', 10));
  await kcatProduce(topic, 1, values('b', 10));

  const [one, two] = await Promise.all([kcatGroup('kcat-readers', topic), kcatGroup('kcat-readers', topic)]);
  const partitionsOf = (lines: Line[]) => [...new Set(lines.map((l) => l.partition))];
  expect([partitionsOf(one!), partitionsOf(two!)].sort()).toEqual([[0], [1]]);
  expect([...one!, ...two!].map((l) => l.value).sort()).toEqual([...values('a', 10), ...values('b', 10)].sort());
  expect(await committedOffsets('kcat-readers', topic, 2)).toEqual([10, 10]);

  await kcatProduce(topic, 0, values('c', 3));
  await kcatProduce(topic, 1, values('d', 3));
  const resumed = await kcatGroup('kcat-readers', topic);
  expect(resumed.map((l) => `${l.partition}@${l.offset}`).sort()).toEqual(['0@10', '0@11', '0@12', '1@10', '1@11', '1@12']);
  expect(await committedOffsets('kcat-readers', topic, 2)).toEqual([13, 13]);
});

test('confluent-kafka-python: synchronous commits survive kill -9 of the broker; the group resumes exactly at the committed offset', async () => {
  const topic = 'confluent-ledger';
  await createTopic(kafka().bootstrap, topic, 1);
  await kcatProduce(topic, 0, values('r', 20));
  const group = { bootstrap: kafka().bootstrap, topic, group: 'confluent-readers', partitions: 1 };

  // Reads 8 records but commits only after the first 5: offset 5 is the next to read.
  const before = await runPythonJson<GroupRead>(CONFLUENT_GROUP, { ...group, count: 8, commit: 5 });
  expect(before.consumed.map(([, offset]) => offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(before.committed).toEqual([[0, 5]]);

  await kafka().kill();
  await kafka().launch();

  const after = await runPythonJson<GroupRead>(CONFLUENT_GROUP, { ...group, count: 15, commit: 15 });
  expect(after.consumed.map(([, offset]) => offset)).toEqual(Array.from({ length: 15 }, (_, i) => 5 + i));
  expect(after.consumed.map(([, , value]) => value)).toEqual(values('r', 20).slice(5));
  expect(after.committed).toEqual([[0, 20]]);
});

test('kafka-python: two KafkaConsumers in a group take a partition each, commit, and a later member finds nothing left', async () => {
  const topic = 'kafka-python-events';
  await createTopic(kafka().bootstrap, topic, 2);
  await kcatProduce(topic, 0, values('x', 6));
  await kcatProduce(topic, 1, values('y', 6));
  const member = { bootstrap: kafka().bootstrap, topic, group: 'kafka-python-readers', partitions: 2, count: 6, idle_ms: 8_000 };

  type Member = GroupRead & { assignment: number[] };
  const results = await Promise.all([runPythonJson<Member>(KAFKA_PYTHON_GROUP, member), runPythonJson<Member>(KAFKA_PYTHON_GROUP, member)]);
  expect(results.map((r) => r.assignment).sort()).toEqual([[0], [1]]);
  expect(results.flatMap((r) => r.consumed.map(([, , value]) => value)).sort()).toEqual([...values('x', 6), ...values('y', 6)].sort());
  expect(await committedOffsets('kafka-python-readers', topic, 2)).toEqual([6, 6]);

  const later = await runPythonJson<Member>(KAFKA_PYTHON_GROUP, { ...member, idle_ms: 5_000 });
  expect(later).toMatchObject({ consumed: [], assignment: [0, 1], committed: [[0, 6], [1, 6]] });
});
