// @confluentinc/kafka-javascript 1.10 (Confluent's JavaScript client over librdkafka 2.15, through its
// KafkaJS-compatible API) against a `skein kafka` process: consumer groups with the classic protocol and
// with KIP-848's (`group.protocol=consumer`: ConsumerGroupHeartbeat, server-side assignment). Three
// members join and leave one by one while records flow; every record is consumed, and none twice once
// committed, as the partitions move between members; the admin describes each group as its kind
// (ConsumerGroupDescribe 69 for the KIP-848 group). Its node-rdkafka API: the admin creates and
// deletes topics, a producer writes in every codec, an assign() consumer reads it all back and asks
// the watermarks and offsets by timestamp.
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { JsonLinesChild } from '../helpers/json-lines-child.js';
import { createTopic, metadata, storedCodecs } from '../helpers/kafka-admin.js';
import { runNodeJson } from '../helpers/npm-clients.js';
import { CODECS } from '../helpers/records.js';
import { kafkaForTests } from '../helpers/skein-process.js';

const DRIVER = new URL('confluent_javascript.mjs', import.meta.url);
const PARTITIONS = 6;

// A short heartbeat interval lets KIP-848 members pick up released partitions quickly.
const kafka = kafkaForTests({
  'offsets.topic.num.partitions': '1',
  'group.initial.rebalance.delay.ms': '0',
  'group.consumer.heartbeat.interval.ms': '500',
  'group.consumer.session.timeout.ms': '10000',
});

afterEach(() => JsonLinesChild.killAll());

type Sent = { key: string; value: string; partition: number };

function records(from: number, count: number): Sent[] {
  return Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `value ${from + i}`, partition: (from + i) % PARTITIONS }));
}

async function produce(topic: string, sent: Sent[]): Promise<void> {
  await runNodeJson(DRIVER, 'produce', { bootstrap: kafka().bootstrap, topic, compression: 'none', records: sent });
}

function member(topic: string, groupId: string, clientId: string, protocol: string): JsonLinesChild {
  const input = { bootstrap: kafka().bootstrap, topic, groupId, clientId, protocol };
  return new JsonLinesChild(clientId, process.execPath, [fileURLToPath(DRIVER), 'member', JSON.stringify(input)]);
}

const keysReadBy = (members: JsonLinesChild[]): string[] => members.flatMap((m) => m.all('record')).map((e) => String(e.key));
const lastAssignment = (m: JsonLinesChild): number[] => (m.all('assigned').at(-1)?.partitions as number[] | undefined) ?? [];

const until = (what: string, condition: () => boolean, members: JsonLinesChild[], timeoutMs = 25_000): Promise<void> =>
  JsonLinesChild.until(what, condition, members, timeoutMs);

/** Every partition owned by exactly one of `members`. */
function partitionsSplit(members: JsonLinesChild[]): boolean {
  const owned = members.flatMap(lastAssignment).sort((a, b) => a - b);
  return JSON.stringify(owned) === JSON.stringify(Array.from({ length: PARTITIONS }, (_, i) => i));
}

