// Drives @confluentinc/kafka-javascript (Confluent's client over librdkafka 2.15, its KafkaJS-compatible
// API) for compat/kafka/confluent-javascript.test.ts. The package lives in compat/clients, built against
// Debian's libraries (CKJS_LINKING=dynamic). Usage: node confluent_javascript.mjs MODE JSON
//
//   produce {bootstrap, topic, compression, records: [{key, value, partition}]}: one acks=all producer
//           -> {count}
//   describe {bootstrap, groupId}: the admin's describeGroups -> [{groupId, state, type, members, listed}]
//            where listed is the group as listGroups reports it
//   member  {bootstrap, topic, groupId, clientId, protocol, instanceId?}: a group consumer (`group.protocol`
//           classic or consumer; static with `group.instance.id` = instanceId when given) printing JSON lines: {"event":"assigned","partitions":[...]} whenever its
//           assignment changes, {"event":"record",...} once a record's offset is committed. "stop" on stdin disconnects (leaving the group) and prints {"event":"closed"}.
//   offsets {bootstrap, topic, timestamp}: the KafkaJS-compatible admin: createTopics and deleteTopics of a
//           scratch topic (listTopics after each), fetchTopicOffsets and fetchTopicOffsetsByTimestamp of
//           `topic` -> {listedAfterCreate, listedAfterDelete, offsets: [{partition, low, high}], byTime: [{partition, offset}]}
//   rdkafka {bootstrap, topic, codecs, config?}: the node-rdkafka API: AdminClient creates `topic` and a
//           scratch topic and deletes the scratch one; a Producer writes two records per codec, with timestamps
//           a second apart; a KafkaConsumer reads them all back (assign, no group), asks the watermarks
//           (ListOffsets) and offsetsForTimes -> {created, deleted, read: [{partition, offset, value}],
//           watermarks: {low, high}, byTime: [offset]}. `config`: librdkafka properties every client of the
//           run also takes (security.protocol, sasl.*, ssl.*).
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const [mode, json] = process.argv.slice(2);
const input = JSON.parse(json);
const require = createRequire(new URL('../clients/package.json', import.meta.url));
const { KafkaJS, AdminClient, Producer, KafkaConsumer } = require('@confluentinc/kafka-javascript');
const print = (event) => process.stdout.write(`${JSON.stringify({ t: Date.now(), ...event })}\n`);
const quiet = { logLevel: KafkaJS.logLevel.NOTHING };

async function produce() {
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: [input.bootstrap], clientId: 'skein-ckjs', ...quiet } });
  const producer = kafka.producer({ 'compression.codec': input.compression, kafkaJS: { acks: -1 } });
  await producer.connect();
  try {
    await producer.send({ topic: input.topic, messages: input.records.map((r) => ({ key: r.key, value: r.value, partition: r.partition })) });
  } finally {
    await producer.disconnect();
  }
  return { count: input.records.length };
}

async function describe() {
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: [input.bootstrap], clientId: 'skein-ckjs-admin', ...quiet } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([input.groupId]);
    const listed = (await admin.listGroups()).groups.filter((g) => g.groupId === input.groupId);
    return groups.map((g) => ({
      listed: listed.map((l) => ({ protocolType: l.protocolType, type: l.type, state: l.state })),
      groupId: g.groupId,
      state: g.state,
      type: g.type,
      members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, partitions: (m.memberAssignment?.topicPartitions ?? m.assignment?.topicPartitions ?? []).flatMap((t) => t.partitions ?? [t.partition]) })),
    }));
  } finally {
    await admin.disconnect();
  }
}

async function member() {
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: [input.bootstrap], clientId: input.clientId, ...quiet } });
  const protocolConfig =
    input.protocol === 'consumer'
      ? { 'group.protocol': 'consumer' }
      : { 'group.protocol': 'classic', 'session.timeout.ms': 10_000, 'heartbeat.interval.ms': 500 };
  const consumer = kafka.consumer({
    ...protocolConfig,
    ...(input.instanceId ? { 'group.instance.id': input.instanceId } : {}),
    kafkaJS: { groupId: input.groupId, fromBeginning: true, autoCommit: false },
  });
  await consumer.connect();
  await consumer.subscribe({ topic: input.topic });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
      print({ event: 'record', partition, offset: Number(message.offset), key: message.key?.toString(), value: message.value?.toString() });
    },
  });
  // The assignment as librdkafka holds it, printed whenever it changes (both protocols, one way).
  let last = '';
  const watch = setInterval(() => {
    const partitions = consumer.assignment().filter((a) => a.topic === input.topic).flatMap((a) => a.partitions ?? [a.partition]).sort((a, b) => a - b);
    if (JSON.stringify(partitions) !== last) {
      last = JSON.stringify(partitions);
      print({ event: 'assigned', partitions });
    }
  }, 100);
  for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'stop') break;
  clearInterval(watch);
  await consumer.disconnect();
  print({ event: 'closed' });
  process.stdin.destroy();
}

