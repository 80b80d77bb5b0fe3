// Three in-process brokers on one Skein ZooKeeper: Kafka's znode layout (registration, controller, topics,
// partition states), the controller's elections, and what clients see (kafkajs admin).
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { partitionForGroup } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import {
  brokerIdPath,
  CLUSTER_ID_PATH,
  decodePartitionState,
  encodeIsrChangeNotification,
  encodePartitionState,
  ISR_CHANGE_NOTIFICATION_PATH,
  ISR_CHANGE_PREFIX,
  CONTROLLER_EPOCH_PATH,
  CONTROLLER_PATH,
  decodeController,
  partitionStatePath,
  topicPath,
} from '../../../protocol/kafka/zk/znodes.js';
import { ErrorCode as ZkErrorCode, KeeperError } from '../../../protocol/zookeeper/codes.js';
import type { Broker } from '../../../src/kafka/broker.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { controlledShutdown } from '../../../src/kafka/cluster/controlled-shutdown.js';
import { ZkTopicStore } from '../../../src/kafka/cluster/zk-topic-store.js';
import { createLogger } from '../../../src/logger.js';
import { ZooKeeperClient } from '../../../src/zookeeper/client/client.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { TcpProxy } from '../../helpers/tcp-proxy.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';

const CHROOT = '/skein';
let zkServer: TestServer;
let zk: ZooKeeperClient;
const brokers = new Map<number, TestBroker>();
let admin: Admin;

function settings(id: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'broker.id': String(id),
    'zookeeper.connect': `127.0.0.1:${zkServer.port}${CHROOT}`,
    'zookeeper.session.timeout.ms': '1500',
    'controlled.shutdown.retry.backoff.ms': '100',
    'auto.leader.rebalance.enable': 'false',
    ...extra,
  };
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until every running broker's metadata lists exactly `ids`. */
function allSee(ids: number[]): Promise<true> {
  return until(`every broker to see ${ids.join(',')}`, () =>
    [...brokers.values()].every((b) => JSON.stringify(b.broker.metadata.liveBrokers().map((n) => n.nodeId)) === JSON.stringify(ids)) || undefined,
  );
}

function json(data: Buffer | null): Record<string, unknown> {
  return JSON.parse(data!.toString('utf8')) as Record<string, unknown>;
}

function controllerBroker(): Broker | undefined {
  return [...brokers.values()].find((b) => b.broker.cluster?.controller.isActive)?.broker;
}

beforeAll(async () => {
  zkServer = await startTestServer();
  for (const id of [1, 2, 3]) brokers.set(id, await startTestBroker(settings(id)));
  zk = await ZooKeeperClient.connect(`127.0.0.1:${zkServer.port}${CHROOT}`);
  await allSee([1, 2, 3]);
  admin = new Kafka({ brokers: [brokers.get(1)!.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 } }).admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await zk?.close();
  for (const b of brokers.values()) await b.close();
  await zkServer?.destroy();
});

test('brokers register with Kafka\'s JSON, and the cluster id, controller and epoch are where Kafka keeps them', async () => {
  const { data, stat } = await zk.getData(brokerIdPath(2));
  const reg = json(data);
  const port = brokers.get(2)!.port;
  expect(Object.keys(reg).sort()).toEqual(['endpoints', 'features', 'host', 'jmx_port', 'listener_security_protocol_map', 'port', 'timestamp', 'version']);
  expect(reg).toMatchObject({
    version: 5,
    host: '127.0.0.1',
    port,
    jmx_port: -1,
    endpoints: [`PLAINTEXT://127.0.0.1:${port}`],
    listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' },
    features: {},
  });
  expect(reg.timestamp).toMatch(/^\d{13}$/);
  // Ephemeral, and its czxid is the broker epoch.
  expect(stat.ephemeralOwner).not.toBe(0n);
  expect(brokers.get(2)!.broker.cluster!.membership.brokerEpoch).toBe(Number(stat.czxid));

  const clusterId = json((await zk.getData(CLUSTER_ID_PATH)).data);
  expect(clusterId).toEqual({ version: '1', id: brokers.get(1)!.broker.clusterId });
  expect(brokers.get(3)!.broker.clusterId).toBe(clusterId.id);

  const controller = json((await zk.getData(CONTROLLER_PATH)).data);
  expect(Object.keys(controller).sort()).toEqual(['brokerid', 'timestamp', 'version']);
  expect(controller.version).toBe(1);
  expect(controllerBroker()?.brokerId).toBe(controller.brokerid);
  expect((await zk.getData(CONTROLLER_EPOCH_PATH)).data!.toString()).toMatch(/^[1-9]\d*$/);
  for (const path of ['/brokers/topics', '/config/topics', '/config/changes', '/admin/delete_topics', '/isr_change_notification', '/brokers/seqid']) {
    expect(await zk.exists(path), path).not.toBeNull();
  }
});

