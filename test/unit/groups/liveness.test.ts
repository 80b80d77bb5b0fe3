import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { decodeConsumerOffsetsRecord } from '../../../protocol/kafka/consumer-offsets/records.js';
import { Harness, REBALANCE_MS, SESSION_MS } from './harness.js';

/** Two members joined into generation 1, not yet synced: [leader, follower]. */
function joinedPair(h: Harness): [string, string] {
  const a = h.joinNew({}, { clientId: 'a' });
  const b = h.joinNew({}, { clientId: 'b' });
  // The second member arrived during the initial delay, which extends it once.
  h.advance(2 * h.c.config.groupInitialRebalanceDelayMs);
  const leader = h.response(a, 'joinGroup');
  expect(leader.leader).toBe(leader.memberId);
  return [leader.memberId, h.response(b, 'joinGroup').memberId];
}

/** Two members through a first generation: [leader, follower] ids, generation 1, Stable. */
function twoMembers(h: Harness): [string, string] {
  const [leader, follower] = joinedPair(h);
  h.sync(follower, 1);
  h.sync(leader, 1, [
    { memberId: leader, assignment: Buffer.from('A') },
    { memberId: follower, assignment: Buffer.from('B') },
  ]);
  expect(h.state()).toBe('Stable');
  return [leader, follower];
}

const withDelay = { config: { groupInitialRebalanceDelayMs: 100 } };

