// Replication under the real controller: three in-process brokers on one Skein ZooKeeper, a topic with
// replication factor 3 and min.insync.replicas=2, kafkajs producing keyed records with acks=all while the
// leader broker goes away without a controlled shutdown and comes back. Every acknowledged record is
// read back afterwards, in order per key, and the replicas' logs agree byte for byte. Groups then move
// with __consumer_offsets' leader: committed offsets, and a KIP-848 member's epoch and partitions.
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { decodePartitionState, partitionStatePath } from '../../../protocol/kafka/zk/znodes.js';
import { KafkaConnection, fetchPartition, recordsOf } from '../../../src/kafka/client/index.js';
import { ZooKeeperClient } from '../../../src/zookeeper/client/client.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';
import { waitFor } from './groups-harness.js';

const CHROOT = '/skein';
const TOPIC = 'replicated';
let zkServer: TestServer;
let zk: ZooKeeperClient;
const brokers = new Map<number, TestBroker>();
const dirs = new Map<number, string>();
let admin: Admin;
let producer: Producer;
let kafka: Kafka;

function settings(id: number): Record<string, string> {
  return {
    'broker.id': String(id),
    'zookeeper.connect': `127.0.0.1:${zkServer.port}${CHROOT}`,
    'zookeeper.session.timeout.ms': '1500',
    'controlled.shutdown.enable': 'false',
    'auto.leader.rebalance.enable': 'false',
    'replica.lag.time.max.ms': '2000',
    'replica.fetch.backoff.ms': '100',
    'replica.fetch.wait.max.ms': '200',
    'offsets.topic.num.partitions': '1',
    'offsets.topic.replication.factor': '3',
  };
}

async function start(id: number): Promise<void> {
  const b = await startTestBroker(settings(id), dirs.get(id));
  brokers.set(id, b);
  dirs.set(id, b.dataDir);
}

async function state(): Promise<{ leader: number; leaderEpoch: number; isr: number[] }> {
  return decodePartitionState((await zk.getData(partitionStatePath(TOPIC, 0))).data);
}

