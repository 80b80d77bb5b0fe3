// Transactional producers of real clients against a `skein kafka` process. confluent-kafka-python:
// init/begin/commit/abort, send_offsets_to_transaction, a fencing successor, and a read_committed
// consumer that sees exactly the committed records. kafkajs: producer.transaction() with send,
// sendOffsets, commit and abort, read back by a read_committed consumer group. And the exactly-once
// loop: a confluent-kafka consume-transform-produce process from topic A to topic B is killed with
// kill -9 at random 20 times mid-stream and restarted; B must hold every record of A exactly once.
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runPythonJson } from '../helpers/commands.js';
import { JsonLinesChild } from '../helpers/json-lines-child.js';
import { createTopic } from '../helpers/kafka-admin.js';
import type { SkeinKafka } from '../helpers/skein-process.js';
import { expectExactlyOnce, fillSource, readCommitted, startTransform, startTxnBroker, TXN_DRIVER as DRIVER } from './exactly-once.js';

const KILLS = Number(process.env.TXN_KILLS ?? 20);

let kafka: SkeinKafka;

beforeAll(async () => {
  kafka = await startTxnBroker();
});
afterAll(async () => {
  await JsonLinesChild.killAll();
  await kafka?.destroy();
});

test('confluent-kafka-python: commit, abort, send_offsets_to_transaction and fencing; read_committed sees the committed records only', async () => {
  const topic = 'txn-confluent';
  await createTopic(kafka.bootstrap, topic, 1);
  const result = await runPythonJson<{ fencedError: string | null; committedOffset: number }>(DRIVER, { mode: 'basic', bootstrap: kafka.bootstrap, topic, group: 'txn-confluent-group' });
  expect(result.committedOffset).toBe(7);
  expect(result.fencedError).toMatch(/fenced/i);
  expect(await readCommitted(kafka.bootstrap, topic, 1)).toEqual({ values: ['c0', 'c1', 'c2', 'c3', 'c4'], complete: true });
}, 60_000);

test('kafkajs producer.transaction(): send, sendOffsets, commit and abort, read by a read_committed group', async () => {
  const topic = 'txn-kafkajs';
  await createTopic(kafka.bootstrap, topic, 2);
  const client = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING, retry: { initialRetryTime: 50, retries: 15 } });
  const producer = client.producer({ transactionalId: 'compat-kafkajs', idempotent: true, maxInFlightRequests: 1 });
  const consumer = client.consumer({ groupId: 'txn-kafkajs-reader', maxWaitTimeInMs: 100, readUncommitted: false });
  const admin = client.admin();
  await Promise.all([producer.connect(), consumer.connect(), admin.connect()]);
  try {
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ key: 'a', value: 'k0' }, { key: 'b', value: 'k1' }] });
    await committed.sendOffsets({ consumerGroupId: 'txn-kafkajs-offsets', topics: [{ topic, partitions: [{ partition: 1, offset: '9' }] }] });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ key: 'a', value: 'gone0' }, { key: 'b', value: 'gone1' }] });
    await aborted.sendOffsets({ consumerGroupId: 'txn-kafkajs-offsets', topics: [{ topic, partitions: [{ partition: 1, offset: '99' }] }] });
    await aborted.abort();
    const last = await producer.transaction();
    await last.send({ topic, messages: [{ key: 'c', value: 'k2' }] });
    await last.commit();
    const seen: string[] = [];
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    for (const deadline = Date.now() + 20_000; seen.length < 3 && Date.now() < deadline; ) await sleep(50);
    await sleep(300);
    expect(seen.sort()).toEqual(['k0', 'k1', 'k2']);
    const offsets = await admin.fetchOffsets({ groupId: 'txn-kafkajs-offsets', topics: [topic] });
    expect(offsets[0]!.partitions.find((p) => p.partition === 1)?.offset).toBe('9');
  } finally {
    await Promise.all([producer.disconnect(), consumer.disconnect(), admin.disconnect()]);
  }
}, 60_000);

test(`consume-transform-produce A -> B killed with kill -9 ${KILLS} times: B holds every record of A exactly once`, async () => {
  const partitions = 2;
  const count = 6_000;
  await fillSource(kafka.bootstrap, 'ctp-a', 'ctp-b', partitions, count);
  const start = () => startTransform(kafka.bootstrap, 'ctp-a', 'ctp-b', partitions, 'ctp-transform');
  let killsMidStream = 0;
  for (let kill = 0; kill < KILLS; kill++) {
    const child = start();
    await child.waitFor('ready', (e) => e.event === 'ready', 30_000);
    // Somewhere in the middle of a transaction: after 0-3 commits, and a random fraction of the next.
    const commits = Math.floor(Math.random() * 4);
    if (commits > 0) await child.waitFor(`${commits} commits`, () => child.all('committed').length >= commits || child.all('done').length > 0, 30_000);
    await sleep(Math.random() * 60);
    if (child.all('done').length === 0) killsMidStream++;
    await child.kill();
  }
  const last = start();
  await last.waitFor('done', (e) => e.event === 'done', 40_000);
  await last.kill();
  // Most kills must have hit a loop at work, or the test proves little.
  expect(killsMidStream).toBeGreaterThanOrEqual(Math.ceil(KILLS * 0.75));
  await expectExactlyOnce(kafka.bootstrap, 'ctp-b', partitions, count);
}, 120_000);
