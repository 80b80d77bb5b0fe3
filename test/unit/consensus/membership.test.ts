import { describe, expect, test } from 'vitest';
import type { Entry } from '../../../src/consensus/types.js';
import { TestCluster } from './cluster.js';

function settle(c: TestCluster, rounds = 3): void {
  for (let i = 0; i < rounds; i++) {
    c.tickAll();
    c.deliver();
  }
}

const ELECTION = 10;
const texts = (c: TestCluster, entries: Entry[]) => entries.map((e) => (e.membership ? `members ${e.membership.voters}/${e.membership.learners}` : (c.text(e) ?? '-')));

function leaderOf(voters: number[], learners: number[] = []): TestCluster {
  // 3 times out later than 2, so 2 wins when they must replace the leader.
  const c = new TestCluster(voters, learners, {}, { 3: 5 });
  c.campaign(1);
  settle(c);
  return c;
}

describe('single-server membership changes', () => {
  test('a new server joins as an observer, catches up, and is promoted to voter', () => {
    const c = leaderOf([1, 2, 3]);
    c.propose(1, 'a');
    settle(c);
    expect(c.core(1).proposeMembership({ type: 'addLearner', id: 4 })).toMatchObject({ ok: true });
    c.flush(1);
    c.join(4, { voters: [1, 2, 3], learners: [4] });
    settle(c);
    expect(texts(c, c.server(4).applied)).toEqual(['-', 'a', 'members 1,2,3/4']);
    expect(c.core(1).proposeMembership({ type: 'addVoter', id: 4 })).toMatchObject({ ok: true });
    c.flush(1);
    settle(c);
    for (const id of [1, 2, 3, 4]) expect(c.core(id).status().membership).toEqual({ voters: [1, 2, 3, 4], learners: [] });
    // Four voters: a commit now needs three of them.
    c.isolate(3);
    c.isolate(4);
    const r = c.propose(1, 'b');
    settle(c);
    expect(r.ok && c.core(1).status().commit < r.index).toBe(true);
    c.heal();
    settle(c);
    expect(texts(c, c.server(4).applied).at(-1)).toBe('b');
  });

  test('one change at a time, and only after the leader committed an entry of its own term', () => {
    const c = new TestCluster([1, 2, 3]);
    c.server(2).holdDisk = true;
    c.server(3).holdDisk = true;
    c.campaign(1);
    c.sync(2);
    c.sync(3);
    c.deliver();
    // Elected, but its no-op is not committed yet.
    expect(c.core(1).status()).toMatchObject({ role: 'leader', commit: 0 });
    expect(c.core(1).proposeMembership({ type: 'remove', id: 3 })).toMatchObject({ ok: false, reason: 'membership-change-pending' });
    c.server(2).holdDisk = false;
    c.sync(2);
    settle(c);
    expect(c.core(1).proposeMembership({ type: 'remove', id: 3 })).toMatchObject({ ok: true });
    expect(c.core(1).proposeMembership({ type: 'addLearner', id: 3 })).toMatchObject({ ok: false, reason: 'membership-change-pending' });
    expect(c.core(1).proposeMembership({ type: 'remove', id: 9 })).toMatchObject({ ok: false, reason: 'membership-change-pending' });
    settle(c);
    expect(c.core(1).proposeMembership({ type: 'remove', id: 9 })).toMatchObject({ ok: false, reason: 'membership-unchanged' });
    expect(c.core(2).proposeMembership({ type: 'remove', id: 1 })).toMatchObject({ ok: false, reason: 'not-leader', leader: 1 });
  });

  test('a change is in force from when it is appended, and an uncommitted one is undone by truncation', () => {
    const c = new TestCluster([1, 2, 3], [], {}, { 3: 5 });
    c.campaign(1);
    settle(c);
    c.isolate(1);
    expect(c.core(1).proposeMembership({ type: 'remove', id: 2 })).toMatchObject({ ok: true });
    expect(c.core(1).status().membership).toEqual({ voters: [1, 3], learners: [] });
    // 2 and 3 go on without it; 1 learns its change never happened.
    c.tick(3, ELECTION);
    c.campaign(2);
    c.propose(2, 'x');
    settle(c);
    c.heal();
    settle(c, 4);
    expect(c.core(1).status()).toMatchObject({ role: 'follower', leader: 2, membership: { voters: [1, 2, 3], learners: [] } });
  });

  test('a leader that removes itself leads until the change commits, then steps down; the rest elect a leader', () => {
    const c = leaderOf([1, 2, 3]);
    expect(c.core(1).proposeMembership({ type: 'remove', id: 1 })).toMatchObject({ ok: true });
    c.flush(1);
    expect(c.core(1).status().role).toBe('leader');
    c.deliver();
    expect(c.core(1).status()).toMatchObject({ role: 'follower', commit: 2 });
    c.tick(3, ELECTION);
    c.campaign(2);
    expect(c.core(2).status()).toMatchObject({ role: 'leader', membership: { voters: [2, 3], learners: [] } });
    // No longer a voter in its own log either, it never campaigns.
    c.tick(1, 5 * ELECTION);
    c.deliver();
    expect(c.core(2).status()).toMatchObject({ role: 'leader', term: 2 });
  });

  test('the membership survives a restart, from the log and from a snapshot', () => {
    const c = leaderOf([1, 2, 3]);
    c.core(1).proposeMembership({ type: 'addLearner', id: 4 });
    c.flush(1);
    c.join(4, { voters: [1, 2, 3], learners: [4] });
    settle(c);
    c.restart(2);
    expect(c.core(2).status().membership).toEqual({ voters: [1, 2, 3], learners: [4] });
    c.core(1).proposeMembership({ type: 'remove', id: 4 });
    c.flush(1);
    settle(c);
    c.core(3).compact(c.core(3).status().applied, new Uint8Array());
    c.flush(3);
    expect(c.server(3).disk.snapshot?.membership).toEqual({ voters: [1, 2, 3], learners: [] });
    expect(c.server(3).disk.entries).toEqual([]);
    c.restart(3);
    expect(c.core(3).status().membership).toEqual({ voters: [1, 2, 3], learners: [] });
  });

  test('a server demoted by a change only it holds still campaigns and votes, so the change can commit', () => {
    const c = new TestCluster([1, 2]);
    c.campaign(1);
    settle(c);
    c.isolate(2);
    expect(c.core(1).proposeMembership({ type: 'addLearner', id: 1 })).toMatchObject({ ok: true });
    c.flush(1);
    // Check-quorum: no voter of {2} answers, so 1 steps down. 2 has a shorter log and needs 1's vote.
    c.tick(1, 2 * ELECTION);
    expect(c.core(1).status()).toMatchObject({ role: 'follower', membership: { voters: [2], learners: [1] } });
    c.queue = [];
    c.heal();
    for (let i = 0; i < 3 * ELECTION && c.core(2).status().role !== 'leader'; i++) {
      c.tickAll();
      c.deliver();
    }
    // 1 led again until its change committed on 2, then stepped down; 2 leads alone.
    expect(c.core(2).status()).toMatchObject({ role: 'leader', membership: { voters: [2], learners: [1] } });
    expect(c.core(1).status()).toMatchObject({ role: 'follower', leader: 2 });
    expect(c.sent.some((m) => m.type === 'voteResponse' && m.from === 2 && m.to === 1 && !m.reject)).toBe(true);
  });

  test('a server that has not yet seen its own promotion votes for a candidate that counts it', () => {
    const c = new TestCluster([1, 2], [3]);
    c.campaign(1);
    settle(c);
    c.isolate(3);
    expect(c.core(1).proposeMembership({ type: 'addVoter', id: 3 })).toMatchObject({ ok: true });
    c.flush(1);
    settle(c, 2 * ELECTION);
    expect(c.core(2).status()).toMatchObject({ commit: 2, membership: { voters: [1, 2, 3], learners: [] } });
    // 1 is gone; 2 and 3 are a majority of the new voters, though 3 still thinks it is an observer.
    expect(c.core(3).status().membership).toEqual({ voters: [1, 2], learners: [3] });
    c.heal();
    c.isolate(1);
    c.campaign(2);
    expect(c.core(2).status()).toMatchObject({ role: 'leader' });
    expect(c.sent.some((m) => m.type === 'voteResponse' && m.from === 3 && !m.reject)).toBe(true);
  });

  test('a server that missed the addition of the current leader still follows it and learns who it is', () => {
    const c = new TestCluster([1, 2, 3], [], {}, { 2: 5, 3: 5 });
    c.campaign(1);
    settle(c);
    c.isolate(3);
    c.core(1).proposeMembership({ type: 'addLearner', id: 4 });
    c.flush(1);
    c.join(4, { voters: [1, 2, 3], learners: [4] });
    c.isolate(3); // from 4 too
    settle(c);
    c.core(1).proposeMembership({ type: 'addVoter', id: 4 });
    c.flush(1);
    settle(c);
    c.core(1).proposeMembership({ type: 'remove', id: 1 });
    c.flush(1);
    // Without its hand-over (timeoutNow to 2, whom 3 knows), so that 4 is the one elected.
    for (let i = 0; i < 3; i++) {
      c.tickAll();
      c.deliver((m) => m.type !== 'timeoutNow');
    }
    // 1 left; 4 is elected by 2 and 4 of {2, 3, 4}; 3, cut off all along, has never heard of 4.
    expect(c.core(1).status().role).toBe('follower');
    c.tick(2, ELECTION);
    c.campaign(4);
    expect(c.core(4).status()).toMatchObject({ role: 'leader', membership: { voters: [2, 3, 4], learners: [] } });
    expect(c.core(3).status().membership).toEqual({ voters: [1, 2, 3], learners: [] });
    c.heal();
    settle(c);
    expect(c.core(3).status()).toMatchObject({ leader: 4, membership: { voters: [2, 3, 4], learners: [] } });
    expect(c.core(3).status().commit).toBe(c.core(4).status().commit);
  });

  test('a leader that removes itself hands over: the most up-to-date voter left campaigns at once and wins despite the lease', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    settle(c);
    c.isolate(3);
    c.propose(1, 'only on 1 and 2');
    c.deliver();
    c.heal();
    c.core(1).proposeMembership({ type: 'remove', id: 1 });
    c.flush(1);
    // No tick: the commit, the hand-over and the election all follow from the messages alone.
    c.deliver();
    expect(c.sent.filter((m) => m.type === 'timeoutNow').map((m) => [m.from, m.to])).toEqual([[1, 2]]);
    expect(c.core(2).status()).toMatchObject({ role: 'leader', term: 2, membership: { voters: [2, 3], learners: [] } });
    expect(c.core(3).status()).toMatchObject({ role: 'follower', leader: 2, term: 2 });
    expect(c.core(1).status().role).toBe('follower');
  });

  test('timeoutNow from anyone but this follower\'s leader is dropped', () => {
    const c = new TestCluster([1, 2, 3]);
    c.campaign(1);
    settle(c);
    c.core(2).step({ type: 'timeoutNow', from: 3, to: 2, term: 1 });
    c.flush(2);
    expect(c.core(2).status()).toMatchObject({ role: 'follower', term: 1, leader: 1 });
    expect(c.server(2).dropped.at(-1)).toMatch(/timeoutNow from 3/);
  });
});
