import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey } from '../../../protocol/kafka/index.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { kafkaRequest } from '../../helpers/kafka-request.js';

let broker: TestBroker;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startTestBroker({ 'num.partitions': '3' });
  kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
});
afterAll(() => broker.close());

test('kafkajs reads cluster metadata: broker, controller and cluster id', async () => {
  const admin = kafka.admin();
  await admin.connect();
  const cluster = await admin.describeCluster();
  expect(cluster.brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port: broker.port }]);
  expect(cluster.controller).toBe(0);
  expect(cluster.clusterId).toBe(broker.broker.clusterId);
  await admin.disconnect();
});

test('metadata for an unknown topic auto-creates it with num.partitions, unless the request forbids it', async () => {
  const forbidden = await kafkaRequest(broker.bootstrap, ApiKey.Metadata, 9, { topics: [{ name: 'auto-made' }], allowAutoTopicCreation: false });
  expect(forbidden.topics[0]!.errorCode).toBe(3);
  const created = await kafkaRequest(broker.bootstrap, ApiKey.Metadata, 1, { topics: [{ name: 'auto-made' }] });
  expect(created.topics[0]!.partitions).toHaveLength(3);
  const admin = kafka.admin();
  await admin.connect();
  const { topics } = await admin.fetchTopicMetadata({ topics: ['auto-made'] });
  expect(topics[0]!.partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.isr]).sort()).toEqual([
    [0, 0, [0], [0]],
    [1, 0, [0], [0]],
    [2, 0, [0], [0]],
  ]);
  expect(await admin.listTopics()).toEqual(['auto-made']);
  await admin.disconnect();
});

test('topics survive a restart with the same cluster id', async () => {
  const clusterId = broker.broker.clusterId;
  broker = await broker.restart();
  expect(broker.broker.clusterId).toBe(clusterId);
  expect(broker.broker.topics.get('auto-made')?.replicas.length).toBe(3);
  expect(broker.broker.replicas.partitionsOf('auto-made')?.length).toBe(3);
});
