// Per-topic configs: Kafka's names, each backed by a broker-wide default from server.properties.
// DescribeConfigs, CreateTopics, AlterConfigs and the log all read this one table.
import { numberString } from '../../config/schema.js';
import { parseCleanupPolicy, parseRatio } from '../../log/log-config.js';
import { brokerSchema, type BrokerConfig } from '../broker-config.js';
import { brokerSynonymChain, brokerValueString, ConfigSource, type ConfigSynonym } from './config-synonyms.js';
import { COMPRESSION_TYPES } from './config-values.js';

export type ConfigType = 'BOOLEAN' | 'STRING' | 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LIST' | 'CLASS' | 'PASSWORD';

export interface TopicConfigDef {
  /**
   * The server.properties key that sets this config's default (Kafka's topic-to-broker synonym); none
   * for the few Kafka gives no broker-wide default (throttled replicas, the tiered storage switches).
   */
  brokerKey?: string;
  type: ConfigType;
  doc: string;
  /** The default as Kafka shows it when server.properties does not set the broker key. */
  brokerDefault(cfg: BrokerConfig): string;
  /** Why `value` is not acceptable, or undefined. */
  check(value: string): string | undefined;
}

const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);
const INT_MAX = 2 ** 31 - 1;

/** Kafka parses these as Java ints or longs, so the range ends where the type does. */
function integerCheck(min: number | bigint, max: number | bigint = LONG_MAX): (v: string) => string | undefined {
  return (v) => {
    if (!/^-?\d+$/.test(v)) return `"${v}" is not an integer`;
    const n = BigInt(v);
    if (n < BigInt(min)) return `${v} is below the minimum ${min}`;
    if (n > BigInt(max)) return `${v} is above the maximum ${max}`;
    return undefined;
  };
}

function choiceCheck(choices: readonly string[], why?: string): (v: string) => string | undefined {
  return (v) => (choices.includes(v) ? undefined : why ?? `"${v}" is not one of ${choices.join(', ')}`);
}

/** A check from a parser that answers a value or, as a string, why there is none. */
function parsedCheck<T>(parse: (v: string) => T | string): (v: string) => string | undefined {
  return (v) => {
    const parsed = parse(v);
    return typeof parsed === 'string' ? parsed : undefined;
  };
}

function fromBroker(key: keyof BrokerConfig['values']): (cfg: BrokerConfig) => string {
  return (cfg) => brokerValueString(cfg.values[key]) ?? '';
}

