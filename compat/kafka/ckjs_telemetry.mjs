// Drives @confluentinc/kafka-javascript (librdkafka 2.15, which pushes KIP-714 client telemetry by
// default whenever the broker advertises GetTelemetrySubscriptions) for compat/kafka/client-telemetry.test.ts.
// Usage: node ckjs_telemetry.mjs clients JSON
//
//   clients {bootstrap, topic, groupId}: a producer (client.id telemetry-producer) writes 5 records, a
//           group consumer (client.id telemetry-consumer) reads them, and a bystander producer
//           (client.id telemetry-bystander) writes one; prints {"event":"record"} per record read, and all
//           stay connected (pushing what they are subscribed to) until "stop" on stdin, which disconnects
//           them (librdkafka's terminating push) and prints {"event":"closed"}.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const [mode, json] = process.argv.slice(2);
const input = JSON.parse(json);
const require = createRequire(new URL('../clients/package.json', import.meta.url));
const { KafkaJS } = require('@confluentinc/kafka-javascript');
const print = (event) => process.stdout.write(`${JSON.stringify({ t: Date.now(), ...event })}\n`);
const quiet = { logLevel: KafkaJS.logLevel.NOTHING };

async function clients() {
  const producer = new KafkaJS.Kafka({ kafkaJS: { brokers: [input.bootstrap], clientId: 'telemetry-producer', ...quiet } }).producer({ kafkaJS: { acks: -1 } });
  const consumer = new KafkaJS.Kafka({ kafkaJS: { brokers: [input.bootstrap], clientId: 'telemetry-consumer', ...quiet } }).consumer({
    kafkaJS: { groupId: input.groupId, fromBeginning: true },
  });
  const bystander = new KafkaJS.Kafka({ kafkaJS: { brokers: [input.bootstrap], clientId: 'telemetry-bystander', ...quiet } }).producer({ kafkaJS: { acks: -1 } });
  await producer.connect();
  await producer.send({ topic: input.topic, messages: [0, 1, 2, 3, 4].map((i) => ({ key: `k${i}`, value: `v${i}` })) });
  await bystander.connect();
  await bystander.send({ topic: input.topic, messages: [{ key: 'bystander', value: 'b' }] });
  await consumer.connect();
  await consumer.subscribe({ topic: input.topic });
  await consumer.run({ eachMessage: async ({ message }) => print({ event: 'record', key: message.key?.toString() }) });
  for await (const line of createInterface({ input: process.stdin })) if (line.trim() === 'stop') break;
  await consumer.disconnect();
  await producer.disconnect();
  await bystander.disconnect();
  print({ event: 'closed' });
  process.stdin.destroy();
}

if (mode !== 'clients') throw new Error(`unknown mode ${mode}`);
await clients();
