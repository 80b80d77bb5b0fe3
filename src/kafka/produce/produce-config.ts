// The topic settings the produce path checks beyond what the log enforces itself, as numbers, worked out
// once per topic config rather than per request.
import type { LogConfig } from '../../log/log-config.js';
import type { BrokerConfig } from '../broker-config.js';
import { effectiveTopicConfigs } from '../metadata/topic-config.js';

export interface ProduceConfig {
  /** message.timestamp.before.max.ms: how far before the broker clock a CreateTime timestamp may be. */
  timestampBeforeMaxMs: number;
  /** message.timestamp.after.max.ms: how far after the broker clock a CreateTime timestamp may be. */
  timestampAfterMaxMs: number;
  /** min.insync.replicas: the ISR an acks=all write needs. */
  minInsyncReplicas: number;
}

// A partition log gets a new LogConfig object whenever its topic's configs change, so the object
// identifies one version of the topic's configs.
const cache = new WeakMap<LogConfig, ProduceConfig>();

export function produceConfig(broker: BrokerConfig, overrides: Readonly<Record<string, string>>, logConfig: LogConfig): ProduceConfig {
  const hit = cache.get(logConfig);
  if (hit) return hit;
  const values = new Map(effectiveTopicConfigs(broker, overrides).map((e) => [e.name, Number(e.value)]));
  const config: ProduceConfig = {
    timestampBeforeMaxMs: values.get('message.timestamp.before.max.ms')!,
    timestampAfterMaxMs: values.get('message.timestamp.after.max.ms')!,
    minInsyncReplicas: values.get('min.insync.replicas')!,
  };
  cache.set(logConfig, config);
  return config;
}
