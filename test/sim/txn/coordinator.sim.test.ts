// The transaction coordinator under seeded faults: transactional producers and zombies of them, lost
// requests and answers, lost marker answers, producers stalling past their transaction timeout, and
// coordinator crashes that lose unacknowledged __transaction_state writes and reload at a higher
// coordinator epoch. Checked: every transaction is atomic on every partition and completed, one
// acknowledged as committed is committed, one acknowledged as aborted never visible, and each
// transactional id's producer grants only move forward (one epoch at a time).
// `SIM_SEEDS=500 nice npx vitest run test/sim/txn` runs a long campaign; a failure names its seed and
// `SIM_SEED=<n> SIM_TRACE=200 npx vitest run test/sim/txn` replays it with its last events.
import { describe, expect, test } from 'vitest';
import { seedPlan } from '../harness/seeds.js';
import { TxnSim } from './txn-sim.js';

const plan = seedPlan(20, 'test/sim/txn');
const trace = Number(process.env.SIM_TRACE ?? 0);
const OPTIONS = { chaosMs: 20_000, settleMs: 20_000, ids: 4, partitions: 4 };

describe('transaction coordinator simulation', () => {
  test(`${plan.seeds.length} seeds: transactions stay atomic and acknowledged outcomes hold through crashes and losses`, { timeout: 60_000 + plan.seeds.length * 2_000 }, () => {
    const total = { committed: 0, aborted: 0, fencedProducers: 0, coordinatorRestarts: 0, timedOut: 0 };
    for (const seed of plan.seeds) {
      try {
        const r = new TxnSim({ seed, ...OPTIONS, traceEvents: trace }).run();
        for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += r[k];
      } catch (e) {
        throw new Error(`${(e as Error).message}\nreplay: ${plan.replay(seed)}`, { cause: e });
      }
    }
    if (plan.seeds.length >= 10) {
      expect(total.committed).toBeGreaterThan(plan.seeds.length * 10);
      expect(total.aborted).toBeGreaterThan(plan.seeds.length);
      expect(total.fencedProducers).toBeGreaterThan(0);
      expect(total.coordinatorRestarts).toBeGreaterThan(plan.seeds.length);
      expect(total.timedOut).toBeGreaterThan(0);
    }
  });

  test('the same seed gives the same run', () => {
    expect(new TxnSim({ seed: 7, ...OPTIONS }).run()).toEqual(new TxnSim({ seed: 7, ...OPTIONS }).run());
  });
});