async function joinAndLeave(protocol: 'classic' | 'consumer'): Promise<void> {
  const topic = `ckjs-${protocol}`;
  const groupId = `ckjs-group-${protocol}`;
  await createTopic(kafka().bootstrap, topic, PARTITIONS);
  const all: Sent[] = records(0, 60);
  await produce(topic, all.slice(0, 20));
  const a = member(topic, groupId, `${protocol}-a`, protocol);
  await until('first member with every partition', () => partitionsSplit([a]), [a]);
  const b = member(topic, groupId, `${protocol}-b`, protocol);
  const c = member(topic, groupId, `${protocol}-c`, protocol);
  const members = [a, b, c];
  await until('three members splitting the partitions', () => members.every((m) => lastAssignment(m).length > 0) && partitionsSplit(members), members);
  // librdkafka's admin asks ConsumerGroupDescribe first and falls back to DescribeGroups on
  // GROUP_ID_NOT_FOUND: the group's type tells which answered (ConsumerGroupTypes: 1 consumer, 2 classic).
  const described = await runNodeJson<Array<{ type: number; listed: Array<{ type: number }>; members: Array<{ clientId: string; partitions: number[] }> }>>(DRIVER, 'describe', { bootstrap: kafka().bootstrap, groupId });
  expect(described[0]!.type).toBe(protocol === 'consumer' ? 1 : 2);
  // ListGroups v5 reports the type too.
  expect(described[0]!.listed.map((l) => l.type)).toEqual([protocol === 'consumer' ? 1 : 2]);
  expect(described[0]!.members.map((m) => m.clientId).sort()).toEqual(members.map((m) => m.name).sort());
  expect(described[0]!.members.flatMap((m) => m.partitions).sort()).toEqual(Array.from({ length: PARTITIONS }, (_, i) => i));
  await produce(topic, all.slice(20, 40));
  await until('the first 40 records read', () => new Set(keysReadBy(members)).size >= 40, members);
  await b.stop();
  await until('two members splitting the partitions', () => partitionsSplit([a, c]), members);
  await produce(topic, all.slice(40));
  await until('every record read', () => new Set(keysReadBy(members)).size === all.length, members);
  await a.stop();
  await c.stop();
  const read = keysReadBy(members);
  expect(new Set(read)).toEqual(new Set(all.map((r) => r.key)));
  // Each record is committed before it is reported and members leave cleanly: nothing is read twice.
  expect(read.length).toBe(all.length);
}

test('group.protocol=consumer (KIP-848): three members join and leave, every record read once', async () => {
  await joinAndLeave('consumer');
}, 60_000);

test('group.protocol=classic: the same with JoinGroup/SyncGroup', async () => {
  await joinAndLeave('classic');
}, 60_000);

test('node-rdkafka and KafkaJS admin APIs: topics created and deleted, every codec produced and read back, watermarks and offsets by timestamp', async () => {
  const topic = 'ckjs-rdkafka';
  type Read = { partition: number; offset: number; value: string; timestamp: number };
  type Sent = { codec: string; value: string; timestamp: number };
  const r = await runNodeJson<{ created: string[]; read: Read[]; sent: Sent[]; watermarks: { low: number; high: number }; byTime: number[]; afterLast: number }>(DRIVER, 'rdkafka', {
    bootstrap: kafka().bootstrap,
    topic,
    codecs: CODECS,
  });
  const topics = (await metadata(kafka().bootstrap)).topics.map((t) => t.name);
  expect(topics).toContain(topic);
  expect(topics).not.toContain(`${topic}-scratch`);
  // Stored as produced: a batch in each codec (attributes' codec ids 0 to 4).
  expect((await storedCodecs(kafka().bootstrap, topic, 1)).sort()).toEqual([0, 1, 2, 3, 4]);
  expect(r.read.map((m) => ({ value: m.value, timestamp: m.timestamp }))).toEqual(r.sent.map((s) => ({ value: s.value, timestamp: s.timestamp })));
  expect(r.read.map((m) => m.offset)).toEqual(r.sent.map((_, i) => i));
  expect(r.watermarks).toEqual({ low: 0, high: r.sent.length });
  // Each record's own timestamp finds it (ListOffsets by time); one past the last finds none (-1).
  expect(r.byTime).toEqual(r.sent.map((_, i) => i));
  expect(r.afterLast).toBe(-1);

  // The same through the KafkaJS-compatible admin.
  const k = await runNodeJson<{ listedAfterCreate: boolean; listedAfterDelete: boolean; offsets: unknown[]; byTime: unknown[] }>(DRIVER, 'offsets', {
    bootstrap: kafka().bootstrap,
    topic,
    timestamp: r.sent[4]!.timestamp,
  });
  expect(k).toEqual({ listedAfterCreate: true, listedAfterDelete: false, offsets: [{ partition: 0, low: 0, high: r.sent.length }], byTime: [{ partition: 0, offset: 4 }] });
}, 60_000);
