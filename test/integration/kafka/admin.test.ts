// Topic administration through kafkajs' admin client and, for versions kafkajs does not speak, raw requests.
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode, ZERO_UUID, type RequestInputOf, type ResponseOf } from '../../../protocol/kafka/index.js';
import { buildRecordBatch } from '../../../protocol/kafka/records/batch-builder.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { kafkaRequest } from '../../helpers/kafka-request.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';

let broker: TestBroker;
let admin: Admin;

beforeAll(async () => {
  broker = await startTestBroker({ 'num.partitions': '2', 'auto.create.topics.enable': 'false' });
  admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
  await broker.close();
});

function partitionsOf(metadata: Awaited<ReturnType<Admin['fetchTopicMetadata']>>, topic: string): number[][] {
  const found = metadata.topics.find((t) => t.name === topic)!;
  return found.partitions.map((p) => [p.partitionId, p.leader, ...p.replicas]).sort((a, b) => a[0]! - b[0]!);
}

test('kafkajs creates, lists, describes and deletes topics', async () => {
  expect(
    await admin.createTopics({
      topics: [
        { topic: 'orders', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '60000' }] },
        { topic: 'audit', replicaAssignment: [{ partition: 0, replicas: [0] }, { partition: 1, replicas: [0] }] },
      ],
    }),
  ).toBe(true);
  expect((await admin.listTopics()).sort()).toEqual(['audit', 'orders']);
  const metadata = await admin.fetchTopicMetadata({ topics: ['orders', 'audit'] });
  expect(partitionsOf(metadata, 'orders')).toEqual([
    [0, 0, 0],
    [1, 0, 0],
    [2, 0, 0],
  ]);
  expect(partitionsOf(metadata, 'audit')).toHaveLength(2);
  expect(broker.broker.topics.get('orders')?.configs).toEqual({ 'retention.ms': '60000' });
  expect(broker.broker.replicas.partition('orders', 0)?.log.config.retentionMs).toBe(60_000);

  // kafkajs reports an existing topic as "not created" rather than an error.
  expect(await admin.createTopics({ topics: [{ topic: 'orders' }] })).toBe(false);

  await admin.deleteTopics({ topics: ['orders', 'audit'] });
  expect(await admin.listTopics()).toEqual([]);
  expect(broker.broker.replicas.partitionsOf('orders')).toBeUndefined();
});

test('kafkajs validateOnly checks a topic without creating it, and reports Kafka errors per topic', async () => {
  // kafkajs would otherwise wait for the leaders of a topic that was never meant to exist.
  expect(await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'dry-run', numPartitions: 4 }] })).toBe(true);
  expect(broker.broker.topics.get('dry-run')).toBeUndefined();
  await expect(admin.createTopics({ topics: [{ topic: 'too-many-copies', replicationFactor: 3 }] })).rejects.toMatchObject({
    errors: [expect.objectContaining({ type: 'INVALID_REPLICATION_FACTOR', topic: 'too-many-copies' })],
  });
  await expect(admin.createTopics({ topics: [{ topic: 'bad', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] })).rejects.toMatchObject({
    errors: [expect.objectContaining({ type: 'INVALID_CONFIG' })],
  });
});

test('kafkajs adds partitions; a count that is not an increase is INVALID_PARTITIONS', async () => {
  await admin.createTopics({ topics: [{ topic: 'growing', numPartitions: 1 }] });
  await admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 3 }] });
  expect(partitionsOf(await admin.fetchTopicMetadata({ topics: ['growing'] }), 'growing')).toEqual([
    [0, 0, 0],
    [1, 0, 0],
    [2, 0, 0],
  ]);
  await admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 4, assignments: [[0]] }] });
  expect(broker.broker.replicas.partitionsOf('growing')).toHaveLength(4);
  await expect(admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 2 }] })).rejects.toMatchObject({ type: 'INVALID_PARTITIONS' });
  await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic: 'growing', count: 9 }] });
  expect(broker.broker.topics.get('growing')?.replicas).toHaveLength(4);
});

