// Share-partitions under seeded chaos (share-partition-sim.ts). `SIM_SEEDS=1000 npx vitest run
// test/sim/share` runs a long campaign; a failure names its seed and `SIM_SEED=<n> npx vitest run
// test/sim/share` replays it exactly.
import { describe, expect, test } from 'vitest';
import { seedPlan } from '../harness/seeds.js';
import { SharePartitionSim } from './share-partition-sim.js';

const plan = seedPlan(30, 'test/sim/share');
const LIMITS = { lockDurationMs: 2_000, deliveryCountLimit: 5, maxInFlight: 100 };

function runAll(allAccept: boolean, limits = LIMITS): { redelivered: number; crashes: number; restarts: number; archived: number } {
  const total = { redelivered: 0, crashes: 0, restarts: 0, archived: 0 };
  for (const seed of plan.seeds) {
    try {
      const r = new SharePartitionSim({ seed, members: 2 + (seed % 5), chaosSteps: 1_500, allAccept, limits }).run();
      expect(r.produced).toBeGreaterThan(0);
      total.redelivered += r.redelivered;
      total.crashes += r.crashes;
      total.restarts += r.restarts;
      total.archived += r.archived;
    } catch (e) {
      throw new Error(`${(e as Error).message}\nreplay: ${plan.replay(seed)}`, { cause: e });
    }
  }
  return total;
}

describe('share-partition simulation', () => {
  test(`${plan.seeds.length} seeds: one member at a time, nothing accepted twice or redelivered once accepted, all done at the end`, { timeout: 60_000 }, () => {
    const t = runAll(false);
    if (plan.seeds.length >= 10) {
      expect(t.redelivered).toBeGreaterThan(0);
      expect(t.archived).toBeGreaterThan(0);
      expect(t.restarts).toBeGreaterThan(0);
    }
  });

  test(`${plan.seeds.length} seeds, every member accepting: every record accepted exactly once, crashed members' records included`, { timeout: 60_000 }, () => {
    const t = runAll(true, { ...LIMITS, deliveryCountLimit: 10 });
    if (plan.seeds.length >= 10) {
      expect(t.crashes).toBeGreaterThan(0);
      expect(t.redelivered).toBeGreaterThan(0);
    }
  });

  test('the same seed gives the same run', () => {
    const a = new SharePartitionSim({ seed: 7, members: 4, chaosSteps: 800, allAccept: false, limits: LIMITS }).run();
    const b = new SharePartitionSim({ seed: 7, members: 4, chaosSteps: 800, allAccept: false, limits: LIMITS }).run();
    expect(b).toEqual(a);
  });
});
