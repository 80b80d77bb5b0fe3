// A crash at every step of swapping a cleaned segment in (cleaner/swap.ts), simulated by leaving the
// files as that step leaves them: reopening finishes a committed swap or undoes an uncommitted one, so
// the log reads either exactly as before the cleaning or exactly as after it, and goes on working.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE, decodeCheckpoint, encodeCheckpoint } from '../../../src/log/checkpoint.js';
import { appendKVs, cleanerFor, COMPACT, kvBatch, readRecords, type KV, type StoredRecord } from './cleaner-fixture.js';
import { openLog, T0, tempDir } from './fixture.js';

// Every record rolls a segment (segment.ms 10, timestamps 20 ms apart) and all fit one cleaned segment.
const CFG = { ...COMPACT, segmentBytes: 1 << 20, segmentMs: 10 };
const NEW_BASE = '00000000000000000000';

type Files = Map<string, Buffer>;

async function snapshot(dir: string): Promise<Files> {
  const out: Files = new Map();
  for (const name of await readdir(dir)) out.set(name, await readFile(join(dir, name)));
  return out;
}

interface Scenario {
  before: Files;
  after: Files;
  /** Base names (20 digits) of the segments the swap replaces. */
  replaced: string[];
  /** The checkpoint as the swap leaves it: the old one with the new compactedTo. */
  midCheckpoint: Buffer;
  beforeRecords: StoredRecord[];
  afterRecords: StoredRecord[];
  logEnd: number;
}

let scenario: Scenario;

beforeAll(async () => {
  const dir = await tempDir();
  const log = await openLog(dir, CFG);
  const recs: KV[] = Array.from({ length: 12 }, (_, i) => [`k${i % 4}`, `v${i}`, T0 + 20 * i]);
  appendKVs(log, recs);
  await log.flush();
  const bases = log.segmentBaseOffsets();
  expect(bases).toHaveLength(12);
  // Copies taken while the log is open carry a "not closed" checkpoint, as a crash leaves it.
  const before = await snapshot(dir);
  const beforeRecords = await readRecords(log);
  const pass = await cleanerFor([log]).runPass(T0);
  expect(pass?.stats).toMatchObject({ segmentsReplaced: 11, segmentsWritten: 1 });
  const after = await snapshot(dir);
  const afterRecords = await readRecords(log);
  expect(afterRecords.map((r) => r.offset)).toEqual([7, 8, 9, 10, 11]);
  const oldCp = decodeCheckpoint(before.get(CHECKPOINT_FILE)!);
  const newCp = decodeCheckpoint(after.get(CHECKPOINT_FILE)!);
  if (typeof oldCp === 'string' || typeof newCp === 'string') throw new Error('unreadable checkpoint');
  expect(newCp.compactedTo).toBe(11);
  scenario = {
    before,
    after,
    replaced: bases.slice(0, -1).map((b) => String(b).padStart(20, '0')),
    midCheckpoint: encodeCheckpoint({ ...oldCp, compactedTo: newCp.compactedTo }),
    beforeRecords,
    afterRecords,
    logEnd: log.logEndOffset,
  };
});

const SUFFIXES = ['.log', '.index', '.timeindex'];

/** Files of the state a crash leaves: `build` picks them from the before/after snapshots. */
type Build = (s: Scenario, put: (name: string, bytes: Buffer) => void) => void;

function oldSegments(s: Scenario, put: (name: string, bytes: Buffer) => void, rename: (base: string, i: number) => string): void {
  s.replaced.forEach((base, i) => {
    for (const suffix of SUFFIXES) put(base + suffix + rename(base, i), s.before.get(base + suffix)!);
  });
}

function newSegment(s: Scenario, put: (name: string, bytes: Buffer) => void, logSuffix: string, indexSuffix: string): void {
  for (const suffix of SUFFIXES) put(NEW_BASE + suffix + (suffix === '.log' ? logSuffix : indexSuffix), s.after.get(NEW_BASE + suffix)!);
}

/** The active segment (untouched by the cleaning) and the checkpoint. */
function common(s: Scenario, put: (name: string, bytes: Buffer) => void, checkpoint: Buffer): void {
  for (const [name, bytes] of s.before) if (!s.replaced.some((b) => name.startsWith(b)) && name !== CHECKPOINT_FILE) put(name, bytes);
  put(CHECKPOINT_FILE, checkpoint);
}

