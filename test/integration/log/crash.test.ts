// Crash safety end to end: a child process appends and acknowledges records once durable; it is killed
// with SIGKILL at random moments, over several rounds on the same directory. After every restart each
// acknowledged record must be present, in order, exactly once, and appending must continue at the log end.
// The leader epoch cache must then say what the batches' epochs say, however the kill caught its file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { readBatchHeader } from '../../../protocol/kafka/records/batch-header.js';
import type { EpochEntry } from '../../../src/log/leader-epoch-cache.js';
import { readLeaderEpochFile } from '../../../src/log/leader-epoch-file.js';
import { DEFAULT_LOG_CONFIG } from '../../../src/log/log-config.js';
import { LogManager } from '../../../src/log/log-manager.js';
import { acksOf, CRASH_SEED, runUntilKilled, seededRandom } from '../../helpers/crash.js';
import { makeBatch, recordsOf } from '../../unit/log/batches.js';

const CHILD = fileURLToPath(new URL('./crash-writer.mjs', import.meta.url));
const ROUNDS = 6;
const PLACEHOLDER = '#'.repeat(12);

const random = seededRandom(CRASH_SEED);

/** Batch templates of different sizes, each with the id placeholder inside its only record's value. */
function templates(): { hex: string; at: number }[] {
  return [40, 900, 5000].map((pad) => {
    const batch = makeBatch([{ value: `id:${PLACEHOLDER}:${'p'.repeat(pad)}`, timestamp: 1_700_000_000_000 }]);
    return { hex: batch.toString('hex'), at: batch.indexOf(PLACEHOLDER) };
  });
}

interface ChildRun {
  open: number;
  first: number | undefined;
  acks: Map<number, number>;
}

/** Runs the writer until `killAfterMs` after it opened the log, then SIGKILLs it. */
async function runChild(dir: string, firstId: number, killAfterMs: number): Promise<ChildRun> {
  const t = templates();
  const run = await runUntilKilled(CHILD, [dir, String(firstId), t.map((x) => x.hex).join(','), t.map((x) => x.at).join(',')], killAfterMs);
  return { open: run.open, first: run.lines.find((l) => l.kind === 'FIRST')?.values[0], acks: acksOf(run) };
}

/** Opens the directory as the broker would, checks it, closes it; returns the log end and last id. */
async function verify(dir: string, acked: Map<number, number>): Promise<{ logEnd: number; lastId: number }> {
  const manager = await LogManager.open({
    dirs: [dir],
    configFor: () => ({ ...DEFAULT_LOG_CONFIG, segmentBytes: 256 * 1024, indexIntervalBytes: 1024 }),
    logger: createLogger('silent'),
    scheduleTasks: false,
  });
  try {
    const log = manager.get('crash', 0)!;
    const ids: number[] = [];
    const epochs: EpochEntry[] = [];
    for (let offset = 0; offset < log.logEndOffset; ) {
      const r = await log.read(offset, 1 << 20);
      const bytes = Buffer.concat(r.chunks);
      for (let pos = 0; pos < bytes.length; ) {
        const h = readBatchHeader(bytes, pos);
        if (h.partitionLeaderEpoch !== epochs.at(-1)?.epoch) epochs.push({ epoch: h.partitionLeaderEpoch, startOffset: h.baseOffset });
        pos += h.sizeBytes;
      }
      for (const rec of recordsOf(r.chunks)) {
        expect(rec.offset).toBe(ids.length);
        ids.push(Number(/^id:(\d+):/.exec(rec.value)![1]));
      }
      offset = r.nextOffset;
    }
    expect(ids.length).toBe(log.logEndOffset);
    for (let i = 1; i < ids.length; i++) if (ids[i]! <= ids[i - 1]!) throw new Error(`ids out of order at offset ${i}: ${ids[i - 1]} then ${ids[i]}`);
    for (const [offset, id] of acked) {
      if (ids[offset] !== id) throw new Error(`acknowledged record ${id} at offset ${offset} is missing (found ${ids[offset]})`);
    }
    expect(log.leaderEpochEntries()).toEqual(epochs);
    expect(await readLeaderEpochFile(log.dir)).toEqual(epochs);
    return { logEnd: log.logEndOffset, lastId: ids.at(-1) ?? 0 };
  } finally {
    await manager.close();
  }
}

describe(`crash safety (seed ${CRASH_SEED})`, () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skein-crash-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged record across repeated kill -9', async () => {
    const acked = new Map<number, number>();
    let expectedEnd = 0;
    let nextId = 1;
    let totalAcks = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const run = await runChild(dir, nextId, 40 + random(400));
      expect(run.open).toBe(expectedEnd);
      if (run.first !== undefined) expect(run.first).toBe(expectedEnd);
      for (const [offset, id] of run.acks) acked.set(offset, id);
      totalAcks += run.acks.size;
      const { logEnd, lastId } = await verify(dir, acked);
      expect(logEnd).toBeGreaterThanOrEqual(Math.max(expectedEnd, ...[...run.acks.keys()].map((o) => o + 1)));
      expectedEnd = logEnd;
      nextId = lastId + 1;
    }
    // The rounds must have exercised something.
    expect(totalAcks).toBeGreaterThan(ROUNDS);
  }, 120_000);
});
