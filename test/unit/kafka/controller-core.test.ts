import { expect, test } from 'vitest';
import { ControllerCore, NO_LEADER, type BrokerRequest, type LiveBroker, type StateWrite, type TopicInfo } from '../../../src/kafka/controller/controller-core.js';

const broker = (id: number, epoch = 100 + id): LiveBroker => ({
  id,
  epoch,
  endpoints: [{ listener: 'PLAINTEXT', host: '127.0.0.1', port: 9000 + id, securityProtocol: 'PLAINTEXT' }],
  rack: null,
});

const topic = (name: string, replicas: number[][]): TopicInfo => ({ name, topicId: '0'.repeat(31) + '1', replicas });

/** Applies writes as ZooKeeper would (versions count up from 0) and returns the requests. */
function land(core: ControllerCore, writes: StateWrite[]): BrokerRequest[] {
  return core.written(writes.map((w) => ({ topic: w.topic, partition: w.partition, zkVersion: w.expectedVersion === 'create' ? 0 : w.expectedVersion + 1 }))).requests;
}

function cluster(unclean = false): ControllerCore {
  const core = new ControllerCore(1, 7, { uncleanElection: () => unclean, imbalancePercentage: 10 });
  land(core, core.start([broker(1), broker(2), broker(3)], [topic('t', [[1, 2, 3], [2, 3, 1], [3, 1, 2]])], []));
  return core;
}

test('new partitions start with the first live replica leading and every live replica in the ISR', () => {
  const core = new ControllerCore(1, 7, { uncleanElection: () => false, imbalancePercentage: 10 });
  const writes = core.start([broker(1), broker(2)], [topic('t', [[3, 1, 2], [2, 3, 1]])], []);
  expect(writes).toEqual([
    { topic: 't', partition: 0, expectedVersion: 'create', state: { leader: 1, leaderEpoch: 0, isr: [1, 2], controllerEpoch: 7 } },
    { topic: 't', partition: 1, expectedVersion: 'create', state: { leader: 2, leaderEpoch: 0, isr: [2, 1], controllerEpoch: 7 } },
  ]);
  const requests = land(core, writes);
  const lair = requests.filter((r) => r.kind === 'leaderAndIsr');
  expect(lair.map((r) => r.broker)).toEqual([1, 2]);
  const toOne = lair[0]!;
  expect(toOne.kind === 'leaderAndIsr' && toOne.partitions.map((p) => [p.partition, p.state.zkVersion, p.offlineReplicas])).toEqual([
    [0, 0, [3]],
    [1, 0, [3]],
  ]);
  expect(requests.filter((r) => r.kind === 'updateMetadata').map((r) => r.broker)).toEqual([1, 2]);
});

test('a dead leader is replaced by the next ISR member in assignment order, with a new leader epoch', () => {
  const core = cluster();
  const writes = core.brokersChanged([broker(1), broker(3)]);
  // Partition 1 was led by 2: 3 is next in [2, 3, 1]. Partition 0 and 2 only lose 2 from the ISR.
  const byPartition = Object.fromEntries(writes.map((w) => [w.partition, w.state]));
  expect(byPartition[1]).toEqual({ leader: 3, leaderEpoch: 1, isr: [3, 1], controllerEpoch: 7 });
  expect(byPartition[0]).toEqual({ leader: 1, leaderEpoch: 1, isr: [1, 3], controllerEpoch: 7 });
  expect(writes.every((w) => w.expectedVersion === 0)).toBe(true);
  const requests = land(core, writes);
  expect(requests.filter((r) => r.kind === 'leaderAndIsr').map((r) => r.broker)).toEqual([1, 3]);
  expect(core.state('t', 1)).toEqual({ leader: 3, leaderEpoch: 1, isr: [3, 1], controllerEpoch: 7, zkVersion: 1 });
});

test('without unclean election a partition whose ISR is gone stays offline, keeping its last ISR member', () => {
  const core = cluster();
  // The ISR of partition 0 shrinks to the leader alone (the leader wrote it), then the leader dies.
  land(core, core.statesRead([{ topic: 't', partition: 0, state: { leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: 7, zkVersion: 1 } }]));
  const writes = core.brokersChanged([broker(2), broker(3)]);
  expect(writes.find((w) => w.partition === 0)?.state).toEqual({ leader: NO_LEADER, leaderEpoch: 1, isr: [1], controllerEpoch: 7 });
  land(core, writes);
  // Broker 1 comes back: the one replica with everything leads again.
  const back = core.brokersChanged([broker(1, 500), broker(2), broker(3)]);
  expect(back.find((w) => w.partition === 0)?.state).toEqual({ leader: 1, leaderEpoch: 2, isr: [1], controllerEpoch: 7 });
});

test('with unclean election a live out-of-sync replica leads alone', () => {
  const core = cluster(true);
  land(core, core.statesRead([{ topic: 't', partition: 0, state: { leader: 1, leaderEpoch: 0, isr: [1], controllerEpoch: 7, zkVersion: 1 } }]));
  const writes = core.brokersChanged([broker(2), broker(3)]);
  expect(writes.find((w) => w.partition === 0)?.state).toEqual({ leader: 2, leaderEpoch: 1, isr: [2], controllerEpoch: 7 });
});

