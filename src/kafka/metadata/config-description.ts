// Configs as DescribeConfigs and CreateTopics (v5+) describe them: value, source, synonyms, type,
// documentation and whether they can be changed.
import type { ValueType } from '../../config/schema.js';
import { brokerSchema, type BrokerConfig } from '../broker-config.js';
import { brokerSynonymChain, brokerValueString, ConfigSource, type ConfigSynonym } from './config-synonyms.js';
import { effectiveTopicConfigs, type ConfigType } from './topic-config.js';

/** DescribeConfigs' ConfigType ids (v3+). */
const CONFIG_TYPE_IDS: Record<ConfigType | 'UNKNOWN', number> = {
  UNKNOWN: 0,
  BOOLEAN: 1,
  STRING: 2,
  INT: 3,
  SHORT: 4,
  LONG: 5,
  DOUBLE: 6,
  LIST: 7,
  CLASS: 8,
  PASSWORD: 9,
};

const TOPIC_SOURCE = { topic: ConfigSource.TOPIC_CONFIG, broker: ConfigSource.STATIC_BROKER_CONFIG, default: ConfigSource.DEFAULT_CONFIG };

export interface ConfigDescription {
  name: string;
  value: string | null;
  source: ConfigSource;
  readOnly: boolean;
  /** Kafka hides passwords; no config Skein has is one. */
  isSensitive: boolean;
  synonyms: ConfigSynonym[];
  /** A ConfigType id. */
  type: number;
  doc: string;
}

function byName(a: ConfigDescription, b: ConfigDescription): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** A topic's configs with the given overrides, sorted by name. All can be altered. */
export function describeTopicConfigs(cfg: BrokerConfig, overrides: Readonly<Record<string, string>>): ConfigDescription[] {
  return effectiveTopicConfigs(cfg, overrides)
    .map((e) => ({
      name: e.name,
      value: e.value,
      source: TOPIC_SOURCE[e.source],
      readOnly: false,
      isSensitive: e.def.type === 'PASSWORD',
      synonyms: e.synonyms,
      type: CONFIG_TYPE_IDS[e.def.type],
      doc: e.def.doc,
    }))
    .sort(byName);
}

/**
 * This broker's configs (DescribeConfigs for its id), sorted by name. Values are the keys as
 * server.properties set them or their defaults, null where a key has neither (log.retention.ms when
 * hours are used), as Kafka shows them. Skein reads them only at start, so all are read-only.
 */
export function describeBrokerConfigs(cfg: BrokerConfig): ConfigDescription[] {
  return Object.entries(brokerSchema)
    .map(([name, def]): ConfigDescription => {
      const type: ValueType | undefined = def.type;
      // Passwords and keys are never sent, as Kafka never sends them: the value and synonyms' values are null.
      const isSensitive = type === 'PASSWORD';
      const synonyms = brokerSynonymChain(cfg, name).map((s) => (isSensitive ? { ...s, value: null } : s));
      return {
        name,
        value: isSensitive ? null : brokerValueString((cfg.values as Record<string, unknown>)[name]),
        source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
        readOnly: true,
        isSensitive,
        synonyms,
        type: CONFIG_TYPE_IDS[type ?? 'UNKNOWN'],
        doc: def.doc,
      };
    })
    .sort(byName);
}
