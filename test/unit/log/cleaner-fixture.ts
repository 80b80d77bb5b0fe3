// Shared setup for cleaner tests: keyed records (tombstones included) as batches, a cleaner over one
// log, and reading a log back as (offset, key, value) triples.
import { buildRecordBatch, type BatchOptions } from '../../../protocol/kafka/records/batch-builder.js';
import { readBatchHeader, type BatchHeader } from '../../../protocol/kafka/records/batch-header.js';
import { batchRecords } from '../../../protocol/kafka/records/batch-records.js';
import { DEFAULT_CLEANER_CONFIG, type CleanerConfig } from '../../../src/log/cleaner/cleaner-config.js';
import { LogCleaner } from '../../../src/log/cleaner/log-cleaner.js';
import type { LogConfig } from '../../../src/log/log-config.js';
import type { PartitionLog } from '../../../src/log/partition-log.js';
import { silent, T0 } from './fixture.js';

/** Small segments, compaction on, no lag: what most cleaner tests run with. */
export const COMPACT: Partial<LogConfig> = { compact: true, delete: false, segmentBytes: 1024, indexIntervalBytes: 100, minCleanableDirtyRatio: 0.01 };

/** [key, value] with null for a tombstone; an optional timestamp (T0 by default). */
export type KV = [key: string | null, value: string | null, timestamp?: number];

export function kvBatch(records: readonly KV[], options: BatchOptions = {}): Buffer {
  const built = buildRecordBatch(
    records.map(([k, v, ts]) => ({ key: k === null ? null : Buffer.from(k), value: v === null ? null : Buffer.from(v), timestamp: ts ?? T0 })),
    { baseTimestamp: records[0]?.[2] ?? T0, ...options },
  );
  const own = Buffer.alloc(built.length);
  built.copy(own);
  return own;
}

/** Appends each record as a batch of its own; returns their offsets. */
export function appendKVs(log: PartitionLog, records: readonly KV[], now = T0): number[] {
  return records.map((r) => log.append(kvBatch([r]), now).baseOffset);
}

export interface StoredRecord {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
}

export interface StoredBatch {
  header: BatchHeader;
  records: StoredRecord[];
}

/** Every batch from the log start to its end, by reads that each return what follows the previous one. */
export async function readBatches(log: PartitionLog, maxBytes = 1 << 20): Promise<StoredBatch[]> {
  const out: StoredBatch[] = [];
  for (let offset = log.logStartOffset; offset < log.logEndOffset; ) {
    const r = await log.read(offset, maxBytes);
    if (r.chunks.length === 0) break;
    const buf = Buffer.concat(r.chunks);
    for (let pos = 0; pos < buf.length; ) {
      const header = readBatchHeader(buf, pos);
      const records = [...batchRecords(buf, pos)].map((rec) => ({
        offset: rec.offset,
        key: rec.key?.toString() ?? null,
        value: rec.value?.toString() ?? null,
        timestamp: rec.timestamp,
      }));
      if (header.baseOffset + header.lastOffsetDelta >= offset) out.push({ header, records: records.filter((rec) => rec.offset >= offset) });
      pos += header.sizeBytes;
    }
    offset = r.nextOffset;
  }
  return out;
}

export async function readRecords(log: PartitionLog): Promise<StoredRecord[]> {
  return (await readBatches(log)).flatMap((b) => b.records);
}

/** The latest value of each key in `records` (what compaction must keep), tombstoned keys included as null. */
export function latestByKey(records: readonly KV[], firstOffset = 0): Map<string, { offset: number; value: string | null }> {
  const out = new Map<string, { offset: number; value: string | null }>();
  records.forEach(([k, v], i) => {
    if (k !== null) out.set(k, { offset: firstOffset + i, value: v });
  });
  return out;
}

/** A cleaner over `logs` alone, with `config` over Kafka's defaults. */
export function cleanerFor(logs: readonly PartitionLog[], config: Partial<CleanerConfig> = {}): LogCleaner {
  return new LogCleaner({
    config: { ...DEFAULT_CLEANER_CONFIG, ...config },
    logs: () => logs.map((log, i) => ({ name: `t-${i}`, log })),
    logger: silent,
  });
}
