// The idempotent producer end to end on one broker: InitProducerId, then raw Produce requests for each of
// Kafka's verdicts (duplicate with its original offsets, gap, old epoch, new epoch), a retried batch
// deduplicated after a restart, and kafkajs' idempotent producer.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { buildRecordBatch } from '../../../protocol/kafka/records/batch-builder.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { fetchPartition, recordsOf } from '../../../src/kafka/client/consumer.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';

let broker: TestBroker;
let conn: KafkaConnection;

beforeAll(async () => {
  broker = await startTestBroker();
  conn = await KafkaConnection.connect(broker.bootstrap);
});
afterAll(async () => {
  conn.close();
  await broker.close();
});

async function createTopic(topic: string): Promise<void> {
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic }] });
  await admin.disconnect();
}

async function initProducerId(version = 4) {
  return conn.send(ApiKey.InitProducerId, version, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
}

function batch(producerId: number, producerEpoch: number, baseSequence: number, values: string[]): Buffer {
  return buildRecordBatch(
    values.map((v) => ({ value: Buffer.from(v) })),
    { baseTimestamp: Date.now(), producerId, producerEpoch, baseSequence },
  );
}

async function produce(topic: string, records: Buffer, acks = -1) {
  const response = await conn.send(ApiKey.Produce, 9, { transactionalId: null, acks, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
  return response.responses[0]!.partitionResponses[0]!;
}

async function values(topic: string): Promise<string[]> {
  const fetched = await fetchPartition(conn, topic, 0, 0);
  return recordsOf(fetched).map((r) => r.value!.toString());
}

test('InitProducerId hands out distinct ids at epoch 0 (v0-5), and a new id for a KIP-360 retry naming its id', async () => {
  const ids = new Set<number>();
  for (let v = 0; v <= 5; v++) {
    const r = await initProducerId(v);
    expect(r).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
    ids.add(Number(r.producerId));
  }
  const first = [...ids][0]!;
  const retried = await conn.send(ApiKey.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: first, producerEpoch: 0 });
  expect(retried.errorCode).toBe(ErrorCode.NONE);
  ids.add(Number(retried.producerId));
  expect(ids.size).toBe(7);
});

test("Kafka's verdicts: duplicate answered with its original offset and not stored, gap, old epoch, new epoch", async () => {
  const topic = 'verdicts';
  await createTopic(topic);
  const pid = Number((await initProducerId()).producerId);
  await produce(topic, batch(99_999, 0, 0, ['warm-up'])); // another producer, at offset 0
  const first = await produce(topic, batch(pid, 0, 0, ['a', 'b']));
  expect(first).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 1 });
  expect(await produce(topic, batch(pid, 0, 2, ['c']))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3 });
  // The first batch again (its response was lost): its original offset, nothing written.
  expect(await produce(topic, batch(pid, 0, 0, ['a', 'b']))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 1, logAppendTimeMs: -1 });
  expect(await produce(topic, batch(pid, 0, 3, ['d']), 1)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 4 });
  expect((await produce(topic, batch(pid, 0, 9, ['gap']))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  // The Java client's local epoch bump: sequence 0 at the next epoch; then the old epoch is fenced.
  expect(await produce(topic, batch(pid, 1, 0, ['e']))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 5 });
  expect((await produce(topic, batch(pid, 0, 4, ['old']))).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  expect((await produce(topic, batch(pid, 1, 5, ['gap']))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  expect(await values(topic)).toEqual(['warm-up', 'a', 'b', 'c', 'd', 'e']);
});

test('batches of one producer pipelined on one connection are checked in the order they arrive', async () => {
  const topic = 'pipelined';
  await createTopic(topic);
  const pid = Number((await initProducerId()).producerId);
  // Five requests in flight at once, as the Java client and librdkafka send them: none waits for another.
  const answers = await Promise.all(Array.from({ length: 5 }, (_, seq) => produce(topic, batch(pid, 0, seq * 2, [`a${seq}`, `b${seq}`]))));
  expect(answers.map((a) => [a.errorCode, Number(a.baseOffset)])).toEqual(Array.from({ length: 5 }, (_, seq) => [ErrorCode.NONE, seq * 2]));
  expect(await values(topic)).toEqual(Array.from({ length: 5 }, (_, seq) => [`a${seq}`, `b${seq}`]).flat());
});

test('after a restart a retried batch is still deduplicated, and producer ids are never reused', async () => {
  const topic = 'restart';
  await createTopic(topic);
  const pid = Number((await initProducerId()).producerId);
  for (let seq = 0; seq < 4; seq++) expect((await produce(topic, batch(pid, 0, seq, [`r${seq}`]))).errorCode).toBe(ErrorCode.NONE);
  conn.close();
  broker = await broker.restart();
  conn = await KafkaConnection.connect(broker.bootstrap);
  expect(await produce(topic, batch(pid, 0, 2, ['r2']))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2 });
  expect(await produce(topic, batch(pid, 0, 4, ['r4']))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 4 });
  expect(await values(topic)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  expect(Number((await initProducerId()).producerId)).toBeGreaterThan(pid + 1);
}, 30_000);

test('kafkajs with idempotent: true sends through InitProducerId and the sequence checks', async () => {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < 20; i++) await producer.send({ topic: 'kafkajs-idem', acks: -1, messages: [{ value: `m${i}` }, { value: `n${i}` }] });
  } finally {
    await producer.disconnect();
  }
  const got = await values('kafkajs-idem');
  expect(got).toEqual(Array.from({ length: 20 }, (_, i) => [`m${i}`, `n${i}`]).flat());
}, 30_000);