test('a second broker with a registered id is refused with a clear message', async () => {
  await expect(startTestBroker(settings(2))).rejects.toThrow(/broker\.id 2 is already registered in ZooKeeper/);
});

test('topics are written in Kafka\'s layout and spread over the brokers; describeCluster and metadata agree', async () => {
  expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 6, replicationFactor: 3 }] })).toBe(true);
  const assignment = json((await zk.getData(topicPath('orders'))).data);
  expect(assignment).toMatchObject({ version: 3, adding_replicas: {}, removing_replicas: {} });
  expect(assignment.topic_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(Object.keys(assignment.partitions as object)).toEqual(['0', '1', '2', '3', '4', '5']);
  const state = await until('partition states', async () => (await zk.exists(partitionStatePath('orders', 5))) ?? undefined);
  expect(state.version).toBeGreaterThanOrEqual(0);
  const s0 = json((await zk.getData(partitionStatePath('orders', 0))).data);
  expect(Object.keys(s0).sort()).toEqual(['controller_epoch', 'isr', 'leader', 'leader_epoch', 'version']);
  expect(s0).toMatchObject({ version: 1, leader_epoch: 0 });
  expect((s0.isr as number[]).sort()).toEqual([1, 2, 3]);

  const metadata = await until('leaders for every partition', async () => {
    const m = await admin.fetchTopicMetadata({ topics: ['orders'] });
    const parts = m.topics[0]!.partitions;
    return parts.every((p) => p.leader >= 1 && p.isr.length === 3) ? m : undefined;
  });
  const leaders = new Set(metadata.topics[0]!.partitions.map((p) => p.leader));
  expect(leaders).toEqual(new Set([1, 2, 3]));
  for (const p of metadata.topics[0]!.partitions) expect(p.leader).toBe(p.replicas[0]);

  const cluster = await admin.describeCluster();
  expect(cluster.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
  expect(cluster.controller).toBe(controllerBroker()!.brokerId);
  expect(cluster.clusterId).toBe(brokers.get(1)!.broker.clusterId);
});

test('controlled shutdown moves leadership away while the broker still runs; gone, it is offline; back, a replica again', async () => {
  const victim = [...brokers.keys()].find((id) => id !== controllerBroker()!.brokerId)!;
  const before = await admin.fetchTopicMetadata({ topics: ['orders'] });
  const led = before.topics[0]!.partitions.filter((p) => p.leader === victim).map((p) => p.partitionId);
  expect(led.length).toBeGreaterThan(0);
  const gone = brokers.get(victim)!;
  const { cluster, config, log } = gone.broker;
  expect(await controlledShutdown(cluster!.membership, config, log)).toBe(true);
  const moved = await admin.fetchTopicMetadata({ topics: ['orders'] });
  for (const p of moved.topics[0]!.partitions) {
    expect(p.leader).not.toBe(victim);
    expect(p.isr).not.toContain(victim);
  }
  expect((await admin.describeCluster()).brokers.map((b) => b.nodeId)).toContain(victim);
  brokers.delete(victim);
  const dir = gone.dataDir;
  await gone.stop();
  await allSee([...brokers.keys()].sort());
  const after = await until('new leaders', async () => {
    const m = await admin.fetchTopicMetadata({ topics: ['orders'] });
    const parts = m.topics[0]!.partitions;
    return parts.every((p) => p.leader !== victim && p.leader >= 1 && !p.isr.includes(victim)) ? parts : undefined;
  });
  for (const id of led) {
    const s = json((await zk.getData(partitionStatePath('orders', id))).data);
    expect(s.leader_epoch).toBeGreaterThanOrEqual(1);
    expect(after.find((p) => p.partitionId === id)!.offlineReplicas).toEqual([victim]);
  }
  brokers.set(victim, await startTestBroker(settings(victim), dir));
  await allSee([1, 2, 3]);
  const back = await admin.fetchTopicMetadata({ topics: ['orders'] });
  for (const p of back.topics[0]!.partitions) expect(p.offlineReplicas).toEqual([]);
});

