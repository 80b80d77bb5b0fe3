// Record batches for log tests, built and read with the project's record codec
// (protocol/kafka/records), values as strings.
import { buildRecordBatch, type BatchOptions } from '../../../protocol/kafka/records/batch-builder.js';
import { readBatchHeader } from '../../../protocol/kafka/records/batch-header.js';
import { batchRecords } from '../../../protocol/kafka/records/batch-records.js';

export interface TestRecord {
  value: string;
  key?: string;
  /** Absolute timestamp; defaults to the batch's base timestamp. */
  timestamp?: number;
}

/** One batch holding `records` (strings are values), base offset 0, CRC set, in memory of its own. */
export function makeBatch(records: readonly (TestRecord | string)[], options: BatchOptions = {}): Buffer {
  const recs = records.map((r) => (typeof r === 'string' ? { value: r } : r));
  const built = buildRecordBatch(
    recs.map((r) => ({ value: Buffer.from(r.value), key: r.key === undefined ? null : Buffer.from(r.key), ...(r.timestamp !== undefined && { timestamp: r.timestamp }) })),
    { baseTimestamp: recs[0]?.timestamp ?? 1_700_000_000_000, ...options },
  );
  // Not a slice of Node's shared pool, so tests can tell buffers apart by their memory.
  const own = Buffer.alloc(built.length);
  built.copy(own);
  return own;
}

export interface ReadRecord {
  offset: number;
  timestamp: number;
  value: string;
  key: string | null;
}

/** Records of the batches laid back to back in `chunks`. */
export function recordsOf(chunks: readonly Buffer[]): ReadRecord[] {
  const buf = Buffer.concat(chunks);
  const out: ReadRecord[] = [];
  for (let pos = 0; pos < buf.length; pos += readBatchHeader(buf, pos).sizeBytes) {
    for (const r of batchRecords(buf, pos)) {
      out.push({ offset: r.offset, timestamp: r.timestamp, value: r.value?.toString() ?? '', key: r.key?.toString() ?? null });
    }
  }
  return out;
}

/** Base offsets of the batches in `chunks`. */
export function batchOffsetsOf(chunks: readonly Buffer[]): number[] {
  const buf = Buffer.concat(chunks);
  const out: number[] = [];
  for (let pos = 0; pos < buf.length; pos += readBatchHeader(buf, pos).sizeBytes) out.push(readBatchHeader(buf, pos).baseOffset);
  return out;
}