/** Kafka checks a topic value with the same type and validator as the broker key that sets its default. */
function brokerKeyCheck(key: keyof typeof brokerSchema): (v: string) => string | undefined {
  return (v) => {
    try {
      brokerSchema[key].parse(v.trim());
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
}

/**
 * A config Skein stores and reports but does not act on, with the broker key that sets its default.
 * The doc says why it has no effect.
 */
function inert(brokerKey: keyof typeof brokerSchema, type: ConfigType, why: string): TopicConfigDef {
  return { brokerKey, type, doc: `No effect in Skein: ${why}`, brokerDefault: fromBroker(brokerKey), check: brokerKeyCheck(brokerKey) };
}

const booleanCheck = (v: string): string | undefined => (/^(true|false)$/i.test(v.trim()) ? undefined : `"${v}" is not true or false`);

/** ThrottledReplicaListValidator: "*" or partition:broker pairs, comma-separated. */
function throttledReplicasCheck(v: string): string | undefined {
  const items = v.split(',').map((s) => s.trim());
  if (items.join('') === '*' || items.every((s) => /^(\d+:\d+)?$/.test(s))) return undefined;
  return 'must be the literal \'*\' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...';
}

function throttledReplicas(role: 'leader' | 'follower'): TopicConfigDef {
  return {
    type: 'LIST',
    doc: `No effect in Skein (no replication yet): replicas whose ${role} side of replication would be throttled.`,
    brokerDefault: () => '',
    check: throttledReplicasCheck,
  };
}

export const TOPIC_CONFIGS: Record<string, TopicConfigDef> = {
  'cleanup.policy': {
    brokerKey: 'log.cleanup.policy',
    type: 'LIST',
    doc: 'delete: old segments leave by retention. compact: the log cleaner keeps only the latest record of each key. Both may be given.',
    brokerDefault: fromBroker('log.cleanup.policy'),
    check: parsedCheck(parseCleanupPolicy),
  },
  'delete.retention.ms': {
    brokerKey: 'log.cleaner.delete.retention.ms',
    type: 'LONG',
    doc: 'How long a tombstone (a null value) of a compacted topic stays after the cleaning that first kept it.',
    brokerDefault: fromBroker('log.cleaner.delete.retention.ms'),
    check: integerCheck(0),
  },
  'min.cleanable.dirty.ratio': {
    brokerKey: 'log.cleaner.min.cleanable.ratio',
    type: 'DOUBLE',
    doc: 'Share of a compacted log not yet cleaned that makes it worth cleaning.',
    brokerDefault: fromBroker('log.cleaner.min.cleanable.ratio'),
    check: parsedCheck(parseRatio),
  },
  'min.compaction.lag.ms': {
    brokerKey: 'log.cleaner.min.compaction.lag.ms',
    type: 'LONG',
    doc: 'A record stays uncompacted at least this long.',
    brokerDefault: fromBroker('log.cleaner.min.compaction.lag.ms'),
    check: integerCheck(0),
  },
  'max.compaction.lag.ms': {
    brokerKey: 'log.cleaner.max.compaction.lag.ms',
    type: 'LONG',
    doc: 'A record stays uncompacted at most about this long, whatever the dirty ratio (the active segment rolls for it).',
    brokerDefault: fromBroker('log.cleaner.max.compaction.lag.ms'),
    check: integerCheck(1),
  },
  'compression.type': {
    brokerKey: 'compression.type',
    type: 'STRING',
    doc: 'producer stores batches as produced; a codec (or uncompressed) recompresses batches that arrive in another one.',
    brokerDefault: fromBroker('compression.type'),
    check: choiceCheck(COMPRESSION_TYPES),
  },
  'compression.gzip.level': {
    brokerKey: 'compression.gzip.level',
    type: 'INT',
    doc: 'gzip level of batches the broker recompresses to gzip; -1 is zlib\'s default.',
    brokerDefault: fromBroker('compression.gzip.level'),
    check: brokerKeyCheck('compression.gzip.level'),
  },
  'compression.zstd.level': {
    brokerKey: 'compression.zstd.level',
    type: 'INT',
    doc: 'zstd level of batches the broker recompresses to zstd.',
    brokerDefault: fromBroker('compression.zstd.level'),
    check: brokerKeyCheck('compression.zstd.level'),
  },
  'compression.lz4.level': inert('compression.lz4.level', 'INT', 'the lz4 encoder Skein uses has one level.'),
  'retention.ms': {
    brokerKey: 'log.retention.ms',
    type: 'LONG',
    doc: 'Segments whose newest record is older than this are deleted; -1 keeps forever.',
    brokerDefault: (cfg) => numberString(cfg.retentionMs),
    check: integerCheck(-1),
  },
  'retention.bytes': {
    brokerKey: 'log.retention.bytes',
    type: 'LONG',
    doc: 'Oldest segments are deleted while a partition is larger than this; a negative value is unlimited.',
    brokerDefault: fromBroker('log.retention.bytes'),
    // Kafka sets no lower bound: any negative size means unlimited.
    check: integerCheck(LONG_MIN),
  },
  'segment.bytes': {
    brokerKey: 'log.segment.bytes',
    type: 'INT',
    doc: 'Segment file size before a new segment is rolled.',
    brokerDefault: fromBroker('log.segment.bytes'),
    check: integerCheck(14, INT_MAX),
  },
  'segment.ms': {
    brokerKey: 'log.roll.ms',
    type: 'LONG',
    doc: 'Segment age before a new segment is rolled.',
    brokerDefault: (cfg) => numberString(cfg.rollMs),
    check: integerCheck(1),
  },
  'index.interval.bytes': {
    brokerKey: 'log.index.interval.bytes',
    type: 'INT',
    doc: 'Bytes between offset index entries.',
    brokerDefault: fromBroker('log.index.interval.bytes'),
    check: integerCheck(0, INT_MAX),
  },
  'max.message.bytes': {
    brokerKey: 'message.max.bytes',
    type: 'INT',
    doc: 'Largest record batch accepted.',
    brokerDefault: fromBroker('message.max.bytes'),
    check: integerCheck(0, INT_MAX),
  },
  'flush.messages': {
    brokerKey: 'log.flush.interval.messages',
    type: 'LONG',
    doc: 'Records between fsyncs for acks 0/1 (acks=all always waits for an fsync).',
    brokerDefault: fromBroker('log.flush.interval.messages'),
    check: integerCheck(1),
  },
  'flush.ms': {
    brokerKey: 'log.flush.interval.ms',
    type: 'LONG',
    doc: 'Age of unflushed data before an fsync, for acks 0/1.',
    // Kafka falls back to log.flush.scheduler.interval.ms when log.flush.interval.ms is unset.
    brokerDefault: (cfg) => numberString(cfg.values['log.flush.interval.ms'] ?? cfg.values['log.flush.scheduler.interval.ms']),
    check: integerCheck(0),
  },
  'message.timestamp.type': {
    brokerKey: 'log.message.timestamp.type',
    type: 'STRING',
    doc: 'CreateTime keeps producer timestamps; LogAppendTime stamps batches with the broker clock.',
    brokerDefault: fromBroker('log.message.timestamp.type'),
    check: choiceCheck(['CreateTime', 'LogAppendTime']),
  },
  'message.timestamp.before.max.ms': {
    brokerKey: 'log.message.timestamp.before.max.ms',
    type: 'LONG',
    doc: 'How far before the broker clock a CreateTime timestamp may be.',
    brokerDefault: fromBroker('log.message.timestamp.before.max.ms'),
    check: integerCheck(0),
  },
  'message.timestamp.after.max.ms': {
    brokerKey: 'log.message.timestamp.after.max.ms',
    type: 'LONG',
    doc: 'How far after the broker clock a CreateTime timestamp may be.',
    brokerDefault: fromBroker('log.message.timestamp.after.max.ms'),
    check: integerCheck(0),
  },
  'min.insync.replicas': {
    brokerKey: 'min.insync.replicas',
    type: 'INT',
    doc: 'In-sync replicas needed to accept an acks=all write.',
    brokerDefault: fromBroker('min.insync.replicas'),
    check: integerCheck(1, INT_MAX),
  },
  'message.timestamp.difference.max.ms': {
    brokerKey: 'log.message.timestamp.difference.max.ms',
    type: 'LONG',
    doc: 'Deprecated: the before and after bounds, for each of them left at its maximum.',
    brokerDefault: fromBroker('log.message.timestamp.difference.max.ms'),
    check: integerCheck(0),
  },
  'segment.jitter.ms': {
    ...inert('log.roll.jitter.ms', 'LONG', 'segments roll at segment.ms exactly.'),
    // Kafka derives it from log.roll.jitter.hours when the ms key is unset, as with segment.ms.
    brokerDefault: (cfg) => numberString(cfg.values['log.roll.jitter.ms'] ?? cfg.values['log.roll.jitter.hours'] * 3_600_000),
  },
  'segment.index.bytes': inert('log.index.size.max.bytes', 'INT', 'index files grow as needed.'),
  'file.delete.delay.ms': inert('log.segment.delete.delay.ms', 'LONG', 'segments leave at once when retention or deletion removes them.'),
  preallocate: inert('log.preallocate', 'BOOLEAN', 'segment files are never preallocated.'),
  'unclean.leader.election.enable': {
    brokerKey: 'unclean.leader.election.enable',
    type: 'BOOLEAN',
    doc: 'Let the controller elect a replica outside the ISR when no ISR member is alive, at the risk of losing records.',
    brokerDefault: fromBroker('unclean.leader.election.enable'),
    check: brokerKeyCheck('unclean.leader.election.enable'),
  },
  'message.format.version': inert('log.message.format.version', 'STRING', 'batches are stored in format v2 only (Kafka 3.x ignores it too).'),
  'message.downconversion.enable': inert('log.message.downconversion.enable', 'BOOLEAN', 'Skein never converts batches to older formats.'),
  'local.retention.ms': inert('log.local.retention.ms', 'LONG', 'there is no tiered storage.'),
  'local.retention.bytes': inert('log.local.retention.bytes', 'LONG', 'there is no tiered storage.'),
  'leader.replication.throttled.replicas': throttledReplicas('leader'),
  'follower.replication.throttled.replicas': throttledReplicas('follower'),
  'remote.storage.enable': {
    type: 'BOOLEAN',
    doc: 'Tiered storage; Skein has none, so only false is accepted, as Kafka without remote.log.storage.system.enable.',
    brokerDefault: () => 'false',
    check: (v) =>
      booleanCheck(v) ??
      (v.trim().toLowerCase() === 'true' ? 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.' : undefined),
  },
  'remote.log.copy.disable': {
    type: 'BOOLEAN',
    doc: 'No effect in Skein: there is no tiered storage.',
    brokerDefault: () => 'false',
    check: booleanCheck,
  },
  'remote.log.delete.on.disable': {
    type: 'BOOLEAN',
    doc: 'No effect in Skein: there is no tiered storage.',
    brokerDefault: () => 'false',
    check: booleanCheck,
  },
};

/** Why the config `name`=`value` cannot be set on a topic, or undefined. */
export function topicConfigProblem(name: string, value: string | null): string | undefined {
  const def = TOPIC_CONFIGS[name];
  if (!def) return `unknown topic config ${name}`;
  if (value === null) return undefined;
  const problem = def.check(value);
  return problem && `Invalid value ${value} for configuration ${name}: ${problem}`;
}

export interface EffectiveConfig {
  name: string;
  value: string;
  /** Where the value comes from: the topic's override, server.properties, or Kafka's default. */
  source: 'topic' | 'broker' | 'default';
  /** What could set it, in precedence order, as DescribeConfigs lists synonyms. */
  synonyms: ConfigSynonym[];
  def: TopicConfigDef;
}

/**
 * Every topic config with its value: the topic's override, else the broker's setting, else Kafka's default.
 * The source follows Kafka's synonym rule, so retention.ms counts as a broker setting only when
 * server.properties names log.retention.ms itself (log.retention.hours alone still reads as the default).
 */
export function effectiveTopicConfigs(cfg: BrokerConfig, overrides: Readonly<Record<string, string>>): EffectiveConfig[] {
  return Object.entries(TOPIC_CONFIGS).map(([name, def]) => {
    const fromBroker = def.brokerKey === undefined ? [] : brokerSynonymChain(cfg, def.brokerKey);
    const override = overrides[name];
    if (override !== undefined) {
      return { name, value: override, source: 'topic', synonyms: [{ name, value: override, source: ConfigSource.TOPIC_CONFIG }, ...fromBroker], def };
    }
    const source = fromBroker[0]?.source === ConfigSource.STATIC_BROKER_CONFIG ? 'broker' : 'default';
    return { name, value: def.brokerDefault(cfg), source, synonyms: fromBroker, def };
  });
}
