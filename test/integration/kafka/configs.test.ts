// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs: kafkajs' admin client for what it speaks
// (describe v2, alter v1), raw requests for the newer versions and the edges.
import { ConfigResourceTypes, ConfigSource, Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { kafkaRequest } from '../../helpers/kafka-request.js';

const TOPIC = 2;
const BROKER = 4;
const [SET, DELETE, APPEND, SUBTRACT] = [0, 1, 2, 3];

let broker: TestBroker;
let admin: Admin;

async function connectAdmin(): Promise<void> {
  admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
}

beforeAll(async () => {
  broker = await startTestBroker({ 'log.retention.hours': '24', 'log.segment.bytes': '2097152' });
  await connectAdmin();
  await admin.createTopics({ topics: [{ topic: 'cfg', numPartitions: 2 }, { topic: 'other' }] });
});
afterAll(async () => {
  await admin.disconnect();
  await broker.close();
});

function describeTopic(names?: string[]) {
  return admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configNames: names }] });
}

function incremental(resourceType: number, resourceName: string, configs: { name: string; configOperation: number; value: string | null }[], validateOnly = false) {
  return kafkaRequest(broker.bootstrap, ApiKey.IncrementalAlterConfigs, 1, { resources: [{ resourceType, resourceName, configs }], validateOnly });
}

test('kafkajs describes a topic: values, sources and synonyms as Kafka reports them', async () => {
  const { resources } = await describeTopic();
  const entries = new Map(resources[0]!.configEntries.map((e) => [e.configName, e]));
  expect(entries.get('segment.bytes')).toMatchObject({
    configValue: '2097152',
    configSource: ConfigSource.STATIC_BROKER_CONFIG,
    isDefault: false,
    readOnly: false,
    isSensitive: false,
    configSynonyms: [
      { configName: 'log.segment.bytes', configValue: '2097152', configSource: ConfigSource.STATIC_BROKER_CONFIG },
      { configName: 'log.segment.bytes', configValue: '1073741824', configSource: ConfigSource.DEFAULT_CONFIG },
    ],
  });
  // Kafka only counts log.retention.ms itself as retention.ms' broker setting; hours still set the value.
  expect(entries.get('retention.ms')).toMatchObject({ configValue: String(24 * 3_600_000), configSource: ConfigSource.DEFAULT_CONFIG, configSynonyms: [] });
  expect(entries.get('cleanup.policy')).toMatchObject({ configValue: 'delete', configSource: ConfigSource.DEFAULT_CONFIG });

  const some = await describeTopic(['retention.bytes', 'no.such.config']);
  expect(some.resources[0]!.configEntries.map((e) => e.configName)).toEqual(['retention.bytes']);
});

test('kafkajs describes the broker: every server.properties key, read-only, with its source', async () => {
  const { resources } = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.BROKER, name: '0' }] });
  const entries = new Map(resources[0]!.configEntries.map((e) => [e.configName, e]));
  expect(entries.get('log.retention.hours')).toMatchObject({
    configValue: '24',
    configSource: ConfigSource.STATIC_BROKER_CONFIG,
    readOnly: true,
    configSynonyms: [
      { configName: 'log.retention.hours', configValue: '24', configSource: ConfigSource.STATIC_BROKER_CONFIG },
      { configName: 'log.retention.hours', configValue: '168', configSource: ConfigSource.DEFAULT_CONFIG },
    ],
  });
  expect(entries.get('log.retention.ms')).toMatchObject({ configValue: null, configSource: ConfigSource.DEFAULT_CONFIG, configSynonyms: [] });
  expect(entries.get('num.partitions')).toMatchObject({ configValue: '1', configSource: ConfigSource.DEFAULT_CONFIG, isDefault: true });
  expect(entries.get('log.dirs')).toMatchObject({ configValue: broker.dataDir, configSource: ConfigSource.STATIC_BROKER_CONFIG });
  expect([...entries.values()].every((e) => e.readOnly)).toBe(true);
});

