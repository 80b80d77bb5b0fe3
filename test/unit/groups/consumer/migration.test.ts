// Online migration in the pure cores: a classic group handed over to the consumer group coordinator
// (upgrade), its classic members served there (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, commits),
// persisted with their ClassicMemberMetadata, and handed back when the last KIP-848 member leaves or is
// replaced by a classic static member (downgrade), each as group.consumer.migration.policy allows.
import { describe, expect, it } from 'vitest';
import { decodeConsumerAssignment, encodeConsumerAssignment, encodeConsumerSubscription } from '../../../../protocol/kafka/consumer-offsets/consumer-protocol.js';
import { ErrorCode } from '../../../../protocol/kafka/errors.js';
import type { JoinGroupRequest } from '../../../../src/kafka/groups/api.js';
import { parsePartitionKey } from '../../../../src/kafka/groups/consumer/assignors.js';
import { ConsumerGroupCoordinator, DEFAULT_CONSUMER_GROUP_CONFIG, type ConsumerGroupConfig } from '../../../../src/kafka/groups/consumer/coordinator.js';
import type { MigratingGroup, MigrationPolicy } from '../../../../src/kafka/groups/migration.js';
import { ConsumerOffsetsReplay } from '../../../../src/kafka/groups/replay.js';
import { Harness, joinRequest } from '../harness.js';
import { followUp, hb } from './heartbeats.js';

const T1 = '000000000000000000000000000000a1';
const topics = new Map([['t', { id: T1, partitions: 4 }]]);
const CLIENT = { clientId: 'kafkajs', clientHost: '/127.0.0.1', apiVersion: 5 };

function coordinator(policy: MigrationPolicy = 'bidirectional', over: Partial<ConsumerGroupConfig> = {}): ConsumerGroupCoordinator {
  let ids = 0;
  return new ConsumerGroupCoordinator({ ...DEFAULT_CONSUMER_GROUP_CONFIG, migrationPolicy: policy, ...over }, { topics: () => topics }, () => `m${++ids}`);
}

const subscription = (owned: number[] | null = null) =>
  encodeConsumerSubscription(owned === null ? { version: 0, topics: ['t'] } : { version: 1, topics: ['t'], ownedPartitions: [{ topic: 't', partitions: owned }] });

function classicJoin(over: Partial<JoinGroupRequest> = {}, owned: number[] | null = null): JoinGroupRequest {
  return { ...joinRequest({ protocols: [{ name: 'range', metadata: subscription(owned) }] }), ...over };
}

/** A classic group of two members at generation 3, each with half the partitions. */
function classicGroup(): MigratingGroup {
  const member = (memberId: string, partitions: number[]) => ({
    memberId,
    groupInstanceId: null,
    clientId: 'kafkajs',
    clientHost: '/127.0.0.1',
    rebalanceTimeoutMs: 30_000,
    sessionTimeoutMs: 10_000,
    protocols: [{ name: 'range', metadata: subscription() }],
    assignment: encodeConsumerAssignment({ version: 0, assignedPartitions: [{ topic: 't', partitions }] }),
  });
  return { groupId: 'g', generationId: 3, protocolName: 'range', members: [member('a', [0, 1]), member('b', [2, 3])] };
}

const assignedBy = (c: ConsumerGroupCoordinator) => Object.fromEntries(c.describe('g')!.members.map((m) => [m.memberId, m.assigned]));

