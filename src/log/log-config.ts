// The per-topic settings the log obeys, under Kafka's topic config names. Values arrive as strings from
// effectiveTopicConfigs (topic override, else broker default, else Kafka's default); this turns them
// into numbers once, so the append path never parses.
import { ConfigError, double } from '../config/schema.js';

export type TimestampType = 'CreateTime' | 'LogAppendTime';

export interface LogConfig {
  /** segment.bytes: roll when the active segment would grow past this. */
  segmentBytes: number;
  /** segment.ms: roll when the active segment spans more than this (see PartitionLog.append). */
  segmentMs: number;
  /** retention.ms: delete segments whose newest timestamp is older than this; -1 keeps forever. */
  retentionMs: number;
  /** retention.bytes: delete oldest segments while the partition is larger than this; negative is unlimited. */
  retentionBytes: number;
  /** index.interval.bytes: log bytes between two offset index entries. */
  indexIntervalBytes: number;
  /** max.message.bytes: largest batch accepted. */
  maxMessageBytes: number;
  /** flush.messages: fsync once this many records are unflushed. */
  flushMessages: number;
  /** flush.ms: fsync data older than this (checked by LogManager every log.flush.scheduler.interval.ms). */
  flushMs: number;
  /** message.timestamp.type */
  timestampType: TimestampType;
  /** cleanup.policy holds "compact": the log cleaner keeps only the latest record of each key. */
  compact: boolean;
  /** cleanup.policy holds "delete": retention deletes old segments, DeleteRecords is allowed. */
  delete: boolean;
  /** delete.retention.ms: how long a tombstone outlives the cleaning that first saw it. */
  deleteRetentionMs: number;
  /** min.cleanable.dirty.ratio: share of uncleaned bytes that makes a log worth cleaning. */
  minCleanableDirtyRatio: number;
  /** min.compaction.lag.ms: records younger than this stay uncompacted. */
  minCompactionLagMs: number;
  /** max.compaction.lag.ms: records older than this are compacted whatever the dirty ratio. */
  maxCompactionLagMs: number;
}

/** Java's Long.MAX_VALUE as Kafka uses it for "never"; saturates harmlessly as a JS number. */
export const NEVER = 9223372036854775807;

/** Kafka's own defaults, for tests and tools; the broker supplies its configured ones. */
export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1_073_741_824,
  segmentMs: 604_800_000,
  retentionMs: 604_800_000,
  retentionBytes: -1,
  indexIntervalBytes: 4096,
  maxMessageBytes: 1_048_588,
  flushMessages: NEVER,
  flushMs: NEVER,
  timestampType: 'CreateTime',
  compact: false,
  delete: true,
  deleteRetentionMs: 86_400_000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: NEVER,
});

const INT32_MAX = 2 ** 31 - 1;

type NumberField = 'segmentBytes' | 'segmentMs' | 'retentionMs' | 'retentionBytes' | 'indexIntervalBytes' | 'maxMessageBytes' | 'flushMessages' | 'flushMs' | 'deleteRetentionMs' | 'minCompactionLagMs' | 'maxCompactionLagMs';

interface NumberKey {
  field: NumberField;
  min: number;
  max: number;
}

/** Topic config name -> field, with the ranges Kafka's LogConfig enforces. */
const NUMBER_KEYS: Record<string, NumberKey> = {
  'segment.bytes': { field: 'segmentBytes', min: 14, max: INT32_MAX },
  'segment.ms': { field: 'segmentMs', min: 1, max: NEVER },
  'retention.ms': { field: 'retentionMs', min: -1, max: NEVER },
  'retention.bytes': { field: 'retentionBytes', min: -NEVER, max: NEVER },
  'index.interval.bytes': { field: 'indexIntervalBytes', min: 0, max: INT32_MAX },
  'max.message.bytes': { field: 'maxMessageBytes', min: 0, max: INT32_MAX },
  'flush.messages': { field: 'flushMessages', min: 1, max: NEVER },
  'flush.ms': { field: 'flushMs', min: 0, max: NEVER },
  'delete.retention.ms': { field: 'deleteRetentionMs', min: 0, max: NEVER },
  'min.compaction.lag.ms': { field: 'minCompactionLagMs', min: 0, max: NEVER },
  'max.compaction.lag.ms': { field: 'maxCompactionLagMs', min: 1, max: NEVER },
};

export const CLEANUP_POLICIES = ['compact', 'delete'] as const;

/**
 * A cleanup.policy value (Kafka's list type: comma-separated, blanks around items ignored) as the
 * policies it names, or why it is not one.
 */
export function parseCleanupPolicy(value: string): { compact: boolean; delete: boolean } | string {
  const items = value.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => !(CLEANUP_POLICIES as readonly string[]).includes(s))) {
    return `"${value}" is not a comma-separated list of ${CLEANUP_POLICIES.join(', ')}`;
  }
  return { compact: items.includes('compact'), delete: items.includes('delete') };
}

const RATIO = double('a ratio', 0, { min: 0, max: 1 });

/** A ratio as Kafka's DOUBLE configs take it, or why it is not one in [0, 1]. */
export function parseRatio(value: string): number | string {
  try {
    return RATIO.parse(value.trim());
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Builds a LogConfig from topic config values by Kafka name (other names are ignored: the log does not
 * use them). Keys missing from `values` keep `base`'s value. Throws ConfigError naming a bad key.
 */
export function logConfigFrom(values: Readonly<Record<string, string>>, base: Readonly<LogConfig> = DEFAULT_LOG_CONFIG): LogConfig {
  const out: LogConfig = { ...base };
  for (const [key, spec] of Object.entries(NUMBER_KEYS)) {
    const raw = values[key];
    if (raw === undefined) continue;
    const text = raw.trim();
    if (!/^-?\d+$/.test(text)) throw new ConfigError(`${key}: expected an integer, got "${raw}"`);
    const v = Number(text);
    if (v < spec.min || v > spec.max) throw new ConfigError(`${key}: ${text} is outside ${spec.min}..${spec.max}`);
    out[spec.field] = v;
  }
  const type = values['message.timestamp.type'];
  if (type !== undefined) {
    if (type !== 'CreateTime' && type !== 'LogAppendTime') {
      throw new ConfigError(`message.timestamp.type: expected CreateTime or LogAppendTime, got "${type}"`);
    }
    out.timestampType = type;
  }
  const policy = values['cleanup.policy'];
  if (policy !== undefined) {
    const parsed = parseCleanupPolicy(policy);
    if (typeof parsed === 'string') throw new ConfigError(`cleanup.policy: ${parsed}`);
    out.compact = parsed.compact;
    out.delete = parsed.delete;
  }
  const ratio = values['min.cleanable.dirty.ratio'];
  if (ratio !== undefined) {
    const parsed = parseRatio(ratio);
    if (typeof parsed === 'string') throw new ConfigError(`min.cleanable.dirty.ratio: ${parsed}`);
    out.minCleanableDirtyRatio = parsed;
  }
  return out;
}

/**
 * How long the active segment may span before it rolls: segment.ms, shortened to max.compaction.lag.ms
 * for a compacted log (Kafka's maxSegmentMs), since the active segment is never cleaned.
 */
export function maxSegmentMs(cfg: Readonly<LogConfig>): number {
  return cfg.compact ? Math.min(cfg.segmentMs, cfg.maxCompactionLagMs) : cfg.segmentMs;
}
