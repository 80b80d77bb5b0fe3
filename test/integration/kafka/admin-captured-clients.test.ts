// The admin requests librdkafka, kafka-python and @platformatic/kafka really sent (test/fixtures/kafka/
// captured), replayed byte for byte against the broker: create, describe, alter, grow and delete a topic,
// with the answers Kafka gives those exact requests.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { ApiKey, decodeRequestFrame, decodeResponseFrame, ErrorCode, type ApiKey as ApiKeyType, type ResponseOf } from '../../../protocol/kafka/index.js';
import { exchange, sizePrefixed } from '../../helpers/raw-exchange.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';

interface CapturedFrame {
  api: string;
  apiKey: number;
  apiVersion: number;
  frame: string;
}

const TOPIC_CONFIG = 1;

let broker: TestBroker;

beforeEach(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false' });
});
afterEach(() => broker.close());

function captured(client: string): CapturedFrame[] {
  const file = JSON.parse(readFileSync(new URL(`../../fixtures/kafka/captured/${client}.json`, import.meta.url), 'utf8')) as { frames: CapturedFrame[] };
  return file.frames;
}

/** The captured frame of `apiKey` at `version`, the first whose decoded body passes `which`. */
function frameOf(frames: CapturedFrame[], apiKey: ApiKeyType, version: number, which: (body: unknown) => boolean = () => true): Buffer {
  const found = frames.find((f) => f.apiKey === apiKey && f.apiVersion === version && which(decodeRequestFrame(Buffer.from(f.frame, 'hex')).body));
  if (!found) throw new Error(`no captured ${apiKey} v${version}`);
  return Buffer.from(found.frame, 'hex');
}

/** Sends a captured frame as it is and decodes the answer in the frame's own version. */
async function replay<K extends ApiKeyType>(apiKey: K, frame: Buffer): Promise<ResponseOf<K>> {
  const { apiVersion } = decodeRequestFrame(frame);
  const { frames } = await exchange(broker.bootstrap, sizePrefixed(frame), 1);
  const answer = frames[0];
  if (!answer) throw new Error('closed before an answer');
  return decodeResponseFrame(apiKey, apiVersion, answer).body;
}

function describedValue(res: ResponseOf<typeof ApiKey.DescribeConfigs>, name: string) {
  return res.results[0]!.configs.find((c) => c.name === name);
}

test('librdkafka (confluent-kafka-python admin): CreateTopics v4, DescribeConfigs v1, AlterConfigs v0, CreatePartitions v0, DeleteTopics v1', async () => {
  const frames = captured('librdkafka');
  expect((await replay(ApiKey.CreateTopics, frameOf(frames, ApiKey.CreateTopics, 4))).topics).toMatchObject([{ name: 'admin-topic', errorCode: 0, errorMessage: null }]);
  expect(broker.broker.replicas.partitionsOf('admin-topic')).toHaveLength(2);

  const described = await replay(ApiKey.DescribeConfigs, frameOf(frames, ApiKey.DescribeConfigs, 1));
  expect(describedValue(described, 'retention.ms')).toMatchObject({
    value: '1000',
    configSource: TOPIC_CONFIG,
    synonyms: [{ name: 'retention.ms', value: '1000', source: TOPIC_CONFIG }],
  });

  expect((await replay(ApiKey.AlterConfigs, frameOf(frames, ApiKey.AlterConfigs, 0))).responses[0]!.errorCode).toBe(0);
  expect(broker.broker.replicas.partition('admin-topic', 0)!.log.config.retentionMs).toBe(2000);
  expect((await replay(ApiKey.CreatePartitions, frameOf(frames, ApiKey.CreatePartitions, 0))).results[0]!.errorCode).toBe(0);
  expect(broker.broker.replicas.partitionsOf('admin-topic')).toHaveLength(3);
  expect((await replay(ApiKey.DeleteTopics, frameOf(frames, ApiKey.DeleteTopics, 1))).responses[0]!.errorCode).toBe(0);
  expect(broker.broker.topics.list()).toEqual([]);
});