test('CreateTopics v7 takes broker defaults for -1 and answers with counts, configs and the topic id', async () => {
  const res = await kafkaRequest(broker.bootstrap, ApiKey.CreateTopics, 7, {
    topics: [{ name: 'v7', numPartitions: -1, replicationFactor: -1, assignments: [], configs: [{ name: 'segment.bytes', value: '1048576' }] }],
    timeoutMs: 5000,
  });
  const [result] = res.topics;
  expect(result).toMatchObject({ name: 'v7', errorCode: 0, errorMessage: null, numPartitions: 2, replicationFactor: 1 });
  expect(result!.topicId).toBe(broker.broker.topics.get('v7')!.topicId);
  const configs = new Map(result!.configs!.map((c) => [c.name, c]));
  expect(configs.get('segment.bytes')).toEqual({ name: 'segment.bytes', value: '1048576', readOnly: false, configSource: 1, isSensitive: false });
  // log.dirs is in the test broker's properties, but nothing retention-related: Kafka's defaults.
  expect(configs.get('retention.ms')).toMatchObject({ value: String(7 * 24 * 3_600_000), configSource: 5 });
  expect([...configs.keys()]).toEqual([...configs.keys()].sort());

  const metadata = await kafkaRequest(broker.bootstrap, ApiKey.Metadata, 12, { topics: [{ name: 'v7', topicId: ZERO_UUID }] });
  expect(metadata.topics[0]!.topicId).toBe(result!.topicId);
});

test('CreateTopics refuses every entry of a name given twice, and creates the rest', async () => {
  const res = await kafkaRequest(broker.bootstrap, ApiKey.CreateTopics, 5, {
    topics: [
      { name: 'twice', numPartitions: 1, replicationFactor: 1 },
      { name: 'once', numPartitions: 1, replicationFactor: 1 },
      { name: 'twice', numPartitions: 2, replicationFactor: 1 },
    ],
    timeoutMs: 5000,
  });
  expect(res.topics.map((t) => [t.name, t.errorCode, t.errorMessage])).toEqual([
    ['twice', ErrorCode.INVALID_REQUEST, 'Found multiple entries for this topic.'],
    ['once', 0, null],
    ['twice', ErrorCode.INVALID_REQUEST, 'Found multiple entries for this topic.'],
  ]);
  expect(res.topics[0]).toMatchObject({ numPartitions: -1, replicationFactor: -1, configs: [] });
  expect(broker.broker.topics.get('twice')).toBeUndefined();
  expect(broker.broker.topics.get('once')).toBeDefined();
});

