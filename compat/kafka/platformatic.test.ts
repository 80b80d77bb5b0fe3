// @platformatic/kafka 1.35 (npm; a pure JavaScript client for Kafka 3.5-4.1, at the newest versions it
// knows: Fetch v17 naming topics by id, Metadata v12, Produce v11, the flexible group APIs) against a
// `skein kafka` process: admin round trip with topic ids, an idempotent acks=all producer, and consumer
// group members that split the partitions, hand them over when one leaves, and resume from the offsets
// they committed. Before Fetch v13+ this client could create, produce and join but not read a record.
import { afterEach, expect, test } from 'vitest';
import { JsonLinesChild, type ClientEvent } from '../helpers/json-lines-child.js';
import { runNodeJson } from '../helpers/npm-clients.js';
import { kafkaForTests } from '../helpers/skein-process.js';
import { withConnection } from '../helpers/kafka-admin.js';
import { ApiKey } from '../../protocol/kafka/index.js';

const DRIVER = new URL('platformatic_kafka.mjs', import.meta.url);
const PARTITIONS = 3;

const kafka = kafkaForTests({ 'offsets.topic.num.partitions': '1', 'group.initial.rebalance.delay.ms': '0' });

afterEach(() => JsonLinesChild.killAll());

interface Record_ {
  partition: number;
  offset: number;
  key: string;
  value: string;
}

function records(from: number, count: number): { key: string; value: string; partition: number }[] {
  return Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `value ${from + i}`, partition: (from + i) % PARTITIONS }));
}

async function produce(topic: string, list: { key: string; value: string; partition: number }[]): Promise<Record_[]> {
  const { offsets } = await runNodeJson<{ offsets: { partition: number; offset: number }[] }>(DRIVER, 'produce', { bootstrap: kafka().bootstrap, topic, records: list });
  // The client reports each partition's first offset; records of a partition are numbered in send order.
  const next = new Map(offsets.map((o) => [o.partition, o.offset]));
  return list.map((r) => {
    const offset = next.get(r.partition)!;
    next.set(r.partition, offset + 1);
    return { ...r, offset };
  });
}

function member(topic: string, groupId: string, clientId: string): JsonLinesChild {
  return new JsonLinesChild(clientId, process.execPath, [new URL(DRIVER).pathname, 'member', JSON.stringify({ bootstrap: kafka().bootstrap, topic, groupId, clientId })]);
}

const readBy = (members: JsonLinesChild[]): Record_[] =>
  members.flatMap((m) => m.all('record')).map((e) => ({ partition: e.partition, offset: e.offset, key: e.key, value: e.value }) as Record_);
const byPosition = (a: Record_, b: Record_) => a.partition - b.partition || a.offset - b.offset;
const lastJoin = (m: JsonLinesChild): number[] => (m.all('joined').at(-1)?.partitions as number[] | undefined) ?? [];

async function until(what: string, condition: () => boolean, members: JsonLinesChild[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms\n${members.map((m) => m.report()).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('admin: the topic id CreateTopics gives is the one Metadata reports; list and delete', async () => {
  const out = await runNodeJson<{ created: { name: string; id: string; partitions: number }[]; metadataId: string; metadataPartitions: number; listed: boolean; listedAfterDelete: boolean }>(
    DRIVER,
    'admin',
    { bootstrap: kafka().bootstrap, topic: 'pk-admin', partitions: PARTITIONS },
  );
  expect(out.created).toHaveLength(1);
  expect(out.created[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(out.created[0]!.id).not.toBe('00000000-0000-0000-0000-000000000000');
  expect(out.metadataId).toBe(out.created[0]!.id);
  expect(out.metadataPartitions).toBe(PARTITIONS);
  expect(out.listed).toBe(true);
  expect(out.listedAfterDelete).toBe(false);
});

test('a group consumes every record once: two members split the partitions, one leaves and the other takes all, a new member resumes after the committed offsets', async () => {
  const topic = 'pk-group';
  await runNodeJson(DRIVER, 'create', { bootstrap: kafka().bootstrap, topic, partitions: PARTITIONS });
  const a = member(topic, 'pk-group', 'member-a');
  await a.waitFor('first assignment', (e: ClientEvent) => e.event === 'joined' && (e.partitions as number[]).length === PARTITIONS);
  const b = member(topic, 'pk-group', 'member-b');
  await until('a split of the partitions between both members', () => lastJoin(b).length > 0 && lastJoin(a).length > 0 && lastJoin(a).length + lastJoin(b).length === PARTITIONS, [a, b]);
  expect(new Set([...lastJoin(a), ...lastJoin(b)]).size).toBe(PARTITIONS);

  const first = await produce(topic, records(0, 150));
  await until('150 records read', () => readBy([a, b]).length >= first.length, [a, b]);
  // Each member read only its own partitions.
  for (const m of [a, b]) expect(new Set(m.all('record').map((e) => e.partition))).toEqual(new Set(lastJoin(m)));

  await b.stop();
  await until('the partitions handed to the member that stayed', () => lastJoin(a).length === PARTITIONS, [a]);
  const second = await produce(topic, records(150, 30));
  await until('180 records read', () => readBy([a, b]).length >= first.length + second.length, [a, b]);
  expect(readBy([a, b]).sort(byPosition)).toEqual([...first, ...second].sort(byPosition));
  await a.stop();

  // Every offset was committed before it was reported: a new member starts after them.
  const c = member(topic, 'pk-group', 'member-c');
  await c.waitFor('assignment', (e: ClientEvent) => e.event === 'joined' && (e.partitions as number[]).length === PARTITIONS);
  const third = await produce(topic, records(180, 6));
  await until('6 new records read', () => readBy([c]).length >= third.length, [c]);
  await new Promise((r) => setTimeout(r, 500));
  expect(readBy([c]).sort(byPosition)).toEqual([...third].sort(byPosition));
  await c.stop();

  // The committed offsets, as the broker reports them, are the ends of the partitions.
  const committed = await withConnection(kafka().bootstrap, (conn) => conn.send(ApiKey.OffsetFetch, 7, { groupId: 'pk-group', topics: null, requireStable: false }));
  const ends = [0, 1, 2].map((p) => [...first, ...second, ...third].filter((r) => r.partition === p).length);
  expect(committed.topics.flatMap((t) => t.partitions.map((p) => [p.partitionIndex, p.committedOffset])).sort((x, y) => x[0]! - y[0]!)).toEqual(ends.map((e, p) => [p, e]));
});
