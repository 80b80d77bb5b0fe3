// What clients see of a cluster (issue #9): three in-process brokers under the real controller, a
// partition on brokers 1 (leader) and 2 (follower), none on broker 3. Produce, Fetch, ListOffsets and
// OffsetForLeaderEpoch are asked of all three with the current leader epoch, an older and a newer one,
// and get the codes Kafka 3.9 gives (ReplicaManager.getPartitionOrError, then Partition.getLocalLog: the
// epoch before leadership). Metadata carries the controller's leader epochs on every broker; topics
// without a replication factor take default.replication.factor, __consumer_offsets
// offsets.topic.replication.factor capped by the live brokers; each broker describes its own configs.
import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { decodePartitionState, partitionStatePath, topicPath } from '../../../protocol/kafka/zk/znodes.js';
import { KafkaConnection, fetchPartition, produceRecords } from '../../../src/kafka/client/index.js';
import { ZooKeeperClient } from '../../../src/zookeeper/client/client.js';
import { errorOf } from '../../helpers/error-code.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';
import { waitFor } from './groups-harness.js';

const CHROOT = '/skein';
const TOPIC = 'placed';
let zkServer: TestServer;
let zk: ZooKeeperClient;
const brokers = new Map<number, TestBroker>();
const conns = new Map<number, KafkaConnection>();
let admin: Admin;

function settings(id: number): Record<string, string> {
  return {
    'broker.id': String(id),
    'zookeeper.connect': `127.0.0.1:${zkServer.port}${CHROOT}`,
    'zookeeper.session.timeout.ms': '1500',
    'controlled.shutdown.retry.backoff.ms': '100',
    'auto.leader.rebalance.enable': 'false',
    'replica.fetch.backoff.ms': '100',
    'replica.fetch.wait.max.ms': '200',
    'default.replication.factor': '2',
    // More than there are brokers: __consumer_offsets gets three replicas.
    'offsets.topic.replication.factor': '5',
    'offsets.topic.num.partitions': '2',
  };
}

async function state(): Promise<{ leader: number; leaderEpoch: number; isr: number[] } | undefined> {
  return decodePartitionState((await zk.getData(partitionStatePath(TOPIC, 0))).data);
}

const produce = (id: number, topic = TOPIC) => errorOf(produceRecords(conns.get(id)!, topic, 0, [{ value: Buffer.from('v') }], { timeoutMs: 5000 }));
const fetch = (id: number, currentLeaderEpoch: number, version?: number) =>
  errorOf(fetchPartition(conns.get(id)!, TOPIC, 0, 0, { currentLeaderEpoch, maxWaitMs: 0, ...(version === undefined ? {} : { version }) }));

async function listOffsets(id: number, currentLeaderEpoch: number): Promise<number> {
  const res = await conns.get(id)!.send(ApiKey.ListOffsets, 7, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch, timestamp: -1, maxNumOffsets: 1 }] }],
  });
  return res.topics[0]!.partitions[0]!.errorCode;
}

async function offsetForLeaderEpoch(id: number, currentLeaderEpoch: number): Promise<number> {
  const res = await conns.get(id)!.send(ApiKey.OffsetForLeaderEpoch, 4, {
    replicaId: -1,
    topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch, leaderEpoch: 0 }] }],
  });
  return res.topics[0]!.partitions[0]!.errorCode;
}

beforeAll(async () => {
  zkServer = await startTestServer();
  for (const id of [1, 2, 3]) brokers.set(id, await startTestBroker(settings(id)));
  zk = await ZooKeeperClient.connect(`127.0.0.1:${zkServer.port}${CHROOT}`);
  admin = new Kafka({ brokers: [brokers.get(1)!.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 10 } }).admin();
  await admin.connect();
  await waitFor('three live brokers', async () => ((await admin.describeCluster()).brokers.length === 3 ? true : undefined));
  await admin.createTopics({ topics: [{ topic: TOPIC, replicaAssignment: [{ partition: 0, replicas: [1, 2] }] }] });
  await waitFor('the ISR of both replicas', async () => ((await state().catch(() => undefined))?.isr.length === 2 ? true : undefined));
  // A restart of the follower takes it out of the ISR (a new leader epoch) and back, so that an older
  // epoch than the current one exists to be fenced.
  brokers.set(2, await brokers.get(2)!.restart());
  await waitFor('the follower back in the ISR under epoch 1 or later', async () => {
    const s = await state();
    return s && s.isr.length === 2 && s.leaderEpoch >= 1 ? true : undefined;
  }, 15_000);
  for (const [id, b] of brokers) conns.set(id, await KafkaConnection.connect(b.bootstrap));
});