describe('online upgrade', () => {
  it('is refused with GROUP_ID_NOT_FOUND and the reason when the policy, the protocol type, the metadata or the size forbid it', () => {
    const refusal = (c: ConsumerGroupCoordinator, group: MigratingGroup, protocolType = 'consumer') => {
      const r = c.heartbeat(0, hb({ memberId: 'new' }), { group, protocolType });
      expect(r.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
      expect(c.has('g')).toBe(false);
      return r.errorMessage;
    };
    expect(refusal(coordinator('downgrade'), classicGroup())).toMatch(/online upgrade is disabled/);
    expect(refusal(coordinator('disabled'), classicGroup())).toMatch(/online upgrade is disabled/);
    expect(refusal(coordinator(), classicGroup(), 'connect')).toMatch(/does not use the consumer embedded protocol/);
    const garbled = classicGroup();
    garbled.members[0]!.protocols = [{ name: 'range', metadata: Buffer.from([0, 0, 0]) }];
    expect(refusal(coordinator(), garbled)).toMatch(/malformed/);
    expect(refusal(coordinator('bidirectional', { maxSize: 1 }), classicGroup())).toMatch(/maximum size/);
    // Only a first heartbeat converts; an invalid one converts nothing.
    const c = coordinator('upgrade');
    expect(c.heartbeat(0, hb({ memberId: 'new', rebalanceTimeoutMs: -1 }), { group: classicGroup(), protocolType: 'consumer' }).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(c.heartbeat(0, hb({ memberId: 'new', memberEpoch: 3, topicPartitions: null }), { group: classicGroup(), protocolType: 'consumer' }).errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    expect(c.has('g')).toBe(false);
    expect(c.heartbeat(0, hb({ memberId: 'new' }), { group: classicGroup(), protocolType: 'consumer' }).errorCode).toBe(ErrorCode.NONE);
  });

  it('keeps the classic members with their partitions; the KIP-848 member gets only what they release, and they rejoin to release it', () => {
    const c = coordinator();
    const joined = c.heartbeat(0, hb({ memberId: 'new' }), { group: classicGroup(), protocolType: 'consumer' });
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: 4, assignment: { topicPartitions: [] } });
    // The classic members hear of the new epoch on their heartbeats, and SyncGroup refuses them until they rejoin.
    expect(c.classicHeartbeat(0, { groupId: 'g', generationId: 3, memberId: 'a', groupInstanceId: null }).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(c.classicSync(0, { groupId: 'g', generationId: 3, memberId: 'a', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] }).errorCode).toBe(
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
    // The uniform assignor takes a partition from one of them for the new member.
    const parts = (keys: string[]) => keys.map((k) => Number(k.split(':')[1]));
    const view = c.describe('g')!.members;
    const loser = view.find((m) => m.classic && m.target.length < m.assigned.length)!;
    const other = view.find((m) => m.classic && m !== loser)!;
    // The loser, cooperative, rejoins still owning both: it must revoke one first (SyncGroup hands it what it keeps).
    const coop = c.classicJoin(0, classicJoin({ memberId: loser.memberId }, parts(loser.assigned)), CLIENT);
    expect(coop).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 3, protocolName: 'range', leader: '', members: [] });
    expect(c.describe('g')!.members.find((m) => m.memberId === loser.memberId)!.state).toBe('unrevoked');
    const sync = (memberId: string, generationId: number) =>
      c.classicSync(0, { groupId: 'g', generationId, memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] });
    expect(decodeConsumerAssignment(sync(loser.memberId, 3).assignment).assignedPartitions[0]!.partitions).toEqual(parts(loser.target));
    expect(c.classicHeartbeat(0, { groupId: 'g', generationId: 3, memberId: loser.memberId, groupInstanceId: null }).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(c.classicJoin(0, classicJoin({ memberId: loser.memberId }, parts(loser.target)), CLIENT).generationId).toBe(4);
    // The other, eager, rejoins owning nothing and is at the new epoch at once.
    expect(c.classicJoin(0, classicJoin({ memberId: other.memberId }), CLIENT).generationId).toBe(4);
    expect(decodeConsumerAssignment(sync(other.memberId, 4).assignment).assignedPartitions[0]!.partitions).toEqual(parts(other.target));
    const got = c.heartbeat(0, hb({ memberId: 'new', memberEpoch: 4, subscribedTopicNames: null, topicPartitions: [] }));
    expect(got.assignment!.topicPartitions[0]!.partitions).toHaveLength(1);
    // Nothing is held twice.
    const all = Object.values(assignedBy(c)).flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(4);
  });
});

