// The consensus core under seeded faults: crashes that lose unsynced writes, partitions, lossy,
// duplicating and reordering links, slow disks, membership changes and zxid epoch rollovers.
// `SIM_SEEDS=10000 nice npx vitest run test/sim/consensus`
// runs a long campaign; a failure names its seed and `SIM_SEED=<n> npx vitest run test/sim/consensus`
// replays it exactly (add SIM_TRACE=200 for the last events before the failure).
import { describe, expect, test } from 'vitest';
import { seedPlan } from '../harness/seeds.js';
import { RaftSim } from './raft-sim.js';

const CHAOS_MS = 4_000;
const SETTLE_MS = 2_000;
const plan = seedPlan(100, 'test/sim/consensus');
const trace = Number(process.env.SIM_TRACE ?? 0);

describe('Raft ensemble simulation', () => {
  test(`${plan.seeds.length} seeds: crashes, partitions, lossy links, slow disks and reconfigurations lose no acknowledged write`, { timeout: 60_000 + plan.seeds.length * 2_000 }, () => {
    let acked = 0;
    let snapshots = 0;
    let terms = 0;
    let reconfigs = 0;
    let reads = 0;
    for (const seed of plan.seeds) {
      let r;
      try {
        r = new RaftSim({ seed, chaosMs: CHAOS_MS, settleMs: SETTLE_MS, traceEvents: trace }).run();
      } catch (e) {
        throw new Error(`${(e as Error).message}\nreplay: ${plan.replay(seed)}`, { cause: e });
      }
      acked += r.acked;
      snapshots += r.snapshotsSent;
      terms += r.leaderTerms;
      reconfigs += r.reconfigs;
      reads += r.readsConfirmed;
    }
    // The runs did exercise what they claim to.
    expect(acked).toBeGreaterThan(plan.seeds.length * 10);
    expect(terms).toBeGreaterThan(plan.seeds.length * 2);
    if (plan.seeds.length >= 20) {
      expect(snapshots).toBeGreaterThan(0);
      expect(reconfigs).toBeGreaterThan(0);
      expect(reads).toBeGreaterThan(0);
    }
  });

  test('the same seed gives the same run', () => {
    const a = new RaftSim({ seed: 7, chaosMs: 2_000, settleMs: SETTLE_MS }).run();
    const b = new RaftSim({ seed: 7, chaosMs: 2_000, settleMs: SETTLE_MS }).run();
    expect(b).toEqual(a);
  });
});
