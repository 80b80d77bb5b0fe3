import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { encodeGroupMetadataKey, encodeGroupMetadataValue } from '../../../protocol/kafka/consumer-offsets/group-metadata.js';
import { encodeOffsetCommitKey, encodeOffsetCommitValue } from '../../../protocol/kafka/consumer-offsets/offset-commit.js';
import { GroupCoordinator } from '../../../src/kafka/groups/coordinator.js';
import { replayConsumerOffsets } from '../../../src/kafka/groups/replay.js';
import { Harness, SESSION_MS, subscription } from './harness.js';

const DAY = 24 * 3_600_000;

/** A busy history: rebalances, static and dynamic members, commits, deletions, expiry. */
function history(h: Harness): { dynamic: string; staticId: string } {
  const ta = h.join({ groupInstanceId: 'inst-1', protocols: [{ name: 'range', metadata: subscription('orders') }] });
  const tb = h.joinNew({ protocols: [{ name: 'range', metadata: subscription('orders', 'payments') }] });
  h.advance(2 * h.c.config.groupInitialRebalanceDelayMs);
  const staticId = h.response(ta, 'joinGroup').memberId;
  const dynamic = h.response(tb, 'joinGroup').memberId;
  h.sync(dynamic, 1);
  h.sync(staticId, 1, [
    { memberId: staticId, assignment: Buffer.from('orders-0') },
    { memberId: dynamic, assignment: Buffer.from('orders-1,payments-0') },
  ], { groupInstanceId: 'inst-1' });
  h.commit(
    [
      { topic: 'orders', partition: 0, offset: 100, metadata: 'from static' },
      { topic: 'orders', partition: 1, offset: 200 },
    ],
    { memberId: dynamic, generationIdOrMemberEpoch: 1 },
  );
  // The static member restarts: new member id, no rebalance.
  const restarted = h.response(h.join({ groupInstanceId: 'inst-1', protocols: [{ name: 'range', metadata: subscription('orders') }] }), 'joinGroup');
  h.commit([{ topic: 'orders', partition: 0, offset: 150, metadata: 'again' }], {
    memberId: restarted.memberId,
    groupInstanceId: 'inst-1',
    generationIdOrMemberEpoch: 1,
  });

  // A group of simple consumers, one offset deleted, one with its own retention.
  h.commit([{ topic: 'logs', partition: 0, offset: 1 }, { topic: 'logs', partition: 1, offset: 2 }], { groupId: 'simple' });
  h.commit([{ topic: 'logs', partition: 2, offset: 3 }], { groupId: 'simple', retentionTimeMs: DAY });
  h.offsetDelete('simple', [{ name: 'logs', partitions: [1] }]);

  // A group that comes and goes; another that is deleted.
  const gone = h.soloMember({ groupId: 'emptied' });
  h.commit([{ topic: 'x', partition: 0, offset: 5 }], { groupId: 'emptied', memberId: gone.memberId, generationIdOrMemberEpoch: 1 });
  h.leave([{ memberId: gone.memberId }], 'emptied');
  h.commit([{ topic: 'y', partition: 0, offset: 1 }], { groupId: 'doomed' });
  h.deleteGroups('doomed');

  h.advance(SESSION_MS / 2);
  h.heartbeat(restarted.memberId, 1, 'inst-1');
  h.heartbeat(dynamic, 1);
  return { dynamic, staticId: restarted.memberId };
}

