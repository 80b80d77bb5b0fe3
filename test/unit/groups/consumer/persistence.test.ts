// The KIP-848 coordinator's records: what it drains after each change, replayed by a new coordinator
// (as after a __consumer_offsets leader change), rebuilds the same groups, and members carry on with
// their epochs and partitions instead of rejoining.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../protocol/kafka/errors.js';
import type { ConsumerOffsetsRecord } from '../../../../src/kafka/groups/api.js';
import {
  ConsumerGroupCoordinator,
  DEFAULT_CONSUMER_GROUP_CONFIG,
  type ConsumerHeartbeatRequest,
  type ConsumerHeartbeatResponse,
} from '../../../../src/kafka/groups/consumer/coordinator.js';
import { followUp, hb } from './heartbeats.js';
import { ConsumerOffsetsReplay } from '../../../../src/kafka/groups/replay.js';

const T1 = '000000000000000000000000000000a1';
const topics = new Map([['t', { id: T1, partitions: 4 }]]);

function coordinator(): ConsumerGroupCoordinator {
  let ids = 0;
  return new ConsumerGroupCoordinator(DEFAULT_CONSUMER_GROUP_CONFIG, { topics: () => topics }, () => `m${++ids}`);
}

function next(r: ConsumerHeartbeatResponse, parts: number[]): Partial<ConsumerHeartbeatRequest> {
  return followUp(T1, r, parts);
}

/** A log: every drained batch appended in order. */
function drainInto(c: ConsumerGroupCoordinator, log: ConsumerOffsetsRecord[]): ConsumerOffsetsRecord[] {
  const batch = c.drainRecords().flatMap((a) => a.records);
  log.push(...batch);
  return batch;
}

function reload(log: readonly ConsumerOffsetsRecord[], nowMs = 0): ConsumerGroupCoordinator {
  const replay = new ConsumerOffsetsReplay();
  for (const r of log) replay.apply(r);
  const c = coordinator();
  expect(c.load(nowMs, replay.consumerGroups())).toBe(0);
  return c;
}

/** Log compaction: the last record per key, tombstones gone. */
function compacted(log: readonly ConsumerOffsetsRecord[]): ConsumerOffsetsRecord[] {
  const last = new Map<string, ConsumerOffsetsRecord>();
  for (const r of log) {
    const k = r.key.toString('hex');
    last.delete(k);
    last.set(k, r);
  }
  return [...last.values()].filter((r) => r.value !== null);
}

describe('consumer group records', () => {
  it('a reloaded coordinator holds the same group, mid-reconciliation, and its members carry on', () => {
    const c = coordinator();
    const log: ConsumerOffsetsRecord[] = [];
    const a = c.heartbeat(0, hb({ rackId: 'r1', serverAssignor: 'range' }));
    const b = c.heartbeat(1, hb({ instanceId: 'static-b' }));
    // a must give up half its partitions for b: it is now revoking.
    const a2 = c.heartbeat(2, hb(next(a, [0, 1, 2, 3])));
    drainInto(c, log);
    const before = c.describe('g')!;
    expect(before.members.find((m) => m.memberId === a.memberId)!.state).toBe('unrevoked');

    const d = reload(log);
    expect(d.describe('g')).toEqual(before);
    // a confirms the revocation to the new coordinator; b then gets the released partitions.
    const a3 = d.heartbeat(10, hb(next(a2, a2.assignment!.topicPartitions[0]!.partitions)));
    expect(a3.errorCode).toBe(ErrorCode.NONE);
    const b2 = d.heartbeat(11, hb(next(b, [])));
    expect(b2.errorCode).toBe(ErrorCode.NONE);
    expect(b2.memberEpoch).toBe(before.assignmentEpoch);
    expect(b2.assignment!.topicPartitions[0]!.partitions.length).toBe(2);
    // A compacted log rebuilds the same state as the whole one.
    drainInto(d, log);
    expect(reload(compacted(log)).describe('g')).toEqual(reload(log).describe('g'));
  });

  it('a heartbeat that changes nothing writes nothing; a new epoch writes the group and every member', () => {
    const c = coordinator();
    const log: ConsumerOffsetsRecord[] = [];
    const a = c.heartbeat(0, hb({}));
    drainInto(c, log);
    c.heartbeat(1, hb(next(a, [0, 1, 2, 3])));
    expect(drainInto(c, log)).toEqual([]);
    c.heartbeat(2, hb({}));
    const types = drainInto(c, log).map((r) => r.key.readInt16BE(0));
    // Member metadata, target and current assignment of the new member and a's new target; group and
    // assignment epochs. The subscribed topics did not change: no partition metadata record.
    expect(new Set(types)).toEqual(new Set([3, 5, 6, 7, 8]));
  });

  it('a member that leaves gets tombstones; a deleted group leaves nothing behind', () => {
    const c = coordinator();
    const log: ConsumerOffsetsRecord[] = [];
    const a = c.heartbeat(0, hb({}));
    const b = c.heartbeat(1, hb({}));
    drainInto(c, log);
    c.heartbeat(2, hb({ memberId: b.memberId!, memberEpoch: -1 }));
    const tombstones = drainInto(c, log).filter((r) => r.value === null);
    expect(tombstones.map((r) => r.key.readInt16BE(0)).sort()).toEqual([5, 7, 8]);
    expect(reload(log).describe('g')!.members.map((m) => m.memberId)).toEqual([a.memberId]);

    c.heartbeat(3, hb({ memberId: a.memberId!, memberEpoch: -1 }));
    expect(c.delete('g')).toBe(true);
    drainInto(c, log);
    expect(reload(log).has('g')).toBe(false);
    expect(compacted(log)).toEqual([]);
  });

  it('a static member that left temporarily is reloaded with its place and comes back under a new id', () => {
    const c = coordinator();
    const log: ConsumerOffsetsRecord[] = [];
    const a = c.heartbeat(0, hb({ instanceId: 'i' }));
    c.heartbeat(1, hb({ memberId: a.memberId!, memberEpoch: -2, instanceId: 'i' }));
    drainInto(c, log);
    const d = reload(log, 100);
    const back = d.heartbeat(101, hb({ memberId: 'again', instanceId: 'i' }));
    expect(back.errorCode).toBe(ErrorCode.NONE);
    expect(back.memberEpoch).toBe(a.memberEpoch);
    expect(back.assignment!.topicPartitions[0]!.partitions).toEqual([0, 1, 2, 3]);
  });

  it('sessions of loaded members run from the load, and an expired member is written away', () => {
    const c = coordinator();
    const log: ConsumerOffsetsRecord[] = [];
    c.heartbeat(0, hb({}));
    drainInto(c, log);
    const d = reload(log, 1_000_000);
    d.tick(1_000_000 + DEFAULT_CONSUMER_GROUP_CONFIG.sessionTimeoutMs - 1);
    expect(d.hasMembers('g')).toBe(true);
    d.tick(1_000_000 + DEFAULT_CONSUMER_GROUP_CONFIG.sessionTimeoutMs);
    expect(d.hasMembers('g')).toBe(false);
    drainInto(d, log);
    expect(reload(log).describe('g')!.members).toEqual([]);
  });

  it('forgetting a partition\'s groups writes nothing', () => {
    const c = coordinator();
    c.heartbeat(0, hb({}));
    c.forget(() => false);
    expect(c.drainRecords()).toEqual([]);
    expect(c.has('g')).toBe(false);
  });
});
