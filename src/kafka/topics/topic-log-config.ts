import { logConfigFrom, type LogConfig } from '../../log/log-config.js';
import type { BrokerConfig } from '../broker-config.js';
import { effectiveTopicConfigs } from '../metadata/topic-config.js';

/** The LogConfig a topic's partitions obey: its overrides over the broker's defaults. */
export function logConfigForTopic(cfg: BrokerConfig, overrides: Readonly<Record<string, string>>): LogConfig {
  const values: Record<string, string> = {};
  for (const e of effectiveTopicConfigs(cfg, overrides)) values[e.name] = e.value;
  return logConfigFrom(values);
}
