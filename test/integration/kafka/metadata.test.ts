import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
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

test('v10 and v11 refuse a null name or a topic id with INVALID_REQUEST, as Kafka does, and keep the connection', async () => {
  const unknownId = '0123456789abcdef0123456789abcdef';
  for (const version of [10, 11]) {
    const conn = await KafkaConnection.connect(broker.bootstrap);
    const nullName = await conn.send(ApiKey.Metadata, version, { topics: [{ name: null, topicId: unknownId }, { name: 'auto-made' }] });
    expect(nullName.topics.map((t) => [t.errorCode, t.name, t.topicId])).toEqual([
      [ErrorCode.INVALID_REQUEST, '', unknownId],
      [ErrorCode.INVALID_REQUEST, 'auto-made', ZERO_UUID],
    ]);
    expect(nullName.brokers).toEqual([]);
    const withId = await conn.send(ApiKey.Metadata, version, { topics: [{ name: 'auto-made', topicId: unknownId }] });
    expect(withId.topics.map((t) => t.errorCode)).toEqual([ErrorCode.INVALID_REQUEST]);
    expect(conn.closed).toBe(false);
    conn.close();
  }
});

test.each([12, 13])('v%i looks topics up by id: an unknown id is UNKNOWN_TOPIC_ID with a null name', async (version) => {
  const known = broker.broker.topics.get('auto-made')!;
  const unknownId = '0123456789abcdef0123456789abcdef';
  const r = await kafkaRequest(broker.bootstrap, ApiKey.Metadata, version, {
    topics: [{ name: null, topicId: unknownId }, { name: null, topicId: known.topicId }],
    includeTopicAuthorizedOperations: true,
  });
  expect(r.topics.map((t) => [t.errorCode, t.name, t.topicId, t.partitions.length])).toEqual([
    [ErrorCode.UNKNOWN_TOPIC_ID, null, unknownId, 0],
    [ErrorCode.NONE, 'auto-made', known.topicId, 3],
  ]);
  // Kafka computes operations only for the topics it found by id.
  expect(r.topics.map((t) => t.topicAuthorizedOperations)).toEqual([-2147483648, TOPIC_OPERATIONS]);
  // v13's top-level error (KIP-1102) is never set.
  expect(r.errorCode).toBe(ErrorCode.NONE);
});

const bits = (...codes: number[]): number => codes.reduce((b, c) => b | (1 << c), 0);
/** READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11. */
const TOPIC_OPERATIONS = bits(3, 4, 5, 6, 7, 8, 10, 11);
/** CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12. */
const CLUSTER_OPERATIONS = bits(5, 7, 8, 9, 10, 11, 12);

test('v8+ report every operation as authorized when asked, as Kafka without an authorizer does', async () => {
  for (let version = 8; version <= 13; version++) {
    const asked = await kafkaRequest(broker.bootstrap, ApiKey.Metadata, version, {
      topics: [{ name: 'auto-made' }, { name: 'never-made' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: true,
      includeTopicAuthorizedOperations: true,
    });
    expect(asked.topics.map((t) => [t.name, t.errorCode, t.topicAuthorizedOperations]), `v${version}`).toEqual([
      ['auto-made', ErrorCode.NONE, TOPIC_OPERATIONS],
      ['never-made', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, TOPIC_OPERATIONS],
    ]);
    expect(asked.clusterAuthorizedOperations, `v${version}`).toBe(version <= 10 ? CLUSTER_OPERATIONS : -2147483648);
    const notAsked = await kafkaRequest(broker.bootstrap, ApiKey.Metadata, version, { topics: null });
    expect(notAsked.topics.map((t) => t.topicAuthorizedOperations)).toEqual([-2147483648]);
    expect(notAsked.clusterAuthorizedOperations).toBe(-2147483648);
  }
});
