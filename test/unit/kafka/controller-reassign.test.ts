// The controller core's partition reassignment (KIP-455 in ZooKeeper mode), phase by phase: the
// assignment written first (RS = TRS + ORS), the epoch bump that tells every replica, completion once the
// targets are in the ISR (leader from TRS, ISR = TRS), then RS = TRS and the removed replicas deleted;
// replacing and cancelling; a new controller resuming from the znodes.
import { expect, test } from 'vitest';
import { ControllerCore, type Announced, type LiveBroker, type StateRecord, type StateWrite, type TopicInfo } from '../../../src/kafka/controller/controller-core.js';

const broker = (id: number): LiveBroker => ({ id, epoch: 100 + id, endpoints: [], rack: null });
const BROKERS = [1, 2, 3, 4].map(broker);
const topic = (replicas: number[][], adding: Record<number, number[]> = {}, removing: Record<number, number[]> = {}): TopicInfo => ({
  name: 't',
  topicId: '0'.repeat(31) + '1',
  replicas,
  addingReplicas: adding,
  removingReplicas: removing,
});

function land(core: ControllerCore, writes: StateWrite[]): Announced {
  return core.written(writes.map((w) => ({ topic: w.topic, partition: w.partition, zkVersion: w.expectedVersion === 'create' ? 0 : w.expectedVersion + 1 })));
}

/** t-0 on [1, 2, 3], led by 1, all in sync. */
function cluster(): ControllerCore {
  const core = new ControllerCore(1, 7, { uncleanElection: () => false, imbalancePercentage: 10 });
  land(core, core.start(BROKERS, [topic([[1, 2, 3]])], []));
  return core;
}

/** The leader reports a new ISR (ZooKeeper-mode ISR update, same leader epoch). */
function isrGrows(core: ControllerCore, isr: number[]): StateWrite[] {
  const s = core.state('t', 0)!;
  return core.statesRead([{ topic: 't', partition: 0, state: { ...s, isr, zkVersion: s.zkVersion + 1 } }]);
}

test('moving a replica: RS = TRS + ORS first, then completion once the target is in sync, then RS = TRS and the removed replica deleted', () => {
  const core = cluster();
  const started = core.reassign([{ topic: 't', partition: 0, replicas: [4, 2, 3] }]);
  expect(started.refusals).toEqual([{ topic: 't', partition: 0, refusal: undefined }]);
  expect(started.assignments).toEqual([{ topic: 't', partition: 0, replicas: [4, 2, 3, 1], adding: [4], removing: [1] }]);
  // Phase A: the same leader and ISR under a new epoch, announced with the whole RS (4 starts following).
  expect(started.writes).toEqual([{ topic: 't', partition: 0, expectedVersion: 0, state: { leader: 1, leaderEpoch: 1, isr: [1, 2, 3], controllerEpoch: 7 } }]);
  const announced = land(core, started.writes);
  expect(announced.assignments).toEqual([]);
  const toFour = announced.requests.find((r) => r.kind === 'leaderAndIsr' && r.broker === 4);
  expect(toFour?.kind === 'leaderAndIsr' && toFour.partitions[0]).toMatchObject({ replicas: [4, 2, 3, 1], addingReplicas: [4], removingReplicas: [1] });
  expect(core.reassignments('all')).toEqual([{ topic: 't', partition: 0, replicas: [4, 2, 3, 1], adding: [4], removing: [1] }]);

  // 4 caught up: phase B leads from the target (1 is leaving) and shrinks the ISR to it in one write.
  const complete = isrGrows(core, [1, 2, 3, 4]);
  expect(complete).toEqual([{ topic: 't', partition: 0, expectedVersion: 2, state: { leader: 4, leaderEpoch: 2, isr: [2, 3, 4], controllerEpoch: 7 } }]);
  const done = land(core, complete);
  expect(done.assignments).toEqual([{ topic: 't', partition: 0, replicas: [4, 2, 3], adding: [], removing: [] }]);
  const stop = done.requests.find((r) => r.kind === 'stopReplica');
  expect(stop).toEqual({ kind: 'stopReplica', broker: 1, brokerEpoch: 101, partitions: [{ topic: 't', partition: 0, leaderEpoch: 2, deletePartition: true }] });
  // The removed replica hears no LeaderAndIsr for the partition any more.
  expect(done.requests.filter((r) => r.kind === 'leaderAndIsr').map((r) => r.broker)).toEqual([2, 3, 4]);
  expect(core.reassignments('all')).toEqual([]);
  expect(core.topic('t')?.replicas).toEqual([[4, 2, 3]]);
});

test('a target already in sync completes at once; a pure shrink keeps the leader', () => {
  const core = cluster();
  const { assignments, writes } = core.reassign([{ topic: 't', partition: 0, replicas: [1, 2] }]);
  expect(assignments).toEqual([{ topic: 't', partition: 0, replicas: [1, 2, 3], adding: [], removing: [3] }]);
  expect(writes.map((w) => w.state)).toEqual([{ leader: 1, leaderEpoch: 1, isr: [1, 2], controllerEpoch: 7 }]);
  const done = land(core, writes);
  expect(done.assignments).toEqual([{ topic: 't', partition: 0, replicas: [1, 2], adding: [], removing: [] }]);
  expect(done.requests.filter((r) => r.kind === 'stopReplica').map((r) => r.broker)).toEqual([3]);
});

