// The topic settings the produce path checks beyond what the log enforces itself, as numbers, worked out
// once per topic config rather than per request.
import { Compression } from '../../../protocol/kafka/records/batch-header.js';
import { NEVER, type LogConfig } from '../../log/log-config.js';
import type { BrokerConfig } from '../broker-config.js';
import type { CompressionTypeName } from '../metadata/config-values.js';
import { effectiveTopicConfigs } from '../metadata/topic-config.js';

export interface Recompression {
  codec: Compression;
  /** compression.gzip.level / compression.zstd.level; the codec's default when absent. */
  level?: number;
}

export interface ProduceConfig {
  /** message.timestamp.before.max.ms: how far before the broker clock a CreateTime timestamp may be. */
  timestampBeforeMaxMs: number;
  /** message.timestamp.after.max.ms: how far after the broker clock a CreateTime timestamp may be. */
  timestampAfterMaxMs: number;
  /** min.insync.replicas: the ISR an acks=all write needs. */
  minInsyncReplicas: number;
  /** compression.type other than producer: batches in another codec are rewritten in this one. */
  recompression?: Recompression;
}

const CODECS: Record<Exclude<CompressionTypeName, 'producer'>, Compression> = {
  uncompressed: Compression.None,
  gzip: Compression.Gzip,
  snappy: Compression.Snappy,
  lz4: Compression.Lz4,
  zstd: Compression.Zstd,
};

/** gzip's -1 is zlib's own default, which the codec uses when given no level. */
const GZIP_DEFAULT_LEVEL = -1;

function recompressionOf(values: ReadonlyMap<string, string>): Recompression | undefined {
  const type = values.get('compression.type') as CompressionTypeName;
  if (type === 'producer') return undefined;
  const codec = CODECS[type];
  if (codec === Compression.Gzip) {
    const level = Number(values.get('compression.gzip.level'));
    return level === GZIP_DEFAULT_LEVEL ? { codec } : { codec, level };
  }
  if (codec === Compression.Zstd) return { codec, level: Number(values.get('compression.zstd.level')) };
  return { codec };
}

// A partition log gets a new LogConfig object whenever its topic's configs change, so the object
// identifies one version of the topic's configs.
const cache = new WeakMap<LogConfig, ProduceConfig>();

export function produceConfig(broker: BrokerConfig, overrides: Readonly<Record<string, string>>, logConfig: LogConfig): ProduceConfig {
  const hit = cache.get(logConfig);
  if (hit) return hit;
  const values = new Map(effectiveTopicConfigs(broker, overrides).map((e) => [e.name, e.value]));
  // As Kafka 3.9, the deprecated message.timestamp.difference.max.ms bounds each side left at "never".
  const bound = (key: string): number => {
    const v = Number(values.get(key));
    return v >= NEVER ? Number(values.get('message.timestamp.difference.max.ms')) : v;
  };
  const config: ProduceConfig = {
    timestampBeforeMaxMs: bound('message.timestamp.before.max.ms'),
    timestampAfterMaxMs: bound('message.timestamp.after.max.ms'),
    minInsyncReplicas: Number(values.get('min.insync.replicas')),
    recompression: recompressionOf(values),
  };
  cache.set(logConfig, config);
  return config;
}