const STATES: [string, 'before' | 'after', Build][] = [
  [
    'while the cleaned segment is being written',
    'before',
    (s, put) => {
      common(s, put, s.before.get(CHECKPOINT_FILE)!);
      oldSegments(s, put, () => '');
      const log = s.after.get(`${NEW_BASE}.log`)!;
      put(`${NEW_BASE}.log.cleaned`, log.subarray(0, Math.floor(log.length / 2)));
      put(`${NEW_BASE}.index.cleaned`, Buffer.alloc(0));
    },
  ],
  [
    'after the cleaned segment and the new compactedTo are durable',
    'before',
    (s, put) => {
      common(s, put, s.midCheckpoint);
      oldSegments(s, put, () => '');
      newSegment(s, put, '.cleaned', '.cleaned');
    },
  ],
  [
    'halfway through setting the old segments aside',
    'before',
    (s, put) => {
      common(s, put, s.midCheckpoint);
      oldSegments(s, put, (_b, i) => (i < 5 ? '.deleted' : ''));
      newSegment(s, put, '.cleaned', '.cleaned');
    },
  ],
  [
    'with the old segments set aside, before the commit',
    'before',
    (s, put) => {
      common(s, put, s.midCheckpoint);
      oldSegments(s, put, () => '.deleted');
      newSegment(s, put, '.cleaned', '.cleaned');
    },
  ],
  [
    'during the commit: indexes renamed, the .log not yet',
    'before',
    (s, put) => {
      common(s, put, s.midCheckpoint);
      oldSegments(s, put, () => '.deleted');
      newSegment(s, put, '.cleaned', '.swap');
    },
  ],
  [
    'right after the commit',
    'after',
    (s, put) => {
      common(s, put, s.midCheckpoint);
      oldSegments(s, put, () => '.deleted');
      newSegment(s, put, '.swap', '.swap');
    },
  ],
  [
    'halfway through removing the old segments',
    'after',
    (s, put) => {
      common(s, put, s.midCheckpoint);
      s.replaced.slice(6).forEach((base) => SUFFIXES.forEach((suffix) => put(base + suffix + '.deleted', s.before.get(base + suffix)!)));
      newSegment(s, put, '.swap', '.swap');
    },
  ],
  [
    'with the .log renamed and its indexes not yet',
    'after',
    (s, put) => {
      common(s, put, s.midCheckpoint);
      newSegment(s, put, '', '.swap');
    },
  ],
  [
    'with the final rename durable but the removals lost',
    'after',
    (s, put) => {
      common(s, put, s.midCheckpoint);
      oldSegments(s, put, () => '.deleted');
      newSegment(s, put, '', '.swap');
    },
  ],
  [
    'after the swap, before the round was recorded',
    'after',
    (s, put) => {
      common(s, put, s.midCheckpoint);
      newSegment(s, put, '', '');
    },
  ],
];

describe('a crash during a segment swap', () => {
  it.each(STATES)('%s recovers to the log %s the cleaning', async (_name, expected, build) => {
    const dir = join(await tempDir(), 'p-0');
    await mkdir(dir);
    const files: Files = new Map();
    build(scenario, (name, bytes) => files.set(name, bytes));
    for (const [name, bytes] of files) await writeFile(join(dir, name), bytes);

    const log = await openLog(dir, CFG);
    const want = expected === 'before' ? scenario.beforeRecords : scenario.afterRecords;
    expect(await readRecords(log)).toEqual(want);
    expect(log.logEndOffset).toBe(scenario.logEnd);
    expect((await readdir(dir)).filter((n) => /\.(cleaned|swap|deleted)$/.test(n))).toEqual([]);
    expect(log.segmentBaseOffsets()[0]).toBe(0);
    expect(log.segmentCount).toBe(expected === 'before' ? 12 : 2);
    expect(log.append(kvBatch([['k9', 'late', T0 + 1000]]), T0).baseOffset).toBe(scenario.logEnd);
    await log.close();

    const again = await openLog(dir, CFG);
    expect((await readRecords(again)).slice(0, -1)).toEqual(want);
    // The cleaner picks up from there (an undone swap is simply redone): k3 at 11 now makes 7 obsolete.
    await cleanerFor([again]).runPass(T0);
    expect((await readRecords(again)).map((r) => r.offset)).toEqual([8, 9, 10, 11, 12]);
  });
});
