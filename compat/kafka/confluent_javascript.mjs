// Drives @confluentinc/kafka-javascript (Confluent's client over librdkafka 2.15, its KafkaJS-compatible
// API) for compat/kafka/confluent-javascript.test.ts. The package lives in compat/clients, built against
// Debian's libraries (CKJS_LINKING=dynamic). Usage: node confluent_javascript.mjs MODE JSON
//
//   produce {bootstrap, topic, compression, records: [{key, value, partition}]}: one acks=all producer
//           -> {count}
//   describe {bootstrap, groupId}: the admin's describeGroups -> [{groupId, state, type, members, listed}]
//            where listed is the group as listGroups reports it
//   member  {bootstrap, topic, groupId, clientId, protocol}: a group consumer (`group.protocol` classic
//           or consumer) printing JSON lines: {"event":"assigned","partitions":[...]} whenever its
//           assignment changes, {"event":"record",...} once a record's offset is committed. "stop" on stdin disconnects (leaving the group) and prints {"event":"closed"}.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const [mode, json] = process.argv.slice(2);
const input = JSON.parse(json);
const require = createRequire(new URL('../clients/package.json', import.meta.url));
const { KafkaJS } = require('@confluentinc/kafka-javascript');
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

if (mode === 'member') await member();
else process.stdout.write(JSON.stringify(await { produce, describe }[mode]()));
