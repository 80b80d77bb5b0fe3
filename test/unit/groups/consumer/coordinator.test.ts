import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../protocol/kafka/errors.js';
import {
  ConsumerGroupCoordinator,
  DEFAULT_CONSUMER_GROUP_CONFIG,
  type ConsumerHeartbeatRequest,
  type ConsumerHeartbeatResponse,
} from '../../../../src/kafka/groups/consumer/coordinator.js';
import { followUp, hb } from './heartbeats.js';

const T1 = '00000000-0000-0000-0000-000000000001';

function setup(partitions = 4, config = {}) {
  const topics = new Map([['t', { id: T1, partitions }]]);
  let ids = 0;
  const c = new ConsumerGroupCoordinator({ ...DEFAULT_CONSUMER_GROUP_CONFIG, ...config }, { topics: () => topics }, () => `m${++ids}`);
  return { c, topics };
}

function owned(r: ConsumerHeartbeatResponse): number[] {
  return r.assignment?.topicPartitions.flatMap((t) => t.partitions) ?? [];
}

function next(r: ConsumerHeartbeatResponse, parts: number[]): Partial<ConsumerHeartbeatRequest> {
  return followUp(T1, r, parts);
}

describe('ConsumerGroupCoordinator', () => {
  it('gives a lone member every partition at epoch 1', () => {
    const { c } = setup();
    const r = c.heartbeat(0, hb({}));
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.memberId).toBe('m1');
    expect(r.memberEpoch).toBe(1);
    expect(owned(r)).toEqual([0, 1, 2, 3]);
    expect(r.heartbeatIntervalMs).toBe(5_000);
  });

  it('revokes before it assigns: a second member gets partitions only after the first releases them', () => {
    const { c } = setup();
    const a = c.heartbeat(0, hb({}));
    const b = c.heartbeat(1, hb({ memberId: 'b' }));
    expect(b.memberEpoch).toBe(2);
    expect(owned(b)).toEqual([]); // all four still held by a
    const a2 = c.heartbeat(2, hb(next(a, [0, 1, 2, 3])));
    expect(a2.memberEpoch).toBe(1); // still revoking: epoch not bumped yet
    expect(owned(a2)).toHaveLength(2);
    const b2 = c.heartbeat(3, hb(next(b, [])));
    expect(owned(b2)).toEqual([]); // a has not confirmed the revocation
    const a3 = c.heartbeat(4, hb(next(a2, owned(a2))));
    expect(a3.memberEpoch).toBe(2);
    const b3 = c.heartbeat(5, hb(next(b2, [])));
    expect(owned(b3).sort()).toEqual([0, 1, 2, 3].filter((p) => !owned(a3).includes(p)));
  });

  it('fences a stale epoch and refuses unknown members', () => {
    const { c } = setup();
    const a = c.heartbeat(0, hb({}));
    expect(c.heartbeat(1, hb({ memberId: a.memberId!, memberEpoch: 7, topicPartitions: null })).errorCode).toBe(ErrorCode.FENCED_MEMBER_EPOCH);
    expect(c.heartbeat(1, hb({ memberId: 'nobody', memberEpoch: 1 })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('validates first requests, assignor names and regexes', () => {
    const { c } = setup();
    expect(c.heartbeat(0, hb({ groupId: '' })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(c.heartbeat(0, hb({ subscribedTopicNames: null })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(c.heartbeat(0, hb({ rebalanceTimeoutMs: -1 })).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(c.heartbeat(0, hb({ serverAssignor: 'sticky' })).errorCode).toBe(ErrorCode.UNSUPPORTED_ASSIGNOR);
    expect(c.heartbeat(0, hb({ subscribedTopicRegex: '(a' })).errorCode).toBe(ErrorCode.INVALID_REGULAR_EXPRESSION);
    expect(c.heartbeat(0, hb({ subscribedTopicRegex: '(a)\\1' })).errorCode).toBe(ErrorCode.INVALID_REGULAR_EXPRESSION);
    expect(c.heartbeat(0, hb({ subscribedTopicRegex: 'a'.repeat(2_000) })).errorCode).toBe(ErrorCode.INVALID_REGULAR_EXPRESSION);
  });

  it('subscribes by regex', () => {
    const { c } = setup();
    const r = c.heartbeat(0, hb({ subscribedTopicNames: null, subscribedTopicRegex: 't.*' }));
    expect(owned(r)).toEqual([0, 1, 2, 3]);
  });

  it('range gives contiguous ranges', () => {
    const { c } = setup(5);
    const a = c.heartbeat(0, hb({ memberId: 'a', serverAssignor: 'range' }));
    c.heartbeat(1, hb({ memberId: 'b', serverAssignor: 'range' }));
    const a2 = c.heartbeat(2, hb(next(a, [0, 1, 2, 3, 4])));
    expect(owned(a2)).toEqual([0, 1, 2]);
  });

  it('removes a member whose session ran out and its partitions go to the others', () => {
    const { c } = setup(2, { sessionTimeoutMs: 1_000 });
    const a = c.heartbeat(0, hb({ memberId: 'a' }));
    const b = c.heartbeat(0, hb({ memberId: 'b' }));
    const a2 = c.heartbeat(500, hb(next(a, owned(a))));
    const a3 = c.heartbeat(600, hb(next(a2, owned(a2))));
    expect(c.nextDeadline()).toBe(1_000);
    c.tick(1_000); // b is gone
    expect(c.describe('g')!.members.map((m) => m.memberId)).toEqual(['a']);
    const a4 = c.heartbeat(1_100, hb(next(a3, owned(a3))));
    expect(owned(a4)).toEqual([0, 1]);
    expect(b.memberEpoch).toBeGreaterThan(0);
  });

  it('leave -1 frees the partitions; a static member leaving with -2 is taken over by its instance id', () => {
    const { c } = setup(2);
    const a = c.heartbeat(0, hb({ memberId: 'a', instanceId: 'i1' }));
    expect(c.heartbeat(1, hb({ memberId: 'x', instanceId: 'i1' })).errorCode).toBe(ErrorCode.UNRELEASED_INSTANCE_ID);
    expect(c.heartbeat(1, hb({ memberId: 'a', memberEpoch: -2, instanceId: 'i1' })).memberEpoch).toBe(-2);
    const back = c.heartbeat(2, hb({ memberId: 'a2', instanceId: 'i1' }));
    expect(back.memberEpoch).toBe(a.memberEpoch);
    expect(owned(back)).toEqual([0, 1]);
    expect(c.heartbeat(3, hb({ memberId: 'a2', memberEpoch: -1 })).memberEpoch).toBe(-1);
    expect(c.describe('g')!.state).toBe('empty');
  });

  it('checks member and epoch of offset commits', () => {
    const { c } = setup();
    const a = c.heartbeat(0, hb({}));
    expect(c.validateOffsetRequest('g', a.memberId!, a.memberEpoch, true)).toBe(ErrorCode.NONE);
    expect(c.validateOffsetRequest('g', a.memberId!, 9, true)).toBe(ErrorCode.STALE_MEMBER_EPOCH);
    expect(c.validateOffsetRequest('g', 'zz', 1, true)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(c.validateOffsetRequest('g', '', -1, true)).toBe(ErrorCode.NONE);
    expect(c.validateOffsetRequest('other', 'zz', 1, true)).toBe(ErrorCode.NONE);
  });

  it('a new partition count starts a new epoch', () => {
    const { c, topics } = setup(2);
    const a = c.heartbeat(0, hb({}));
    topics.set('t', { id: T1, partitions: 3 });
    const a2 = c.heartbeat(1, hb(next(a, owned(a))));
    expect(a2.memberEpoch).toBe(2);
    expect(owned(a2)).toEqual([0, 1, 2]);
  });
});
