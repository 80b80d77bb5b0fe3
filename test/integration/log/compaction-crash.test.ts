// Compaction under kill -9: a child process appends keyed records (tombstones among them) to a compacted
// log while the cleaner compacts it on its own timer, and is killed at random moments, over several
// rounds on the same directory, so kills land while segments are cleaned and swapped. After every
// restart: no swap file is left, offsets rise, each record is where it was acknowledged, and an
// acknowledged record may be missing only if a later record of its key is there.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_LOG_CONFIG } from '../../../src/log/log-config.js';
import { LogManager } from '../../../src/log/log-manager.js';
import { acksOf, CRASH_SEED, runUntilKilled, seededRandom } from '../../helpers/crash.js';
import { readRecords } from '../../unit/log/cleaner-fixture.js';

const CHILD = fileURLToPath(new URL('./compaction-crash-writer.mjs', import.meta.url));
const ROUNDS = 8;
const KEYS = 40;

const random = seededRandom(CRASH_SEED);

interface ChildRun {
  open: number;
  acks: Map<number, number>;
}

async function runChild(dir: string, firstId: number, killAfterMs: number): Promise<ChildRun> {
  const run = await runUntilKilled(CHILD, [dir, String(firstId), String(KEYS)], killAfterMs);
  return { open: run.open, acks: acksOf(run) };
}

/** Opens the directory as the broker would and checks it; returns the log end and the last id. */
async function verify(dir: string, acked: Map<number, number>): Promise<{ logEnd: number; lastId: number; compacted: boolean }> {
  const manager = await LogManager.open({
    dirs: [dir],
    configFor: () => ({ ...DEFAULT_LOG_CONFIG, compact: true, delete: false, segmentBytes: 4096, indexIntervalBytes: 256 }),
    logger: createLogger('silent'),
    scheduleTasks: false,
  });
  try {
    const log = manager.get('compacted', 0)!;
    expect((await readdir(join(dir, 'compacted-0'))).filter((n) => /\.(cleaned|swap|deleted)$/.test(n))).toEqual([]);
    const records = await readRecords(log);
    const byOffset = new Map(records.map((r) => [r.offset, r]));
    const latestOfKey = new Map<string, number>();
    let lastId = 0;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (i > 0) expect(r.offset).toBeGreaterThan(records[i - 1]!.offset);
      latestOfKey.set(r.key!, r.offset);
      const id = r.value === null ? undefined : Number(/^id:(\d+):/.exec(r.value)![1]);
      if (id !== undefined) {
        expect(`k${id % KEYS}`).toBe(r.key);
        lastId = Math.max(lastId, id);
      }
    }
    for (const [offset, id] of acked) {
      const key = `k${id % KEYS}`;
      const found = byOffset.get(offset);
      if (found) {
        expect(found.key).toBe(key);
        if (found.value !== null) expect(found.value).toMatch(new RegExp(`^id:0*${id}:`));
      } else if (!((latestOfKey.get(key) ?? -1) > offset)) {
        throw new Error(`acknowledged record ${id} (key ${key}) at offset ${offset} is gone without a later record of its key`);
      }
    }
    const lastOffset = Math.max(-1, ...acked.keys());
    expect(log.logEndOffset).toBeGreaterThan(lastOffset);
    // Tombstones carry no id; acknowledged ones are in `acked`.
    return { logEnd: log.logEndOffset, lastId: Math.max(lastId, ...acked.values()), compacted: log.firstDirtyOffset > 0 };
  } finally {
    await manager.close();
  }
}

describe(`compaction crash safety (seed ${CRASH_SEED})`, () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skein-compaction-crash-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps each acknowledged record or a later one of its key across repeated kill -9 during cleaning', async () => {
    const acked = new Map<number, number>();
    let expectedEnd = 0;
    let nextId = 1;
    let compacted = false;
    for (let round = 0; round < ROUNDS; round++) {
      const run = await runChild(dir, nextId, 100 + random(400));
      expect(run.open).toBe(expectedEnd);
      for (const [offset, id] of run.acks) acked.set(offset, id);
      const result = await verify(dir, acked);
      compacted ||= result.compacted;
      expectedEnd = result.logEnd;
      nextId = result.lastId + 1;
    }
    expect(acked.size).toBeGreaterThan(ROUNDS);
    expect(compacted).toBe(true);
  }, 180_000);
});