test('kafkajs alterConfigs replaces the overrides; retention.ms reaches the partition logs at once and after a restart', async () => {
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: ConfigResourceTypes.TOPIC,
        name: 'cfg',
        configEntries: [
          { name: 'retention.ms', value: '3600000' },
          { name: 'max.message.bytes', value: '2048' },
          { name: 'segment.bytes', value: '65536' },
        ],
      },
    ],
  });
  for (const p of broker.broker.replicas.partitionsOf('cfg')!) {
    expect(p.log.config.retentionMs).toBe(3_600_000);
    expect(p.log.config.maxMessageBytes).toBe(2048);
    expect(p.log.config.segmentBytes).toBe(65_536);
  }
  const described = new Map((await describeTopic()).resources[0]!.configEntries.map((e) => [e.configName, e]));
  expect(described.get('retention.ms')).toMatchObject({
    configValue: '3600000',
    configSource: ConfigSource.TOPIC_CONFIG,
    configSynonyms: [{ configName: 'retention.ms', configValue: '3600000', configSource: ConfigSource.TOPIC_CONFIG }],
  });

  // The legacy API replaces the whole set: what is not named reverts to the broker's value.
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'cfg', configEntries: [{ name: 'retention.ms', value: '7200000' }] }] });
  expect(broker.broker.topics.get('cfg')!.configs).toEqual({ 'retention.ms': '7200000' });
  expect(broker.broker.replicas.partition('cfg', 1)!.log.config.maxMessageBytes).toBe(1_048_588);

  await admin.disconnect();
  broker = await broker.restart();
  await connectAdmin();
  expect(broker.broker.replicas.partition('cfg', 0)!.log.config.retentionMs).toBe(7_200_000);
  const after = (await describeTopic(['retention.ms'])).resources[0]!.configEntries[0]!;
  expect(after).toMatchObject({ configValue: '7200000', configSource: ConfigSource.TOPIC_CONFIG });
});

