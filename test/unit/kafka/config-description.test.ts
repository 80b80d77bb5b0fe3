// Config sources and synonyms follow Kafka's ConfigHelper, including where its rule gives surprising answers.
import { expect, test } from 'vitest';
import { brokerConfigFromText } from '../../../src/kafka/broker-config.js';
import { describeBrokerConfigs, describeTopicConfigs } from '../../../src/kafka/metadata/config-description.js';
import { brokerSynonymChain, ConfigSource } from '../../../src/kafka/metadata/config-synonyms.js';
import { effectiveTopicConfigs } from '../../../src/kafka/metadata/topic-config.js';

const { TOPIC_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG } = ConfigSource;

test('a synonym chain lists file settings, then defaults, from the first entry for the key itself', () => {
  const cfg = brokerConfigFromText('log.retention.ms=5000\nlog.retention.hours=2');
  expect(brokerSynonymChain(cfg, 'log.retention.ms')).toEqual([
    { name: 'log.retention.ms', value: '5000', source: STATIC_BROKER_CONFIG },
    { name: 'log.retention.hours', value: '2', source: STATIC_BROKER_CONFIG },
    { name: 'log.retention.hours', value: '168', source: DEFAULT_CONFIG },
  ]);
  expect(brokerSynonymChain(cfg, 'log.retention.hours')).toEqual([
    { name: 'log.retention.hours', value: '2', source: STATIC_BROKER_CONFIG },
    { name: 'log.retention.hours', value: '168', source: DEFAULT_CONFIG },
  ]);
  // Neither log.retention.ms nor minutes has a default, so a file naming only hours leaves ms no synonyms.
  expect(brokerSynonymChain(brokerConfigFromText('log.retention.hours=2'), 'log.retention.ms')).toEqual([]);
  expect(brokerSynonymChain(brokerConfigFromText(''), 'num.partitions')).toEqual([{ name: 'num.partitions', value: '1', source: DEFAULT_CONFIG }]);
});

test('topic configs: an override comes first, and the value follows every broker synonym', () => {
  const cfg = brokerConfigFromText('log.retention.hours=2\nlog.segment.bytes=4096');
  const topic = new Map(describeTopicConfigs(cfg, { 'segment.ms': '1000', 'retention.bytes': '10' }).map((c) => [c.name, c]));
  expect(topic.get('retention.bytes')).toMatchObject({
    value: '10',
    source: TOPIC_CONFIG,
    readOnly: false,
    synonyms: [
      { name: 'retention.bytes', value: '10', source: TOPIC_CONFIG },
      { name: 'log.retention.bytes', value: '-1', source: DEFAULT_CONFIG },
    ],
  });
  // segment.ms' broker synonym is log.roll.ms, which has no default of its own; log.roll.hours is dropped.
  expect(topic.get('segment.ms')!.synonyms).toEqual([{ name: 'segment.ms', value: '1000', source: TOPIC_CONFIG }]);
  expect(topic.get('retention.ms')).toMatchObject({ value: String(2 * 3_600_000), source: DEFAULT_CONFIG, synonyms: [] });
  expect(topic.get('segment.bytes')).toMatchObject({ value: '4096', source: STATIC_BROKER_CONFIG, type: 3 });
  expect(topic.get('cleanup.policy')).toMatchObject({ value: 'delete', type: 7 });
  expect([...topic.keys()]).toEqual([...topic.keys()].sort());
});

test('flush.ms defaults to log.flush.scheduler.interval.ms when log.flush.interval.ms is unset, as in Kafka', () => {
  const eff = (text: string) => effectiveTopicConfigs(brokerConfigFromText(text), {}).find((e) => e.name === 'flush.ms')!;
  expect(eff('log.flush.scheduler.interval.ms=2000').value).toBe('2000');
  expect(eff('log.flush.scheduler.interval.ms=2000\nlog.flush.interval.ms=300')).toMatchObject({ value: '300', source: 'broker' });
});

test('Long.MAX_VALUE ("never") reads back as Java prints it, not as the nearest double', () => {
  const flushMs = effectiveTopicConfigs(brokerConfigFromText(''), {}).find((e) => e.name === 'flush.ms')!;
  expect(flushMs.value).toBe('9223372036854775807');
  const broker = new Map(describeBrokerConfigs(brokerConfigFromText('')).map((c) => [c.name, c]));
  expect(broker.get('log.flush.interval.messages')?.value).toBe('9223372036854775807');
});

test('broker configs: the value as set or defaulted (null with neither), read-only, typed', () => {
  const broker = new Map(describeBrokerConfigs(brokerConfigFromText('num.partitions=3\nlog.dirs=/a,/b')).map((c) => [c.name, c]));
  expect(broker.get('num.partitions')).toMatchObject({ value: '3', source: STATIC_BROKER_CONFIG, readOnly: true, type: 3 });
  expect(broker.get('log.dirs')).toMatchObject({ value: '/a,/b', type: 7 });
  expect(broker.get('log.retention.ms')).toMatchObject({ value: null, source: DEFAULT_CONFIG, type: 5, synonyms: [] });
  expect(broker.get('delete.topic.enable')).toMatchObject({ value: 'true', type: 1 });
  expect([...broker.values()].every((c) => c.readOnly && c.doc.length > 0)).toBe(true);
  expect([...broker.values()].filter((c) => c.isSensitive).map((c) => c.name)).toContain('ssl.keystore.password');
});

test('passwords and keys are sensitive: DescribeConfigs never carries their value', () => {
  const cfg = brokerConfigFromText('ssl.keystore.password=hunter2\nssl.keystore.key=-----BEGIN PRIVATE KEY-----');
  for (const name of ['ssl.keystore.password', 'ssl.keystore.key']) {
    const c = describeBrokerConfigs(cfg).find((d) => d.name === name)!;
    expect(c).toMatchObject({ value: null, isSensitive: true, type: 9, source: STATIC_BROKER_CONFIG });
    expect(c.synonyms.every((s) => s.value === null)).toBe(true);
  }
  expect(JSON.stringify(describeBrokerConfigs(cfg))).not.toContain('hunter2');
});
