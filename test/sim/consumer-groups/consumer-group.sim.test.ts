// KIP-848 consumer groups under seeded chaos (consumer-group-sim.ts). `SIM_SEEDS=1000 npx vitest run
// test/sim/consumer-groups` runs a long campaign; a failure names its seed and `SIM_SEED=<n> npx vitest
// run test/sim/consumer-groups` replays it exactly.
import { describe, expect, test } from 'vitest';
import { seedPlan } from '../harness/seeds.js';
import { ConsumerGroupSim, HEARTBEAT_MS, SESSION_MS } from './consumer-group-sim.js';

// Crashed members' sessions expire, revocations go round once and released partitions are picked up
// on the next heartbeat: a few sessions' worth is already generous.
const SETTLE_MS = 3 * SESSION_MS + 10 * HEARTBEAT_MS;
const plan = seedPlan(30, 'test/sim/consumer-groups');

describe('KIP-848 consumer group simulation', () => {
  for (const assignor of ['uniform', 'range'] as const) {
    test(`${plan.seeds.length} seeds (${assignor}): no partition owned twice, every partition assigned once chaos stops, failovers lose nothing`, { timeout: 30_000 + plan.seeds.length * 2_000 }, () => {
      let joins = 0;
      let failovers = 0;
      for (const seed of plan.seeds) {
        try {
          const result = new ConsumerGroupSim({ seed, chaosMs: 30_000, settleMs: SETTLE_MS, maxClients: 6, assignor, classicShare: 0 }).run();
          expect(result.liveClients).toBeGreaterThan(0);
          joins += result.joins;
          failovers += result.failovers;
        } catch (e) {
          throw new Error(`${(e as Error).message}\nreplay: ${plan.replay(seed)}`, { cause: e });
        }
      }
      if (plan.seeds.length >= 10) {
        expect(joins).toBeGreaterThan(plan.seeds.length * 3);
        expect(failovers).toBeGreaterThan(plan.seeds.length / 2);
      }
    });
  }

  test(`${plan.seeds.length} seeds with classic members (online migration): eager kafkajs-like members beside KIP-848 ones, static ones restarting as either kind, no partition owned twice`, { timeout: 30_000 + plan.seeds.length * 2_000 }, () => {
    let joins = 0;
    let restarts = 0;
    for (const seed of plan.seeds) {
      try {
        const result = new ConsumerGroupSim({ seed, chaosMs: 30_000, settleMs: SETTLE_MS, maxClients: 6, assignor: 'uniform', classicShare: 0.5, staticShare: 0.5 }).run();
        expect(result.liveClients).toBeGreaterThan(0);
        joins += result.joins;
        restarts += result.restarts;
      } catch (e) {
        throw new Error(`${(e as Error).message}\nreplay: ${plan.replay(seed)}`, { cause: e });
      }
    }
    if (plan.seeds.length >= 10) {
      expect(joins).toBeGreaterThan(plan.seeds.length * 3);
      expect(restarts).toBeGreaterThan(plan.seeds.length / 2);
    }
  });

  test('the same seed gives the same run', () => {
    const a = new ConsumerGroupSim({ seed: 7, chaosMs: 10_000, settleMs: SETTLE_MS, maxClients: 6, assignor: 'uniform', classicShare: 0.5, staticShare: 0.5 }).run();
    const b = new ConsumerGroupSim({ seed: 7, chaosMs: 10_000, settleMs: SETTLE_MS, maxClients: 6, assignor: 'uniform', classicShare: 0.5, staticShare: 0.5 }).run();
    expect(b).toEqual(a);
  });
});
