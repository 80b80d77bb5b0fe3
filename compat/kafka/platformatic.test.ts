// @platformatic/kafka 1.35 (npm; a pure JavaScript client for Kafka 3.5-4.1, at the newest versions it
// knows: Fetch v17 naming topics by id, Metadata v12, Produce v11, the flexible group APIs) against a
// `skein kafka` process: admin round trip with topic ids, an idempotent acks=all producer in each codec it
// has, and consumer group members that split the partitions, hand them over when one leaves, and resume
// from the offsets they committed. Before Fetch v13+ this client could create, produce and join but not read a record.
import { readdirSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { ApiKey } from '../../protocol/kafka/index.js';
import { JsonLinesChild, type ClientEvent } from '../helpers/json-lines-child.js';
import { createTopic, storedAs, withConnection } from '../helpers/kafka-admin.js';
import { fetchPartition, produceRecords, recordsOf } from '../../src/kafka/client/index.js';
import { runNodeJson } from '../helpers/npm-clients.js';
import { kafkaForTests } from '../helpers/skein-process.js';

const DRIVER = new URL('platformatic_kafka.mjs', import.meta.url);
const PARTITIONS = 3;

const kafka = kafkaForTests({ 'offsets.topic.num.partitions': '1', 'group.initial.rebalance.delay.ms': '0' });

afterEach(() => JsonLinesChild.killAll());

interface ReadRecord {
  partition: number;
  offset: number;
  key: string;
  value: string;
}

function records(from: number, count: number): { key: string; value: string; partition: number }[] {
  return Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `value ${from + i}`, partition: (from + i) % PARTITIONS }));
}

type Written = { key: string; value: string; partition: number }[];

/** Each list produced in its codec by a producer of its own, in one driver run; the records with their offsets. */
async function produceAll(sends: { topic: string; compression: string; records: Written }[]): Promise<ReadRecord[][]> {
  const results = await runNodeJson<{ offsets: { partition: number; offset: number }[] }[]>(DRIVER, 'produce', { bootstrap: kafka().bootstrap, sends });
  return sends.map((send, i) => {
    // The client reports each partition's first offset; records of a partition are numbered in send order.
    const next = new Map(results[i]!.offsets.map((o) => [o.partition, o.offset]));
    return send.records.map((r) => {
      const offset = next.get(r.partition)!;
      next.set(r.partition, offset + 1);
      return { ...r, offset };
    });
  });
}

async function produce(topic: string, records: Written): Promise<ReadRecord[]> {
  return (await produceAll([{ topic, compression: 'none', records }]))[0]!;
}

function member(topic: string, groupId: string, clientId: string): JsonLinesChild {
  return new JsonLinesChild(clientId, process.execPath, [fileURLToPath(DRIVER), 'member', JSON.stringify({ bootstrap: kafka().bootstrap, topic, groupId, clientId })]);
}

const readBy = (members: JsonLinesChild[]): ReadRecord[] =>
  members.flatMap((m) => m.all('record')).map((e) => ({ partition: e.partition, offset: e.offset, key: e.key, value: e.value }) as ReadRecord);
const byPosition = (a: ReadRecord, b: ReadRecord) => a.partition - b.partition || a.offset - b.offset;
const lastJoin = (m: JsonLinesChild): number[] => (m.all('joined').at(-1)?.partitions as number[] | undefined) ?? [];

const until = (what: string, condition: () => boolean, members: JsonLinesChild[], timeoutMs = 60_000): Promise<void> =>
  JsonLinesChild.until(what, condition, members, timeoutMs);

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

