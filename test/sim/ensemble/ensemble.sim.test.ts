// The whole ZooKeeper ensemble (Raft + QuorumCore on every server) under seeded faults, with clients
// whose histories are checked: see ensemble-sim.ts for what is checked. A long campaign:
// `SIM_SEEDS=10000 nice npx vitest run test/sim/ensemble/ensemble.sim.test.ts`; a failure names its seed, and
// `SIM_SEED=<n> SIM_TRACE=300 npx vitest run test/sim/ensemble/ensemble.sim.test.ts` replays it with the last events.
import { describe, expect, test } from 'vitest';
import { seedPlan } from '../harness/seeds.js';
import { EnsembleSim } from './ensemble-sim.js';

const CHAOS_MS = 1_200;
const SETTLE_MS = 800;
const plan = seedPlan(100, 'test/sim/ensemble/ensemble.sim.test.ts');
const trace = Number(process.env.SIM_TRACE ?? 0);

describe('ZooKeeper ensemble simulation', () => {
  test(`${plan.seeds.length} seeds: acknowledged writes survive, histories are linearizable and sequentially consistent`, { timeout: 60_000 + plan.seeds.length * 1_000 }, () => {
    const sum = { notifications: 0, reconfigs: 0, membershipChanges: 0, midReconfigKills: 0, staleLeaderExpiries: 0, writesAcked: 0, readsChecked: 0, leaderTerms: 0, leaderKills: 0, sessionsExpired: 0, reconnects: 0, snapshotsSent: 0, staleRefusals: 0, notLeaderRefusals: 0, syncs: 0 };
    // A long run goes on past a failing seed, so one campaign lists every failure.
    const failures: string[] = [];
    for (const seed of plan.seeds) {
      try {
        const r = new EnsembleSim({ seed, chaosMs: CHAOS_MS, settleMs: SETTLE_MS, traceEvents: trace }).run();
        for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += r[k];
      } catch (e) {
        failures.push(`${(e as Error).message}\nreplay: ${plan.replay(seed)}`);
      }
    }
    if (process.env.SIM_STATS) console.log(JSON.stringify({ seeds: plan.seeds.length, failed: failures.length, ...sum }));
    if (failures.length > 0) throw new Error(`${failures.length} of ${plan.seeds.length} seeds failed:\n${failures.slice(0, 20).join('\n')}`);
    // The runs did exercise what they claim to.
    const n = plan.seeds.length;
    expect(sum.writesAcked).toBeGreaterThan(n * 10);
    expect(sum.readsChecked).toBeGreaterThan(n * 10);
    expect(sum.leaderTerms).toBeGreaterThan(n * 2);
    if (n >= 20) {
      for (const k of ['leaderKills', 'sessionsExpired', 'reconnects', 'snapshotsSent', 'staleRefusals', 'notLeaderRefusals', 'syncs', 'membershipChanges', 'notifications'] as const) expect(sum[k], k).toBeGreaterThan(0);
    }
  });

  test('the same seed gives the same run', () => {
    const a = new EnsembleSim({ seed: 7, chaosMs: CHAOS_MS, settleMs: SETTLE_MS }).run();
    const b = new EnsembleSim({ seed: 7, chaosMs: CHAOS_MS, settleMs: SETTLE_MS }).run();
    expect(b).toEqual(a);
  });
});
