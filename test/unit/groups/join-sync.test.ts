import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { decodeConsumerOffsetsRecord } from '../../../protocol/kafka/consumer-offsets/records.js';
import { partitionForGroup } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import { Harness, REBALANCE_MS, subscription } from './harness.js';

describe('JoinGroup', () => {
  test('v4+: a first join gets a generated member id and MEMBER_ID_REQUIRED, and the rejoin with it is admitted', () => {
    const h = new Harness();
    const first = h.join({}, { clientId: 'kafkajs', apiVersion: 4 });
    const r1 = h.response(first, 'joinGroup');
    expect(r1.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(r1.memberId).toMatch(/^kafkajs-/);
    expect(r1.generationId).toBe(-1);
    // The pending member exists in an Empty group until it rejoins.
    expect(h.state()).toBe('Empty');

    const second = h.join({ memberId: r1.memberId }, { clientId: 'kafkajs', apiVersion: 4 });
    const r2 = h.response(second, 'joinGroup');
    expect(r2).toMatchObject({
      errorCode: ErrorCode.NONE,
      generationId: 1,
      memberId: r1.memberId,
      leader: r1.memberId,
      protocolType: 'consumer',
      protocolName: 'range',
      skipAssignment: false,
    });
    expect(r2.members).toEqual([{ memberId: r1.memberId, groupInstanceId: null, metadata: subscription('t') }]);
    expect(h.state()).toBe('CompletingRebalance');
  });

  test('before v4 a first join is admitted at once', () => {
    const h = new Harness();
    const t = h.join({}, { clientId: 'old', apiVersion: 3 });
    const r = h.response(t, 'joinGroup');
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.memberId).toMatch(/^old-/);
    expect(r.generationId).toBe(1);
  });

  test('the leader gets every member\'s metadata, followers none; all learn the leader and generation', () => {
    const h = new Harness({ config: { groupInitialRebalanceDelayMs: 3000 } });
    const a = h.joinNew({ protocols: [{ name: 'range', metadata: subscription('t1') }] }, { clientId: 'a' });
    const b = h.joinNew({ protocols: [{ name: 'range', metadata: subscription('t2') }] }, { clientId: 'b' });
    expect(h.answered(a) || h.answered(b)).toBe(false);
    // b arrived during the delay, which extends it once.
    h.advance(6000);
    const ra = h.response(a, 'joinGroup');
    const rb = h.response(b, 'joinGroup');
    expect(ra.leader).toBe(ra.memberId);
    expect(rb.leader).toBe(ra.memberId);
    expect(ra.generationId).toBe(1);
    expect(rb.generationId).toBe(1);
    expect(ra.members).toEqual([
      { memberId: ra.memberId, groupInstanceId: null, metadata: subscription('t1') },
      { memberId: rb.memberId, groupInstanceId: null, metadata: subscription('t2') },
    ]);
    expect(rb.members).toEqual([]);
  });

  test('the protocol is the one all members support with the most first-choice votes', () => {
    const h = new Harness({ config: { groupInitialRebalanceDelayMs: 100 } });
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: Buffer.from(name) }));
    const a = h.joinNew({ protocols: p('roundrobin', 'range', 'sticky') });
    h.joinNew({ protocols: p('range', 'roundrobin') });
    h.joinNew({ protocols: p('range', 'sticky', 'roundrobin') });
    h.advance(200);
    const r = h.response(a, 'joinGroup');
    expect(r.protocolName).toBe('range');
    // The leader sees each member's metadata for the chosen protocol.
    expect(r.members.map((m) => m.metadata.toString())).toEqual(['range', 'range', 'range']);
  });

  test('a member whose protocols or protocol type do not fit the group is refused', () => {
    const h = new Harness({ config: { groupInitialRebalanceDelayMs: 100 } });
    h.joinNew({ protocols: [{ name: 'range', metadata: subscription('t') }] });
    const otherType = h.join({ protocolType: 'connect' });
    expect(h.response(otherType, 'joinGroup')).toMatchObject({ errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId: '' });
    const otherProtocol = h.join({ protocols: [{ name: 'sticky', metadata: subscription('t') }] });
    expect(h.response(otherProtocol, 'joinGroup').errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const none = h.join({ groupId: 'fresh', protocols: [] });
    expect(h.response(none, 'joinGroup').errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const noType = h.join({ groupId: 'fresh', protocolType: '' });
    expect(h.response(noType, 'joinGroup').errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    // Refused joins leave no group behind.
    expect(h.list().map((g) => g.groupId)).toEqual(['g']);
  });

  test('bad group ids, session timeouts and stale member ids get their Kafka errors', () => {
    const h = new Harness({ config: { groupMinSessionTimeoutMs: 6000, groupMaxSessionTimeoutMs: 300_000 } });
    expect(h.response(h.join({ groupId: '' }), 'joinGroup').errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect(h.response(h.join({ sessionTimeoutMs: 5999 }), 'joinGroup').errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(h.response(h.join({ sessionTimeoutMs: 300_001 }), 'joinGroup').errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    // A member id for a group the coordinator does not have.
    const stale = h.response(h.join({ groupId: 'gone', memberId: 'client-old' }), 'joinGroup');
    expect(stale).toMatchObject({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, memberId: 'client-old' });
    expect(h.list()).toEqual([]);
  });

  test('member metadata over the named limit is refused', () => {
    const h = new Harness({ config: { memberMetadataMaxBytes: 1024 } });
    const big = h.join({ protocols: [{ name: 'range', metadata: Buffer.alloc(1024) }] });
    expect(h.response(big, 'joinGroup').errorCode).toBe(ErrorCode.INVALID_REQUEST);
    // Many small protocols add up too.
    const many = h.join({ protocols: Array.from({ length: 200 }, (_, i) => ({ name: `p${i}`, metadata: Buffer.alloc(0) })) });
    expect(h.response(many, 'joinGroup').errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(h.list()).toEqual([]);
  });

  test('a client id as long as a Kafka string still yields a member id that fits in the group record', () => {
    const h = new Harness();
    const longId = 'c'.repeat(32_767);
    const j = h.response(h.joinNew({}, { clientId: longId }), 'joinGroup');
    expect(j.memberId.length).toBeLessThan(300);
    expect(j.memberId.startsWith('c'.repeat(255) + '-')).toBe(true);
    h.sync(j.memberId, 1, [{ memberId: j.memberId, assignment: Buffer.from('a') }]);
    expect(h.state()).toBe('Stable');
  });

  test('group.max.size: a member beyond it is refused', () => {
    const h = new Harness({ config: { groupMaxSize: 2, groupInitialRebalanceDelayMs: 100 } });
    h.joinNew();
    h.joinNew();
    const third = h.join();
    expect(h.response(third, 'joinGroup')).toMatchObject({ errorCode: ErrorCode.GROUP_MAX_SIZE_REACHED, memberId: '' });
    h.advance(200);
    expect(h.describe().members).toHaveLength(2);
    expect(h.response(h.join(), 'joinGroup').errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
  });

  test('a rejoin with unchanged metadata while CompletingRebalance repeats the generation\'s answer', () => {
    const h = new Harness();
    const t = h.joinNew();
    const r = h.response(t, 'joinGroup');
    const again = h.response(h.join({ memberId: r.memberId }), 'joinGroup');
    expect(again).toEqual(r);
  });
});

describe('SyncGroup', () => {
  test('the leader\'s assignment is written to __consumer_offsets and handed out only once durable', () => {
    const h = new Harness({ autoAppend: false, config: { groupInitialRebalanceDelayMs: 100 } });
    const a = h.joinNew({}, { clientId: 'a' });
    const b = h.joinNew({}, { clientId: 'b' });
    h.advance(200);
    const leader = h.response(a, 'joinGroup');
    const follower = h.response(b, 'joinGroup');

    const fs = h.sync(follower.memberId, 1);
    expect(h.answered(fs)).toBe(false);
    const ls = h.sync(leader.memberId, 1, [
      { memberId: leader.memberId, assignment: Buffer.from('A') },
      { memberId: follower.memberId, assignment: Buffer.from('B') },
    ]);
    expect(h.answered(ls) || h.answered(fs)).toBe(false);
    expect(h.pendingAppends).toHaveLength(1);
    const append = h.pendingAppends[0]!;
    expect(append.partition).toBe(partitionForGroup('g', 50));
    const rec = decodeConsumerOffsetsRecord(append.records[0]!.key, append.records[0]!.value);
    expect(rec).toMatchObject({
      type: 'group',
      group: 'g',
      value: { generation: 1, protocol: 'range', leader: leader.memberId, protocolType: 'consumer' },
    });
    expect(rec.type === 'group' && rec.value?.members.map((m) => [m.memberId, m.assignment.toString()])).toEqual([
      [leader.memberId, 'A'],
      [follower.memberId, 'B'],
    ]);
    expect(h.state()).toBe('CompletingRebalance');

    h.completeAppends();
    expect(h.response(ls, 'syncGroup')).toEqual({
      errorCode: ErrorCode.NONE,
      protocolType: 'consumer',
      protocolName: 'range',
      assignment: Buffer.from('A'),
    });
    expect(h.response(fs, 'syncGroup').assignment).toEqual(Buffer.from('B'));
    expect(h.state()).toBe('Stable');
    // A follower syncing after the group is Stable is answered at once.
    expect(h.response(h.sync(follower.memberId, 1), 'syncGroup').assignment).toEqual(Buffer.from('B'));
  });

  test('members the leader left out get an empty assignment', () => {
    const h = new Harness({ config: { groupInitialRebalanceDelayMs: 100 } });
    const a = h.joinNew();
    const b = h.joinNew();
    h.advance(200);
    const fb = h.sync(h.response(b, 'joinGroup').memberId, 1);
    h.sync(h.response(a, 'joinGroup').memberId, 1, []);
    expect(h.response(fb, 'syncGroup')).toMatchObject({ errorCode: ErrorCode.NONE, assignment: Buffer.alloc(0) });
  });

  test('a failed write of the assignment fails the SyncGroups and rebalances', () => {
    const h = new Harness({ autoAppend: false });
    const j = h.response(h.joinNew(), 'joinGroup');
    const s = h.sync(j.memberId, 1, [{ memberId: j.memberId, assignment: Buffer.from('A') }]);
    h.completeAppends(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(h.response(s, 'syncGroup')).toEqual({
      errorCode: ErrorCode.NOT_COORDINATOR,
      protocolType: null,
      protocolName: null,
      assignment: Buffer.alloc(0),
    });
    expect(h.state()).toBe('PreparingRebalance');
  });

  test('an assignment over the named limit is treated as an unwritable group record', () => {
    const h = new Harness({ config: { memberMetadataMaxBytes: 100 } });
    const j = h.response(h.joinNew(), 'joinGroup');
    const s = h.sync(j.memberId, 1, [{ memberId: j.memberId, assignment: Buffer.alloc(101) }]);
    expect(h.response(s, 'syncGroup').errorCode).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
    expect(h.pendingAppends).toEqual([]);
    expect(h.state()).toBe('PreparingRebalance');
  });

  test('unknown members, stale generations and mismatched protocols are refused', () => {
    const h = new Harness();
    const { memberId } = h.soloMember();
    expect(h.response(h.sync('nobody', 1), 'syncGroup').errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.response(h.sync(memberId, 0), 'syncGroup').errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(h.response(h.sync(memberId, 1, [], { protocolName: 'roundrobin' }), 'syncGroup').errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    expect(h.response(h.sync(memberId, 1, [], { groupId: 'other' }), 'syncGroup').errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.response(h.sync(memberId, 1, [], { groupId: '' }), 'syncGroup').errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  test('SyncGroup during a rebalance gets REBALANCE_IN_PROGRESS', () => {
    const h = new Harness();
    const { memberId } = h.soloMember();
    // A new member starts a rebalance the existing member has not rejoined yet.
    h.joinNew();
    expect(h.state()).toBe('PreparingRebalance');
    expect(h.response(h.sync(memberId, 1), 'syncGroup').errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });
});

describe('the initial rebalance delay', () => {
  test('an empty group waits group.initial.rebalance.delay.ms for more members, extending while they come', () => {
    const h = new Harness({ config: { groupInitialRebalanceDelayMs: 3000 } });
    const a = h.joinNew();
    h.advance(2000);
    const b = h.joinNew();
    h.advance(1000);
    // b arrived during the delay: one more delay.
    expect(h.answered(a)).toBe(false);
    h.advance(2999);
    expect(h.answered(a)).toBe(false);
    h.advance(1);
    expect(h.response(a, 'joinGroup').members).toHaveLength(2);
    expect(h.response(b, 'joinGroup').generationId).toBe(1);
  });

  test('the extensions stop at the rebalance timeout', () => {
    const h = new Harness({ config: { groupInitialRebalanceDelayMs: 3000 } });
    const a = h.joinNew({ rebalanceTimeoutMs: 7000 });
    let elapsed = 0;
    while (!h.answered(a)) {
      h.advance(1000);
      elapsed += 1000;
      if (!h.answered(a)) h.joinNew({ rebalanceTimeoutMs: 7000 });
      expect(elapsed).toBeLessThanOrEqual(REBALANCE_MS);
    }
    // 3000 + min(3000, 4000) + min(3000, 1000) = 7000: bounded by the rebalance timeout.
    expect(elapsed).toBe(7000);
  });

  test('a later rebalance does not wait when everyone has rejoined', () => {
    const h = new Harness({ config: { groupInitialRebalanceDelayMs: 3000 } });
    const { memberId } = h.soloMember();
    const t = h.join({ memberId, protocols: [{ name: 'range', metadata: subscription('u') }] });
    expect(h.response(t, 'joinGroup').generationId).toBe(2);
  });
});
