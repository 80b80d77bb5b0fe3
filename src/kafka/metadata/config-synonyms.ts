// Where a config value comes from, as DescribeConfigs reports it: Kafka's ConfigSource ids and its
// synonym chains, the broker keys that can set one value in the order Kafka lets them win.
import { numberString } from '../../config/schema.js';
import { brokerSchema, type BrokerConfig } from '../broker-config.js';

/** DescribeConfigs' ConfigSource ids (v1+). Skein has no dynamic broker configs, so 2 and 3 never occur. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  /** A key set on a client-metrics subscription (KIP-714). */
  CLIENT_METRICS_CONFIG: 7,
} as const;
export type ConfigSource = (typeof ConfigSource)[keyof typeof ConfigSource];

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: ConfigSource;
}

/** Broker keys that set one value, the most specific first (Kafka's brokerConfigSynonyms). */
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  ['log.roll.ms', 'log.roll.hours'],
  ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
  ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
];

function brokerSynonyms(key: string): readonly string[] {
  return SYNONYM_GROUPS.find((g) => g.includes(key)) ?? [key];
}

/** A broker value as Kafka prints it: lists comma-joined, an unset key with no default as null. */
export function brokerValueString(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'number' ? numberString(value) : String(value);
}

function schemaDefault(key: string): string | null {
  const def = Object.hasOwn(brokerSchema, key) ? brokerSchema[key as keyof typeof brokerSchema] : undefined;
  return def ? brokerValueString(def.default) : null;
}

/**
 * Kafka's synonym list for broker key `key`: the group's server.properties settings, then the group's
 * defaults, starting from the first entry for `key` itself. Entries for the other keys before it are
 * dropped, so log.retention.ms has no synonyms at all when only log.retention.hours is set — Kafka reports
 * it that way too.
 */
export function brokerSynonymChain(cfg: BrokerConfig, key: string): ConfigSynonym[] {
  const keys = brokerSynonyms(key);
  const all: ConfigSynonym[] = [];
  for (const k of keys) {
    if (cfg.explicitKeys.has(k)) {
      all.push({ name: k, value: brokerValueString((cfg.values as Record<string, unknown>)[k]), source: ConfigSource.STATIC_BROKER_CONFIG });
    }
  }
  for (const k of keys) {
    const value = schemaDefault(k);
    if (value !== null) all.push({ name: k, value, source: ConfigSource.DEFAULT_CONFIG });
  }
  const first = all.findIndex((s) => s.name === key);
  return first < 0 ? [] : all.slice(first);
}