test('describeLogDirs (DescribeLogDirs v4): the log dir, each partition\'s size as its segments hold it, the volume\'s total and usable bytes', async () => {
  const topic = 'pk-sizes';
  await createTopic(kafka().bootstrap, topic, 2);
  // Written by Skein's own client: the sizes, not the producer, are what this test is about.
  await withConnection(kafka().bootstrap, async (conn) => {
    await produceRecords(conn, topic, 0, Array.from({ length: 20 }, (_, i) => ({ value: Buffer.from(`sized ${i} `.repeat(20)) })));
    await produceRecords(conn, topic, 1, [{ value: Buffer.from('one') }]);
  });
  const out = await runNodeJson<{ broker: number; results: { logDir: string; topics: { name: string; partitions: { partitionIndex: number; partitionSize: number; offsetLag: number; isFutureKey: boolean }[] }[]; totalBytes: number; usableBytes: number }[] }[]>(
    DRIVER,
    'logDirs',
    { bootstrap: kafka().bootstrap, topics: [{ name: topic, partitions: [0, 1] }] },
  );
  const logDir = join(kafka().dir, 'data');
  const onDisk = (p: number) => readdirSync(join(logDir, `${topic}-${p}`)).filter((f) => f.endsWith('.log')).reduce((n, f) => n + statSync(join(logDir, `${topic}-${p}`, f)).size, 0);
  const volume = statfsSync(logDir);
  expect(out).toHaveLength(1);
  const [dir] = out[0]!.results;
  expect(out[0]!.broker).toBe(0);
  expect(dir!.logDir).toBe(logDir);
  expect(dir!.totalBytes).toBe(volume.blocks * volume.bsize);
  expect(dir!.usableBytes).toBeGreaterThan(0);
  expect(dir!.usableBytes).toBeLessThanOrEqual(dir!.totalBytes);
  expect(dir!.topics).toEqual([
    {
      name: topic,
      partitions: [0, 1].map((p) => ({ partitionIndex: p, partitionSize: onDisk(p), offsetLag: 0, isFutureKey: false })),
    },
  ]);
  expect(onDisk(0)).toBeGreaterThan(onDisk(1));
  expect(onDisk(1)).toBeGreaterThan(0);
});

/**
 * The codecs of @platformatic/kafka on Node 20: its zstd is node:zlib's, which Node has from 22.15 on, so
 * zstd is not among them here (kcat, confluent-kafka and kafka-python cover zstd).
 */
const PLATFORMATIC_CODECS = [
  ['none', 0],
  ['gzip', 1],
  ['snappy', 2],
  ['lz4', 3],
] as const;

test('each codec: stored in that codec, read back by Skein\'s own decoder and by a platformatic group member', async () => {
  for (const [codec] of PLATFORMATIC_CODECS) await createTopic(kafka().bootstrap, `pk-${codec}`, 1);
  const sends = PLATFORMATIC_CODECS.map(([codec]) => ({
    topic: `pk-${codec}`,
    compression: codec,
    records: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `${codec} record ${i} `.repeat(8), partition: 0 })),
  }));
  const written = await produceAll(sends);
  await withConnection(kafka().bootstrap, async (conn) => {
    for (const [i, [codec, codecId]] of PLATFORMATIC_CODECS.entries()) {
      expect(await storedAs(kafka().bootstrap, `pk-${codec}`, 1, codecId), codec).toBe(true);
      const decoded = recordsOf(await fetchPartition(conn, `pk-${codec}`, 0, 0)).map((r) => r.value!.toString());
      expect(decoded, codec).toEqual(written[i]!.map((r) => r.value));
    }
  });
  // One member per codec topic, all at once: each reads back what was written, in order.
  const members = PLATFORMATIC_CODECS.map(([codec]) => member(`pk-${codec}`, `pk-${codec}`, `member-${codec}`));
  for (const [i, m] of members.entries()) {
    await until(`${m.name} to read its records`, () => readBy([m]).length >= written[i]!.length, [m]);
    expect(readBy([m]).sort(byPosition), m.name).toEqual(written[i]);
  }
  await Promise.all(members.map((m) => m.stop()));
});

test('a group consumes every record once: two members split the partitions, one leaves and the other takes all, a new member resumes after the committed offsets', async () => {
  const topic = 'pk-group';
  await createTopic(kafka().bootstrap, topic, PARTITIONS);
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
