// The group coordinator under seeded faults: clients come, go, die and pause, links drop, delay and
// partition, the coordinator crashes and reloads __consumer_offsets from what its disk kept.
// `SIM_SEEDS=1000 nice npx vitest run test/sim/groups` runs a long campaign; a failure names its seed
// and `SIM_SEED=<n> npx vitest run test/sim/groups` replays it exactly (add SIM_TRACE=200 for the last
// events before the failure).
import { describe, expect, test } from 'vitest';
import { seedPlan } from '../harness/seeds.js';
import { GroupSim, HEARTBEAT_MS, INITIAL_DELAY_MS, MAX_REBALANCE_MS, MAX_REQUEST_TIMEOUT_MS, MAX_SESSION_MS } from './group-sim.js';

// After chaos stops the group must settle within: a request timeout for a join or sync lost on the
// wire, the initial delay and its extension, a session timeout for crashed members, a rebalance
// timeout for members that do not rejoin and one for members that do not sync, plus heartbeat and
// network slack. Anything slower is a wedged group.
const SETTLE_MS = MAX_REQUEST_TIMEOUT_MS + 2 * INITIAL_DELAY_MS + MAX_SESSION_MS + 3 * MAX_REBALANCE_MS + 4 * HEARTBEAT_MS;
const plan = seedPlan(20, 'test/sim/groups');
const trace = Number(process.env.SIM_TRACE ?? 0);

describe('consumer group simulation', () => {
  test(`${plan.seeds.length} seeds: members come, go, die and pause, links fail and the coordinator crashes; the group stays consistent and settles`, { timeout: 60_000 + plan.seeds.length * 3_000 }, () => {
    let generations = 0;
    let stableGenerations = 0;
    let commits = 0;
    let restarts = 0;
    for (const seed of plan.seeds) {
      try {
        const result = new GroupSim({ seed, chaosMs: 30_000, settleMs: SETTLE_MS, maxClients: 8, appendFailure: 0.03, traceEvents: trace }).run();
        expect(result.liveClients).toBeGreaterThan(0);
        // What __consumer_offsets holds rebuilds the same group and offsets.
        expect(result.replayed).toEqual(result.live);
        generations += result.generations;
        stableGenerations += result.stableGenerations;
        commits += result.commits;
        restarts += result.coordinatorRestarts;
      } catch (e) {
        throw new Error(`${(e as Error).message}\nreplay: ${plan.replay(seed)}`, { cause: e });
      }
    }
    // The runs did exercise rebalancing, commits and restarts: counted over many seeds, so that neither a
    // quiet seed in a long campaign nor the replay of one seed fails for it.
    if (plan.seeds.length >= 10) {
      expect(generations).toBeGreaterThan(plan.seeds.length * 5);
      expect(stableGenerations).toBeGreaterThan(plan.seeds.length * 2);
      expect(commits).toBeGreaterThan(plan.seeds.length * 10);
      expect(restarts).toBeGreaterThan(0);
    }
  });

  test('the same seed gives the same run', () => {
    const a = new GroupSim({ seed: 42, chaosMs: 10_000, settleMs: SETTLE_MS, maxClients: 6, appendFailure: 0.05 }).run();
    const b = new GroupSim({ seed: 42, chaosMs: 10_000, settleMs: SETTLE_MS, maxClients: 6, appendFailure: 0.05 }).run();
    expect(b).toEqual(a);
  });
});
