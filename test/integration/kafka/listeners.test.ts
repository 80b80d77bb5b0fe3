// Several PLAINTEXT listeners, as a container setup uses them: one other brokers reach (INTERNAL, the
// inter-broker listener) and one advertised to clients elsewhere (EXTERNAL). Each listener tells its
// clients the endpoints of its own name, as Kafka does: Metadata, DescribeCluster and FindCoordinator
// asked on EXTERNAL name only EXTERNAL endpoints, of every broker. Here the two listeners of a broker
// are on 127.0.0.1 and 127.0.0.2, so a host says which listener an answer came from.
import { createServer } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { decodeBrokerRegistration, brokerIdPath } from '../../../protocol/kafka/zk/znodes.js';
import { ZooKeeperClient } from '../../../src/zookeeper/client/client.js';
import { freePort } from '../../helpers/free-port.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { kafkaRequest } from '../../helpers/kafka-request.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';

let zkServer: TestServer;
const brokers: TestBroker[] = [];

function listenerSettings(id: number): Record<string, string> {
  return {
    'broker.id': String(id),
    listeners: 'INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.2:0',
    'listener.security.protocol.map': 'INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT',
    'inter.broker.listener.name': 'INTERNAL',
    'zookeeper.connect': `127.0.0.1:${zkServer.port}/listeners`,
    'zookeeper.session.timeout.ms': '3000',
    'offsets.topic.num.partitions': '2',
    'group.initial.rebalance.delay.ms': '0',
    // The last broker to stop has nowhere to move its leaderships: no retries.
    'controlled.shutdown.max.retries': '0',
  };
}

function endpoint(b: TestBroker, name: string): string {
  const l = b.broker.config.listeners.find((x) => x.bind.name === name)!;
  return `${l.advertised!.host}:${l.advertised!.port}`;
}

beforeAll(async () => {
  zkServer = await startTestServer();
  for (const id of [1, 2]) brokers.push(await startTestBroker(listenerSettings(id)));
  // Both brokers known to both (the controller's UpdateMetadata) before clients ask.
  for (const b of brokers) {
    while (b.broker.metadata.liveBrokers().length < 2) await new Promise((r) => setTimeout(r, 20));
  }
}, 30_000);

afterAll(async () => {
  for (const b of brokers) await b.close();
  await zkServer?.destroy();
});

test('each listener advertises its own endpoints of every broker, and registration lists both', async () => {
  for (const name of ['INTERNAL', 'EXTERNAL']) {
    const admin = new Kafka({ brokers: [endpoint(brokers[0]!, name)], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const { brokers: seen } = await admin.describeCluster();
      expect(seen.map((b) => `${b.host}:${b.port}`).sort()).toEqual(brokers.map((b) => endpoint(b, name)).sort());
    } finally {
      await admin.disconnect();
    }
  }
  const zk = await ZooKeeperClient.connect(`127.0.0.1:${zkServer.port}/listeners`);
  try {
    const registration = decodeBrokerRegistration(1, (await zk.getData(brokerIdPath(1))).data);
    expect(registration.endpoints.map((e) => e.listener).sort()).toEqual(['EXTERNAL', 'INTERNAL']);
  } finally {
    await zk.close();
  }
});

test('a consumer group on the external listener finds its coordinator there and reads what was produced', async () => {
  const external = brokers.map((b) => endpoint(b, 'EXTERNAL'));
  const kafka = new Kafka({ brokers: [external[1]!], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'outside', numPartitions: 2, replicationFactor: 2 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'outside', acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
  await producer.disconnect();

  // The first FindCoordinator creates __consumer_offsets and is answered COORDINATOR_NOT_AVAILABLE until it is led.
  let found = await kafkaRequest(external[0]!, ApiKey.FindCoordinator, 3, { key: 'outside-group', keyType: 0 });
  for (let i = 0; found.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE && i < 200; i++) {
    await new Promise((r) => setTimeout(r, 50));
    found = await kafkaRequest(external[0]!, ApiKey.FindCoordinator, 3, { key: 'outside-group', keyType: 0 });
  }
  expect(found.errorCode).toBe(ErrorCode.NONE);
  expect(external).toContain(`${found.host}:${found.port}`);

  const consumer = kafka.consumer({ groupId: 'outside-group' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'outside', fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (seen.length === 10) resolve();
      },
    });
  });
  await consumer.disconnect();
  expect(seen.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`).sort());
}, 60_000);

test('a broker alone answers each listener with that listener, and one left out of advertised.listeners with no broker', async () => {
  const alone = await startTestBroker({
    listeners: 'PLAINTEXT://127.0.0.1:0,HIDDEN://127.0.0.2:0',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,HIDDEN:PLAINTEXT',
    'advertised.listeners': 'PLAINTEXT://127.0.0.1:0',
  });
  try {
    const plain = await kafkaRequest(alone.bootstrap, ApiKey.Metadata, 9, { topics: [], allowAutoTopicCreation: false });
    expect(plain.brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port: alone.port, rack: null }]);
    const hidden = alone.broker.config.listeners[1]!.bind;
    const answer = await kafkaRequest(`${hidden.host}:${hidden.port}`, ApiKey.Metadata, 9, { topics: [], allowAutoTopicCreation: false });
    expect(answer.brokers).toEqual([]);
  } finally {
    await alone.close();
  }
});

test('a listener whose port is taken fails the start and closes the listeners already open', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const first = await freePort();
  try {
    const port = (taken.address() as { port: number }).port;
    await expect(
      startTestBroker({
        listeners: `PLAINTEXT://127.0.0.1:${first},SECOND://127.0.0.1:${port}`,
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SECOND:PLAINTEXT',
      }),
    ).rejects.toThrow(/EADDRINUSE/);
    // The first listener's port is free again.
    const again = createServer();
    await new Promise<void>((resolve, reject) => again.once('error', reject).listen(first, '127.0.0.1', resolve));
    await new Promise((resolve) => again.close(resolve));
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});