test('leaders\' ISR changes reach every broker through /isr_change_notification; ElectLeaders brings preferred leaders back', async () => {
  // Acting as the leaders would: the replica that came back rejoins every ISR. The real leaders may
  // write the same znode meanwhile (their own ISR changes): a lost race is read again and retried.
  for (let p = 0; p < 6; p++) {
    const path = partitionStatePath('orders', p);
    await until(`partition ${p}'s ISR written`, async () => {
      const { data, stat } = await zk.getData(path);
      const s = decodePartitionState(data);
      return zk.setData(path, encodePartitionState({ ...s, isr: [...new Set([...s.isr, 1, 2, 3])] }), stat.version).then(
        () => true,
        (err: unknown) => {
          if (err instanceof KeeperError && err.code === ZkErrorCode.badVersion) return undefined;
          throw err;
        },
      );
    });
  }
  await zk.create(`${ISR_CHANGE_NOTIFICATION_PATH}/${ISR_CHANGE_PREFIX}`, encodeIsrChangeNotification([0, 1, 2, 3, 4, 5].map((partition) => ({ topic: 'orders', partition }))), { mode: 'persistentSequential' });
  await until('every ISR full on every broker', () =>
    [...brokers.values()].every((b) => [0, 1, 2, 3, 4, 5].every((p) => b.broker.metadata.partition('orders', p)?.isr.length === 3)) || undefined,
  );
  await until('the notification consumed', async () => ((await zk.getChildren(ISR_CHANGE_NOTIFICATION_PATH)).length === 0) || undefined);

  const controller = controllerBroker()!;
  const other = [...brokers.values()].find((b) => b.broker !== controller)!;
  const elect = async (port: number, topicPartitions: { topic: string; partitions: number[] }[] | null) => {
    const conn = await KafkaConnection.connect(`127.0.0.1:${port}`);
    try {
      return await conn.send(ApiKey.ElectLeaders, 2, { electionType: 0, topicPartitions, timeoutMs: 10_000 });
    } finally {
      conn.close();
    }
  };
  const refused = await elect(other.port, [{ topic: 'orders', partitions: [0] }]);
  expect(refused.replicaElectionResults[0]!.partitionResult[0]!.errorCode).toBe(ErrorCode.NOT_CONTROLLER);

  const answer = await elect(controller.config.advertised.port, null);
  const results = answer.replicaElectionResults.flatMap((r) => r.partitionResult.map((p) => ({ topic: r.topic, ...p })));
  expect(results.filter((r) => r.topic === 'orders')).toHaveLength(6);
  expect(results.some((r) => r.errorCode === ErrorCode.NONE)).toBe(true);
  for (const r of results) expect([ErrorCode.NONE, ErrorCode.ELECTION_NOT_NEEDED]).toContain(r.errorCode);
  const unknown = await elect(controller.config.advertised.port, [{ topic: 'orders', partitions: [9] }]);
  expect(unknown.replicaElectionResults[0]!.partitionResult[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const m = await until('preferred leaders everywhere', async () => {
    const md = await admin.fetchTopicMetadata({ topics: ['orders'] });
    return md.topics[0]!.partitions.every((p) => p.leader === p.replicas[0]) ? md : undefined;
  });
  expect(new Set(m.topics[0]!.partitions.map((p) => p.leader))).toEqual(new Set([1, 2, 3]));
});

test('FindCoordinator creates __consumer_offsets replicated on three brokers and answers its partition\'s leader', async () => {
  const conn = await KafkaConnection.connect(brokers.get(1)!.bootstrap);
  try {
    const found = await until('a coordinator', async () => {
      const r = await conn.send(ApiKey.FindCoordinator, 3, { key: 'billing', keyType: 0 });
      return r.errorCode === ErrorCode.NONE ? r : undefined;
    });
    const assignment = json((await zk.getData(topicPath('__consumer_offsets'))).data);
    const partitions = assignment.partitions as Record<string, number[]>;
    expect(Object.keys(partitions)).toHaveLength(50);
    for (const replicas of Object.values(partitions)) expect([...replicas].sort()).toEqual([1, 2, 3]);
    const leader = brokers.get(1)!.broker.metadata.partition('__consumer_offsets', partitionForGroup('billing', 50))!.leader;
    expect(found.nodeId).toBe(leader);
    expect(found.port).toBe(brokers.get(leader)!.port);
  } finally {
    conn.close();
  }
});

test('config changes are written with a notification, and notifications past their expiry are removed by the next writer', async () => {
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'orders', configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
  expect(json((await zk.getData('/config/topics/orders')).data)).toEqual({ version: 1, config: { 'retention.ms': '3600000' } });
  const changes = await zk.getChildren('/config/changes');
  expect(changes.length).toBeGreaterThan(0);
  expect(json((await zk.getData(`/config/changes/${changes.sort().at(-1)!}`)).data)).toEqual({ version: 2, entity_path: 'topics/orders' });
  await until('every broker to see the change', () =>
    [...brokers.values()].every((b) => b.broker.topics.get('orders')?.configs['retention.ms'] === '3600000') || undefined,
  );
  // A store whose notifications expire at once keeps only the one it writes.
  const store = await ZkTopicStore.open(zk, createLogger('silent'), 0);
  await new Promise((r) => setTimeout(r, 5));
  await store.setConfigs('orders', { 'retention.ms': '7200000' });
  expect(await zk.getChildren('/config/changes')).toHaveLength(1);
});

test('CreatePartitions through any broker: the controller starts the new partitions; DeleteTopics: every broker forgets the topic', async () => {
  await admin.createTopics({ topics: [{ topic: 'short-lived', numPartitions: 1, replicationFactor: 2 }] });
  const other = new Kafka({ brokers: [brokers.get(3)!.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } }).admin();
  await other.connect();
  try {
    await until('the topic on broker 3', () => brokers.get(3)!.broker.topics.get('short-lived'));
    await other.createPartitions({ topicPartitions: [{ topic: 'short-lived', count: 4 }] });
    expect(Object.keys(json((await zk.getData(topicPath('short-lived'))).data).partitions as object)).toEqual(['0', '1', '2', '3']);
    await until('leaders for the new partitions on every broker', () =>
      [...brokers.values()].every((b) => [0, 1, 2, 3].every((p) => (b.broker.metadata.partition('short-lived', p)?.leader ?? -1) > 0)) || undefined,
    );
    await other.deleteTopics({ topics: ['short-lived'] });
    // Gone at once from the broker asked, from the others as they see it marked for deletion.
    expect(brokers.get(3)!.broker.topics.get('short-lived')).toBeUndefined();
    await until('every broker to forget it', () => [...brokers.values()].every((b) => !b.broker.topics.get('short-lived')) || undefined);
    // The controller removes the mark last, once the topic's znodes are gone.
    await until('the deletion done', async () => ((await zk.getChildren('/admin/delete_topics')).length === 0) || undefined);
    expect(await zk.exists(topicPath('short-lived'))).toBeNull();
    expect(await zk.exists('/config/topics/short-lived')).toBeNull();
    expect((await admin.listTopics()).includes('short-lived')).toBe(false);
  } finally {
    await other.disconnect();
  }
});

test('the controller gone: another broker is elected with the next controller epoch', async () => {
  const old = controllerBroker()!;
  const epochBefore = Number((await zk.getData(CONTROLLER_EPOCH_PATH)).data!.toString());
  const gone = brokers.get(old.brokerId)!;
  brokers.delete(old.brokerId);
  await gone.close();
  const next = await until('a new controller', () => controllerBroker());
  expect(next.brokerId).not.toBe(old.brokerId);
  expect(decodeController((await zk.getData(CONTROLLER_PATH)).data)).toBe(next.brokerId);
  expect(Number((await zk.getData(CONTROLLER_EPOCH_PATH)).data!.toString())).toBe(epochBefore + 1);
  await allSee([...brokers.keys()].sort());
  const m = await until('leaders on the remaining brokers', async () => {
    const md = await admin.fetchTopicMetadata({ topics: ['orders'] }).catch(() => undefined);
    return md?.topics[0]!.partitions.every((p) => brokers.has(p.leader)) ? md : undefined;
  });
  expect(m.topics[0]!.partitions).toHaveLength(6);
});

test('a broker cut from ZooKeeper past its session timeout is dropped, then registers again with a new broker epoch', async () => {
  const proxy = new TcpProxy(zkServer.port);
  await proxy.listen();
  const cutOff = await startTestBroker({ ...settings(4), 'zookeeper.connect': `127.0.0.1:${proxy.port}${CHROOT}` });
  brokers.set(4, cutOff);
  const live = () => [...brokers.keys()].sort();
  await allSee(live());
  const epochBefore = cutOff.broker.cluster!.membership.brokerEpoch;
  proxy.cut();
  await until('the others to drop broker 4', () =>
    [...brokers.values()].filter((b) => b !== cutOff).every((b) => !b.broker.metadata.liveBrokers().some((n) => n.nodeId === 4)) || undefined,
  );
  proxy.restore();
  await until('broker 4 registered again', async () => (await zk.exists(brokerIdPath(4))) ?? undefined);
  await allSee(live());
  const { stat } = await zk.getData(brokerIdPath(4));
  expect(cutOff.broker.cluster!.membership.brokerEpoch).toBe(Number(stat.czxid));
  expect(cutOff.broker.cluster!.membership.brokerEpoch).toBeGreaterThan(epochBefore);
  brokers.delete(4);
  await cutOff.close();
  await proxy.close();
});
