// The broker-wide settings of the log cleaner, under Kafka's log.cleaner.* names (the per-topic ones —
// delete.retention.ms, min.cleanable.dirty.ratio, the compaction lags — live in LogConfig).
import { ConfigError } from '../../config/schema.js';
import { OFFSET_MAP_SLOT_BYTES } from './offset-map.js';

export interface CleanerConfig {
  /** log.cleaner.enable: without it compacted logs only grow. */
  enable: boolean;
  /** log.cleaner.dedupe.buffer.size: memory of the key -> offset map, which bounds one round's dirty section. */
  dedupeBufferBytes: number;
  /** log.cleaner.io.buffer.load.factor: how full the map may get. */
  dedupeBufferLoadFactor: number;
  /** log.cleaner.io.buffer.size: read and write buffers together; each read is half of it (or one batch). */
  ioBufferBytes: number;
  /** log.cleaner.io.max.bytes.per.second: reads and writes together, on average. */
  maxIoBytesPerSecond: number;
  /** log.cleaner.backoff.ms: the wait when no log needs cleaning. */
  backoffMs: number;
}

/** Kafka's defaults (CleanerConfig). */
export const DEFAULT_CLEANER_CONFIG: Readonly<CleanerConfig> = Object.freeze({
  enable: true,
  dedupeBufferBytes: 128 * 1024 * 1024,
  dedupeBufferLoadFactor: 0.9,
  ioBufferBytes: 512 * 1024,
  maxIoBytesPerSecond: Number.MAX_VALUE,
  backoffMs: 15_000,
});

/** Keys one round may map: the map's slots times the load factor, one slot always left free. */
export function mapCapacity(slots: number, loadFactor: number): number {
  return Math.min(Math.floor(slots * loadFactor), slots - 1);
}

/** Throws ConfigError (naming the key) if the map could not hold a single key, as Kafka refuses to start then. */
export function checkCleanerConfig(cfg: CleanerConfig): void {
  if (!(cfg.dedupeBufferLoadFactor > 0 && cfg.dedupeBufferLoadFactor <= 1)) {
    throw new ConfigError(`log.cleaner.io.buffer.load.factor: ${cfg.dedupeBufferLoadFactor} is outside (0, 1]`);
  }
  if (cfg.enable && mapCapacity(Math.floor(cfg.dedupeBufferBytes / OFFSET_MAP_SLOT_BYTES), cfg.dedupeBufferLoadFactor) < 1) {
    throw new ConfigError(`log.cleaner.dedupe.buffer.size: ${cfg.dedupeBufferBytes} bytes cannot hold a single key (${OFFSET_MAP_SLOT_BYTES} bytes each at load factor ${cfg.dedupeBufferLoadFactor})`);
  }
  if (!(cfg.maxIoBytesPerSecond > 0)) throw new ConfigError(`log.cleaner.io.max.bytes.per.second: ${cfg.maxIoBytesPerSecond} is not positive`);
  if (!(cfg.ioBufferBytes >= 2)) throw new ConfigError(`log.cleaner.io.buffer.size: ${cfg.ioBufferBytes} is too small`);
}
