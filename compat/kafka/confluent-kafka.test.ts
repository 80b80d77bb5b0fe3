// confluent-kafka-python 1.7 (Debian, on librdkafka 2.0.2) against a `skein kafka` process: a producer
// with acks=all and each codec writing keys, values and headers (binary, empty and null) with explicit
// timestamps, read back by assign() consumers byte for byte at the offsets its delivery reports gave;
// list_topics against Skein's own Metadata; and an AdminClient round of topic administration.
import { expect, test } from 'vitest';
import { runPythonJson } from '../helpers/commands.js';
import { createTopic, metadata, storedAs } from '../helpers/kafka-admin.js';
import { produceWith } from '../helpers/record-drivers.js';
import { CODECS, CONFLUENT_WRITES, makeRecords, sortReads, type WireReadRecord } from '../helpers/records.js';
import { kafkaForTests } from '../helpers/skein-process.js';

const PARTITIONS = 3;
const RECORDS = 300;

const RECORDS_DRIVER = new URL('confluent_records.py', import.meta.url);
const ADMIN_DRIVER = new URL('confluent_admin.py', import.meta.url);

// The consumer's group id makes librdkafka look up a coordinator; one offsets partition keeps that cheap.
const kafka = kafkaForTests({ 'offsets.topic.num.partitions': '1' });

test.each(CODECS)('compression.codec=%s, acks=all: an assign() consumer reads back what the producer wrote, byte for byte', async (codec) => {
  const topic = `confluent-${codec}`;
  await createTopic(kafka().bootstrap, topic, PARTITIONS);
  const records = makeRecords(100 + CODECS.indexOf(codec), {
    count: RECORDS,
    partitions: PARTITIONS,
    baseTimestamp: Date.now() - 3_600_000,
    ...CONFLUENT_WRITES,
  });
  const expected = await produceWith(RECORDS_DRIVER, kafka().bootstrap, topic, codec, records);
  // Stored as produced: in batches of the codec the client used.
  expect(await storedAs(kafka().bootstrap, topic, PARTITIONS, CODECS.indexOf(codec))).toBe(true);

  // The whole topic, then explicit offsets inside batches: 0 and 1 from the middle, 2 at its end.
  const ends = [0, 1, 2].map((p) => expected.filter((r) => r.partition === p).length);
  const middle = [Math.floor(ends[0]! / 2), Math.floor(ends[1]! / 3)];
  const [whole, partial] = await runPythonJson<WireReadRecord[][]>(RECORDS_DRIVER, {
    bootstrap: kafka().bootstrap,
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
  expect(sortReads(whole!)).toEqual(expected);
  expect(sortReads(partial!)).toEqual(expected.filter((r) => r.partition < 2 && r.offset >= middle[r.partition]!));
});

test('list_topics reports the brokers, topics, partitions, leaders and replicas that Skein reports', async () => {
  await createTopic(kafka().bootstrap, 'confluent-listed', 4);
  const listed = await runPythonJson<{
    clusterId: string;
    controllerId: number;
    brokers: Array<[number, string, number]>;
    topics: Record<string, Array<[number, number, number[], number[]]>>;
  }>(RECORDS_DRIVER, { bootstrap: kafka().bootstrap, mode: 'metadata' });
  const skein = await metadata(kafka().bootstrap);
  expect(listed).toEqual({
    clusterId: skein.clusterId,
    controllerId: skein.controllerId,
    brokers: skein.brokers.map((b) => [b.nodeId, b.host, b.port]),
    topics: Object.fromEntries(skein.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes])])),
  });
  expect(listed.brokers).toEqual([[0, '127.0.0.1', kafka().port]]);
  expect(listed.topics['confluent-listed']).toEqual([0, 1, 2, 3].map((p) => [p, 0, [0], [0]]));
});

test('AdminClient: create (with configs, validate_only, refusals), describe and alter configs, create partitions, delete', async () => {
  const report = await runPythonJson<Record<string, unknown>>(ADMIN_DRIVER, { bootstrap: kafka().bootstrap, prefix: 'admin-' });
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