beforeAll(async () => {
  zkServer = await startTestServer();
  for (const id of [1, 2, 3]) await start(id);
  zk = await ZooKeeperClient.connect(`127.0.0.1:${zkServer.port}${CHROOT}`);
  kafka = new Kafka({
    brokers: [...brokers.values()].map((b) => b.bootstrap),
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  admin = kafka.admin();
  await admin.connect();
  await waitFor('three live brokers', async () => ((await admin.describeCluster()).brokers.length === 3 ? true : undefined));
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
  await waitFor('the full ISR', async () => ((await state().catch(() => undefined))?.isr.length === 3 ? true : undefined));
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await zk?.close();
  for (const b of brokers.values()) await b.close();
  await zkServer?.destroy();
});

test('acks=all keyed records survive the leader going away twice; replicas agree byte for byte', async () => {
  const acked: { key: string; seq: number }[] = [];
  const keys = ['a', 'b', 'c', 'd'];
  let seq = 0;
  let stop = false;
  const sending = (async () => {
    while (!stop) {
      const batch = keys.map((key) => ({ key, seq: seq++ }));
      try {
        await producer.send({ topic: TOPIC, acks: -1, timeout: 5000, messages: batch.map((m) => ({ key: m.key, value: `${m.key}:${m.seq}` })) });
        acked.push(...batch);
      } catch {
        // Not acknowledged: may or may not be in the log; only acknowledged records are checked.
      }
    }
  })();
  for (let round = 0; round < 2; round++) {
    const before = acked.length;
    await waitFor('records acknowledged', () => (acked.length >= before + 20 ? true : undefined), 15_000);
    const { leader, leaderEpoch } = await state();
    const dir = dirs.get(leader)!;
    await brokers.get(leader)!.stop();
    brokers.delete(leader);
    await waitFor('a new leader', async () => {
      const s = await state();
      return s.leaderEpoch > leaderEpoch && s.leader !== leader && s.leader >= 0 ? true : undefined;
    }, 15_000);
    const after = acked.length;
    await waitFor('writes accepted again', () => (acked.length >= after + 20 ? true : undefined), 15_000);
    dirs.set(leader, dir);
    await start(leader);
    await waitFor('the old leader back in the ISR', async () => ((await state()).isr.includes(leader) ? true : undefined), 15_000);
  }
  stop = true;
  await sending;

  const { leader } = await state();
  const conn = await KafkaConnection.connect(brokers.get(leader)!.bootstrap);
  try {
    const seen: string[] = [];
    let offset = 0;
    for (;;) {
      const fetched = await fetchPartition(conn, TOPIC, 0, offset);
      if (fetched.headers.length === 0) break;
      seen.push(...recordsOf(fetched, offset).map((r) => r.value!.toString()));
      offset = fetched.nextOffset;
    }
    const positions = new Map(seen.map((v, i) => [v, i]));
    for (const m of acked) expect(positions.has(`${m.key}:${m.seq}`), `${m.key}:${m.seq} acknowledged but missing`).toBe(true);
    for (const key of keys) {
      const order = acked.filter((m) => m.key === key).map((m) => positions.get(`${key}:${m.seq}`)!);
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
    // Every replica holds the same log once caught up.
    const end = brokers.get(leader)!.broker.replicas.partition(TOPIC, 0)!.log.logEndOffset;
    await waitFor('followers caught up', () =>
      [...brokers.values()].every((b) => b.broker.replicas.partition(TOPIC, 0)?.log.logEndOffset === end) ? true : undefined,
    );
    const bytes = await Promise.all(
      [...brokers.values()].map(async (b) => {
        const log = b.broker.replicas.partition(TOPIC, 0)!.log;
        const r = await log.read(log.logStartOffset, 64 << 20);
        return Buffer.concat(r.chunks);
      }),
    );
    for (const b of bytes) expect(b.equals(bytes[0]!)).toBe(true);
    expect(acked.length).toBeGreaterThan(80);
  } finally {
    conn.close();
  }
}, 60_000);

test('group offsets are written to a replicated __consumer_offsets and served by its next leader', async () => {
  const consumer = kafka.consumer({ groupId: 'readers', retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 } });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  let seen = 0;
  await consumer.run({ autoCommitInterval: 100, eachMessage: async () => void seen++ });
  await waitFor('the group to read', () => (seen > 0 ? true : undefined), 20_000);
  await consumer.stop();
  await consumer.disconnect();
  const committed = async () => (await admin.fetchOffsets({ groupId: 'readers', topics: [TOPIC] }))[0]!.partitions[0]!.offset;
  const offset = await waitFor('a committed offset', async () => ((await committed()) !== '-1' ? await committed() : undefined));
  const offsets = decodePartitionState((await zk.getData(partitionStatePath('__consumer_offsets', 0))).data);
  // The coordinator's broker goes away: the next leader of __consumer_offsets-0 loads the group.
  const dir = dirs.get(offsets.leader)!;
  await brokers.get(offsets.leader)!.stop();
  brokers.delete(offsets.leader);
  await waitFor('a new offsets leader', async () => {
    const s = decodePartitionState((await zk.getData(partitionStatePath('__consumer_offsets', 0))).data);
    return s.leader !== offsets.leader && s.leader >= 0 ? true : undefined;
  }, 15_000);
  expect(await waitFor('the offset from the new coordinator', async () => (await committed().catch(() => undefined)) ?? undefined, 20_000)).toBe(offset);
  dirs.set(offsets.leader, dir);
  await start(offsets.leader);
}, 60_000);

/** A connection to the group's coordinator, found through any live broker. */
async function coordinatorOf(groupId: string): Promise<{ conn: KafkaConnection; nodeId: number }> {
  const any = await KafkaConnection.connect([...brokers.values()][0]!.bootstrap);
  try {
    const found = await waitFor(`the coordinator of ${groupId}`, async () => {
      const r = await any.send(ApiKey.FindCoordinator, 3, { key: groupId, keyType: 0 }).catch(() => undefined);
      return r?.errorCode === ErrorCode.NONE && brokers.has(r.nodeId) ? r : undefined;
    }, 15_000);
    return { conn: await KafkaConnection.connect(`${found.host}:${found.port}`), nodeId: found.nodeId };
  } finally {
    any.close();
  }
}

test('a KIP-848 member keeps its epoch and partitions when __consumer_offsets moves to another broker', async () => {
  const groupId = 'kip848-readers';
  const heartbeat = (conn: KafkaConnection, over: Record<string, unknown>) =>
    conn.send(ApiKey.ConsumerGroupHeartbeat, 1, { groupId, memberId: 'reader-1', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: [TOPIC], topicPartitions: [], ...over });
  const first = await coordinatorOf(groupId);
  const joined = await waitFor('the member to join', async () => {
    const r = await heartbeat(first.conn, {});
    return r.errorCode === ErrorCode.NONE ? r : undefined;
  });
  expect(joined.memberEpoch).toBe(1);
  const owned = joined.assignment!.topicPartitions;
  expect(owned[0]!.partitions).toEqual([0]);
  // The heartbeat was answered once its records were on the ISR: the coordinator's broker may now go.
  first.conn.close();
  const dir = dirs.get(first.nodeId)!;
  await brokers.get(first.nodeId)!.stop();
  brokers.delete(first.nodeId);

  const next = await coordinatorOf(groupId);
  expect(next.nodeId).not.toBe(first.nodeId);
  try {
    // The member carries on where it was, with no rejoin: same epoch, same partitions.
    const carriedOn = await waitFor('the new coordinator to know the member', async () => {
      const r = await heartbeat(next.conn, { memberEpoch: joined.memberEpoch, subscribedTopicNames: null, topicPartitions: owned });
      return r.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || r.errorCode === ErrorCode.NOT_COORDINATOR ? undefined : r;
    });
    expect(carriedOn).toMatchObject({ errorCode: ErrorCode.NONE, memberId: 'reader-1', memberEpoch: joined.memberEpoch });
    expect(carriedOn.assignment!.topicPartitions).toEqual(owned);
    expect((await heartbeat(next.conn, { memberEpoch: -1 })).errorCode).toBe(ErrorCode.NONE);
  } finally {
    next.conn.close();
  }
  dirs.set(first.nodeId, dir);
  await start(first.nodeId);
}, 60_000);