test('validateOnly answers as a creation would, without a topic id; timeoutMs 0 creates but answers REQUEST_TIMED_OUT', async () => {
  const dry = await kafkaRequest(broker.bootstrap, ApiKey.CreateTopics, 7, {
    topics: [{ name: 'dry', numPartitions: 5, replicationFactor: 1 }],
    timeoutMs: 5000,
    validateOnly: true,
  });
  expect(dry.topics[0]).toMatchObject({ errorCode: 0, numPartitions: 5, topicId: ZERO_UUID });
  expect(broker.broker.topics.get('dry')).toBeUndefined();

  // Kafka does not wait for a topic when the timeout is 0; librdkafka's default admin timeout relies on it.
  const now = await kafkaRequest(broker.bootstrap, ApiKey.CreateTopics, 4, {
    topics: [{ name: 'no-wait', numPartitions: 1, replicationFactor: 1 }],
    timeoutMs: 0,
  });
  expect(now.topics[0]!.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
  expect(broker.broker.topics.get('no-wait')).toBeDefined();
  await expect.poll(() => broker.broker.replicas.partitionsOf('no-wait')?.length).toBe(1);
});

test('DeleteTopics v6 deletes by id; unknown ids, names and malformed entries get their own errors', async () => {
  await admin.createTopics({ topics: [{ topic: 'by-id' }, { topic: 'by-name' }, { topic: 'both' }] });
  const id = broker.broker.topics.get('by-id')!.topicId;
  const bothId = broker.broker.topics.get('both')!.topicId;
  const res = await kafkaRequest(broker.bootstrap, ApiKey.DeleteTopics, 6, {
    topics: [
      { name: null, topicId: id },
      { name: 'by-name', topicId: ZERO_UUID },
      { name: null, topicId: 'ab'.repeat(16) },
      { name: 'never-was', topicId: ZERO_UUID },
      { name: 'both', topicId: bothId },
      { name: null, topicId: ZERO_UUID },
      { name: 'dup', topicId: ZERO_UUID },
      { name: 'dup', topicId: ZERO_UUID },
    ],
    timeoutMs: 5000,
  });
  expect(res.responses.map((r) => [r.name, r.topicId, r.errorCode, r.errorMessage])).toEqual([
    ['by-id', id, 0, null],
    ['by-name', expect.stringMatching(/^[0-9a-f]{32}$/), 0, null],
    [null, 'ab'.repeat(16), ErrorCode.UNKNOWN_TOPIC_ID, null],
    ['never-was', ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null],
    ['both', bothId, ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.'],
    [null, ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.'],
    ['dup', ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'],
  ]);
  expect(broker.broker.topics.get('by-id')).toBeUndefined();
  expect(broker.broker.topics.get('by-name')).toBeUndefined();
  expect(broker.broker.topics.get('both')).toBeDefined();

  // One topic named and also given by id: one refusal, naming both, and nothing deleted.
  const twice = await kafkaRequest(broker.bootstrap, ApiKey.DeleteTopics, 6, {
    topics: [
      { name: null, topicId: bothId },
      { name: 'both', topicId: ZERO_UUID },
    ],
    timeoutMs: 5000,
  });
  expect(twice.responses).toEqual([
    { name: 'both', topicId: bothId, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'The provided topic name maps to an ID that was already supplied.' },
  ]);
  expect(broker.broker.topics.get('both')).toBeDefined();
});

test('with delete.topic.enable=false every entry is refused: INVALID_REQUEST before v3, TOPIC_DELETION_DISABLED after', async () => {
  const locked = await startTestBroker({ 'delete.topic.enable': 'false' });
  try {
    const old = await kafkaRequest(locked.bootstrap, ApiKey.DeleteTopics, 2, { topicNames: ['a', 'b'], timeoutMs: 1000 });
    expect(old.responses.map((r) => [r.name, r.errorCode])).toEqual([
      ['a', ErrorCode.INVALID_REQUEST],
      ['b', ErrorCode.INVALID_REQUEST],
    ]);
    const v5 = await kafkaRequest(locked.bootstrap, ApiKey.DeleteTopics, 5, { topicNames: ['a'], timeoutMs: 1000 });
    expect(v5.responses[0]).toMatchObject({ errorCode: ErrorCode.TOPIC_DELETION_DISABLED, errorMessage: 'Topic deletion is disabled.' });
  } finally {
    await locked.close();
  }
});

test('the internal topics are not deleted', async () => {
  await kafkaRequest(broker.bootstrap, ApiKey.CreateTopics, 2, {
    topics: [{ name: '__consumer_offsets', numPartitions: 1, replicationFactor: 1 }],
    timeoutMs: 5000,
  });
  const res = await kafkaRequest(broker.bootstrap, ApiKey.DeleteTopics, 5, { topicNames: ['__consumer_offsets'], timeoutMs: 5000 });
  expect(res.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringMatching(/internal topic/) });
  expect(broker.broker.topics.get('__consumer_offsets')).toBeDefined();
  const metadata = await kafkaRequest(broker.bootstrap, ApiKey.CreateTopics, 1, {
    topics: [{ name: '__cluster_metadata', numPartitions: 1, replicationFactor: 1 }],
    timeoutMs: 5000,
  });
  expect(metadata.topics[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Creation of internal topic __cluster_metadata is prohibited.' });
});

test('a topic deleted and created again, with each request overtaking the last one\'s work, ends with one empty log', async () => {
  await admin.createTopics({ topics: [{ topic: 'reborn', numPartitions: 1 }] });
  const log = broker.broker.replicas.partition('reborn', 0)!.log;
  log.append(buildRecordBatch([{ value: Buffer.from('old') }], { baseTimestamp: Date.now() }), Date.now());
  await log.waitWritten(0);
  expect(log.logEndOffset).toBe(1);

  // timeoutMs 0: each answer comes before its change finishes, so the next request overtakes it.
  const create = { topics: [{ name: 'reborn', numPartitions: 1, replicationFactor: 1 }], timeoutMs: 0 };
  const answers = await Promise.all([
    kafkaRequest(broker.bootstrap, ApiKey.DeleteTopics, 4, { topicNames: ['reborn'], timeoutMs: 0 }),
    kafkaRequest(broker.bootstrap, ApiKey.CreateTopics, 5, create),
    kafkaRequest(broker.bootstrap, ApiKey.DeleteTopics, 4, { topicNames: ['reborn'], timeoutMs: 0 }),
    kafkaRequest(broker.bootstrap, ApiKey.CreateTopics, 5, create),
  ]);
  expect(answers.map((a) => ('responses' in a ? a.responses[0]!.errorCode : a.topics[0]!.errorCode))).toEqual(Array(4).fill(ErrorCode.REQUEST_TIMED_OUT));
  await expect.poll(() => broker.broker.replicas.partitionsOf('reborn')?.length).toBe(1);
  expect(broker.broker.replicas.partition('reborn', 0)!.log.logEndOffset).toBe(0);
});

test('CreatePartitions refuses duplicates once, unknown brokers and non-increases with Kafka messages', async () => {
  await admin.createTopics({ topics: [{ topic: 'fixed', numPartitions: 2 }] });
  const res = await kafkaRequest(broker.bootstrap, ApiKey.CreatePartitions, 3, {
    topics: [
      { name: 'fixed', count: 2, assignments: null },
      { name: 'nope', count: 2, assignments: null },
      { name: 'again', count: 3, assignments: null },
      { name: 'again', count: 4, assignments: null },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  expect(res.results.map((r) => [r.name, r.errorCode, r.errorMessage])).toEqual([
    ['fixed', ErrorCode.INVALID_PARTITIONS, 'Topic already has 2 partitions.'],
    ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'nope' does not exist."],
    ['again', ErrorCode.INVALID_REQUEST, 'Duplicate topic in request.'],
  ]);
  const bad = await kafkaRequest(broker.bootstrap, ApiKey.CreatePartitions, 1, {
    topics: [{ name: 'fixed', count: 3, assignments: [{ brokerIds: [7] }] }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  expect(bad.results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'Unknown broker(s) in replica assignment: 7.' });
  expect(broker.broker.topics.get('fixed')!.replicas).toHaveLength(2);
});

test('topics, partitions and configs made through the admin APIs survive a restart', async () => {
  await admin.createTopics({ topics: [{ topic: 'kept', numPartitions: 1, configEntries: [{ name: 'retention.bytes', value: '4096' }] }] });
  await admin.createPartitions({ topicPartitions: [{ topic: 'kept', count: 2 }] });
  await admin.disconnect();
  broker = await broker.restart();
  admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
  expect(partitionsOf(await admin.fetchTopicMetadata({ topics: ['kept'] }), 'kept')).toHaveLength(2);
  expect(broker.broker.replicas.partition('kept', 1)!.log.config.retentionBytes).toBe(4096);
});

/** One request as client id `mutator`, over a fresh connection: a throttled response mutes the one it came on. */
async function asMutator<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestInputOf<K>): Promise<ResponseOf<K>> {
  const conn = await KafkaConnection.connect(broker.bootstrap, { clientId: 'mutator' });
  try {
    return await conn.send(apiKey, apiVersion, body);
  } finally {
    conn.close();
  }
}

test('controller_mutation_rate: strict versions refuse topics over it with THROTTLING_QUOTA_EXCEEDED, older ones are throttled; validateOnly is free', async () => {
  // 0.01 partitions/s: a burst of 0.11 over the 11 default windows, and a refill too slow to matter while the test runs.
  const altered = await kafkaRequest(broker.bootstrap, ApiKey.AlterClientQuotas, 1, {
    entries: [{ entity: [{ entityType: 'client-id', entityName: 'mutator' }], ops: [{ key: 'controller_mutation_rate', value: 0.01, remove: false }] }],
    validateOnly: false,
  });
  expect(altered.entries.map((e) => e.errorCode)).toEqual([ErrorCode.NONE]);
  const topic = (name: string, numPartitions: number) => ({ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] });
  const throttledFor = (seconds: number) => expect.toSatisfy((ms: number) => ms > (seconds - 10) * 1000 && ms <= seconds * 1000);

  // Strict (v7): the bucket is not below zero for the first topic, which overdraws it to -1.89; the next one is refused.
  const strict = await asMutator(ApiKey.CreateTopics, 7, { topics: [topic('quota-a', 2), topic('quota-b', 1)], timeoutMs: 10_000, validateOnly: false });
  expect(strict.topics.map((t) => [t.name, t.errorCode])).toEqual([
    ['quota-a', ErrorCode.NONE],
    ['quota-b', ErrorCode.THROTTLING_QUOTA_EXCEEDED],
  ]);
  expect(strict.topics[1]).toMatchObject({ errorMessage: 'The throttling quota has been exceeded.', numPartitions: -1, topicId: ZERO_UUID });
  expect(strict.throttleTimeMs).toEqual(throttledFor(189));
  // Validating takes nothing from the quota, so it is answered as if there were none.
  const validated = await asMutator(ApiKey.CreateTopics, 7, { topics: [topic('quota-b', 1)], timeoutMs: 10_000, validateOnly: true });
  expect(validated).toMatchObject({ throttleTimeMs: 0, topics: [{ name: 'quota-b', errorCode: ErrorCode.NONE }] });
  // Permissive (v5): created, and throttled until the bucket is back at zero.
  const permissive = await asMutator(ApiKey.CreateTopics, 5, { topics: [topic('quota-b', 1)], timeoutMs: 10_000, validateOnly: false });
  expect(permissive.topics[0]).toMatchObject({ name: 'quota-b', errorCode: ErrorCode.NONE });
  expect(permissive.throttleTimeMs).toEqual(throttledFor(289));

  // CreatePartitions counts the partitions added, DeleteTopics the topic's partitions.
  const grow = (v: number) => asMutator(ApiKey.CreatePartitions, v, { topics: [{ name: 'quota-b', count: 2, assignments: null }], timeoutMs: 10_000, validateOnly: false });
  expect(await grow(3)).toMatchObject({ throttleTimeMs: throttledFor(289), results: [{ name: 'quota-b', errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED }] });
  expect(await grow(2)).toMatchObject({ throttleTimeMs: throttledFor(389), results: [{ name: 'quota-b', errorCode: ErrorCode.NONE }] });
  const drop = (v: number) => asMutator(ApiKey.DeleteTopics, v, { topics: [{ name: 'quota-a', topicId: ZERO_UUID }], topicNames: ['quota-a'], timeoutMs: 10_000 });
  expect(await drop(6)).toMatchObject({ throttleTimeMs: throttledFor(389), responses: [{ name: 'quota-a', errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED }] });
  expect(await drop(4)).toMatchObject({ throttleTimeMs: throttledFor(589), responses: [{ name: 'quota-a', errorCode: ErrorCode.NONE }] });
  expect(broker.broker.topics.get('quota-a')).toBeUndefined();

  // Other clients have no quota and count nothing.
  const free = await kafkaRequest(broker.bootstrap, ApiKey.CreateTopics, 7, { topics: [topic('quota-free', 4)], timeoutMs: 10_000, validateOnly: false });
  expect(free).toMatchObject({ throttleTimeMs: 0, topics: [{ name: 'quota-free', errorCode: ErrorCode.NONE }] });
  const sensors = [...broker.broker.quotaManager.all()].filter((s) => s.kind === 'mutation');
  expect(sensors).toEqual([expect.objectContaining({ user: '', clientId: 'mutator', throttledResponses: 6 })]);
});
