// A full LeaderAndIsr (v5 Type 1) names every partition the controller assigns to a broker, so the broker
// deletes the logs of any other partition it holds (a replica reassigned away, or a topic deleted, while
// it was down); an incremental LeaderAndIsr names only what changed and deletes nothing. In-process
// brokers, the test playing the controller.
import { afterEach, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { ReplicationCluster } from '../../helpers/replication-cluster.js';

let cluster: ReplicationCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

function leaderAndIsr(c: ReplicationCluster, id: number, type: number, topic: string, leaderEpoch: number) {
  return c.node(id).conn.send(ApiKey.LeaderAndIsr, 5, {
    controllerId: 1,
    controllerEpoch: c.controllerEpoch,
    brokerEpoch: -1,
    type,
    topicStates: [
      {
        topicName: topic,
        topicId: '0123456789abcdef0123456789abcdef',
        partitionStates: [{ partitionIndex: 0, controllerEpoch: c.controllerEpoch, leader: 1, leaderEpoch, isr: [1, 2], partitionEpoch: 1, replicas: [1, 2], addingReplicas: [], removingReplicas: [], isNew: false }],
      },
    ],
    liveLeaders: c.brokers.map((b) => ({ brokerId: b.id, hostName: '127.0.0.1', port: b.broker.port })),
  });
}

test('a full LeaderAndIsr deletes the logs of partitions it does not name; an incremental one keeps them', async () => {
  cluster = await ReplicationCluster.start(2);
  await cluster.createTopic('kept');
  await cluster.createTopic('stray');
  await cluster.elect('kept', 0, { leader: 1, leaderEpoch: 1, isr: [1, 2], replicas: [1, 2] });
  await cluster.elect('stray', 0, { leader: 1, leaderEpoch: 1, isr: [1, 2], replicas: [1, 2] });
  const two = cluster.node(2).broker.broker;
  expect(two.replicas.stored().map((tp) => tp.topic).sort()).toEqual(['kept', 'stray']);

  const incremental = await leaderAndIsr(cluster, 2, 0, 'kept', 2);
  expect(incremental.errorCode).toBe(ErrorCode.NONE);
  expect(two.replicas.stored().map((tp) => tp.topic).sort()).toEqual(['kept', 'stray']);

  const full = await leaderAndIsr(cluster, 2, 1, 'kept', 3);
  expect(full.errorCode).toBe(ErrorCode.NONE);
  expect(two.replicas.stored().map((tp) => tp.topic)).toEqual(['kept']);
  expect(two.replicas.partition('stray', 0)).toBeUndefined();
  // Broker 1, which got no full request, keeps both.
  expect(cluster.node(1).broker.broker.replicas.stored().map((tp) => tp.topic).sort()).toEqual(['kept', 'stray']);
});
