// A single node joining a cluster: the topics of its topics.json (ids, assignments, configs) are written
// to ZooKeeper at its first start with zookeeper.connect, its cluster id becomes the cluster's, and the
// file is set aside so it is carried over once.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { decodeClusterId, decodeEntityConfig, decodeTopicAssignment, topicConfigPath, topicPath, CLUSTER_ID_PATH } from '../../../protocol/kafka/zk/znodes.js';
import { ZooKeeperClient } from '../../../src/zookeeper/client/client.js';
import { startTestBroker } from '../../helpers/kafka-broker.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';

let zkServer: TestServer;

beforeAll(async () => {
  zkServer = await startTestServer();
});
afterAll(async () => {
  await zkServer?.destroy();
});

test('topics.json is carried into ZooKeeper at the first start in a cluster', async () => {
  const alone = await startTestBroker({ 'broker.id': '5' });
  const admin = new Kafka({ brokers: [alone.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'kept', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '120000' }] }] });
  await admin.disconnect();
  const before = alone.broker.topics.get('kept')!;
  const clusterId = alone.broker.clusterId;
  const dir = alone.dataDir;
  await alone.stop();

  const joined = await startTestBroker({ 'broker.id': '5', 'zookeeper.connect': `127.0.0.1:${zkServer.port}`, 'zookeeper.session.timeout.ms': '1500' }, dir);
  const zk = await ZooKeeperClient.connect(`127.0.0.1:${zkServer.port}`);
  try {
    const assignment = decodeTopicAssignment('kept', (await zk.getData(topicPath('kept'))).data);
    expect(assignment.partitions).toEqual([[5], [5]]);
    expect(assignment.topicId).toBe(before.topicId);
    expect(decodeEntityConfig((await zk.getData(topicConfigPath('kept'))).data)).toEqual({ 'retention.ms': '120000' });
    expect(decodeClusterId((await zk.getData(CLUSTER_ID_PATH)).data)).toBe(clusterId);
    expect(joined.broker.clusterId).toBe(clusterId);
    expect(existsSync(join(dir, 'topics.json'))).toBe(false);
    expect(existsSync(join(dir, 'topics.json.carried-over'))).toBe(true);
    expect(joined.broker.topics.get('kept')?.topicId).toBe(before.topicId);
  } finally {
    await zk.close();
    await joined.close();
  }
});