afterAll(async () => {
  await admin?.disconnect();
  for (const c of conns.values()) c.close();
  await zk?.close();
  for (const b of brokers.values()) await b.close();
  await zkServer?.destroy();
});

test('Produce: the leader appends; its follower and a broker without a replica say NOT_LEADER_OR_FOLLOWER; an unknown topic is UNKNOWN_TOPIC_OR_PARTITION', async () => {
  const { leader } = (await state())!;
  expect(leader).toBe(1);
  // Every broker has heard of the partition from the controller before it can tell "not here" from "unknown".
  await waitFor('broker 3 to know the partition', () => (brokers.get(3)!.broker.metadata.partition(TOPIC, 0) ? true : undefined));
  await waitFor('the leader to accept writes', async () => ((await produce(1)) === ErrorCode.NONE ? true : undefined));
  expect(await produce(2)).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  expect(await produce(3)).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  expect(await produce(3, 'never-created')).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

test('Fetch, ListOffsets and OffsetForLeaderEpoch with current_leader_epoch: the epoch is checked before leadership, as Kafka does', async () => {
  const { leaderEpoch: e } = (await state())!;
  await waitFor('the follower to hold the current epoch', () => (brokers.get(2)!.broker.replicas.partition(TOPIC, 0)?.leaderEpoch === e ? true : undefined));
  await waitFor('broker 3 to know the partition', () => (brokers.get(3)!.broker.metadata.partition(TOPIC, 0) ? true : undefined));
  const { NONE, FENCED_LEADER_EPOCH: FENCED, UNKNOWN_LEADER_EPOCH: UNKNOWN, NOT_LEADER_OR_FOLLOWER: NOT_LEADER } = ErrorCode;
  for (const [name, ask] of [
    ['Fetch', fetch],
    ['ListOffsets', listOffsets],
    ['OffsetForLeaderEpoch', offsetForLeaderEpoch],
  ] as const) {
    const answers = {
      leader: [await ask(1, e), await ask(1, e - 1), await ask(1, e + 1), await ask(1, -1)],
      follower: [await ask(2, e - 1), await ask(2, e + 1)],
      elsewhere: [await ask(3, e), await ask(3, e - 1)],
    };
    expect(answers, name).toEqual({
      leader: [NONE, FENCED, UNKNOWN, NONE],
      follower: [FENCED, UNKNOWN],
      elsewhere: [NOT_LEADER, NOT_LEADER],
    });
  }
  // With the current epoch a follower is NOT_LEADER_OR_FOLLOWER (ListOffsets, OffsetForLeaderEpoch, and
  // Fetch below v11, where Kafka has no fetch from followers yet).
  expect([await fetch(2, e, 10), await listOffsets(2, e), await offsetForLeaderEpoch(2, e)]).toEqual([NOT_LEADER, NOT_LEADER, NOT_LEADER]);
});

test('KIP-951: Produce v10+ and Fetch v16+ at a broker without the partition name the current leader, and the response its endpoint', async () => {
  const { leader, leaderEpoch } = (await state())!;
  await waitFor('broker 3 to know the partition', () => (brokers.get(3)!.broker.metadata.partition(TOPIC, 0) ? true : undefined));
  const leaderEndpoint = { nodeId: leader, host: '127.0.0.1', port: brokers.get(leader)!.port, rack: null };
  const produced = await conns.get(3)!.send(ApiKey.Produce, 10, {
    acks: 1,
    timeoutMs: 5000,
    topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: null }] }],
  });
  expect(produced.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, currentLeader: { leaderId: leader, leaderEpoch } });
  expect(produced.nodeEndpoints).toEqual([leaderEndpoint]);
  const topicId = brokers.get(3)!.broker.topics.get(TOPIC)!.topicId;
  const fetched = await conns.get(3)!.send(ApiKey.Fetch, 16, {
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    sessionEpoch: -1,
    topics: [{ topicId, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
  });
  expect(fetched.responses[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, currentLeader: { leaderId: leader, leaderEpoch } });
  expect(fetched.nodeEndpoints).toEqual([leaderEndpoint]);
  // Before these versions the fields are not on the wire.
  const v9 = await conns.get(3)!.send(ApiKey.Produce, 9, { acks: 1, timeoutMs: 5000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: null }] }] });
  expect(v9.nodeEndpoints).toEqual([]);
  expect(v9.responses[0]!.partitionResponses[0]!.currentLeader).toEqual({ leaderId: -1, leaderEpoch: -1 });
});

