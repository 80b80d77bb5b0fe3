import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { decodeConsumerOffsetsRecord } from '../../../protocol/kafka/consumer-offsets/records.js';
import { Harness, subscription } from './harness.js';

describe('DescribeGroups', () => {
  test('a Stable group shows its protocol and each member\'s metadata and assignment', () => {
    const h = new Harness();
    const { memberId } = h.soloMember();
    expect(h.describe()).toEqual({
      errorCode: ErrorCode.NONE,
      groupId: 'g',
      groupState: 'Stable',
      protocolType: 'consumer',
      protocolData: 'range',
      members: [
        {
          memberId,
          groupInstanceId: null,
          clientId: 'client',
          clientHost: '/127.0.0.1',
          memberMetadata: subscription('t'),
          memberAssignment: Buffer.from('a'),
        },
      ],
    });
  });

  test('outside Stable, members are listed without metadata and the protocol is blank', () => {
    const h = new Harness();
    h.soloMember();
    h.joinNew();
    const d = h.describe();
    expect(d).toMatchObject({ groupState: 'PreparingRebalance', protocolType: 'consumer', protocolData: '' });
    expect(d.members.map((m) => [m.memberMetadata.length, m.memberAssignment.length])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  test('an unknown group is described as Dead, without error', () => {
    const h = new Harness();
    expect(h.describe('nope')).toEqual({
      errorCode: ErrorCode.NONE,
      groupId: 'nope',
      groupState: 'Dead',
      protocolType: '',
      protocolData: '',
      members: [],
    });
  });
});

describe('ListGroups', () => {
  test('lists every group with its protocol type and state, filtered by state case-insensitively', () => {
    const h = new Harness();
    h.soloMember();
    h.commit([{ topic: 't', partition: 0, offset: 1 }], { groupId: 'offsets-only' });
    expect(h.list()).toEqual([
      { groupId: 'g', protocolType: 'consumer', groupState: 'Stable' },
      { groupId: 'offsets-only', protocolType: '', groupState: 'Empty' },
    ]);
    expect(h.list(['stable']).map((g) => g.groupId)).toEqual(['g']);
    expect(h.list(['Empty', 'PreparingRebalance']).map((g) => g.groupId)).toEqual(['offsets-only']);
    expect(h.list(['Dead'])).toEqual([]);
  });
});

describe('DeleteGroups', () => {
  test('only empty groups are deleted: their offsets and metadata get tombstones, answered once durable', () => {
    const h = new Harness();
    const { memberId } = h.soloMember();
    h.commit([{ topic: 't', partition: 0, offset: 3 }], { memberId, generationIdOrMemberEpoch: 1 });
    h.commit([{ topic: 't', partition: 0, offset: 1 }], { groupId: 'simple' });
    h.leave([{ memberId }], 'g');
    expect(h.state()).toBe('Empty');
    h.soloMember({ groupId: 'busy' });

    h.autoAppend = false;
    const t = h.deleteGroups('g', 'busy', 'missing', 'simple', 'g');
    expect(h.answered(t)).toBe(false);
    const written = h.pendingAppends.flatMap((a) => a.records.map((r) => decodeConsumerOffsetsRecord(r.key, r.value)));
    expect(written).toEqual([
      { type: 'offset', group: 'g', topic: 't', partition: 0, value: null },
      { type: 'group', group: 'g', value: null },
      // An offsets-only group never wrote metadata, so it needs no metadata tombstone.
      { type: 'offset', group: 'simple', topic: 't', partition: 0, value: null },
    ]);
    h.completeAppends(0, 1);
    expect(h.answered(t)).toBe(false);
    h.completeAppends();
    expect(h.response(t, 'deleteGroups').results).toEqual([
      { groupId: 'g', errorCode: ErrorCode.NONE },
      { groupId: 'busy', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'missing', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
      { groupId: 'simple', errorCode: ErrorCode.NONE },
    ]);
    expect(h.list().map((g) => g.groupId)).toEqual(['busy']);
    expect(h.committed('t', 0, 'g')).toBe(-1);
  });

  test('a deleted group can be used again from scratch', () => {
    const h = new Harness();
    h.commit([{ topic: 't', partition: 0, offset: 1 }]);
    h.deleteGroups('g');
    const { generationId } = h.soloMember();
    expect(generationId).toBe(1);
    expect(h.committed('t', 0)).toBe(-1);
  });

  test('a failed write is reported for the group it concerns', () => {
    const h = new Harness();
    h.commit([{ topic: 't', partition: 0, offset: 1 }]);
    h.autoAppend = false;
    const t = h.deleteGroups('g');
    h.completeAppends(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(h.response(t, 'deleteGroups').results).toEqual([{ groupId: 'g', errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }]);
  });
});