test('controlled shutdown moves leadership away and removes the broker from every ISR', () => {
  const core = cluster();
  const { writes, remaining, stop } = core.controlledShutdown(2);
  expect(remaining).toEqual([]);
  const byPartition = Object.fromEntries(writes.map((w) => [w.partition, w.state]));
  expect(byPartition[1]).toEqual({ leader: 3, leaderEpoch: 1, isr: [3, 1], controllerEpoch: 7 });
  expect(byPartition[0]?.isr).toEqual([1, 3]);
  expect(stop).toEqual([expect.objectContaining({ kind: 'stopReplica', broker: 2 })]);
  land(core, writes);
  // Nothing moves back to a broker shutting down, even as preferred leader.
  expect(core.electPreferred('all', false)).toEqual([]);
});

test('preferred leaders come back when alive and in the ISR', () => {
  const core = cluster();
  land(core, core.brokersChanged([broker(1), broker(3)]));
  land(core, core.brokersChanged([broker(1), broker(2, 900), broker(3)]));
  // Broker 2 is back but not in the ISR of partition 1 until its leader adds it.
  expect(core.electPreferred('all', true)).toEqual([]);
  land(core, core.statesRead([{ topic: 't', partition: 1, state: { leader: 3, leaderEpoch: 1, isr: [3, 1, 2], controllerEpoch: 7, zkVersion: 2 } }]));
  expect(core.electPreferred('all', true)).toEqual([
    { topic: 't', partition: 1, expectedVersion: 2, state: { leader: 2, leaderEpoch: 2, isr: [3, 1, 2], controllerEpoch: 7 } },
  ]);
});

test('a restart under the same id seen only as a new epoch is a failure followed by a start', () => {
  const core = cluster();
  const writes = core.brokersChanged([broker(1), broker(2, 999), broker(3)]);
  expect(writes.find((w) => w.partition === 1)?.state.leader).toBe(3);
  const requests = land(core, writes);
  const toTwo = requests.find((r) => r.kind === 'leaderAndIsr' && r.broker === 2);
  expect(toTwo?.kind === 'leaderAndIsr' && toTwo.full && toTwo.brokerEpoch).toBe(999);
});

test('deleting a topic stops and deletes its replicas and forgets it', () => {
  const core = cluster();
  const requests = core.deleteTopics(['t']);
  const stops = requests.filter((r) => r.kind === 'stopReplica');
  expect(stops.map((r) => r.broker)).toEqual([1, 2, 3]);
  expect(stops[0]?.kind === 'stopReplica' && stops[0].partitions.every((p) => p.deletePartition)).toBe(true);
  expect(core.topic('t')).toBeUndefined();
  expect(requests.filter((r) => r.kind === 'updateMetadata')).toHaveLength(3);
});

test('partitions added to a topic are started; a stale write is decided again from what was read', () => {
  const core = cluster();
  const { writes } = core.topicsChanged([topic('t', [[1, 2, 3], [2, 3, 1], [3, 1, 2], [1, 3, 2]])]);
  expect(writes).toEqual([{ topic: 't', partition: 3, expectedVersion: 'create', state: { leader: 1, leaderEpoch: 0, isr: [1, 3, 2], controllerEpoch: 7 } }]);
  // The create lost to another controller's: take what is there.
  const again = core.statesRead([{ topic: 't', partition: 3, state: { leader: 3, leaderEpoch: 4, isr: [3], controllerEpoch: 8, zkVersion: 5 } }]);
  expect(again).toEqual([]);
  expect(core.state('t', 3)?.leaderEpoch).toBe(4);
});

test('a new controller takes replicas on brokers not alive out of leadership and ISRs', () => {
  const core = new ControllerCore(2, 8, { uncleanElection: () => false, imbalancePercentage: 10 });
  const state = (leader: number, isr: number[]) => ({ leader, leaderEpoch: 3, isr, controllerEpoch: 7, zkVersion: 3 });
  const writes = core.start(
    [broker(2), broker(3)],
    [topic('t', [[1, 2, 3], [2, 3, 1]])],
    [
      [{ topic: 't', partition: 0 }, state(1, [1, 2, 3])],
      [{ topic: 't', partition: 1 }, state(2, [2, 3, 1])],
    ],
  );
  expect(writes.map((w) => [w.partition, w.state.leader, w.state.isr, w.state.leaderEpoch])).toEqual([
    [0, 2, [2, 3], 4],
    [1, 2, [2, 3], 4],
  ]);
});

test('ElectLeaders: preferred where possible, unclean only for partitions without a live leader', () => {
  const core = cluster();
  land(core, core.brokersChanged([broker(1), broker(3)]));
  land(core, core.brokersChanged([broker(1), broker(2, 900), broker(3)]));
  // Partition 1's preferred replica 2 is alive but out of the ISR.
  const preferred = core.electLeaders('preferred', [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }, { topic: 'nope', partition: 0 }]);
  expect(preferred.outcomes.map((o) => o.outcome)).toEqual(['notNeeded', 'notAvailable', 'unknown']);
  expect(preferred.writes).toEqual([]);
  // Offline with only an out-of-sync replica alive: unclean elects it alone.
  land(core, core.statesRead([{ topic: 't', partition: 2, state: { leader: 3, leaderEpoch: 5, isr: [3], controllerEpoch: 7, zkVersion: 9 } }]));
  land(core, core.brokersChanged([broker(1), broker(2, 900)]));
  expect(core.state('t', 2)).toMatchObject({ leader: NO_LEADER, isr: [3] });
  const unclean = core.electLeaders('unclean', 'all');
  expect(unclean.outcomes.find((o) => o.partition === 2)?.outcome).toBe('elected');
  expect(unclean.outcomes.find((o) => o.partition === 0)?.outcome).toBe('notNeeded');
  expect(unclean.writes).toEqual([{ topic: 't', partition: 2, expectedVersion: 10, state: { leader: 1, leaderEpoch: 7, isr: [1], controllerEpoch: 7 } }]);
});
