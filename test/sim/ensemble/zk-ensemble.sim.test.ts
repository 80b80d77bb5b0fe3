// The ZooKeeper ensemble (consensus core + ZooKeeper request core) under seeded faults: crashes that
// lose unsynced writes, partitions, lossy, duplicating and slow links; clients that move between servers.
// `SIM_SEEDS=10000 nice npx vitest run test/sim/ensemble` runs a long campaign; a failure names its seed
// and `SIM_SEED=<n> SIM_TRACE=200 npx vitest run test/sim/ensemble` replays it with its last events.
import { describe, expect, test } from 'vitest';
import { seedPlan } from '../harness/seeds.js';
import { EnsembleSim } from './zk-ensemble-sim.js';

const plan = seedPlan(50, 'test/sim/ensemble');
const trace = Number(process.env.SIM_TRACE ?? 0);

describe('ZooKeeper ensemble simulation', () => {
  test(`${plan.seeds.length} seeds: every server applies the same transactions, acknowledged creates survive, in a linearizable order`, { timeout: 60_000 + plan.seeds.length * 2_000 }, () => {
    let acked = 0;
    let crashes = 0;
    let terms = 0;
    let moves = 0;
    let restores = 0;
    for (const seed of plan.seeds) {
      let r;
      try {
        r = new EnsembleSim({ seed, chaosMs: 3_000, settleMs: 2_000, traceEvents: trace }).run();
      } catch (e) {
        throw new Error(`${(e as Error).message}\nreplay: ${plan.replay(seed)}`, { cause: e });
      }
      acked += r.acked;
      crashes += r.crashes;
      terms += r.leaderTerms;
      moves += r.moves;
      restores += r.snapshotsRestored;
    }
    console.log(`ensemble simulation: ${plan.seeds.length} seeds, ${acked} acknowledged creates, ${terms} leader terms, ${crashes} crashes, ${moves} client moves, ${restores} snapshots restored`);
    expect(acked).toBeGreaterThan(plan.seeds.length * 20);
    expect(terms).toBeGreaterThan(plan.seeds.length);
    expect(crashes).toBeGreaterThan(0);
    expect(moves).toBeGreaterThan(0);
    if (plan.seeds.length >= 20) expect(restores).toBeGreaterThan(0);
  });

  test('the same seed gives the same run', () => {
    const a = new EnsembleSim({ seed: 11, chaosMs: 1_500, settleMs: 1_500 }).run();
    const b = new EnsembleSim({ seed: 11, chaosMs: 1_500, settleMs: 1_500 }).run();
    expect(b).toEqual(a);
  });
});