describe('Heartbeat', () => {
  test('answers members of the current generation; fences everyone else', () => {
    const h = new Harness();
    const { memberId } = h.soloMember();
    expect(h.heartbeat(memberId, 1)).toBe(ErrorCode.NONE);
    expect(h.heartbeat(memberId, 0)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(h.heartbeat(memberId, 2)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(h.heartbeat('stranger', 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.heartbeat(memberId, 1, null, 'nogroup')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.heartbeat(memberId, 1, null, '')).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  test('during a rebalance the answer is REBALANCE_IN_PROGRESS, which sends the member back to JoinGroup', () => {
    const h = new Harness(withDelay);
    const [leader, follower] = twoMembers(h);
    h.joinNew({}, { clientId: 'c' });
    expect(h.state()).toBe('PreparingRebalance');
    expect(h.heartbeat(follower, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(h.heartbeat(leader, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  test('heartbeats keep a member alive past its session timeout', () => {
    const h = new Harness();
    const { memberId } = h.soloMember();
    for (let i = 0; i < 10; i++) {
      h.advance(SESSION_MS - 1);
      expect(h.heartbeat(memberId, 1)).toBe(ErrorCode.NONE);
    }
    expect(h.state()).toBe('Stable');
  });
});

describe('session timeouts', () => {
  test('a member that stops heartbeating is removed after its session timeout and the others rebalance', () => {
    const h = new Harness(withDelay);
    const [leader, follower] = twoMembers(h);
    // The leader keeps heartbeating; the follower goes silent.
    h.advance(SESSION_MS / 2);
    expect(h.heartbeat(leader, 1)).toBe(ErrorCode.NONE);
    h.advance(SESSION_MS / 2 - 1);
    expect(h.describe().members).toHaveLength(2);
    h.advance(1);
    expect(h.describe().members.map((m) => m.memberId)).toEqual([leader]);
    expect(h.state()).toBe('PreparingRebalance');
    expect(h.heartbeat(follower, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.heartbeat(leader, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    // The survivor rejoins and gets a generation of its own.
    const rejoin = h.join({ memberId: leader });
    expect(h.response(rejoin, 'joinGroup')).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader });
  });

  test('a member parked in JoinGroup is not expired while it waits', () => {
    const h = new Harness(withDelay);
    const [leader, follower] = twoMembers(h);
    h.advance(SESSION_MS - 1);
    h.heartbeat(follower, 1);
    const parked = h.join({ memberId: leader });
    // The leader's session ends while it waits for the follower to rejoin: it is not expired.
    h.advance(2);
    expect(h.answered(parked)).toBe(false);
    expect(h.describe().members).toHaveLength(2);
    // The follower never rejoins; its session runs out, which completes the join for the leader alone.
    h.advance(SESSION_MS - 2);
    const r = h.response(parked, 'joinGroup');
    expect(r.generationId).toBe(2);
    expect(r.members.map((m) => m.memberId)).toEqual([leader]);
  });

  test('a member whose session ran out while it waited in SyncGroup is still expired when it goes silent', () => {
    const h = new Harness(withDelay);
    const [leader, follower] = joinedPair(h);
    const waiting = h.sync(follower, 1);
    // The leader takes longer than a session to send the assignment, heartbeating meanwhile.
    for (let i = 0; i < 3; i++) {
      h.advance(SESSION_MS / 2);
      expect(h.heartbeat(leader, 1)).toBe(ErrorCode.NONE);
    }
    h.sync(leader, 1, [{ memberId: follower, assignment: Buffer.from('B') }]);
    expect(h.response(waiting, 'syncGroup').assignment).toEqual(Buffer.from('B'));
    // The follower dies right after getting its assignment: a session later it is gone.
    h.advance(SESSION_MS / 2);
    h.heartbeat(leader, 1);
    h.advance(SESSION_MS / 2);
    expect(h.describe().members.map((m) => m.memberId)).toEqual([leader]);
  });

  test('the last member expiring empties the group, which is written as such', () => {
    const h = new Harness();
    const { memberId } = h.soloMember();
    h.advance(SESSION_MS);
    expect(h.state()).toBe('Empty');
    const last = h.log.at(-1)!;
    const rec = decodeConsumerOffsetsRecord(last.key, last.value);
    expect(rec).toMatchObject({ type: 'group', value: { generation: 2, protocol: null, leader: null, members: [] } });
    expect(h.heartbeat(memberId, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('a pending member id (MEMBER_ID_REQUIRED) that never comes back expires after the session timeout', () => {
    const h = new Harness();
    const first = h.response(h.join(), 'joinGroup');
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    h.advance(SESSION_MS);
    // The group existed only for that pending member.
    expect(h.list()).toEqual([]);
    expect(h.response(h.join({ memberId: first.memberId }), 'joinGroup').errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('a new member stuck in a long rebalance is dropped after the new-member join timeout', () => {
    const h = new Harness({ config: { newMemberJoinTimeoutMs: 60_000 } });
    const { memberId } = h.soloMember({ rebalanceTimeoutMs: 300_000 });
    // The existing member stays alive without rejoining, so the rebalance waits for the rebalance timeout.
    const newcomer = h.joinNew({ rebalanceTimeoutMs: 300_000 });
    for (let t = 0; t < 60_000; t += 5_000) {
      h.advance(5_000);
      if (t < 55_000) expect(h.heartbeat(memberId, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    }
    expect(h.response(newcomer, 'joinGroup')).toMatchObject({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, memberId: '' });
  });
});

describe('rebalance timeouts', () => {
  test('members that do not rejoin within the rebalance timeout are removed; the rest form the generation', () => {
    const h = new Harness(withDelay);
    const [leader, follower] = twoMembers(h);
    const parked = h.join({ memberId: leader });
    expect(h.state()).toBe('PreparingRebalance');
    // The follower stays alive by heartbeating but never rejoins.
    for (let t = 0; t < REBALANCE_MS; t += SESSION_MS / 2) {
      expect(h.answered(parked)).toBe(false);
      expect(h.heartbeat(follower, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      h.advance(SESSION_MS / 2);
    }
    const r = h.response(parked, 'joinGroup');
    expect(r).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
    expect(r.members.map((m) => m.memberId)).toEqual([leader]);
    expect(h.heartbeat(follower, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('if the leader does not rejoin, a member that did leads the new generation', () => {
    const h = new Harness(withDelay);
    const [leader, follower] = twoMembers(h);
    h.joinNew({}, { clientId: 'c' });
    const f = h.join({ memberId: follower });
    h.advance(REBALANCE_MS);
    const r = h.response(f, 'joinGroup');
    expect(r.leader).toBe(follower);
    expect(r.members.map((m) => m.memberId)).not.toContain(leader);
  });
});

describe('join and never sync', () => {
  test('a follower that heartbeats but never sends SyncGroup is removed after the rebalance timeout', () => {
    const h = new Harness(withDelay);
    const [leader, stuck] = joinedPair(h);
    h.sync(leader, 1, [{ memberId: leader, assignment: Buffer.from('A') }]);
    expect(h.state()).toBe('Stable');
    for (let t = 0; t < REBALANCE_MS; t += SESSION_MS / 2) {
      expect(h.heartbeat(leader, 1)).toBe(ErrorCode.NONE);
      expect(h.heartbeat(stuck, 1)).toBe(ErrorCode.NONE);
      h.advance(SESSION_MS / 2);
    }
    expect(h.describe().members.map((m) => m.memberId)).toEqual([leader]);
    expect(h.heartbeat(stuck, 1)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.heartbeat(leader, 1)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  test('a member silent after its JoinGroup goes sooner, at its session timeout', () => {
    const h = new Harness(withDelay);
    const [leader] = joinedPair(h);
    h.sync(leader, 1, [{ memberId: leader, assignment: Buffer.from('A') }]);
    h.advance(SESSION_MS / 2);
    h.heartbeat(leader, 1);
    h.advance(SESSION_MS / 2);
    expect(h.describe().members.map((m) => m.memberId)).toEqual([leader]);
  });

  test('a leader that never syncs does not wedge the followers waiting for its assignment', () => {
    const h = new Harness(withDelay);
    const [leader, follower] = joinedPair(h);
    const waiting = h.sync(follower, 1);
    // The leader stays alive but never sends its SyncGroup.
    for (let t = 0; t < REBALANCE_MS; t += SESSION_MS / 2) {
      expect(h.answered(waiting)).toBe(false);
      expect(h.heartbeat(leader, 1)).toBe(ErrorCode.NONE);
      h.advance(SESSION_MS / 2);
    }
    expect(h.response(waiting, 'syncGroup').errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(h.describe().members.map((m) => m.memberId)).toEqual([follower]);
    const rejoin = h.join({ memberId: follower });
    expect(h.response(rejoin, 'joinGroup')).toMatchObject({ generationId: 2, leader: follower });
  });
});

describe('LeaveGroup', () => {
  test('a member leaving starts a rebalance for the others', () => {
    const h = new Harness(withDelay);
    const [leader, follower] = twoMembers(h);
    expect(h.leave([{ memberId: follower }])).toEqual({
      errorCode: ErrorCode.NONE,
      members: [{ memberId: follower, groupInstanceId: null, errorCode: ErrorCode.NONE }],
    });
    expect(h.state()).toBe('PreparingRebalance');
    expect(h.response(h.join({ memberId: leader }), 'joinGroup')).toMatchObject({ generationId: 2, leader });
  });

  test('v3+ batches: each member gets its own result', () => {
    const h = new Harness(withDelay);
    const [leader, follower] = twoMembers(h);
    const r = h.leave([{ memberId: follower }, { memberId: 'ghost' }, { memberId: leader, groupInstanceId: 'not-static' }]);
    expect(r.members.map((m) => m.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(h.leave([{ memberId: leader }]).members[0]!.errorCode).toBe(ErrorCode.NONE);
    // Everyone left: the group is empty and says so in the log.
    expect(h.state()).toBe('Empty');
  });

  test('a member leaving while others wait in JoinGroup lets the rebalance finish without it', () => {
    const h = new Harness(withDelay);
    const [leader, follower] = twoMembers(h);
    const parked = h.join({ memberId: leader });
    h.leave([{ memberId: follower }]);
    expect(h.response(parked, 'joinGroup')).toMatchObject({ generationId: 2 });
  });

  test('a pending member (after MEMBER_ID_REQUIRED) may leave; unknown groups answer per member', () => {
    const h = new Harness();
    const pending = h.response(h.join(), 'joinGroup').memberId;
    expect(h.leave([{ memberId: pending }]).members[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(h.list()).toEqual([]);
    expect(h.leave([{ memberId: 'x' }], 'nogroup')).toEqual({
      errorCode: ErrorCode.NONE,
      members: [{ memberId: 'x', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID }],
    });
    expect(h.leave([{ memberId: 'x' }], '').errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  test('a member parked in SyncGroup that leaves is answered, not forgotten', () => {
    const h = new Harness(withDelay);
    const [, follower] = joinedPair(h);
    const waiting = h.sync(follower, 1);
    h.leave([{ memberId: follower }]);
    expect(h.response(waiting, 'syncGroup').errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});
