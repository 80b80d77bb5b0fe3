// The coordinator's own side of leadership moving: a partition's groups leave memory with every request
// they parked answered once, and come back from their records.
import { expect, test } from 'vitest';
import { partitionForGroup } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { replayConsumerOffsets } from '../../../src/kafka/groups/replay.js';
import { Harness } from './harness.js';

test('unloading a partition answers a commit still being written and parked joins NOT_COORDINATOR, and writes nothing more', () => {
  const h = new Harness();
  const first = h.joinNew();
  const leader = h.response(first, 'joinGroup').memberId;
  h.sync(leader, 1, [{ memberId: leader, assignment: Buffer.from('a') }]);
  h.autoAppend = false;
  const commit = h.commit([{ topic: 't', partition: 0, offset: 5 }], { generationIdOrMemberEpoch: 1, memberId: leader });
  const parked = h.joinNew();
  expect(h.answered(parked)).toBe(false);
  const durable = h.log.length;

  const partition = partitionForGroup('g', h.c.config.offsetsTopicNumPartitions);
  const out = h.absorb(h.c.partitionUnloaded(h.now, partition));
  expect(out.appends).toEqual([]);
  expect(h.response(commit, 'offsetCommit').topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  expect(h.response(parked, 'joinGroup').errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  expect(h.c.snapshot()).toEqual([]);
  // The write reported late changes nothing and answers nobody twice (the harness would throw).
  h.completeAppends();
  expect(h.c.snapshot()).toEqual([]);
  // No deadline of the group is left behind; only the periodic offset expiry remains.
  h.advance(60_000);
  expect(h.c.snapshot()).toEqual([]);

  // Loaded back from what was durable, the group resumes with its member.
  h.absorb(h.c.groupsLoaded(h.now, replayConsumerOffsets(h.log.slice(0, durable)).groups()));
  expect(h.c.snapshot().map((g) => [g.groupId, g.state])).toEqual([['g', 'Stable']]);
  expect(h.heartbeat(leader, 1)).toBe(ErrorCode.NONE);
});

test('unloading one partition leaves groups of the others alone', () => {
  const h = new Harness();
  const partitions = h.c.config.offsetsTopicNumPartitions;
  const other = ['h', 'i', 'j', 'k'].find((g) => partitionForGroup(g, partitions) !== partitionForGroup('g', partitions))!;
  h.commit([{ topic: 't', partition: 0, offset: 1 }]);
  h.commit([{ topic: 't', partition: 0, offset: 2 }], { groupId: other });
  h.absorb(h.c.partitionUnloaded(h.now, partitionForGroup('g', partitions)));
  expect(h.c.snapshot().map((g) => g.groupId)).toEqual([other]);
});
