// confluent-kafka-python 1.7 (Debian, on librdkafka 2.0.2) against a `skein kafka` process: a producer
// with acks=all and each codec writing keys, values and headers (binary, empty and null) with explicit
// timestamps, read back by assign() consumers byte for byte at the offsets its delivery reports gave;
// list_topics against Skein's own Metadata; and an AdminClient round of topic administration.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runPython } from '../helpers/commands.js';
import { createTopic, metadata, storedCodecs } from '../helpers/kafka-admin.js';
import { type Delivery, expectedReads, makeRecords, toWire, toWireRead, type WireReadRecord } from '../helpers/records.js';
import { SkeinKafka } from '../helpers/skein-process.js';

/** In Kafka's codec id order: the id is the index. */
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const PARTITIONS = 3;
const RECORDS = 300;

let kafka: SkeinKafka;

beforeAll(async () => {
  // The consumer's group id makes librdkafka look up a coordinator; one offsets partition keeps that cheap.
  kafka = await SkeinKafka.start({ 'offsets.topic.num.partitions': '1' });
});

afterAll(async () => {
  await kafka?.destroy();
});

async function confluent<T>(script: string, input: Record<string, unknown>): Promise<T> {
  const r = await runPython(new URL(script, import.meta.url), { bootstrap: kafka.bootstrap, ...input });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

test.each(CODECS)('compression.codec=%s, acks=all: an assign() consumer reads back what the producer wrote, byte for byte', async (codec) => {
  const topic = `confluent-${codec}`;
  await createTopic(kafka.bootstrap, topic, PARTITIONS);
  const records = makeRecords(100 + CODECS.indexOf(codec), {
    count: RECORDS,
    partitions: PARTITIONS,
    baseTimestamp: Date.now() - 3_600_000,
    nullKeys: true,
    nullValues: true,
    nullKeyEmptyValue: true,
    nullKeyNullValue: true,
    headers: true,
    nullHeaderValues: true,
  });
  const deliveries = await confluent<Array<Delivery & { timestamp: number }>>('confluent_records.py', {
    mode: 'produce',
    topic,
    codec,
    records: records.map(toWire),
  });
  expect(deliveries.map((d) => d.timestamp)).toEqual(records.map((r) => r.timestamp));
  const expected = expectedReads(records, deliveries).map(toWireRead);
  expect(await storedCodecs(kafka.bootstrap, topic, PARTITIONS)).toEqual([CODECS.indexOf(codec)]);

  // The whole topic, then explicit offsets inside batches: 0 and 1 from the middle, 2 at its end.
  const ends = [0, 1, 2].map((p) => expected.filter((r) => r.partition === p).length);
  const middle = [Math.floor(ends[0]! / 2), Math.floor(ends[1]! / 3)];
  const [whole, partial] = await confluent<WireReadRecord[][]>('confluent_records.py', {
    mode: 'consume',
    topic,
    reads: [
      [
        [0, 0],
        [1, 0],
        [2, 0],
      ],
      [
        [0, middle[0]],
        [1, middle[1]],
        [2, ends[2]],
      ],
    ],
  });
  const byPosition = (reads: WireReadRecord[]) => [...reads].sort((x, y) => x.partition - y.partition || x.offset - y.offset);
  expect(byPosition(whole!)).toEqual(expected);
  expect(byPosition(partial!)).toEqual(expected.filter((r) => r.partition < 2 && r.offset >= middle[r.partition]!));
});

test('list_topics reports the brokers, topics, partitions, leaders and replicas that Skein reports', async () => {
  await createTopic(kafka.bootstrap, 'confluent-listed', 4);
  const listed = await confluent<{
    clusterId: string;
    controllerId: number;
    brokers: Array<[number, string, number]>;
    topics: Record<string, Array<[number, number, number[], number[]]>>;
  }>('confluent_records.py', { mode: 'metadata' });
  const skein = await metadata(kafka.bootstrap);
  expect(listed).toEqual({
    clusterId: skein.clusterId,
    controllerId: skein.controllerId,
    brokers: skein.brokers.map((b) => [b.nodeId, b.host, b.port]),
    topics: Object.fromEntries(skein.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes])])),
  });
  expect(listed.brokers).toEqual([[0, '127.0.0.1', kafka.port]]);
  expect(listed.topics['confluent-listed']).toEqual([0, 1, 2, 3].map((p) => [p, 0, [0], [0]]));
});

test('AdminClient: create (with configs, validate_only, refusals), describe and alter configs, create partitions, delete', async () => {
  const report = await confluent<Record<string, unknown>>('confluent_admin.py', { prefix: 'admin-' });
  const dynamic = (value: string) => ({ value, source: 1, isDefault: false, isReadOnly: false, isSensitive: false });
  const fallback = (value: string) => ({ value, source: 5, isDefault: true, isReadOnly: false, isSensitive: false });
  expect(report).toEqual({
    create: { 'admin-a': null, 'admin-b': null },
    // librdkafka names INVALID_TOPIC_EXCEPTION (17) TOPIC_EXCEPTION.
    createAgain: { 'admin-a': 'TOPIC_ALREADY_EXISTS', 'admin-bad name!': 'TOPIC_EXCEPTION', 'admin-bad-config': 'INVALID_CONFIG' },
    validateOnly: { 'admin-c': null },
    afterCreate: { 'admin-a': 3, 'admin-b': 1 },
    // Sources as Kafka numbers them: 1 DYNAMIC_TOPIC_CONFIG, 5 DEFAULT_CONFIG.
    configs: {
      'retention.ms': dynamic('3600000'),
      'cleanup.policy': dynamic('compact'),
      'segment.bytes': fallback('1073741824'),
      'max.message.bytes': fallback('1048588'),
    },
    alter: { 'admin-b': null },
    alteredRetention: dynamic('86400000'),
    createPartitions: { 'admin-a': null },
    createPartitionsRefused: { 'admin-b': 'INVALID_PARTITIONS', 'admin-missing': 'UNKNOWN_TOPIC_OR_PART' },
    afterPartitions: { 'admin-a': 5, 'admin-b': 1 },
    delete: { 'admin-a': null, 'admin-b': null },
    deleteMissing: { 'admin-missing': 'UNKNOWN_TOPIC_OR_PART' },
    afterDelete: {},
  });
});