describe('__consumer_offsets replay', () => {
  test('replaying the records the coordinator wrote rebuilds the same groups and offsets', () => {
    const h = new Harness({ config: { groupInitialRebalanceDelayMs: 100 } });
    history(h);
    expect(h.pendingAppends).toEqual([]);
    const live = h.c.snapshot();
    expect(live.map((g) => [g.groupId, g.state])).toEqual([
      ['emptied', 'Empty'],
      ['g', 'Stable'],
      ['simple', 'Empty'],
    ]);
    expect(h.restart().snapshot()).toEqual(live);
  });

  test('after a restart members carry on where they were: same ids, generation and offsets', () => {
    const h = new Harness({ config: { groupInitialRebalanceDelayMs: 100 } });
    const { dynamic, staticId } = history(h);
    const c = h.restart();
    const out = c.heartbeat(h.now, 'hb', { groupId: 'g', generationId: 1, memberId: dynamic, groupInstanceId: null });
    expect(out.replies).toEqual([{ token: 'hb', api: 'heartbeat', response: { errorCode: ErrorCode.NONE } }]);
    const sync = c.syncGroup(h.now, 's', {
      groupId: 'g',
      generationId: 1,
      memberId: staticId,
      groupInstanceId: 'inst-1',
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [],
    });
    expect(sync.replies[0]!.response).toMatchObject({ errorCode: ErrorCode.NONE, assignment: Buffer.from('orders-0') });
    const fetched = c.offsetFetch(h.now, 'f', { groups: [{ groupId: 'g', topics: null }], requireStable: true });
    expect(fetched.replies[0]!.response).toEqual({
      groups: [
        {
          groupId: 'g',
          errorCode: ErrorCode.NONE,
          topics: [
            {
              name: 'orders',
              partitions: [
                { partitionIndex: 0, committedOffset: 150, committedLeaderEpoch: -1, metadata: 'again', errorCode: ErrorCode.NONE },
                { partitionIndex: 1, committedOffset: 200, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE },
              ],
            },
          ],
        },
      ],
    });
  });

  test('members that do not come back after a restart are expired a session later', () => {
    const h = new Harness({ config: { groupInitialRebalanceDelayMs: 100 } });
    const { staticId } = history(h);
    const c = h.restart();
    c.heartbeat(h.now + SESSION_MS - 1, 'hb', { groupId: 'g', generationId: 1, memberId: staticId, groupInstanceId: 'inst-1' });
    c.tick(h.now + SESSION_MS);
    const g = c.snapshot().find((x) => x.groupId === 'g')!;
    expect(g.state).toBe('PreparingRebalance');
    expect(g.members.map((m) => m.memberId)).toEqual([staticId]);
  });

  test('offset expiry carries on from the stored timestamps', () => {
    const h = new Harness({ config: { groupInitialRebalanceDelayMs: 100 } });
    history(h);
    const c = h.restart();
    c.tick(h.now + DAY + 600_000);
    const simple = c.snapshot().find((x) => x.groupId === 'simple')!;
    expect(simple.offsets.map((o) => [o.topic, o.partition])).toEqual([['logs', 0]]);
  });

  test('a group over group.max.size when loaded is rebalanced', () => {
    const h = new Harness({ config: { groupInitialRebalanceDelayMs: 100 } });
    history(h);
    const c = h.restart({ groupMaxSize: 1 });
    expect(c.snapshot().find((x) => x.groupId === 'g')!.state).toBe('PreparingRebalance');
  });

  test('a deleted group\'s metadata stays deleted; later commits alone bring back an offsets-only group', () => {
    const replay = replayConsumerOffsets([
      { key: encodeGroupMetadataKey('g'), value: encodeGroupMetadataValue({ protocolType: 'consumer', generation: 3, protocol: null, leader: null, currentStateTimestamp: 5, members: [] }) },
      { key: encodeOffsetCommitKey({ group: 'g', topic: 't', partition: 0 }), value: encodeOffsetCommitValue({ offset: 1, leaderEpoch: -1, metadata: '', commitTimestamp: 5, expireTimestamp: -1 }) },
      { key: encodeGroupMetadataKey('g'), value: null },
      { key: encodeOffsetCommitKey({ group: 'h', topic: 't', partition: 0 }), value: encodeOffsetCommitValue({ offset: 1, leaderEpoch: -1, metadata: '', commitTimestamp: 5, expireTimestamp: -1 }) },
      { key: encodeOffsetCommitKey({ group: 'h', topic: 't', partition: 0 }), value: null },
    ]);
    expect(replay.groups().map((g) => [g.groupId, g.metadata, [...g.offsets.keys()]])).toEqual([['g', null, ['t']]]);
    const c = new GroupCoordinator<string>({ memberIdSuffix: () => 'x' }, 0, replay.groups());
    expect(c.snapshot()).toMatchObject([{ groupId: 'g', state: 'Empty', generationId: 0, protocolType: null }]);
  });

  test('unreadable records are counted and left out; records of unknown versions are skipped', () => {
    const good = { key: encodeOffsetCommitKey({ group: 'g', topic: 't', partition: 0 }), value: encodeOffsetCommitValue({ offset: 7, leaderEpoch: -1, metadata: '', commitTimestamp: 5, expireTimestamp: -1 }) };
    const replay = replayConsumerOffsets([
      { key: Buffer.from('00', 'hex'), value: null },
      { key: good.key, value: Buffer.from('0003ff', 'hex') },
      { key: Buffer.from('0010', 'hex'), value: Buffer.alloc(3) },
      good,
    ]);
    replay.apply({ key: null, value: null });
    expect(replay.malformed).toBe(3);
    expect(replay.unknown).toBe(1);
    expect(replay.groups()[0]!.offsets.get('t')!.get(0)!.offset).toBe(7);
  });
});