/** Each partition's replica list in the topic's znode, Kafka's assignment JSON. */
async function assignment(topic: string): Promise<number[][]> {
  const json = JSON.parse((await zk.getData(topicPath(topic))).data!.toString('utf8')) as { partitions: Record<string, number[]> };
  return Object.values(json.partitions);
}

test('Metadata gives every broker the leader epoch, replicas and ISR the controller set, with no offline replica', async () => {
  const s = (await state())!;
  for (const id of brokers.keys()) {
    const partition = await waitFor(`broker ${id}'s metadata at epoch ${s.leaderEpoch}`, async () => {
      const res = await conns.get(id)!.send(ApiKey.Metadata, 9, { topics: [{ name: TOPIC }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
      const p = res.topics[0]?.partitions[0];
      return p?.leaderEpoch === s.leaderEpoch ? p : undefined;
    });
    expect({ leader: partition.leaderId, replicas: partition.replicaNodes, isr: [...partition.isrNodes].sort(), offline: partition.offlineReplicas }).toEqual({
      leader: s.leader,
      replicas: [1, 2],
      isr: [1, 2],
      offline: [],
    });
  }
});

test('CreateTopics and auto-creation without a replication factor take default.replication.factor; __consumer_offsets takes offsets.topic.replication.factor capped by the live brokers', async () => {
  // kafkajs sends replication_factor -1 when none is given.
  expect(await admin.createTopics({ topics: [{ topic: 'defaulted', numPartitions: 3 }] })).toBe(true);
  for (const replicas of await assignment('defaulted')) expect(replicas).toHaveLength(2);
  const auto = await waitFor('the auto-created topic', async () => {
    const res = await conns.get(3)!.send(ApiKey.Metadata, 9, { topics: [{ name: 'auto-made' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false });
    return res.topics[0]?.errorCode === ErrorCode.NONE && res.topics[0].partitions.every((p) => p.leaderId >= 0) ? res.topics[0] : undefined;
  });
  for (const p of auto.partitions) expect(p.replicaNodes).toHaveLength(2);
  for (const replicas of await assignment('auto-made')) expect(replicas).toHaveLength(2);
  await waitFor('a group coordinator', async () => {
    const res = await conns.get(1)!.send(ApiKey.FindCoordinator, 3, { key: 'g', keyType: 0 });
    return res.errorCode === ErrorCode.NONE ? true : undefined;
  });
  const offsets = await assignment('__consumer_offsets');
  expect(offsets).toHaveLength(2);
  for (const replicas of offsets) expect([...replicas].sort()).toEqual([1, 2, 3]);
});

test('DescribeConfigs on a BROKER resource: kafkajs reaches each broker for its own; another broker\'s id is INVALID_REQUEST, and so is setting one', async () => {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [2, 3].map((id) => ({ type: ConfigResourceTypes.BROKER, name: String(id), configNames: ['broker.id', 'default.replication.factor', 'zookeeper.connect'] })),
  });
  for (const [i, id] of [2, 3].entries()) {
    const r = described.resources[i]!;
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(Object.fromEntries(r.configEntries.map((c) => [c.configName, c.configValue]))).toEqual({
      'broker.id': String(id),
      'default.replication.factor': '2',
      'zookeeper.connect': `127.0.0.1:${zkServer.port}${CHROOT}`,
    });
  }
  const BROKER = ConfigResourceTypes.BROKER as number;
  const elsewhere = await conns.get(2)!.send(ApiKey.DescribeConfigs, 4, {
    resources: [{ resourceType: BROKER, resourceName: '3', configurationKeys: null }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  expect(elsewhere.results[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  const altered = await conns.get(2)!.send(ApiKey.AlterConfigs, 2, {
    resources: [{ resourceType: BROKER, resourceName: '2', configs: [{ name: 'default.replication.factor', value: '3' }] }],
    validateOnly: false,
  });
  expect(altered.responses[0]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
});

test('a topic of 1,100 partitions gets a leader for each: the controller keeps its ZooKeeper writes under the client limit of 1,000 waiting', async () => {
  // All of a topic's partition-state writes at once once exceeded that limit: ThrottledOp failed the
  // controller's event and the partitions stayed leaderless.
  await admin.createTopics({ topics: [{ topic: 'wide', numPartitions: 1100, replicationFactor: 1 }] });
  await waitFor('a leader for all 1,100 partitions', async () => {
    const [topic] = (await admin.fetchTopicMetadata({ topics: ['wide'] })).topics;
    return topic!.partitions.length === 1100 && topic!.partitions.every((p) => p.leader > 0) ? true : undefined;
  }, 30_000, 200);
});
