// Per-topic configs: Kafka's names, each backed by a broker-wide default from server.properties.
// DescribeConfigs, CreateTopics, AlterConfigs and the log all read this one table.
import type { BrokerConfig } from '../broker-config.js';

export type ConfigType = 'BOOLEAN' | 'STRING' | 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LIST' | 'CLASS' | 'PASSWORD';

export interface TopicConfigDef {
  /** The server.properties keys that set this config's default, the reported synonym first. */
  brokerKeys: readonly string[];
  type: ConfigType;
  doc: string;
  /** The default as Kafka shows it when server.properties does not set the broker key. */
  brokerDefault(cfg: BrokerConfig): string;
  /** Why `value` is not acceptable, or undefined. */
  check(value: string): string | undefined;
}

const LONG_MAX = '9223372036854775807';

function integerCheck(min: number, max = Number.MAX_VALUE): (v: string) => string | undefined {
  return (v) => {
    if (!/^-?\d+$/.test(v)) return `"${v}" is not an integer`;
    const n = Number(v);
    if (n < min) return `${v} is below the minimum ${min}`;
    if (n > max) return `${v} is above the maximum ${max}`;
    return undefined;
  };
}

function choiceCheck(choices: readonly string[], why?: string): (v: string) => string | undefined {
  return (v) => (choices.includes(v) ? undefined : why ?? `"${v}" is not one of ${choices.join(', ')}`);
}

function fromBroker(key: string, fallback?: string): (cfg: BrokerConfig) => string {
  return (cfg) => {
    const v = (cfg.values as Record<string, unknown>)[key];
    if (v === undefined) return fallback ?? '';
    return Array.isArray(v) ? v.join(',') : String(v);
  };
}

export const TOPIC_CONFIGS: Record<string, TopicConfigDef> = {
  'cleanup.policy': {
    brokerKeys: ['log.cleanup.policy'],
    type: 'LIST',
    doc: 'delete: segments leave by retention. Compaction is not implemented yet, so compact is refused.',
    brokerDefault: fromBroker('log.cleanup.policy'),
    check: choiceCheck(['delete'], 'only cleanup.policy=delete is supported (no log compaction yet)'),
  },
  'compression.type': {
    brokerKeys: ['compression.type'],
    type: 'STRING',
    doc: 'Skein stores batches exactly as producers compressed them, so only "producer" is accepted.',
    brokerDefault: fromBroker('compression.type'),
    check: choiceCheck(['producer'], 'only compression.type=producer is supported: batches are stored as produced'),
  },
  'retention.ms': {
    brokerKeys: ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
    type: 'LONG',
    doc: 'Segments whose newest record is older than this are deleted; -1 keeps forever.',
    brokerDefault: (cfg) => String(cfg.retentionMs),
    check: integerCheck(-1),
  },
  'retention.bytes': {
    brokerKeys: ['log.retention.bytes'],
    type: 'LONG',
    doc: 'Oldest segments are deleted while a partition is larger than this; -1 is unlimited.',
    brokerDefault: fromBroker('log.retention.bytes'),
    check: integerCheck(-1),
  },
  'segment.bytes': {
    brokerKeys: ['log.segment.bytes'],
    type: 'INT',
    doc: 'Segment file size before a new segment is rolled.',
    brokerDefault: fromBroker('log.segment.bytes'),
    check: integerCheck(14, 2 ** 31 - 1),
  },
  'segment.ms': {
    brokerKeys: ['log.roll.ms', 'log.roll.hours'],
    type: 'LONG',
    doc: 'Segment age before a new segment is rolled.',
    brokerDefault: (cfg) => String(cfg.rollMs),
    check: integerCheck(1),
  },
  'index.interval.bytes': {
    brokerKeys: ['log.index.interval.bytes'],
    type: 'INT',
    doc: 'Bytes between offset index entries.',
    brokerDefault: fromBroker('log.index.interval.bytes'),
    check: integerCheck(0, 2 ** 31 - 1),
  },
  'max.message.bytes': {
    brokerKeys: ['message.max.bytes'],
    type: 'INT',
    doc: 'Largest record batch accepted.',
    brokerDefault: fromBroker('message.max.bytes'),
    check: integerCheck(0, 2 ** 31 - 1),
  },
  'flush.messages': {
    brokerKeys: ['log.flush.interval.messages'],
    type: 'LONG',
    doc: 'Records between fsyncs for acks 0/1 (acks=all always waits for an fsync).',
    brokerDefault: fromBroker('log.flush.interval.messages'),
    check: integerCheck(1),
  },
  'flush.ms': {
    brokerKeys: ['log.flush.interval.ms'],
    type: 'LONG',
    doc: 'Age of unflushed data before an fsync, for acks 0/1.',
    brokerDefault: fromBroker('log.flush.interval.ms', LONG_MAX),
    check: integerCheck(0),
  },
  'message.timestamp.type': {
    brokerKeys: ['log.message.timestamp.type'],
    type: 'STRING',
    doc: 'CreateTime keeps producer timestamps; LogAppendTime stamps batches with the broker clock.',
    brokerDefault: fromBroker('log.message.timestamp.type'),
    check: choiceCheck(['CreateTime', 'LogAppendTime']),
  },
  'message.timestamp.before.max.ms': {
    brokerKeys: ['log.message.timestamp.before.max.ms'],
    type: 'LONG',
    doc: 'How far before the broker clock a CreateTime timestamp may be.',
    brokerDefault: fromBroker('log.message.timestamp.before.max.ms'),
    check: integerCheck(0),
  },
  'message.timestamp.after.max.ms': {
    brokerKeys: ['log.message.timestamp.after.max.ms'],
    type: 'LONG',
    doc: 'How far after the broker clock a CreateTime timestamp may be.',
    brokerDefault: fromBroker('log.message.timestamp.after.max.ms'),
    check: integerCheck(0),
  },
  'min.insync.replicas': {
    brokerKeys: ['min.insync.replicas'],
    type: 'INT',
    doc: 'In-sync replicas needed to accept an acks=all write.',
    brokerDefault: fromBroker('min.insync.replicas'),
    check: integerCheck(1, 2 ** 31 - 1),
  },
};

/** Why the config `name`=`value` cannot be set on a topic, or undefined. */
export function topicConfigProblem(name: string, value: string | null): string | undefined {
  const def = TOPIC_CONFIGS[name];
  if (!def) return `unknown topic config ${name}`;
  if (value === null) return undefined;
  return def.check(value);
}

export interface EffectiveConfig {
  name: string;
  value: string;
  /** Where the value comes from, as DescribeConfigs reports it. */
  source: 'topic' | 'broker' | 'default';
  def: TopicConfigDef;
}

/** Every topic config with its value: the topic's override, else the broker's setting, else Kafka's default. */
export function effectiveTopicConfigs(cfg: BrokerConfig, overrides: Readonly<Record<string, string>>): EffectiveConfig[] {
  return Object.entries(TOPIC_CONFIGS).map(([name, def]) => {
    const override = overrides[name];
    if (override !== undefined) return { name, value: override, source: 'topic', def };
    const fromFile = def.brokerKeys.some((k) => cfg.explicitKeys.has(k));
    return { name, value: def.brokerDefault(cfg), source: fromFile ? 'broker' : 'default', def };
  });
}
