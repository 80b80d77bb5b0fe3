// CreatePartitions refuses a topic with a reassignment in progress, as Kafka's does: the broker's topic
// store sees the controller's adding_replicas / removing_replicas in the topic znode and does not rewrite
// the assignment under it (which would drop the reassignment's lists).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { decodeTopicAssignment, encodeTopicAssignment, PERSISTENT_PATHS, topicPath } from '../../../protocol/kafka/zk/znodes.js';
import { createIfAbsent } from '../../../src/kafka/cluster/membership.js';
import { ZkTopicStore } from '../../../src/kafka/cluster/zk-topic-store.js';
import { createLogger } from '../../../src/logger.js';
import { ZooKeeperClient } from '../../../src/zookeeper/client/client.js';
import { waitFor } from './groups-harness.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';

let server: TestServer;
let zk: ZooKeeperClient;

beforeAll(async () => {
  server = await startTestServer();
  zk = await ZooKeeperClient.connect(`127.0.0.1:${server.port}`);
  for (const path of PERSISTENT_PATHS) await createIfAbsent(zk, path);
});

afterAll(async () => {
  await zk?.close();
  await server?.destroy();
});

test('addPartitions is refused with REASSIGNMENT_IN_PROGRESS while the topic znode lists a reassignment, and allowed after', async () => {
  const store = await ZkTopicStore.open(zk, createLogger('silent'));
  const topicId = '0'.repeat(31) + '7';
  await store.create({ name: 'moving', topicId, replicas: [[1, 2]], configs: {} });
  // The controller's phase U: RS = TRS + ORS with the lists.
  const moving = encodeTopicAssignment({ partitions: [[3, 2, 1]], addingReplicas: { 0: [3] }, removingReplicas: { 0: [1] }, topicId });
  await zk.setData(topicPath('moving'), moving);
  await waitFor('the store to see the reassignment', () => (store.get('moving')?.replicas[0]?.length === 3 ? true : undefined));
  let refused: unknown;
  try {
    await store.addPartitions('moving', [[2, 3]]);
  } catch (err) {
    refused = err;
  }
  expect(refused).toBeInstanceOf(KafkaProtocolError);
  expect((refused as KafkaProtocolError).code).toBe(ErrorCode.REASSIGNMENT_IN_PROGRESS);
  expect(decodeTopicAssignment('moving', (await zk.getData(topicPath('moving'))).data).addingReplicas).toEqual({ 0: [3] });
  // Finished: RS = TRS, lists empty; partitions may be added again.
  await zk.setData(topicPath('moving'), encodeTopicAssignment({ partitions: [[3, 2]], addingReplicas: {}, removingReplicas: {}, topicId }));
  await waitFor('the store to see it finished', () => (store.get('moving')?.replicas[0]?.length === 2 ? true : undefined));
  await store.addPartitions('moving', [[2, 3]]);
  expect(decodeTopicAssignment('moving', (await zk.getData(topicPath('moving'))).data).partitions).toEqual([[3, 2], [2, 3]]);
});
