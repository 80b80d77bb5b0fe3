// The ensemble's Raft storage under kill -9: a child runs a one-voter Raft node on it (the same core and
// storage calls an ensemble server makes), printing every entry it applies, which with one voter means
// durable and committed. Killed at random moments over several rounds on one directory, the storage must
// reopen with every printed entry in place (in the log or under the snapshot, whose state must match),
// entries never changed once applied, and the term never behind one this server led in.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { openRaftStorage } from '../../../src/zookeeper/quorum/raft-storage.js';
import { CRASH_SEED, runUntilKilled, seededRandom } from '../../helpers/crash.js';

const CHILD = fileURLToPath(new URL('./raft-crash-writer.mjs', import.meta.url));
const ROUNDS = 6;
const SEGMENT_BYTES = 32 * 1024;
const random = seededRandom(CRASH_SEED);

function hashStep(h: number, index: number, id: number): number {
  return Math.imul(Math.imul(h ^ index, 16_777_619) ^ id, 16_777_619) >>> 0;
}

describe(`Raft storage crash safety (seed ${CRASH_SEED})`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skein-raft-crash-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every applied entry, and the term it led in, across repeated kill -9', async () => {
    /** Index -> id of every entry any round applied: applied entries never change. */
    const history: number[] = [0];
    let ledTerm = 0;
    let totalApplied = 0;
    let snapshots = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const run = await runUntilKilled(CHILD, [dir, String(round)], 150 + random(500));
      expect(run.open).toBeGreaterThanOrEqual(ledTerm);
      for (const { kind, values } of run.lines) {
        if (kind === 'LEADER') ledTerm = Math.max(ledTerm, values[0]!);
        if (kind !== 'C') continue;
        const [index, id] = values as [number, number];
        if (index < history.length) expect(id, `entry ${index} changed`).toBe(history[index]);
        else if (index === history.length) history.push(id);
        else throw new Error(`entry ${index} applied before ${history.length}`);
        totalApplied++;
      }
      const storage = await openRaftStorage(dir, { log: createLogger('silent'), segmentBytes: SEGMENT_BYTES, onDurable: () => undefined, onFailure: () => undefined });
      const { hardState, snapshot, entries } = storage.durable;
      await storage.close();
      expect(hardState.term).toBeGreaterThanOrEqual(ledTerm);
      const top = history.length - 1;
      const snapshotIndex = snapshot?.index ?? 0;
      expect(snapshotIndex).toBeLessThanOrEqual(top);
      if (snapshot) {
        snapshots++;
        let h = 0;
        for (let i = 1; i <= snapshotIndex; i++) h = hashStep(h, i, history[i]!);
        expect(JSON.parse(Buffer.from(snapshot.data).toString())).toEqual({ index: snapshotIndex, hash: h });
      }
      const lastIndex = entries.at(-1)?.index ?? snapshotIndex;
      expect(lastIndex, `round ${round}: applied entries up to ${top} were lost`).toBeGreaterThanOrEqual(top);
      for (const e of entries) {
        if (e.index > top) break;
        const id = e.data && e.data.length >= 4 ? Buffer.from(e.data).readUInt32BE(0) : 0;
        expect(id, `entry ${e.index}`).toBe(history[e.index]);
      }
      // Snapshots every 50 entries keep old segments from piling up.
      expect((await readdir(dir)).filter((f) => f.startsWith('raft-log.')).length).toBeLessThan(12);
    }
    // The rounds must have exercised something: entries applied, and compaction.
    expect(totalApplied).toBeGreaterThan(ROUNDS * 20);
    expect(snapshots).toBeGreaterThan(0);
  }, 120_000);
});