async function offsets() {
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: [input.bootstrap], clientId: 'skein-ckjs-admin', ...quiet } });
  const admin = kafka.admin();
  await admin.connect();
  const scratch = `${input.topic}-kafkajs-scratch`;
  try {
    await admin.createTopics({ topics: [{ topic: scratch, numPartitions: 3 }] });
    const listedAfterCreate = (await admin.listTopics()).includes(scratch);
    await admin.deleteTopics({ topics: [scratch] });
    const listedAfterDelete = (await admin.listTopics()).includes(scratch);
    const offsets = (await admin.fetchTopicOffsets(input.topic)).map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }));
    const byTime = (await admin.fetchTopicOffsetsByTimestamp(input.topic, input.timestamp)).map((o) => ({ partition: o.partition, offset: Number(o.offset) }));
    return { listedAfterCreate, listedAfterDelete, offsets, byTime };
  } finally {
    await admin.disconnect();
  }
}

/** A node-rdkafka style callback call as a promise. */
const called = (fn) => new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

async function rdkafka() {
  const base = { 'bootstrap.servers': input.bootstrap, ...input.config };
  const admin = AdminClient.create({ ...base, 'client.id': 'skein-rdkafka-admin' });
  const scratch = `${input.topic}-scratch`;
  try {
    await called((cb) => admin.createTopic({ topic: input.topic, num_partitions: 1, replication_factor: 1 }, cb));
    await called((cb) => admin.createTopic({ topic: scratch, num_partitions: 2, replication_factor: 1 }, cb));
    await called((cb) => admin.deleteTopic(scratch, cb));
  } finally {
    admin.disconnect();
  }
  // Timestamps a second apart from a fixed start, so offsetsForTimes has a known answer per record.
  const start = Date.now() - 60_000;
  // Values that compress well: librdkafka sends a batch uncompressed when the codec would not shrink it.
  const sent = input.codecs.flatMap((codec, i) => [0, 1].map((j) => ({ codec, value: `${codec}-${j} ${'compressible '.repeat(40)}`, timestamp: start + (2 * i + j) * 1000 })));
  for (const codec of input.codecs) {
    const producer = new Producer({ ...base, 'compression.codec': codec, 'linger.ms': 50, acks: -1, dr_cb: true });
    await called((cb) => producer.connect({}, cb));
    const delivered = new Promise((resolve, reject) => {
      let n = 0;
      producer.on('delivery-report', (err) => (err ? reject(err) : ++n === 2 && resolve()));
    });
    producer.setPollInterval(20);
    // Both in one batch (linger.ms): the codec compresses a real batch.
    for (const r of sent.filter((r) => r.codec === codec)) producer.produce(input.topic, 0, Buffer.from(r.value), null, r.timestamp);
    await delivered;
    await called((cb) => producer.disconnect(cb));
  }
  const consumer = new KafkaConsumer({ ...base, 'group.id': 'skein-rdkafka-unused', 'enable.auto.commit': false }, { 'auto.offset.reset': 'earliest' });
  await called((cb) => consumer.connect({}, cb));
  try {
    consumer.assign([{ topic: input.topic, partition: 0, offset: 0 }]);
    const read = [];
    while (read.length < sent.length) {
      const batch = await called((cb) => consumer.consume(sent.length, cb));
      for (const m of batch) read.push({ partition: m.partition, offset: m.offset, value: m.value.toString(), timestamp: m.timestamp });
    }
    const watermarks = await called((cb) => consumer.queryWatermarkOffsets(input.topic, 0, 5000, cb));
    const byTime = [];
    for (const r of sent) {
      const [found] = await called((cb) => consumer.offsetsForTimes([{ topic: input.topic, partition: 0, offset: r.timestamp }], 5000, cb));
      byTime.push(found.offset);
    }
    const late = await called((cb) => consumer.offsetsForTimes([{ topic: input.topic, partition: 0, offset: Date.now() + 3_600_000 }], 5000, cb));
    return { created: [input.topic, scratch], read, sent, watermarks: { low: watermarks.lowOffset, high: watermarks.highOffset }, byTime, afterLast: late[0].offset };
  } finally {
    await called((cb) => consumer.disconnect(cb));
  }
}

if (mode === 'member') await member();
else process.stdout.write(JSON.stringify(await { produce, describe, offsets, rdkafka }[mode]()));