describe('classic members of a consumer group', () => {
  function withConsumerMember(): ConsumerGroupCoordinator {
    const c = coordinator();
    c.heartbeat(0, hb({ memberId: 'kip848' }));
    return c;
  }

  it('join through MEMBER_ID_REQUIRED, and are held to their generation, protocol and instance id', () => {
    const c = withConsumerMember();
    const first = c.classicJoin(0, classicJoin(), CLIENT);
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    const joined = c.classicJoin(0, classicJoin({ memberId: first.memberId }), CLIENT);
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, memberId: first.memberId });
    const req = { groupId: 'g', memberId: first.memberId, groupInstanceId: null };
    expect(c.classicHeartbeat(0, { ...req, generationId: joined.generationId - 1 }).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(c.classicSync(0, { ...req, generationId: joined.generationId, protocolType: 'consumer', protocolName: 'roundrobin', assignments: [] }).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(c.classicHeartbeat(0, { ...req, memberId: 'kip848', generationId: 1 }).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // Commits: a classic member's generation is its member epoch.
    expect(c.validateOffsetRequest('g', first.memberId, joined.generationId, true)).toBe(ErrorCode.NONE);
    expect(c.validateOffsetRequest('g', first.memberId, joined.generationId + 1, true)).toBe(ErrorCode.ILLEGAL_GENERATION);
    // Another protocol type, a session timeout out of bounds, a protocol no peer shares: refused.
    expect(c.classicJoin(0, classicJoin({ protocolType: 'connect' }), CLIENT).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect(c.classicJoin(0, classicJoin({ sessionTimeoutMs: 10 }), CLIENT).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect(c.classicJoin(0, { ...classicJoin({ memberId: 'x' }), protocols: [{ name: 'roundrobin', metadata: subscription() }] }, CLIENT).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    // Static: a second instance under another member id is fenced.
    const s = c.classicJoin(0, classicJoin({ groupInstanceId: 'i-1' }), CLIENT);
    expect(s.errorCode).toBe(ErrorCode.NONE);
    expect(c.classicJoin(0, classicJoin({ groupInstanceId: 'i-1', memberId: 'impostor' }), CLIENT).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(c.classicLeave({ groupId: 'g', members: [{ memberId: '', groupInstanceId: 'i-1' }, { memberId: 'nobody', groupInstanceId: null }] }).members.map((m) => m.errorCode)).toEqual([
      ErrorCode.NONE,
      ErrorCode.UNKNOWN_MEMBER_ID,
    ]);
  });

  it('are removed when their classic session runs out', () => {
    const c = withConsumerMember();
    const joined = c.classicJoin(0, classicJoin({ memberId: 'k', sessionTimeoutMs: 6_000 }), CLIENT);
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    c.heartbeat(5_000, hb({ memberId: 'kip848', memberEpoch: c.describe('g')!.members.find((m) => m.memberId === 'kip848')!.memberEpoch, subscribedTopicNames: null, topicPartitions: null }));
    c.tick(6_000);
    expect(c.describe('g')!.members.map((m) => m.memberId)).toEqual(['kip848']);
  });

  it('are removed when told to rejoin and they do not within their rebalance timeout, freeing their partitions', () => {
    const c = coordinator();
    c.heartbeat(0, hb({ memberId: 'new' }), { group: classicGroup(), protocolType: 'consumer' });
    const heartbeat = (nowMs: number, memberId: string) => c.classicHeartbeat(nowMs, { groupId: 'g', generationId: 3, memberId, groupInstanceId: null }).errorCode;
    expect(heartbeat(0, 'a')).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect(heartbeat(0, 'b')).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    // b rejoins; a keeps heartbeating instead, past its rebalance timeout (30 s).
    c.classicJoin(1_000, classicJoin({ memberId: 'b' }), CLIENT);
    for (let t = 5_000; t <= 30_000; t += 5_000) {
      heartbeat(t, 'a');
      c.heartbeat(t, hb({ memberId: 'new', memberEpoch: c.describe('g')!.members.find((m) => m.memberId === 'new')!.memberEpoch, subscribedTopicNames: null, topicPartitions: null }));
      c.classicHeartbeat(t, { groupId: 'g', generationId: c.describe('g')!.members.find((m) => m.memberId === 'b')!.memberEpoch, memberId: 'b', groupInstanceId: null });
    }
    c.tick(30_000);
    expect(c.describe('g')!.members.map((m) => m.memberId).sort()).toEqual(['b', 'new']);
  });

  it('are removed when they do not send SyncGroup within their rebalance timeout after JoinGroup', () => {
    const c = withConsumerMember();
    const sync = (nowMs: number, memberId: string, generationId: number) =>
      c.classicSync(nowMs, { groupId: 'g', generationId, memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] });
    const silent = c.classicJoin(0, classicJoin({ memberId: 'silent', rebalanceTimeoutMs: 10_000 }), CLIENT);
    const synced = c.classicJoin(0, classicJoin({ memberId: 'synced', rebalanceTimeoutMs: 10_000 }), CLIENT);
    expect(sync(1_000, 'synced', synced.generationId).errorCode).toBe(ErrorCode.NONE);
    c.classicHeartbeat(5_000, { groupId: 'g', generationId: silent.generationId, memberId: 'silent', groupInstanceId: null });
    c.tick(10_000);
    expect(c.describe('g')!.members.map((m) => m.memberId).sort()).toEqual(['kip848', 'synced']);
  });

  it('are written with their ClassicMemberMetadata and read back the same', () => {
    const c = withConsumerMember();
    c.classicJoin(0, classicJoin({ memberId: 'k' }), CLIENT);
    const replay = new ConsumerOffsetsReplay();
    for (const { records } of c.drainRecords()) for (const r of records) replay.apply(r);
    const reloaded = coordinator();
    expect(reloaded.load(0, replay.consumerGroups())).toBe(0);
    expect(reloaded.describe('g')).toEqual(c.describe('g'));
    expect(reloaded.describe('g')!.members.find((m) => m.memberId === 'k')!.classic).toBe(true);
    // The reloaded member still syncs in its own protocol.
    const epoch = reloaded.describe('g')!.members.find((m) => m.memberId === 'k')!.memberEpoch;
    expect(reloaded.classicSync(0, { groupId: 'g', generationId: epoch, memberId: 'k', groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] }).errorCode).toBe(ErrorCode.NONE);
  });
});

describe('online downgrade', () => {
  it('hands the classic members back with what they own when the last KIP-848 member leaves, tombstoning the group', () => {
    const c = coordinator('bidirectional');
    c.heartbeat(0, hb({ memberId: 'kip848' }), { group: classicGroup(), protocolType: 'consumer' });
    c.drainRecords();
    c.heartbeat(0, hb({ memberId: 'kip848', memberEpoch: -1 }));
    expect(c.has('g')).toBe(false);
    const [down] = c.drainDowngrades();
    expect(down).toMatchObject({ groupId: 'g', generationId: 4, protocolName: null });
    expect(down!.members.map((m) => [m.memberId, decodeConsumerAssignment(m.assignment).assignedPartitions])).toEqual([
      ['a', [{ topic: 't', partitions: [0, 1] }]],
      ['b', [{ topic: 't', partitions: [2, 3] }]],
    ]);
    expect(c.drainRecords()[0]!.records.every((r) => r.value === null)).toBe(true);

    // The classic coordinator takes them in and rebalances: their heartbeats say REBALANCE_IN_PROGRESS.
    const h = new Harness();
    h.absorb(h.c.takeIn(h.now, down!));
    expect(h.c.snapshot()[0]).toMatchObject({ groupId: 'g', state: 'PreparingRebalance', generationId: 4, protocolName: 'range', protocolType: 'consumer' });
    expect(h.heartbeat('a', 4)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    // Both rejoin; the classic rebalance completes with a leader among them, at the next generation.
    const ta = h.join({ memberId: 'a' });
    const tb = h.join({ memberId: 'b' });
    expect([h.response(ta, 'joinGroup').generationId, h.response(tb, 'joinGroup').generationId]).toEqual([5, 5]);
  });

  it('does not happen when the policy forbids it: the group stays a consumer group of classic members', () => {
    for (const policy of ['upgrade', 'disabled'] as const) {
      // Classic members join a consumer group whatever the policy.
      const c = coordinator(policy);
      c.heartbeat(0, hb({ memberId: 'kip848' }));
      for (const memberId of ['a', 'b']) expect(c.classicJoin(0, classicJoin({ memberId }), CLIENT).errorCode).toBe(ErrorCode.NONE);
      c.heartbeat(0, hb({ memberId: 'kip848', memberEpoch: -1 }));
      expect(c.drainDowngrades()).toEqual([]);
      expect(c.describe('g')!.members.map((m) => m.memberId).sort()).toEqual(['a', 'b']);
    }
  });
});

describe('online downgrade by static member replacement', () => {
  /**
   * A consumer group of the static KIP-848 member 'k' (instance i-1) and the classic member 'a', both
   * holding their targets at the group's epoch (2 partitions each), unless `settle` is false.
   */
  function mixedGroup(policy: MigrationPolicy = 'bidirectional', settle = true, aInstanceId: string | null = null): ConsumerGroupCoordinator {
    const c = coordinator(policy);
    let k = c.heartbeat(0, hb({ memberId: 'k', instanceId: 'i-1' }));
    k = c.heartbeat(0, hb(followUp(T1, k, k.assignment!.topicPartitions[0]!.partitions)));
    const a = c.classicJoin(0, classicJoin({ memberId: 'a', groupInstanceId: aInstanceId }), CLIENT);
    expect(a.errorCode).toBe(ErrorCode.NONE);
    if (settle) {
      // k is told to give up what a's join took from it and reports it gone; a rejoins for it and syncs.
      for (let i = 0; i < 2; i++) k = c.heartbeat(0, hb(followUp(T1, k, k.assignment!.topicPartitions[0]!.partitions)));
      const rejoined = c.classicJoin(0, classicJoin({ memberId: 'a', groupInstanceId: aInstanceId }), CLIENT);
      expect(c.classicSync(0, { groupId: 'g', generationId: rejoined.generationId, memberId: 'a', groupInstanceId: aInstanceId, protocolType: 'consumer', protocolName: 'range', assignments: [] }).errorCode).toBe(ErrorCode.NONE);
      expect(Object.values(assignedBy(c)).map((p) => p.length)).toEqual([2, 2]);
    }
    c.drainRecords();
    return c;
  }
  const replacement = () => classicJoin({ memberId: '', groupInstanceId: 'i-1' });

  it('hands the group to the classic coordinator stable: the new member carries on with what k held and SyncGroup gives it that', () => {
    const c = mixedGroup();
    const heldByK = assignedBy(c)['k'];
    const epoch = c.describe('g')!.groupEpoch;
    const joined = c.classicJoin(1_000, replacement(), CLIENT);
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, generationId: epoch, protocolName: 'range' });
    expect(joined.memberId).toMatch(/^i-1-/);
    expect(c.has('g')).toBe(false);
    const [down] = c.drainDowngrades();
    expect(down).toMatchObject({ groupId: 'g', generationId: epoch, rebalance: false });
    const carried = Object.fromEntries(down!.members.map((m) => [m.memberId, decodeConsumerAssignment(m.assignment).assignedPartitions]));
    expect(Object.keys(carried).sort()).toEqual(['a', joined.memberId].sort());
    expect(carried[joined.memberId]).toEqual([{ topic: 't', partitions: heldByK!.map((k) => parsePartitionKey(k).partition) }]);
    // Every record the consumer group wrote is tombstoned.
    expect(c.drainRecords()[0]!.records.every((r) => r.value === null)).toBe(true);

    const h = new Harness();
    h.absorb(h.c.takeIn(h.now, down!));
    expect(h.c.snapshot()[0]).toMatchObject({ groupId: 'g', state: 'Stable', generationId: epoch, protocolName: 'range' });
    // The new member's SyncGroup at the generation its JoinGroup gave finds the classic group stable.
    const synced = h.response(h.sync(joined.memberId, joined.generationId, [], { groupInstanceId: 'i-1' }), 'syncGroup');
    expect(synced.errorCode).toBe(ErrorCode.NONE);
    expect(decodeConsumerAssignment(synced.assignment).assignedPartitions).toEqual(carried[joined.memberId]);
    expect(h.heartbeat('a', epoch)).toBe(ErrorCode.NONE);
    expect(h.heartbeat(joined.memberId, epoch, 'i-1')).toBe(ErrorCode.NONE);
  });

  it('has the classic group rebalance when a member did not hold its target yet', () => {
    const c = mixedGroup('bidirectional', false);
    expect(c.classicJoin(1_000, replacement(), CLIENT).errorCode).toBe(ErrorCode.NONE);
    const [down] = c.drainDowngrades();
    expect(down).toMatchObject({ groupId: 'g', rebalance: true });
    const h = new Harness();
    h.absorb(h.c.takeIn(h.now, down!));
    expect(h.c.snapshot()[0]).toMatchObject({ state: 'PreparingRebalance' });
  });

  it('does not happen when the policy forbids it or a KIP-848 member remains: the classic member takes k\'s place and k is fenced', () => {
    const c = mixedGroup('upgrade');
    const heldByK = assignedBy(c)['k'];
    const joined = c.classicJoin(1_000, replacement(), CLIENT);
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    expect(c.drainDowngrades()).toEqual([]);
    expect(assignedBy(c)).toEqual({ a: assignedBy(c)['a'], [joined.memberId]: heldByK });
    expect(c.heartbeat(1_000, hb({ memberId: 'k', memberEpoch: joined.generationId, instanceId: 'i-1', subscribedTopicNames: null, topicPartitions: null })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);

    const mixed = mixedGroup();
    mixed.heartbeat(0, hb({ memberId: 'other' }));
    expect(mixed.classicJoin(1_000, replacement(), CLIENT).errorCode).toBe(ErrorCode.NONE);
    expect(mixed.drainDowngrades()).toEqual([]);
    expect(mixed.has('g')).toBe(true);
  });

  it('the other way, a KIP-848 static member replaces a classic one at once, with its partitions at the group epoch', () => {
    const c = mixedGroup('bidirectional', true, 'i-2');
    const heldByA = assignedBy(c)['a'];
    const epoch = c.describe('g')!.groupEpoch;
    const joined = c.heartbeat(1_000, hb({ memberId: 'new', instanceId: 'i-2' }));
    expect(joined).toMatchObject({ errorCode: ErrorCode.NONE, memberEpoch: epoch });
    expect(joined.assignment!.topicPartitions).toEqual([{ topicId: T1, partitions: heldByA!.map((k) => parsePartitionKey(k).partition) }]);
    expect(Object.keys(assignedBy(c)).sort()).toEqual(['k', 'new']);
    expect(c.describe('g')!.members.find((m) => m.memberId === 'new')!.classic).toBe(false);
    expect(c.classicHeartbeat(1_000, { groupId: 'g', generationId: epoch, memberId: 'a', groupInstanceId: 'i-2' }).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    // A KIP-848 predecessor must release the instance id first.
    expect(c.heartbeat(1_000, hb({ memberId: 'other', instanceId: 'i-1' })).errorCode).toBe(ErrorCode.UNRELEASED_INSTANCE_ID);
  });

  it('refuses a replacement that names another member id with FENCED_INSTANCE_ID, changing nothing', () => {
    const c = mixedGroup();
    const before = c.describe('g');
    expect(c.classicJoin(1_000, classicJoin({ memberId: 'impostor', groupInstanceId: 'i-1' }), CLIENT).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    // A KIP-848 member's id is not a classic member's to rejoin with.
    expect(c.classicJoin(1_000, classicJoin({ memberId: 'k' }), CLIENT).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(c.describe('g')).toEqual(before);
    expect(c.drainDowngrades()).toEqual([]);
  });
});

describe('the classic coordinator hands a group over', () => {
  it('with its members, answering what they parked, tombstoning its record and keeping its offsets', () => {
    const h = new Harness();
    const first = h.response(h.joinNew(), 'joinGroup');
    h.sync(first.memberId, first.generationId, [{ memberId: first.memberId, assignment: encodeConsumerAssignment({ version: 0, assignedPartitions: [{ topic: 't', partitions: [0] }] }) }]);
    h.commit([{ topic: 't', partition: 0, offset: 7 }], { memberId: first.memberId, generationIdOrMemberEpoch: first.generationId });
    const migrating = h.c.migratingGroup('g');
    expect(migrating).toMatchObject({ protocolType: 'consumer', group: { groupId: 'g', generationId: first.generationId, protocolName: 'range' } });
    expect(migrating!.group.members.map((m) => m.memberId)).toEqual([first.memberId]);
    h.absorb(h.c.handOver(h.now, 'g'));
    expect(h.c.migratingGroup('g')).toBeUndefined();
    expect(h.c.snapshot()[0]).toMatchObject({ groupId: 'g', state: 'Empty', generationId: 0, members: [], offsets: [{ topic: 't', partition: 0, offset: 7 }] });
    // A group the consumer group coordinator owns now: a stale classic heartbeat finds no member.
    expect(h.heartbeat(first.memberId, first.generationId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(h.log.at(-1)!.value).toBeNull();
  });
});
