import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { decodeConsumerOffsetsRecord } from '../../../protocol/kafka/consumer-offsets/records.js';
import { Harness, SESSION_MS, subscription } from './harness.js';

/** Two static members, "i-a" (leader) and "i-b", through generation 1. */
function staticPair(h: Harness, apiVersion = 5): { a: string; b: string } {
  const ta = h.join({ groupInstanceId: 'i-a' }, { apiVersion });
  const tb = h.join({ groupInstanceId: 'i-b' }, { apiVersion });
  h.advance(2 * h.c.config.groupInitialRebalanceDelayMs);
  const a = h.response(ta, 'joinGroup').memberId;
  const b = h.response(tb, 'joinGroup').memberId;
  h.sync(b, 1, [], { groupInstanceId: 'i-b' });
  h.sync(
    a,
    1,
    [
      { memberId: a, assignment: Buffer.from('A') },
      { memberId: b, assignment: Buffer.from('B') },
    ],
    { groupInstanceId: 'i-a' },
  );
  expect(h.state()).toBe('Stable');
  return { a, b };
}

const withDelay = { config: { groupInitialRebalanceDelayMs: 100 } };

describe('static membership (group.instance.id)', () => {
  test('static members join without MEMBER_ID_REQUIRED; their member ids start with the instance id', () => {
    const h = new Harness(withDelay);
    const { a, b } = staticPair(h);
    expect(a).toMatch(/^i-a-/);
    expect(b).toMatch(/^i-b-/);
    expect(h.describe().members.map((m) => m.groupInstanceId)).toEqual(['i-a', 'i-b']);
  });

  test('a restarted instance rejoining with unchanged metadata takes over without a rebalance', () => {
    const h = new Harness(withDelay);
    const { a, b } = staticPair(h);
    const logBefore = h.log.length;
    const t = h.join({ groupInstanceId: 'i-b' });
    const r = h.response(t, 'joinGroup');
    expect(r).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, leader: a, members: [], skipAssignment: false });
    expect(r.memberId).not.toBe(b);
    expect(h.state()).toBe('Stable');
    // The new member id was made durable before the answer.
    const rec = h.log.slice(logBefore).map((x) => decodeConsumerOffsetsRecord(x.key, x.value));
    expect(rec).toHaveLength(1);
    expect(rec[0]!.type === 'group' && rec[0]!.value?.members.map((m) => m.memberId)).toEqual([a, r.memberId]);
    // It keeps its assignment, and its old id is fenced.
    expect(h.response(h.sync(r.memberId, 1, [], { groupInstanceId: 'i-b' }), 'syncGroup').assignment).toEqual(Buffer.from('B'));
    expect(h.heartbeat(b, 1, 'i-b')).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.heartbeat(r.memberId, 1, 'i-b')).toBe(ErrorCode.NONE);
    expect(h.heartbeat(a, 1, 'i-a')).toBe(ErrorCode.NONE);
  });

  test('the join answer waits for the write, and a failed write restores the old member id', () => {
    const h = new Harness({ ...withDelay });
    const { b } = staticPair(h);
    h.autoAppend = false;
    const t = h.join({ groupInstanceId: 'i-b' });
    expect(h.answered(t)).toBe(false);
    h.completeAppends(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(h.response(t, 'joinGroup')).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, memberId: '' });
    expect(h.heartbeat(b, 1, 'i-b')).toBe(ErrorCode.NONE);
  });

  test('a rejoining static leader is not told it leads before v9, and is told to skip the assignment from v9', () => {
    const h = new Harness(withDelay);
    const { a, b } = staticPair(h);
    const old = h.response(h.join({ groupInstanceId: 'i-a' }, { apiVersion: 8 }), 'joinGroup');
    // The old leader id, so the restarted leader acts as a follower.
    expect(old).toMatchObject({ leader: a, skipAssignment: false, members: [] });
    expect(old.memberId).not.toBe(a);

    const v9 = h.response(h.join({ groupInstanceId: 'i-a' }, { apiVersion: 9 }), 'joinGroup');
    expect(v9).toMatchObject({ leader: v9.memberId, skipAssignment: true, generationId: 1 });
    expect(v9.members.map((m) => m.memberId)).toEqual([b, v9.memberId]);
    expect(h.state()).toBe('Stable');
  });

  test('a static member rejoining with a protocol change triggers a rebalance', () => {
    const h = new Harness(withDelay);
    staticPair(h);
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: subscription('t') }));
    // a restarts preferring roundrobin: range is still the only protocol both support, so nothing changes.
    const ta = h.join({ groupInstanceId: 'i-a', protocols: p('roundrobin', 'range') });
    expect(h.state()).toBe('Stable');
    expect(h.response(ta, 'joinGroup').errorCode).toBe(ErrorCode.NONE);
    // b restarts preferring it too: the group's protocol would become roundrobin, so it rebalances.
    const tb = h.join({ groupInstanceId: 'i-b', protocols: p('roundrobin', 'range') });
    expect(h.answered(tb)).toBe(false);
    expect(h.state()).toBe('PreparingRebalance');
    // A protocol no other member supports is refused outright.
    expect(h.response(h.join({ groupInstanceId: 'i-b', protocols: p('sticky') }), 'joinGroup').errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
  });

  test('a duplicate instance using the replaced member id is fenced everywhere', () => {
    const h = new Harness(withDelay);
    const { b } = staticPair(h);
    const fresh = h.response(h.join({ groupInstanceId: 'i-b' }), 'joinGroup').memberId;
    expect(h.response(h.join({ memberId: b, groupInstanceId: 'i-b' }), 'joinGroup').errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.response(h.sync(b, 1, [], { groupInstanceId: 'i-b' }), 'syncGroup').errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.commitErrors(h.commit([{ topic: 't', partition: 0, offset: 1 }], { memberId: b, groupInstanceId: 'i-b', generationIdOrMemberEpoch: 1 }))).toEqual({
      't/0': ErrorCode.FENCED_INSTANCE_ID,
    });
    expect(h.leave([{ memberId: b, groupInstanceId: 'i-b' }]).members[0]!.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(h.heartbeat(fresh, 1, 'i-b')).toBe(ErrorCode.NONE);
    // An instance id the group does not know.
    expect(h.heartbeat(fresh, 1, 'i-z')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('a static member parked in JoinGroup is answered FENCED_INSTANCE_ID when its instance restarts', () => {
    const h = new Harness(withDelay);
    const { a, b } = staticPair(h);
    h.joinNew({}, { clientId: 'dynamic' });
    const parked = h.join({ memberId: b, groupInstanceId: 'i-b' });
    const replacement = h.join({ groupInstanceId: 'i-b' });
    expect(h.response(parked, 'joinGroup')).toMatchObject({ errorCode: ErrorCode.FENCED_INSTANCE_ID, memberId: b });
    h.join({ memberId: a, groupInstanceId: 'i-a' });
    expect(h.response(replacement, 'joinGroup')).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
  });

  test('a static member that does not rejoin a rebalance stays a member; its session still ends it', () => {
    const h = new Harness(withDelay);
    const { a, b } = staticPair(h);
    const ta = h.join({ memberId: a, groupInstanceId: 'i-a', protocols: [{ name: 'range', metadata: subscription('u') }] });
    h.heartbeat(b, 1, 'i-b');
    // b stays alive but does not rejoin: after the rebalance timeout the generation completes with b kept.
    for (let i = 0; i < 6; i++) {
      h.advance(SESSION_MS / 2);
      if (!h.answered(ta)) expect(h.heartbeat(b, 1, 'i-b')).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    }
    const r = h.response(ta, 'joinGroup');
    expect(r.generationId).toBe(2);
    expect(r.members.map((m) => m.memberId)).toEqual([a, b]);
    // Then b goes silent: its session ends it like any member.
    h.sync(a, 2, [], { groupInstanceId: 'i-a' });
    h.advance(SESSION_MS / 2);
    h.heartbeat(a, 2, 'i-a');
    h.advance(SESSION_MS / 2);
    expect(h.describe().members.map((m) => m.groupInstanceId)).toEqual(['i-a']);
  });

  test('LeaveGroup by instance id alone removes the static member (administrative removal)', () => {
    const h = new Harness(withDelay);
    const { a } = staticPair(h);
    expect(h.leave([{ memberId: '', groupInstanceId: 'i-b' }]).members[0]).toEqual({
      memberId: '',
      groupInstanceId: 'i-b',
      errorCode: ErrorCode.NONE,
    });
    expect(h.leave([{ memberId: '', groupInstanceId: 'i-b' }]).members[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.state()).toBe('PreparingRebalance');
    expect(h.response(h.join({ memberId: a, groupInstanceId: 'i-a' }), 'joinGroup').members.map((m) => m.memberId)).toEqual([a]);
  });
});
