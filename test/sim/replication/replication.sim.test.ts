// Partition replication under seeded faults: kill -9 of brokers, power losses that lose unsynced
// writes (one machine at a time), ZooKeeper
// session expiries, partitions between brokers and between a broker and the controller, lossy,
// duplicating and reordering links, slow followers and slow disks.
// `SIM_SEEDS=10000 nice npx vitest run test/sim/replication`
// runs a long campaign; a failure names its seed and `SIM_SEED=<n> npx vitest run test/sim/replication`
// replays it exactly (add SIM_TRACE=200 for the last events before the failure).
import { describe, expect, test } from 'vitest';
import { seedPlan } from '../harness/seeds.js';
import { ReplicationSim } from './replication-sim.js';

const CHAOS_MS = 3_000;
const SETTLE_MS = 1_500;
const plan = seedPlan(100, 'test/sim/replication');
const trace = Number(process.env.SIM_TRACE ?? 0);

describe('partition replication simulation', () => {
  test(`${plan.seeds.length} seeds: kills, power losses, session expiries, partitions and slow followers lose no acknowledged record`, { timeout: 60_000 + plan.seeds.length * 2_000 }, () => {
    let acked = 0;
    let elections = 0;
    let shrinks = 0;
    let expands = 0;
    let truncations = 0;
    let consumed = 0;
    let powerLosses = 0;
    for (const seed of plan.seeds) {
      let r;
      try {
        r = new ReplicationSim({ seed, chaosMs: CHAOS_MS, settleMs: SETTLE_MS, traceEvents: trace }).run();
      } catch (e) {
        throw new Error(`${(e as Error).message}\nreplay: ${plan.replay(seed)}`, { cause: e });
      }
      acked += r.acked;
      elections += r.elections;
      shrinks += r.isrShrinks;
      expands += r.isrExpands;
      truncations += r.truncations;
      consumed += r.consumed;
      powerLosses += r.powerLosses;
    }
    // The runs did exercise what they claim to.
    expect(acked).toBeGreaterThan(plan.seeds.length * 10);
    expect(consumed).toBeGreaterThan(plan.seeds.length * 10);
    expect(elections).toBeGreaterThan(plan.seeds.length);
    if (plan.seeds.length >= 20) {
      expect(shrinks).toBeGreaterThan(0);
      expect(expands).toBeGreaterThan(0);
      expect(truncations).toBeGreaterThan(0);
      expect(powerLosses).toBeGreaterThan(0);
    }
  });

  test('the same seed gives the same run', () => {
    const a = new ReplicationSim({ seed: 7, chaosMs: 2_000, settleMs: SETTLE_MS }).run();
    const b = new ReplicationSim({ seed: 7, chaosMs: 2_000, settleMs: SETTLE_MS }).run();
    expect(b).toEqual(a);
  });
});