test('kafka-python admin client: CreateTopics v3, DescribeConfigs v2, AlterConfigs v1, CreatePartitions v1, DeleteTopics v3', async () => {
  const frames = captured('kafka-python');
  expect((await replay(ApiKey.CreateTopics, frameOf(frames, ApiKey.CreateTopics, 3))).topics[0]).toMatchObject({ name: 'python-topic', errorCode: 0 });
  const described = await replay(ApiKey.DescribeConfigs, frameOf(frames, ApiKey.DescribeConfigs, 2));
  expect(describedValue(described, 'retention.ms')).toMatchObject({ value: '1000', configSource: TOPIC_CONFIG, synonyms: [] });
  expect((await replay(ApiKey.AlterConfigs, frameOf(frames, ApiKey.AlterConfigs, 1))).responses[0]!.errorCode).toBe(0);
  expect(broker.broker.topics.get('python-topic')!.configs).toEqual({ 'retention.ms': '2000' });
  expect((await replay(ApiKey.CreatePartitions, frameOf(frames, ApiKey.CreatePartitions, 1))).results[0]!.errorCode).toBe(0);
  expect(broker.broker.replicas.partitionsOf('python-topic')).toHaveLength(2);
  expect((await replay(ApiKey.DeleteTopics, frameOf(frames, ApiKey.DeleteTopics, 3))).responses[0]!.errorCode).toBe(0);
});

test('@platformatic/kafka at the newest versions: CreateTopics v7, DescribeConfigs v3-4, AlterConfigs v2, IncrementalAlterConfigs v1, CreatePartitions v1-3, DeleteTopics v6', async () => {
  const frames = captured('platformatic-kafka');
  await broker.broker.topics.create({ name: 'capture', numPartitions: 1, replicationFactor: 1 });
  const created = (await replay(ApiKey.CreateTopics, frameOf(frames, ApiKey.CreateTopics, 7))).topics[0]!;
  expect(created).toMatchObject({ name: 'pk-topic', errorCode: 0, numPartitions: 2, replicationFactor: 1 });
  expect(created.topicId).toBe(broker.broker.topics.get('pk-topic')!.topicId);

  const forTopic = (name: string) => (body: unknown) => (body as { resources: { resourceName: string }[] }).resources[0]!.resourceName === name;
  const v4 = await replay(ApiKey.DescribeConfigs, frameOf(frames, ApiKey.DescribeConfigs, 4, forTopic('pk-topic')));
  expect(v4.results[0]!.configs).toEqual([
    {
      name: 'retention.ms',
      value: '1000',
      readOnly: false,
      isDefault: false,
      configSource: TOPIC_CONFIG,
      isSensitive: false,
      synonyms: [{ name: 'retention.ms', value: '1000', source: TOPIC_CONFIG }],
      configType: 5,
      documentation: expect.any(String),
    },
  ]);
  const v3 = await replay(ApiKey.DescribeConfigs, frameOf(frames, ApiKey.DescribeConfigs, 3));
  expect(v3.results[0]!.configs.map((c) => [c.name, c.configSource])).toEqual([['retention.ms', 5]]);

  expect((await replay(ApiKey.AlterConfigs, frameOf(frames, ApiKey.AlterConfigs, 2))).responses[0]!.errorCode).toBe(0);
  expect(broker.broker.topics.get('pk-topic')!.configs).toEqual({ 'retention.ms': '2000' });
  expect((await replay(ApiKey.IncrementalAlterConfigs, frameOf(frames, ApiKey.IncrementalAlterConfigs, 1))).responses[0]!.errorCode).toBe(0);
  expect(broker.broker.replicas.partition('pk-topic', 1)!.log.config.retentionMs).toBe(3000);

  // This client sends an empty (not null) assignment list for "place them yourself"; Kafka reads that as
  // a manual assignment of no partitions and refuses it, and so does Skein.
  for (const version of [1, 2, 3]) {
    const grow = await replay(ApiKey.CreatePartitions, frameOf(frames, ApiKey.CreatePartitions, version));
    expect(grow.results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT });
  }
  expect(broker.broker.topics.get('pk-topic')!.replicas).toHaveLength(2);

  expect((await replay(ApiKey.DeleteTopics, frameOf(frames, ApiKey.DeleteTopics, 6))).responses[0]).toMatchObject({ name: 'pk-topic', errorCode: 0 });
  expect(broker.broker.topics.get('pk-topic')).toBeUndefined();
});
