// Shared setup for log tests: temporary directories, logs with small configs, whole-log reads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../../src/log/log-config.js';
import { PartitionLog, type PartitionLogOptions } from '../../../src/log/partition-log.js';
import { makeBatch, recordsOf, type ReadRecord } from './batches.js';

export const silent = createLogger('silent');
export const T0 = 1_700_000_000_000;

const dirs: string[] = [];
const logs: PartitionLog[] = [];

afterEach(async () => {
  await Promise.allSettled(logs.splice(0).map((l) => l.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'skein-log-'));
  dirs.push(dir);
  return dir;
}

export function config(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}

/** Opens a log whose close is awaited after the test (closing twice is harmless). */
export async function openLog(dir: string, overrides: Partial<LogConfig> = {}, options: Partial<PartitionLogOptions> = {}): Promise<PartitionLog> {
  const log = await PartitionLog.open(dir, { config: config(overrides), logger: silent, ...options });
  logs.push(log);
  return log;
}

/** Appends one single-record batch per value, each at its own timestamp T0 + i unless given. */
export function appendEach(log: PartitionLog, values: readonly string[], timestamp?: (i: number) => number): number[] {
  return values.map((v, i) => log.append(makeBatch([{ value: v, timestamp: timestamp?.(i) ?? T0 + i }]), T0 + i).baseOffset);
}

/** Every record from `from` to the log end, reading batch by batch with `maxBytes`. */
export async function readAll(log: PartitionLog, from = log.logStartOffset, maxBytes = 1 << 20): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  let offset = from;
  while (offset < log.logEndOffset) {
    const r = await log.read(offset, maxBytes);
    if (r.chunks.length === 0) throw new Error(`empty read at ${offset} below log end ${log.logEndOffset}`);
    out.push(...recordsOf(r.chunks).filter((rec) => rec.offset >= offset));
    offset = r.nextOffset;
  }
  return out;
}
