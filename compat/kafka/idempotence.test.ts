// Idempotent producers of three real clients against a `skein kafka` process, each writing through a
// fault-injecting proxy that withholds Produce responses after the broker appended the batch and cuts
// the connection, so the producer retries batches already stored: the topic must hold every record
// exactly once, in order (0 duplicates, 0 gaps). librdkafka (confluent-kafka-python) writes 100,000
// records with 5 requests in flight, kafkajs 20,000; kcat writes directly (see its test). Transactional
// producers are transactions.test.ts'.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fetchPartition, recordsOf } from '../../src/kafka/client/consumer.js';
import { run, runPythonJson } from '../helpers/commands.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { createTopic, withConnection } from '../helpers/kafka-admin.js';
import { SkeinKafka } from '../helpers/skein-process.js';

const DRIVER = new URL('confluent_idempotent.py', import.meta.url);
/** One Produce response in this many is withheld and its connection cut. */
const CUT_EVERY = 25;

let proxy: FaultProxy;
let kafka: SkeinKafka;

beforeAll(async () => {
  proxy = await startFaultProxy(CUT_EVERY);
  // Clients learn the brokers from Metadata: advertising the proxy keeps them coming through it.
  kafka = await SkeinKafka.start({ 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}`, 'offsets.topic.num.partitions': '1' });
  proxy.target = kafka.port;
});
afterAll(async () => {
  await proxy?.close();
  await kafka?.destroy();
});

/**
 * Every value of partition 0, read directly from the broker (not through the proxy), and the producer ids
 * its batches carry (an idempotent producer's batches carry one, >= 0).
 */
async function storedIn(topic: string): Promise<{ values: string[]; producerIds: Set<number> }> {
  return withConnection(kafka.bootstrap, async (conn) => {
    const values: string[] = [];
    const producerIds = new Set<number>();
    let offset = 0;
    for (;;) {
      const fetched = await fetchPartition(conn, topic, 0, offset);
      for (const r of recordsOf(fetched, offset)) values.push(r.value!.toString());
      for (const h of fetched.headers) producerIds.add(h.producerId);
      if (fetched.nextOffset >= fetched.highWatermark) return { values, producerIds };
      offset = fetched.nextOffset;
    }
  });
}

async function expectOnceInOrder(topic: string, count: number): Promise<void> {
  const { values, producerIds } = await storedIn(topic);
  expect(values.length).toBe(count);
  expect(values).toEqual(Array.from({ length: count }, (_, i) => String(i)));
  expect([...producerIds].every((id) => id >= 0)).toBe(true);
}


test('confluent-kafka-python enable.idempotence=True: 100,000 records through dropped responses, each stored once in order', async () => {
  const topic = 'idem-librdkafka';
  const count = 100_000;
  await createTopic(kafka.bootstrap, topic, 1);
  const cutsBefore = proxy.cuts;
  const result = await runPythonJson<{ delivered: number; errors: string[] }>(DRIVER, { mode: 'produce', bootstrap: `127.0.0.1:${proxy.port}`, topic, count });
  expect(result).toEqual({ delivered: count, errors: [] });
  expect(proxy.cuts - cutsBefore).toBeGreaterThan(0);
  await expectOnceInOrder(topic, count);
}, 60_000);

test('kafkajs idempotent: true: every send acknowledged once stored, none twice across cut connections', async () => {
  const topic = 'idem-kafkajs';
  const sends = 200;
  const perSend = 100;
  await createTopic(kafka.bootstrap, topic, 1);
  const client = new Kafka({ brokers: [`127.0.0.1:${proxy.port}`], logLevel: logLevel.NOTHING, retry: { initialRetryTime: 20, retries: 20 } });
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const cutsBefore = proxy.cuts;
  try {
    for (let s = 0; s < sends; s++) {
      await producer.send({ topic, acks: -1, messages: Array.from({ length: perSend }, (_, i) => ({ partition: 0, value: String(s * perSend + i) })) });
    }
  } finally {
    await producer.disconnect();
  }
  expect(proxy.cuts - cutsBefore).toBeGreaterThan(0);
  await expectOnceInOrder(topic, sends * perSend);
}, 60_000);

// kcat itself exits when all its brokers are down, which one cut connection to a one-broker cluster
// briefly makes them: it writes to the broker directly (librdkafka's retries are proven above).
test('kcat -X enable.idempotence=true: every line stored once, in order, in batches carrying its producer id', async () => {
  const topic = 'idem-kcat';
  const count = 20_000;
  await createTopic(kafka.bootstrap, topic, 1);
  const input = Array.from({ length: count }, (_, i) => `${i}\n`).join('');
  const r = await run('kcat', ['-b', kafka.bootstrap, '-P', '-t', topic, '-p', '0', '-X', 'enable.idempotence=true', '-X', 'linger.ms=5'], input, 50_000);
  expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
  await expectOnceInOrder(topic, count);
}, 60_000);
