// The broker-wide partition limit (max.broker.partitions here; derived from the open-file limit when
// unset): creations that would pass it are refused with POLICY_VIOLATION before anything is created,
// by CreateTopics (validateOnly too), CreatePartitions and auto-creation, while the topics and the
// __consumer_offsets partitions the broker holds go on working.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { kafkaRequest } from '../../helpers/kafka-request.js';

const LIMIT = 20;
const OFFSETS_PARTITIONS = 3;

let broker: TestBroker;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  broker = await startTestBroker({ 'max.broker.partitions': String(LIMIT), 'offsets.topic.num.partitions': String(OFFSETS_PARTITIONS) });
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  admin = kafka.admin();
  producer = kafka.producer();
  await Promise.all([admin.connect(), producer.connect()]);
  await admin.createTopics({ topics: [{ topic: 'existing', numPartitions: 4 }] });
  // The first FindCoordinator creates __consumer_offsets: 4 + 3 partitions held from here on.
  const deadline = Date.now() + 10_000;
  while ((await kafkaRequest(broker.bootstrap, ApiKey.FindCoordinator, 1, { key: 'app', keyType: 0 })).errorCode !== 0) {
    if (Date.now() > deadline) throw new Error('__consumer_offsets was not created');
    await new Promise((r) => setTimeout(r, 20));
  }
  await admin.setOffsets({ groupId: 'app', topic: 'existing', partitions: [{ partition: 0, offset: '0' }] });
});
afterAll(async () => {
  await Promise.all([admin.disconnect(), producer.disconnect()]);
  await broker.close();
});

const held = () => broker.broker.topics.partitionCount();
const refusal = (adding: number) =>
  `Adding ${adding} partitions would bring this broker to ${held() + adding} partitions, above its limit of ${LIMIT} (max.broker.partitions).`;

async function stillWorking(): Promise<void> {
  const [sent] = await producer.send({ topic: 'existing', messages: [{ partition: 1, value: 'still here' }] });
  expect(sent!.errorCode).toBe(0);
  await admin.setOffsets({ groupId: 'app', topic: 'existing', partitions: [{ partition: 1, offset: sent!.baseOffset! }] });
  const [offsets] = await admin.fetchOffsets({ groupId: 'app', topics: ['existing'] });
  expect(offsets!.partitions.find((p) => p.partition === 1)!.offset).toBe(sent!.baseOffset);
}

test('CreateTopics past the limit is POLICY_VIOLATION naming the limit, validateOnly too, and nothing is created', async () => {
  expect(held()).toBe(4 + OFFSETS_PARTITIONS);
  for (const validateOnly of [true, false]) {
    const res = await kafkaRequest(broker.bootstrap, ApiKey.CreateTopics, 7, {
      topics: [{ name: 'huge', numPartitions: 7000, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly,
    });
    expect(res.topics[0]).toMatchObject({ name: 'huge', errorCode: ErrorCode.POLICY_VIOLATION, errorMessage: refusal(7000), numPartitions: -1 });
  }
  expect(broker.broker.topics.get('huge')).toBeUndefined();
  expect(existsSync(join(broker.dataDir, 'huge-0'))).toBe(false);
  expect(held()).toBe(4 + OFFSETS_PARTITIONS);
  await stillWorking();
});

test('topics of one request are counted together: those that fit are created, the rest refused', async () => {
  const room = LIMIT - held();
  const res = await kafkaRequest(broker.bootstrap, ApiKey.CreateTopics, 5, {
    topics: [
      { name: 'fits', numPartitions: room - 1, replicationFactor: 1 },
      { name: 'one-too-many', numPartitions: 2, replicationFactor: 1 },
    ],
    timeoutMs: 5000,
  });
  expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
    ['fits', 0],
    ['one-too-many', ErrorCode.POLICY_VIOLATION],
  ]);
  expect(res.topics[1]!.errorMessage).toBe(refusal(2));
  expect(broker.broker.topics.get('one-too-many')).toBeUndefined();
  expect(held()).toBe(LIMIT - 1);

  // kafkajs reports it as the policy error it is.
  await expect(admin.createTopics({ topics: [{ topic: 'kafkajs-huge', numPartitions: 50 }] })).rejects.toMatchObject({
    errors: [expect.objectContaining({ type: 'POLICY_VIOLATION', topic: 'kafkajs-huge' })],
  });
});

test('CreatePartitions past the limit is POLICY_VIOLATION and adds nothing; up to it, it adds', async () => {
  const grow = (count: number, validateOnly: boolean) =>
    kafkaRequest(broker.bootstrap, ApiKey.CreatePartitions, 3, { topics: [{ name: 'fits', count, assignments: null }], timeoutMs: 5000, validateOnly });
  const current = broker.broker.topics.get('fits')!.replicas.length;
  for (const validateOnly of [true, false]) {
    const res = await grow(current + 2, validateOnly);
    expect(res.results[0]).toMatchObject({ errorCode: ErrorCode.POLICY_VIOLATION, errorMessage: refusal(2) });
  }
  expect(broker.broker.topics.get('fits')!.replicas).toHaveLength(current);
  expect((await grow(current + 1, false)).results[0]!.errorCode).toBe(0);
  expect(held()).toBe(LIMIT);
});

test('auto-creation at the limit creates nothing and reports the refusal; held partitions keep working', async () => {
  const res = await kafkaRequest(broker.bootstrap, ApiKey.Metadata, 9, { topics: [{ name: 'auto' }], allowAutoTopicCreation: true });
  expect(res.topics[0]).toMatchObject({ name: 'auto', errorCode: ErrorCode.POLICY_VIOLATION, partitions: [] });
  expect(broker.broker.topics.get('auto')).toBeUndefined();
  expect(existsSync(join(broker.dataDir, 'auto-0'))).toBe(false);
  await stillWorking();

  // Deleting a topic gives its partitions back.
  await admin.deleteTopics({ topics: ['fits'] });
  const again = await kafkaRequest(broker.bootstrap, ApiKey.Metadata, 9, { topics: [{ name: 'auto' }], allowAutoTopicCreation: true });
  expect(again.topics[0]!.errorCode).toBe(0);
});
