// Compaction under kill -9: a child process appends keyed records (tombstones among them) to a compacted
// log while the cleaner compacts it on its own timer, and is killed at random moments, over several
// rounds on the same directory, so kills land while segments are cleaned and swapped. After every
// restart: no swap file is left, offsets rise, each record is where it was acknowledged, and an
// acknowledged record may be missing only if a later record of its key is there.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_LOG_CONFIG } from '../../../src/log/log-config.js';
import { LogManager } from '../../../src/log/log-manager.js';
import { readRecords } from '../../unit/log/cleaner-fixture.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./compaction-crash-writer.mjs', import.meta.url));
const ROUNDS = 8;
const KEYS = 40;

/** Deterministic kill timing; the seed is in the test name so a failure can be replayed. */
const SEED = Number(process.env.SKEIN_CRASH_SEED ?? Date.now() % 100_000);
let state = SEED;
function random(n: number): number {
  state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
  return state % n;
}

interface ChildRun {
  open: number;
  acks: Map<number, number>;
}

function runChild(dir: string, firstId: number, killAfterMs: number): Promise<ChildRun> {
  const child = spawn(process.execPath, [CHILD, dir, String(firstId), String(KEYS)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: ChildRun = { open: -1, acks: new Map() };
  let pending = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const [kind, a, b] = line.split(' ');
        if (kind === 'OPEN') {
          run.open = Number(a);
          setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        } else if (kind === 'ACK') {
          run.acks.set(Number(a), Number(b));
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(run);
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
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

describe(`compaction crash safety (seed ${SEED})`, () => {
  let dir: string;

  beforeAll(async () => {
    // The child runs the compiled code; tsc emits even if another engineer's unfinished file fails to typecheck.
    await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT }).catch(() => undefined);
    if (!existsSync(join(ROOT, 'dist/src/log/cleaner/log-cleaner.js'))) throw new Error('build produced no dist/src/log/cleaner');
    dir = await mkdtemp(join(tmpdir(), 'skein-compaction-crash-'));
  }, 180_000);

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
