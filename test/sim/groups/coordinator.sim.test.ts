import { describe, expect, test } from 'vitest';
import { GroupSim, HEARTBEAT_MS, INITIAL_DELAY_MS, MAX_REBALANCE_MS, MAX_SESSION_MS } from './group-sim.js';

// After chaos stops the group must settle within: the initial delay and its extension, a session
// timeout for crashed members, a rebalance timeout for members that do not rejoin and one for members
// that do not sync, plus heartbeat and network slack. Anything slower is a wedged group.
const SETTLE_MS = 2 * INITIAL_DELAY_MS + MAX_SESSION_MS + 3 * MAX_REBALANCE_MS + 4 * HEARTBEAT_MS;

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

describe('consumer group simulation', () => {
  test.each(SEEDS)('seed %i: members come, go, die and pause; the group stays consistent and settles', (seed) => {
    const result = new GroupSim({ seed, chaosMs: 30_000, settleMs: SETTLE_MS, maxClients: 8, appendFailure: 0.03 }).run();
    // The run did exercise rebalancing and commits.
    expect(result.generations).toBeGreaterThan(5);
    expect(result.stableGenerations).toBeGreaterThan(2);
    expect(result.commits).toBeGreaterThan(0);
    expect(result.liveClients).toBeGreaterThan(0);
    // What __consumer_offsets holds rebuilds the same group and offsets.
    expect(result.replayed).toEqual(result.live);
  });

  test('the same seed gives the same run', () => {
    const a = new GroupSim({ seed: 42, chaosMs: 10_000, settleMs: SETTLE_MS, maxClients: 6, appendFailure: 0.05 }).run();
    const b = new GroupSim({ seed: 42, chaosMs: 10_000, settleMs: SETTLE_MS, maxClients: 6, appendFailure: 0.05 }).run();
    expect(b).toEqual(a);
  });
});
