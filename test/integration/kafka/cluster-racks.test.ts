// Four brokers in two racks: Metadata and DescribeCluster report each broker's rack, and CreateTopics
// places each partition's replicas in both racks (Kafka's rack-aware assignment).
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';

const RACKS: Record<number, string> = { 1: 'east', 2: 'east', 3: 'west', 4: 'west' };
let zkServer: TestServer;
const brokers: TestBroker[] = [];

beforeAll(async () => {
  zkServer = await startTestServer();
  for (const id of [1, 2, 3, 4]) {
    brokers.push(
      await startTestBroker({
        'broker.id': String(id),
        'broker.rack': RACKS[id]!,
        'zookeeper.connect': `127.0.0.1:${zkServer.port}`,
        'zookeeper.session.timeout.ms': '1500',
        'controlled.shutdown.enable': 'false',
      }),
    );
  }
  for (let i = 0; i < 400 && !brokers.every((b) => b.broker.metadata.liveBrokers().length === 4); i++) await new Promise((r) => setTimeout(r, 25));
});

afterAll(async () => {
  for (const b of brokers) await b.close();
  await zkServer?.destroy();
});

test('racks are reported and every partition has a replica in each rack', async () => {
  const conn = await KafkaConnection.connect(brokers[2]!.bootstrap);
  try {
    const cluster = await conn.send(ApiKey.DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 });
    expect(cluster.brokers.map((b) => [b.brokerId, b.rack])).toEqual([
      [1, 'east'],
      [2, 'east'],
      [3, 'west'],
      [4, 'west'],
    ]);
    const metadata = await conn.send(ApiKey.Metadata, 9, { topics: [], allowAutoTopicCreation: false });
    expect(metadata.brokers.map((b) => b.rack)).toEqual(['east', 'east', 'west', 'west']);
  } finally {
    conn.close();
  }
  const admin = new Kafka({ brokers: [brokers[0]!.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: 'spread-racks', numPartitions: 8, replicationFactor: 2 }], waitForLeaders: false });
    const parts = await (async () => {
      for (;;) {
        const m = await admin.fetchTopicMetadata({ topics: ['spread-racks'] }).catch(() => undefined);
        const ps = m?.topics[0]?.partitions;
        if (ps && ps.length === 8 && ps.every((p) => p.leader > 0)) return ps;
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    for (const p of parts) expect(new Set(p.replicas.map((r) => RACKS[r]))).toEqual(new Set(['east', 'west']));
    expect(new Set(parts.map((p) => p.leader))).toEqual(new Set([1, 2, 3, 4]));
  } finally {
    await admin.disconnect();
  }
});
