import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/zookeeper/codes.js';
import type { Membership, MembershipChange } from '../../../src/consensus/types.js';
import { parseServerLine, type EnsembleServer } from '../../../src/zookeeper/ensemble-config.js';
import { membershipOf, planSteps, quorumSynced, reconfigTarget } from '../../../src/zookeeper/quorum/reconfig-plan.js';
import { Rng } from '../../sim/harness/rng.js';

const line = (id: number, role = 'participant') => `server.${id}=127.0.0.1:${2000 + id}:${3000 + id}:${role};127.0.0.1:${4000 + id}`;
const server = (id: number, role = 'participant'): EnsembleServer => {
  const [key, value] = line(id, role).split('=') as [string, string];
  return parseServerLine(key, value, 255);
};
const three = [1, 2, 3].map((id) => server(id));
const none = { joiningServers: '', leavingServers: '', newMembers: '' };

/** Applies single-server changes as the Raft core does. */
function apply(m: Membership, c: MembershipChange): Membership {
  const voters = m.voters.filter((v) => v !== c.id);
  const learners = m.learners.filter((l) => l !== c.id);
  if (c.type === 'addVoter') voters.push(c.id);
  if (c.type === 'addLearner') learners.push(c.id);
  return { voters: voters.sort((a, b) => a - b), learners: learners.sort((a, b) => a - b) };
}

describe('reconfigTarget', () => {
  it('adds several joining servers and removes several leaving ids at once', () => {
    const five = reconfigTarget(three, { ...none, joiningServers: `${line(4)}, ${line(5, 'observer')}` });
    expect(membershipOf(five)).toEqual({ voters: [1, 2, 3, 4], learners: [5] });
    expect(membershipOf(reconfigTarget(five, { ...none, leavingServers: '4,5' }))).toEqual({ voters: [1, 2, 3], learners: [] });
  });

  it('changes a role or an address by a joining line for an existing id; an unknown leaving id changes nothing, as in ZooKeeper', () => {
    expect(membershipOf(reconfigTarget(three, { ...none, joiningServers: line(3, 'observer') }))).toEqual({ voters: [1, 2], learners: [3] });
    expect(reconfigTarget(three, { ...none, leavingServers: '9' })).toEqual(three);
  });

  it('takes newMembers, comma or newline separated, as the whole new membership', () => {
    const target = reconfigTarget(three, { ...none, newMembers: `${line(2)}\n${line(4)},${line(6, 'observer')}` });
    expect(membershipOf(target)).toEqual({ voters: [2, 4], learners: [6] });
  });

  it('refuses malformed lines, joiners without a client port, repeated ids and shared addresses with BadArguments', () => {
    for (const r of [
      { ...none, joiningServers: 'some thing' },
      { ...none, joiningServers: 'server.4=127.0.0.1:2004:3004' },
      { ...none, leavingServers: 'two' },
      { ...none, newMembers: `${line(1)},${line(1)}` },
      { ...none, joiningServers: 'server.4=127.0.0.1:2001:3004;127.0.0.1:4004' },
    ]) {
      expect(() => reconfigTarget(three, r), JSON.stringify(r)).toThrow(expect.objectContaining({ code: ErrorCode.badArguments }));
    }
  });
});

describe('planSteps', () => {
  it('grows the voters before shrinking them and takes the leader out last', () => {
    const steps = planSteps({ voters: [1, 2, 3], learners: [4] }, { voters: [2, 3, 4, 5], learners: [] }, 1, new Set([2, 3, 4]));
    expect(steps).toEqual([
      { type: 'addVoter', id: 4 },
      { type: 'addVoter', id: 5 },
      { type: 'remove', id: 1 },
    ]);
  });

  it('lets a voter that is out of touch go first, so no step needs it', () => {
    const steps = planSteps({ voters: [1, 2, 3, 4, 5], learners: [] }, { voters: [1, 2, 3, 6, 7], learners: [] }, 1, new Set([2, 3, 5]));
    expect(steps.map((s) => `${s.type}${s.id}`)).toEqual(['remove4', 'addVoter6', 'addVoter7', 'remove5']);
  });

  it('random memberships: single-server steps reach the target, and each keeps a synced majority when the target has one', () => {
    const rng = new Rng(42);
    for (let round = 0; round < 2000; round++) {
      const ids = [1, 2, 3, 4, 5, 6, 7];
      const pick = () => {
        const voters = ids.filter(() => rng.chance(0.5));
        const learners = ids.filter((id) => !voters.includes(id) && rng.chance(0.3));
        return { voters: voters.length > 0 ? voters : [1], learners: learners.filter((l) => l !== 1 || voters.length > 0) };
      };
      const from = pick();
      const to = pick();
      const self = rng.pick(from.voters);
      const synced = new Set(ids.filter((id) => id !== self && rng.chance(0.6)));
      const up = (m: Membership) => quorumSynced(m, self, synced);
      let m: Membership = from;
      const steps = planSteps(from, to, self, synced);
      for (const [k, step] of steps.entries()) {
        m = apply(m, step);
        // The leader stays a voter until the last step.
        if (k < steps.length - 1) expect(m.voters).toContain(self);
        if (up(to) && up(from)) expect(up(m) || (k === steps.length - 1 && !m.voters.includes(self) && up(to)), JSON.stringify({ from, to, self, synced: [...synced], k })).toBe(true);
      }
      expect(m).toEqual({ voters: [...to.voters].sort((a, b) => a - b), learners: [...to.learners].sort((a, b) => a - b) });
    }
  });
});