test('bad values and unknown names are INVALID_CONFIG, an unknown topic UNKNOWN_TOPIC_OR_PARTITION; validateOnly changes nothing', async () => {
  const res = await kafkaRequest(broker.bootstrap, ApiKey.AlterConfigs, 2, {
    resources: [
      { resourceType: TOPIC, resourceName: 'cfg', configs: [{ name: 'segment.bytes', value: '10' }] },
      { resourceType: TOPIC, resourceName: 'other', configs: [{ name: 'no.such.config', value: '1' }] },
      { resourceType: TOPIC, resourceName: 'ghost', configs: [] },
      { resourceType: TOPIC, resourceName: '', configs: [] },
    ],
    validateOnly: false,
  });
  expect(res.responses.map((r) => [r.resourceName, r.errorCode])).toEqual([
    ['cfg', ErrorCode.INVALID_CONFIG],
    ['other', ErrorCode.INVALID_CONFIG],
    ['ghost', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ['', ErrorCode.INVALID_REQUEST],
  ]);
  expect(res.responses[0]!.errorMessage).toBe('Invalid value 10 for configuration segment.bytes: 10 is below the minimum 14');

  const dry = await kafkaRequest(broker.bootstrap, ApiKey.AlterConfigs, 0, {
    resources: [{ resourceType: TOPIC, resourceName: 'other', configs: [{ name: 'retention.ms', value: '1000' }] }],
    validateOnly: true,
  });
  expect(dry.responses[0]!.errorCode).toBe(0);
  expect(broker.broker.topics.get('other')!.configs).toEqual({});
});

test('resources named twice, repeated keys and null values are INVALID_REQUEST', async () => {
  const res = await kafkaRequest(broker.bootstrap, ApiKey.AlterConfigs, 1, {
    resources: [
      { resourceType: TOPIC, resourceName: 'other', configs: [] },
      { resourceType: TOPIC, resourceName: 'cfg', configs: [{ name: 'retention.ms', value: '1' }, { name: 'retention.ms', value: '2' }] },
      { resourceType: TOPIC, resourceName: 'other', configs: [] },
      { resourceType: 3, resourceName: 'x', configs: [] },
    ],
    validateOnly: false,
  });
  expect(res.responses.map((r) => [r.errorCode, r.errorMessage])).toEqual([
    [ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.'],
    [ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys'],
    [ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.'],
    [ErrorCode.INVALID_REQUEST, 'Unknown resource type 3'],
  ]);
  const nulls = await incremental(TOPIC, 'cfg', [{ name: 'retention.ms', configOperation: SET, value: null }]);
  expect(nulls.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Null value not supported for : retention.ms' });
});

test('IncrementalAlterConfigs sets and deletes single keys, appends to and subtracts from lists', async () => {
  expect((await incremental(TOPIC, 'other', [{ name: 'retention.bytes', configOperation: SET, value: '8192' }])).responses[0]!.errorCode).toBe(0);
  expect((await incremental(TOPIC, 'other', [{ name: 'segment.ms', configOperation: SET, value: '60000' }])).responses[0]!.errorCode).toBe(0);
  expect(broker.broker.topics.get('other')!.configs).toEqual({ 'retention.bytes': '8192', 'segment.ms': '60000' });
  expect(broker.broker.replicas.partition('other', 0)!.log.config.retentionBytes).toBe(8192);

  const deleted = await incremental(TOPIC, 'other', [
    { name: 'retention.bytes', configOperation: DELETE, value: null },
    { name: 'not.a.config', configOperation: DELETE, value: null },
  ]);
  expect(deleted.responses[0]!.errorCode).toBe(0);
  expect(broker.broker.topics.get('other')!.configs).toEqual({ 'segment.ms': '60000' });
  expect(broker.broker.replicas.partition('other', 0)!.log.config.retentionBytes).toBe(-1);

  // cleanup.policy is the list config: appending what it holds changes nothing, a new policy joins the list,
  // and a value that is no policy is refused.
  expect((await incremental(TOPIC, 'other', [{ name: 'cleanup.policy', configOperation: APPEND, value: 'delete' }])).responses[0]!.errorCode).toBe(0);
  expect(broker.broker.topics.get('other')!.configs['cleanup.policy']).toBe('delete');
  const compact = await incremental(TOPIC, 'other', [{ name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }]);
  expect(compact.responses[0]!.errorCode).toBe(0);
  expect(broker.broker.topics.get('other')!.configs['cleanup.policy']).toBe('delete,compact');
  const shred = await incremental(TOPIC, 'other', [{ name: 'cleanup.policy', configOperation: APPEND, value: 'shred' }]);
  expect(shred.responses[0]!.errorCode).toBe(ErrorCode.INVALID_CONFIG);
  const notList = await incremental(TOPIC, 'other', [{ name: 'segment.ms', configOperation: SUBTRACT, value: '60000' }]);
  expect(notList.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Config value subtract is not allowed for config key: segment.ms' });
  const badOp = await incremental(TOPIC, 'other', [{ name: 'segment.ms', configOperation: 9, value: '1' }]);
  expect(badOp.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown operations type 9' });

  const dry = await incremental(TOPIC, 'other', [{ name: 'segment.ms', configOperation: DELETE, value: null }], true);
  expect(dry.responses[0]!.errorCode).toBe(0);
  expect(broker.broker.topics.get('other')!.configs['segment.ms']).toBe('60000');
});

test('broker configs cannot change at run time: setting one is refused as Kafka refuses a static config', async () => {
  const set = await incremental(BROKER, '0', [{ name: 'log.retention.hours', configOperation: SET, value: '1' }]);
  expect(set.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringMatching(/^Cannot update these configs dynamically: Set\(log.retention.hours\)/) });
  expect((await incremental(BROKER, '', [{ name: 'log.retention.hours', configOperation: DELETE, value: null }])).responses[0]!.errorCode).toBe(0);
  const wrongId = await incremental(BROKER, '5', []);
  expect(wrongId.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unexpected broker id, expected 0 or empty string, but received 5' });
  await expect(
    admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configEntries: [{ name: 'num.partitions', value: '3' }] }] }),
  ).rejects.toMatchObject({ type: 'INVALID_REQUEST' });
  expect(broker.broker.config.values['num.partitions']).toBe(1);
});

test('DescribeConfigs across versions: isDefault (v0), documentation and types (v3+), errors per resource', async () => {
  const v0 = await kafkaRequest(broker.bootstrap, ApiKey.DescribeConfigs, 0, {
    resources: [{ resourceType: TOPIC, resourceName: 'other', configurationKeys: ['segment.ms', 'compression.type', 'segment.bytes'] }],
  });
  expect(v0.results[0]!.configs.map((c) => [c.name, c.isDefault])).toEqual([
    ['compression.type', true],
    ['segment.bytes', false],
    ['segment.ms', false],
  ]);
  const v4 = await kafkaRequest(broker.bootstrap, ApiKey.DescribeConfigs, 4, {
    resources: [
      { resourceType: TOPIC, resourceName: 'cfg', configurationKeys: ['retention.ms', 'cleanup.policy'] },
      { resourceType: TOPIC, resourceName: 'missing', configurationKeys: null },
      { resourceType: TOPIC, resourceName: 'bad name', configurationKeys: null },
      { resourceType: BROKER, resourceName: '', configurationKeys: null },
      { resourceType: BROKER, resourceName: 'zero', configurationKeys: null },
      { resourceType: BROKER, resourceName: '0', configurationKeys: ['num.partitions'] },
    ],
    includeSynonyms: false,
    includeDocumentation: true,
  });
  const [cfg, missing, bad, cluster, notId, self] = v4.results;
  expect(cfg!.configs.map((c) => [c.name, c.configType, c.synonyms.length, typeof c.documentation])).toEqual([
    ['cleanup.policy', 7, 0, 'string'],
    ['retention.ms', 5, 0, 'string'],
  ]);
  expect(missing).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, configs: [] });
  expect(bad).toMatchObject({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION });
  expect(cluster).toMatchObject({ errorCode: 0, configs: [] });
  expect(notId).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Broker id must be an integer, but it is: zero' });
  expect(self!.configs).toEqual([
    // isDefault is a v0 field; v1+ readers take configSource.
    { name: 'num.partitions', value: '1', readOnly: true, isDefault: false, configSource: 5, isSensitive: false, synonyms: [], configType: 3, documentation: expect.any(String) },
  ]);
});

/** Every topic config Kafka 3.9's LogConfig defines, with a value other than its default. */
const KAFKA_39_TOPIC_CONFIGS: Record<string, string> = {
  'cleanup.policy': 'compact,delete',
  'compression.gzip.level': '9',
  'compression.lz4.level': '17',
  'compression.type': 'gzip',
  'compression.zstd.level': '-5',
  'delete.retention.ms': '1000',
  'file.delete.delay.ms': '0',
  'flush.messages': '10',
  'flush.ms': '1000',
  'follower.replication.throttled.replicas': '0:0,1:0',
  'index.interval.bytes': '1024',
  'leader.replication.throttled.replicas': '*',
  'local.retention.bytes': '-1',
  'local.retention.ms': '1000',
  'max.compaction.lag.ms': '100000',
  'max.message.bytes': '2000000',
  'message.downconversion.enable': 'false',
  'message.format.version': '2.8',
  'message.timestamp.after.max.ms': '1000',
  'message.timestamp.before.max.ms': '1000',
  'message.timestamp.difference.max.ms': '1000',
  'message.timestamp.type': 'LogAppendTime',
  'min.cleanable.dirty.ratio': '0.1',
  'min.compaction.lag.ms': '10',
  'min.insync.replicas': '1',
  preallocate: 'true',
  'remote.log.copy.disable': 'true',
  'remote.log.delete.on.disable': 'true',
  'remote.storage.enable': 'false',
  'retention.bytes': '-5',
  'retention.ms': '100000',
  'segment.bytes': '1048576',
  'segment.index.bytes': '4096',
  'segment.jitter.ms': '10',
  'segment.ms': '100000',
  'unclean.leader.election.enable': 'true',
};

test('every Kafka 3.9 topic config is accepted at creation, reported as set, and with its default and synonyms once removed', async () => {
  const created = await kafkaRequest(broker.bootstrap, ApiKey.CreateTopics, 5, {
    topics: [{ name: 'all-configs', numPartitions: 1, replicationFactor: 1, assignments: [], configs: Object.entries(KAFKA_39_TOPIC_CONFIGS).map(([name, value]) => ({ name, value })) }],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  expect(created.topics[0]).toMatchObject({ errorCode: 0, errorMessage: null });
  const described = await kafkaRequest(broker.bootstrap, ApiKey.DescribeConfigs, 3, {
    resources: [{ resourceType: TOPIC, resourceName: 'all-configs', configurationKeys: null }],
    includeSynonyms: true,
    includeDocumentation: false,
  });
  const set = described.results[0]!.configs;
  expect(Object.fromEntries(set.map((c) => [c.name, c.value]))).toEqual(KAFKA_39_TOPIC_CONFIGS);
  expect(new Set(set.map((c) => c.configSource))).toEqual(new Set([ConfigSource.TOPIC_CONFIG]));

  // IncrementalAlterConfigs removes every override: each then reads as the broker default.
  const removed = await incremental(TOPIC, 'all-configs', Object.keys(KAFKA_39_TOPIC_CONFIGS).map((name) => ({ name, configOperation: DELETE, value: null })));
  expect(removed.responses[0]).toMatchObject({ errorCode: 0 });
  const defaults = await kafkaRequest(broker.bootstrap, ApiKey.DescribeConfigs, 3, {
    resources: [{ resourceType: TOPIC, resourceName: 'all-configs', configurationKeys: ['preallocate', 'segment.index.bytes', 'message.format.version', 'compression.zstd.level', 'remote.storage.enable', 'segment.jitter.ms', 'local.retention.ms'] }],
    includeSynonyms: true,
    includeDocumentation: false,
  });
  expect(defaults.results[0]!.configs.map((c) => [c.name, c.value, c.configSource, c.synonyms.map((s) => [s.name, s.value, s.source])])).toEqual([
    ['compression.zstd.level', '3', ConfigSource.DEFAULT_CONFIG, [['compression.zstd.level', '3', ConfigSource.DEFAULT_CONFIG]]],
    ['local.retention.ms', '-2', ConfigSource.DEFAULT_CONFIG, [['log.local.retention.ms', '-2', ConfigSource.DEFAULT_CONFIG]]],
    ['message.format.version', '3.0-IV1', ConfigSource.DEFAULT_CONFIG, [['log.message.format.version', '3.0-IV1', ConfigSource.DEFAULT_CONFIG]]],
    ['preallocate', 'false', ConfigSource.DEFAULT_CONFIG, [['log.preallocate', 'false', ConfigSource.DEFAULT_CONFIG]]],
    ['remote.storage.enable', 'false', ConfigSource.DEFAULT_CONFIG, []],
    ['segment.index.bytes', '10485760', ConfigSource.DEFAULT_CONFIG, [['log.index.size.max.bytes', '10485760', ConfigSource.DEFAULT_CONFIG]]],
    // Kafka lists no synonym here: log.roll.jitter.ms has no default and the hours key comes after it.
    ['segment.jitter.ms', '0', ConfigSource.DEFAULT_CONFIG, []],
  ]);
});

test('values Kafka 3.9 refuses for the configs Skein stores without acting on them are INVALID_CONFIG', async () => {
  const refused: [string, string][] = [
    ['remote.storage.enable', 'true'],
    ['compression.gzip.level', '10'],
    ['compression.lz4.level', '0'],
    ['compression.zstd.level', '23'],
    ['compression.type', 'brotli'],
    ['message.format.version', '5.0'],
    ['segment.index.bytes', '3'],
    ['preallocate', 'yes'],
    ['leader.replication.throttled.replicas', '0-1'],
    ['local.retention.ms', '-3'],
  ];
  const before = { ...broker.broker.topics.get('other')!.configs };
  for (const [name, value] of refused) {
    const res = await incremental(TOPIC, 'other', [{ name, configOperation: SET, value }]);
    expect([name, res.responses[0]!.errorCode], res.responses[0]!.errorMessage ?? '').toEqual([name, ErrorCode.INVALID_CONFIG]);
  }
  expect(broker.broker.topics.get('other')!.configs).toEqual(before);
});