test('refusals: unknown partitions, bad lists, dead new replicas, cancelling nothing', () => {
  const core = cluster();
  const { refusals, assignments, writes } = core.reassign([
    { topic: 'nope', partition: 0, replicas: [1] },
    { topic: 't', partition: 1, replicas: [1] },
    { topic: 't', partition: 0, replicas: [] },
    { topic: 't', partition: 0, replicas: [2, 2] },
    { topic: 't', partition: 0, replicas: [-1, 2] },
    { topic: 't', partition: 0, replicas: [9, 2] },
    { topic: 't', partition: 0, replicas: null },
  ]);
  expect(refusals.map((r) => r.refusal?.kind)).toEqual(['unknown', 'unknown', 'invalid', 'invalid', 'invalid', 'invalid', 'noneInProgress']);
  expect(assignments).toEqual([]);
  expect(writes).toEqual([]);
});

test('cancelling goes back to the original replicas (in RS order, as Kafka keeps them) and deletes the ones being added', () => {
  const core = cluster();
  land(core, core.reassign([{ topic: 't', partition: 0, replicas: [4, 2, 3] }]).writes);
  land(core, isrGrows(core, [1, 2, 3]));
  const { refusals, assignments, writes } = core.reassign([{ topic: 't', partition: 0, replicas: null }]);
  expect(refusals[0]!.refusal).toBeUndefined();
  expect(assignments).toEqual([{ topic: 't', partition: 0, replicas: [2, 3, 1], adding: [], removing: [] }]);
  const done = land(core, writes);
  expect(done.requests.filter((r) => r.kind === 'stopReplica')).toEqual([
    { kind: 'stopReplica', broker: 4, brokerEpoch: 104, partitions: [{ topic: 't', partition: 0, leaderEpoch: 2, deletePartition: true }] },
  ]);
  expect(core.reassignments('all')).toEqual([]);
});

test('a replacement that drops the leader moves leadership first, then starts', () => {
  // Moving [1, 2, 3] to [4, 2, 3]: 1 died and 4, in sync by then, leads; only 4 and 1 are in the ISR.
  const fresh = new ControllerCore(2, 8, { uncleanElection: () => false, imbalancePercentage: 10 });
  const led: StateRecord = { leader: 4, leaderEpoch: 5, isr: [4, 1], controllerEpoch: 7, zkVersion: 5 };
  land(fresh, fresh.start(BROKERS, [topic([[4, 2, 3, 1]], { 0: [4] }, { 0: [1] })], [[{ topic: 't', partition: 0 }, led]]));
  const { assignments, writes } = fresh.reassign([{ topic: 't', partition: 0, replicas: [2, 1] }]);
  // Leader 4 is not wanted: it hands over to 1 (the only other in-sync replica) before any assignment is written.
  expect(assignments).toEqual([]);
  expect(writes.map((w) => [w.state.leader, w.state.isr])).toEqual([[1, [1]]]);
  const next = land(fresh, writes);
  // Against the original [2, 3, 1]: nothing to add, 3 to remove once 2 is in sync.
  expect(next.assignments).toEqual([{ topic: 't', partition: 0, replicas: [2, 1, 3], adding: [], removing: [3] }]);
  expect(next.writes.map((w) => [w.state.leader, w.state.isr])).toEqual([[1, [1]]]);
  const after = land(fresh, next.writes);
  expect(after.requests.filter((r) => r.kind === 'stopReplica').map((r) => r.broker)).toEqual([4]);
});

test('a new controller resumes a reassignment from the znodes: announced again if unfinished, finished if the targets are in sync', () => {
  const moving = topic([[4, 2, 3, 1]], { 0: [4] }, { 0: [1] });
  const at = (isr: number[]): [{ topic: string; partition: number }, StateRecord][] => [[{ topic: 't', partition: 0 }, { leader: 1, leaderEpoch: 3, isr, controllerEpoch: 7, zkVersion: 3 }]];
  const a = new ControllerCore(2, 8, { uncleanElection: () => false, imbalancePercentage: 10 });
  expect(a.start(BROKERS, [moving], at([1, 2, 3])).map((w) => w.state)).toEqual([{ leader: 1, leaderEpoch: 4, isr: [1, 2, 3], controllerEpoch: 8 }]);
  expect(a.reassignments('all')).toHaveLength(1);
  const b = new ControllerCore(2, 8, { uncleanElection: () => false, imbalancePercentage: 10 });
  const writes = b.start(BROKERS, [moving], at([1, 2, 3, 4]));
  expect(writes.map((w) => w.state)).toEqual([{ leader: 4, leaderEpoch: 4, isr: [2, 3, 4], controllerEpoch: 8 }]);
  expect(land(b, writes).assignments).toEqual([{ topic: 't', partition: 0, replicas: [4, 2, 3], adding: [], removing: [] }]);
});

test('a partition whose write the shell gave up on is not left pending: it can be reassigned again', () => {
  const core = cluster();
  const first = core.reassign([{ topic: 't', partition: 0, replicas: [4, 2, 3] }]);
  expect(core.reassign([{ topic: 't', partition: 0, replicas: [4, 2, 1] }]).refusals[0]!.refusal?.kind).toBe('invalid');
  core.abandon(first.writes);
  const again = core.reassign([{ topic: 't', partition: 0, replicas: [4, 2, 1] }]);
  expect(again.refusals[0]!.refusal).toBeUndefined();
  expect(again.assignments).toEqual([{ topic: 't', partition: 0, replicas: [4, 2, 1, 3], adding: [4], removing: [3] }]);
});
