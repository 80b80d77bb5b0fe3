// The share coordinator's pure rules: well-formed batches, leader-epoch fencing of deposed leaders,
// state-epoch fencing by an admin's reset (leader epoch -1), and reads that fence older writers.
import { expect, test } from 'vitest';
import { ErrorCode } from '../../../../protocol/kafka/errors.js';
import { admitRead, admitWrite, validStateBatches, type StoredShareState } from '../../../../src/kafka/share/share-state-rules.js';

const batch = (firstOffset: number, lastOffset: number, deliveryState = 2, deliveryCount = 1) => ({ firstOffset, lastOffset, deliveryState, deliveryCount });
const stored = (leaderEpoch: number, stateEpoch: number): StoredShareState => ({ leaderEpoch, stateEpoch, startOffset: 10, stateBatches: [{ firstOffset: 10, lastOffset: 11, deliveryState: 2, deliveryCount: 1 }] });

test('batches must be ordered, disjoint, from the start on, of known states and within the in-flight bound', () => {
  expect(validStateBatches([batch(10, 12), batch(13, 13, 0, 2), batch(20, 25, 4, 5)], 10, 100)).toBe(true);
  expect(validStateBatches([], 10, 100)).toBe(true);
  expect(validStateBatches([batch(10, 12), batch(12, 13)], 10, 100)).toBe(false);
  expect(validStateBatches([batch(9, 12)], 10, 100)).toBe(false);
  expect(validStateBatches([batch(12, 11)], 10, 100)).toBe(false);
  expect(validStateBatches([batch(10, 10, 1)], 10, 100)).toBe(false);
  expect(validStateBatches([batch(10, 10, 2, -1)], 10, 100)).toBe(false);
  expect(validStateBatches([batch(10, 109)], 10, 100)).toBe(true);
  expect(validStateBatches([batch(10, 110)], 10, 100)).toBe(false);
  expect(validStateBatches([batch(10, Number.MAX_SAFE_INTEGER + 2)], 10, 100)).toBe(false);
});

test("a partition leader's write: stored as sent; older leader epochs fenced, then older state epochs", () => {
  expect(admitWrite(undefined, { leaderEpoch: 3, stateEpoch: 0, startOffset: 5, stateBatches: [batch(5, 6)] }, 100)).toEqual({ leaderEpoch: 3, stateEpoch: 0, startOffset: 5, stateBatches: [batch(5, 6)] });
  expect(admitWrite(undefined, { leaderEpoch: 3, stateEpoch: 0, startOffset: -1, stateBatches: [] }, 100)).toBe(ErrorCode.INVALID_REQUEST);
  expect(admitWrite(stored(4, 1), { leaderEpoch: 3, stateEpoch: 1, startOffset: 12, stateBatches: [] }, 100)).toBe(ErrorCode.FENCED_LEADER_EPOCH);
  expect(admitWrite(stored(4, 2), { leaderEpoch: 4, stateEpoch: 1, startOffset: 12, stateBatches: [] }, 100)).toBe(ErrorCode.FENCED_STATE_EPOCH);
  expect(admitWrite(stored(4, 1), { leaderEpoch: 5, stateEpoch: 1, startOffset: 12, stateBatches: [] }, 100)).toMatchObject({ leaderEpoch: 5, startOffset: 12 });
});

test("an admin's reset (leader epoch -1) must move the state epoch on and keeps the stored leader epoch", () => {
  expect(admitWrite(stored(4, 1), { leaderEpoch: -1, stateEpoch: 1, startOffset: 0, stateBatches: [] }, 100)).toBe(ErrorCode.FENCED_STATE_EPOCH);
  expect(admitWrite(stored(4, 1), { leaderEpoch: -1, stateEpoch: 2, startOffset: 0, stateBatches: [] }, 100)).toEqual({ leaderEpoch: 4, stateEpoch: 2, startOffset: 0, stateBatches: [] });
  expect(admitWrite(undefined, { leaderEpoch: -1, stateEpoch: 1, startOffset: 0, stateBatches: [] }, 100)).toMatchObject({ leaderEpoch: -1 });
});

test("a new leader's read fences older writers; an admin's read (-1) changes nothing", () => {
  const state = stored(4, 1);
  expect(admitRead(undefined, 2)).toBe(ErrorCode.NONE);
  expect(admitRead(state, -1)).toBe(ErrorCode.NONE);
  expect(state.leaderEpoch).toBe(4);
  expect(admitRead(state, 3)).toBe(ErrorCode.FENCED_LEADER_EPOCH);
  expect(admitRead(state, 6)).toBe(ErrorCode.NONE);
  expect(admitWrite(state, { leaderEpoch: 5, stateEpoch: 1, startOffset: 12, stateBatches: [] }, 100)).toBe(ErrorCode.FENCED_LEADER_EPOCH);
});
