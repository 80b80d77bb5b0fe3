// A leader whose ZooKeeper session expires (issue #9, "Bad input and faults"): three in-process brokers,
// broker 1 reaching ZooKeeper through a proxy that is cut for longer than its session. The controller
// elects another leader with the next epoch; broker 1, still believing it leads, can acknowledge no
// acks=all write (its followers left it, so its high watermark cannot move) and shows consumers nothing
// it wrote meanwhile. Healed, it registers again with a new broker epoch, follows the new leader,
// truncates what it alone wrote, and rejoins the ISR.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ErrorCode } from '../../../protocol/kafka/index.js';
import { brokerIdPath, decodePartitionState, partitionStatePath } from '../../../protocol/kafka/zk/znodes.js';
import { KafkaConnection, fetchPartition, produceRecords, recordsOf } from '../../../src/kafka/client/index.js';
import { ZooKeeperClient } from '../../../src/zookeeper/client/client.js';
import { errorOf } from '../../helpers/error-code.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { TcpProxy } from '../../helpers/tcp-proxy.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';
import { waitFor } from './groups-harness.js';

const CHROOT = '/skein';
const TOPIC = 'fenced';
const SESSION_MS = 1500;
let zkServer: TestServer;
let proxy: TcpProxy;
let zk: ZooKeeperClient;
const brokers = new Map<number, TestBroker>();
const conns: KafkaConnection[] = [];

async function state(): Promise<{ leader: number; leaderEpoch: number; isr: number[] } | undefined> {
  return decodePartitionState((await zk.getData(partitionStatePath(TOPIC, 0))).data);
}

async function connect(id: number): Promise<KafkaConnection> {
  const conn = await KafkaConnection.connect(brokers.get(id)!.bootstrap);
  conns.push(conn);
  return conn;
}

/** The partition's record values, read by a consumer from broker `conn` (so up to its high watermark). */
async function consumed(conn: KafkaConnection): Promise<string[]> {
  const values: string[] = [];
  let offset = 0;
  for (;;) {
    const fetched = await fetchPartition(conn, TOPIC, 0, offset);
    if (fetched.headers.length === 0) return values;
    values.push(...recordsOf(fetched, offset).map((r) => r.value!.toString()));
    offset = fetched.nextOffset;
  }
}

beforeAll(async () => {
  zkServer = await startTestServer();
  proxy = new TcpProxy(zkServer.port);
  await proxy.listen();
  for (const id of [1, 2, 3]) {
    const zkPort = id === 1 ? proxy.port : zkServer.port;
    brokers.set(
      id,
      await startTestBroker({
        'broker.id': String(id),
        'zookeeper.connect': `127.0.0.1:${zkPort}${CHROOT}`,
        'zookeeper.session.timeout.ms': String(SESSION_MS),
        'controlled.shutdown.enable': 'false',
        'auto.leader.rebalance.enable': 'false',
        'replica.lag.time.max.ms': '1000',
        'replica.fetch.backoff.ms': '100',
        'replica.fetch.wait.max.ms': '200',
      }),
    );
  }
  zk = await ZooKeeperClient.connect(`127.0.0.1:${zkServer.port}${CHROOT}`);
});

afterAll(async () => {
  for (const c of conns) c.close();
  await zk?.close();
  for (const b of brokers.values()) await b.close();
  await proxy?.close();
  await zkServer?.destroy();
});

test('a leader whose session expires acknowledges no acks=all write, shows consumers nothing new, then registers again and rejoins the ISR', async () => {
  const admin = new Kafka({ brokers: [brokers.get(2)!.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10 } }).admin();
  await admin.connect();
  await waitFor('three live brokers', async () => ((await admin.describeCluster()).brokers.length === 3 ? true : undefined));
  await admin.createTopics({
    topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }], configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
  });
  await admin.disconnect();
  const before = await waitFor('broker 1 leading with the full ISR', async () => {
    const s = await state().catch(() => undefined);
    return s?.leader === 1 && s.isr.length === 3 ? s : undefined;
  });
  const zombie = await connect(1);
  await waitFor('broker 1 to accept writes', async () => ((await errorOf(produceRecords(zombie, TOPIC, 0, [{ value: Buffer.from('a') }], { timeoutMs: 2000 }))) === ErrorCode.NONE ? true : undefined));
  const epochBefore = brokers.get(1)!.broker.cluster!.membership.brokerEpoch;

  proxy.cut();
  const after = await waitFor('another leader with the next epoch', async () => {
    const s = await state();
    return s && s.leader !== 1 && s.leader >= 0 && s.leaderEpoch > before.leaderEpoch ? s : undefined;
  }, 15_000);
  expect(after.isr).not.toContain(1);

  // The new leader takes acks=all writes with the two brokers left (min.insync.replicas=2). Once it
  // does, it has stopped fetching from broker 1, so what broker 1 writes next is its alone.
  const leaderConn = await connect(after.leader);
  await waitFor('the new leader to accept writes', async () =>
    (await errorOf(produceRecords(leaderConn, TOPIC, 0, [{ value: Buffer.from('b') }], { timeoutMs: 2000 }))) === ErrorCode.NONE ? true : undefined,
  );

  // Broker 1 still calls itself leader but is fenced: its followers fetch from the new leader, so no
  // acks=all write is acknowledged (it waits, then times out), and its high watermark stays put.
  const zombieWrite = await errorOf(produceRecords(zombie, TOPIC, 0, [{ value: Buffer.from('zombie') }], { timeoutMs: 1500 }));
  // As in Kafka: appended, then REQUEST_TIMED_OUT (its ISR cannot shrink without ZooKeeper).
  expect(zombieWrite).toBe(ErrorCode.REQUEST_TIMED_OUT);
  const zombieLog = brokers.get(1)!.broker.replicas.partition(TOPIC, 0)!.log;
  expect(zombieLog.highWatermark).toBeLessThan(zombieLog.logEndOffset);
  expect(await consumed(zombie)).not.toContain('zombie');

  proxy.restore();
  await waitFor('broker 1 registered again with a new broker epoch', async () => {
    const node = await zk.exists(brokerIdPath(1));
    return node && Number(node.czxid) > epochBefore ? true : undefined;
  }, 15_000);
  expect(brokers.get(1)!.broker.cluster!.membership.brokerEpoch).toBeGreaterThan(epochBefore);
  await waitFor('broker 1 back in the ISR', async () => ((await state())?.isr.includes(1) ? true : undefined), 15_000);
  const settled = (await state())!;
  expect(settled.leader).toBe(after.leader);

  // Every replica holds the leader's log: acknowledged records kept, broker 1's lone write truncated.
  const values = await consumed(leaderConn);
  expect(values.filter((v) => v !== 'b')).toEqual(values.filter((v) => v === 'a'));
  expect(values).toContain('b');
  expect(values).not.toContain('zombie');
  const end = brokers.get(after.leader)!.broker.replicas.partition(TOPIC, 0)!.log.logEndOffset;
  await waitFor('followers caught up', () =>
    [...brokers.values()].every((b) => b.broker.replicas.partition(TOPIC, 0)?.log.logEndOffset === end) ? true : undefined,
  );
  const logs = await Promise.all(
    [...brokers.values()].map(async (b) => {
      const log = b.broker.replicas.partition(TOPIC, 0)!.log;
      return Buffer.concat((await log.read(log.logStartOffset, 1 << 20)).chunks);
    }),
  );
  for (const l of logs) expect(l.equals(logs[0]!)).toBe(true);
}, 60_000);
