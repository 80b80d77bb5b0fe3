// The controller cut from ZooKeeper past its session timeout: the others elect a new controller with the
// next epoch and move leadership off the lost broker; healed, the old controller learns its session
// expired, steps down, and registers again as an ordinary broker. Once back in the ISRs, the automatic
// preferred-leader rebalance gives it its partitions back.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  CONTROLLER_EPOCH_PATH,
  decodePartitionState,
  encodeIsrChangeNotification,
  encodePartitionState,
  ISR_CHANGE_NOTIFICATION_PATH,
  ISR_CHANGE_PREFIX,
  partitionStatePath,
} from '../../../protocol/kafka/zk/znodes.js';
import { ZooKeeperClient } from '../../../src/zookeeper/client/client.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { TcpProxy } from '../../helpers/tcp-proxy.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';

let zkServer: TestServer;
let proxy: TcpProxy;
const brokers: TestBroker[] = [];

const settings = (id: number, zkPort: number) => ({
  'broker.id': String(id),
  'zookeeper.connect': `127.0.0.1:${zkPort}`,
  'zookeeper.session.timeout.ms': '1500',
  'controlled.shutdown.enable': 'false',
  'leader.imbalance.check.interval.seconds': '1',
});

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  zkServer = await startTestServer();
  proxy = new TcpProxy(zkServer.port);
  await proxy.listen();
  // Broker 1 starts first, so it is the controller, and reaches ZooKeeper only through the proxy.
  brokers.push(await startTestBroker(settings(1, proxy.port)));
  await until('broker 1 to be controller', () => brokers[0]!.broker.cluster!.controller.isActive);
  brokers.push(await startTestBroker(settings(2, zkServer.port)));
  brokers.push(await startTestBroker(settings(3, zkServer.port)));
  await until('all to see three brokers', () => brokers.every((b) => b.broker.metadata.liveBrokers().length === 3));
});

afterAll(async () => {
  for (const b of brokers) await b.close();
  await proxy?.close();
  await zkServer?.destroy();
});

test('a new controller is elected while the old one is cut off; healed, the old one steps down', async () => {
  const [one, two, three] = brokers as [TestBroker, TestBroker, TestBroker];
  const admin = new Kafka({ brokers: [two.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } }).admin();
  await admin.connect();
  const zk = await ZooKeeperClient.connect(`127.0.0.1:${zkServer.port}`);
  try {
    await admin.createTopics({ topics: [{ topic: 'cut', numPartitions: 3, replicationFactor: 3 }] });
    await until('leaders everywhere', () => [two, three].every((b) => [0, 1, 2].every((p) => (b.broker.metadata.partition('cut', p)?.leader ?? -1) > 0)));
    const epochBefore = Number((await zk.getData(CONTROLLER_EPOCH_PATH)).data!.toString());

    proxy.cut();
    const successor = await until('a new controller', () => [two, three].find((b) => b.broker.cluster!.controller.isActive));
    expect(Number((await zk.getData(CONTROLLER_EPOCH_PATH)).data!.toString())).toBe(epochBefore + 1);
    await until('leadership off broker 1 and broker 1 offline, as 2 and 3 see it', () =>
      [two, three].every(
        (b) =>
          b.broker.metadata.controllerId() === successor.broker.brokerId &&
          !b.broker.metadata.liveBrokers().some((n) => n.nodeId === 1) &&
          [0, 1, 2].every((p) => {
            const v = b.broker.metadata.partition('cut', p);
            return v !== undefined && v.leader !== 1 && v.leader > 0 && !v.isr.includes(1);
          }),
      ),
    );

    proxy.restore();
    await until('broker 1 to step down and be registered again', async () => !one.broker.cluster!.controller.isActive && (await zk.exists('/brokers/ids/1')) !== null);
    await until('all three see three brokers and the new controller', () =>
      brokers.every((b) => b.broker.metadata.liveBrokers().length === 3 && b.broker.metadata.controllerId() === successor.broker.brokerId),
    );
    // Broker 1 heard the new controller's epoch; whatever it sent as the old one was refused by the others.
    expect(one.broker.cluster!.cache.controllerEpoch).toBe(epochBefore + 1);
    expect(two.broker.cluster!.cache.controllerEpoch).toBe(epochBefore + 1);
  } finally {
    await zk.close();
    await admin.disconnect();
  }
});

test('back in the ISRs, broker 1 leads its preferred partitions again by the automatic rebalance', async () => {
  const zk = await ZooKeeperClient.connect(`127.0.0.1:${zkServer.port}`);
  try {
    const replicasOf = (p: number) => brokers[1]!.broker.metadata.partition('cut', p)!.replicas;
    const preferredByOne = [0, 1, 2].filter((p) => replicasOf(p)[0] === 1);
    expect(preferredByOne.length).toBeGreaterThan(0);
    // Acting as the leaders would once broker 1 caught up: it rejoins every ISR.
    for (const p of [0, 1, 2]) {
      const path = partitionStatePath('cut', p);
      const { data, stat } = await zk.getData(path);
      const s = decodePartitionState(data);
      await zk.setData(path, encodePartitionState({ ...s, isr: [...new Set([...s.isr, 1])] }), stat.version);
    }
    await zk.create(`${ISR_CHANGE_NOTIFICATION_PATH}/${ISR_CHANGE_PREFIX}`, encodeIsrChangeNotification([0, 1, 2].map((partition) => ({ topic: 'cut', partition }))), { mode: 'persistentSequential' });
    await until('preferred leaders back', () => brokers.every((b) => preferredByOne.every((p) => b.broker.metadata.partition('cut', p)?.leader === 1)), 15_000);
  } finally {
    await zk.close();
  }
});
