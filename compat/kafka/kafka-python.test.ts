// kafka-python 2.0.2 (Debian, with python3-snappy, -lz4 and -zstandard) against a `skein kafka` process:
// a KafkaProducer with acks='all' and each codec writing keys, values and headers (binary, empty and null
// where it allows) with explicit timestamps; a KafkaConsumer with assign() and seek_to_beginning (or seek)
// reading them back byte for byte at the offsets the producer was told; beginning_offsets, end_offsets
// and offsets_for_times; and a KafkaAdminClient round of topic administration.
import { expect, test } from 'vitest';
import { runPythonJson } from '../helpers/commands.js';
import { createTopic, storedAs } from '../helpers/kafka-admin.js';
import { produceWith } from '../helpers/record-drivers.js';
import { CODECS, KAFKA_PYTHON_WRITES, makeRecords, sortReads, type WireReadRecord } from '../helpers/records.js';
import { kafkaForTests } from '../helpers/skein-process.js';

const PARTITIONS = 2;
const RECORDS = 200;

const RECORDS_DRIVER = new URL('kafka_python_records.py', import.meta.url);
const ADMIN_DRIVER = new URL('kafka_python_admin.py', import.meta.url);

const kafka = kafkaForTests();

interface Consumed {
  records: WireReadRecord[];
  beginning: number[];
  end: number[];
  times: Array<[offset: number, timestamp: number] | null>;
}

test.each(CODECS)("compression_type=%s, acks='all': an assign() consumer reads back what the producer wrote, byte for byte", async (codec) => {
  const topic = `kafka-python-${codec}`;
  await createTopic(kafka().bootstrap, topic, PARTITIONS);
  const records = makeRecords(200 + CODECS.indexOf(codec), {
    count: RECORDS,
    partitions: PARTITIONS,
    baseTimestamp: Date.now() - 3_600_000,
    ...KAFKA_PYTHON_WRITES,
  });
  const expected = await produceWith(RECORDS_DRIVER, kafka().bootstrap, topic, codec, records);
  // Stored as produced: in batches of the codec the client used.
  expect(await storedAs(kafka().bootstrap, topic, PARTITIONS, CODECS.indexOf(codec))).toBe(true);
  const inPartition = (p: number) => expected.filter((r) => r.partition === p);
  const ends = [0, 1].map((p) => inPartition(p).length);

  // Records' timestamps rise with their offsets in each partition, so each query has one right answer:
  // the first record at or after the time, or none after the last.
  const last = inPartition(1).at(-1)!;
  const middle = inPartition(0)[Math.floor(ends[0]! / 2)]!;
  const queries: Array<[number, number, [number, number] | null]> = [
    [0, 0, [0, inPartition(0)[0]!.timestamp]],
    [0, middle.timestamp, [middle.offset, middle.timestamp]],
    [0, middle.timestamp - 1, [middle.offset, middle.timestamp]],
    [1, last.timestamp, [last.offset, last.timestamp]],
    [1, last.timestamp + 1, null],
  ];
  const whole = await runPythonJson<Consumed>(RECORDS_DRIVER, {
    bootstrap: kafka().bootstrap,
    mode: 'consume',
    topic,
    partitions: PARTITIONS,
    seek: {},
    times: queries.map(([p, ts]) => [p, ts]),
  });
  expect(sortReads(whole.records)).toEqual(expected);
  expect(whole.beginning).toEqual([0, 0]);
  expect(whole.end).toEqual(ends);
  expect(whole.times).toEqual(queries.map(([, , answer]) => answer));

  // seek() to an offset inside a batch: the records before it in that batch are skipped.
  const from = Math.floor(ends[1]! / 3);
  const sought = await runPythonJson<Consumed>(RECORDS_DRIVER, {
    bootstrap: kafka().bootstrap,
    mode: 'consume',
    topic,
    partitions: PARTITIONS,
    seek: { 1: from },
    times: [],
  });
  expect(sortReads(sought.records)).toEqual(expected.filter((r) => r.partition === 0 || r.offset >= from));
});

test('KafkaAdminClient: create (with configs, validate_only, refusals), list and describe topics and configs, create partitions, delete', async () => {
  const report = await runPythonJson<Record<string, unknown>>(ADMIN_DRIVER, { bootstrap: kafka().bootstrap, prefix: 'kp-admin-' });
  const partitions = (n: number) => Array.from({ length: n }, (_, p) => [p, 0, [0], [0]]);
  expect(report).toEqual({
    create: null,
    createExisting: 'TOPIC_ALREADY_EXISTS',
    createInvalidName: 'INVALID_TOPIC',
    createNoPartitions: 'INVALID_PARTITIONS',
    validateOnly: null,
    afterCreate: { 'kp-admin-a': partitions(2), 'kp-admin-b': partitions(1) },
    configs: { 'retention.ms': '7200000', 'cleanup.policy': 'compact,delete', 'segment.bytes': '1073741824' },
    createPartitions: null,
    createPartitionsFewer: 'INVALID_PARTITIONS',
    afterPartitions: { 'kp-admin-a': partitions(2), 'kp-admin-b': partitions(3) },
    delete: null,
    deleteMissing: 'UNKNOWN_TOPIC_OR_PARTITION',
    afterDelete: {},
  });
});
