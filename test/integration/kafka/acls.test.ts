// Kafka ACLs end to end (issue #12): two brokers of a ZooKeeper-mode cluster with
// authorizer.class.name=kafka.security.authorizer.AclAuthorizer. The administrator is a super user
// (User:ANONYMOUS on the PLAINTEXT listener, which is also the brokers' inter-broker one, so brokers are
// super users as Kafka's docs ask); alice connects to the SSL listener with a client certificate made by
// openssl at test time. Without ACLs alice is refused where Kafka refuses and Metadata hides the topics;
// ACLs created through kafkajs are stored as AclAuthorizer stores them, let her in (deny still wins),
// reach the other broker through the change notifications, survive a restart, and go with DeleteAcls.
import { readFileSync } from 'node:fs';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes, type Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import { KafkaConnection, fetchPartition, produceRecords } from '../../../src/kafka/client/index.js';
import { ZooKeeperClient } from '../../../src/zookeeper/client/client.js';
import { brokerSslSettings, makeTestPki, type TestPki } from '../../../compat/helpers/certificates.js';
import { errorOf } from '../../helpers/error-code.js';
import { freePort } from '../../helpers/free-port.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';
import { waitFor } from './groups-harness.js';

const CHROOT = '/acls';
let zkServer: TestServer;
let zk: ZooKeeperClient;
let pki: TestPki;
const ports = new Map<number, { plain: number; ssl: number }>();
const brokers = new Map<number, TestBroker>();
const alice = new Map<number, KafkaConnection>();
let admin: Admin;

function settings(id: number, dataDir?: string): Record<string, string> {
  const { plain, ssl } = ports.get(id)!;
  return {
    'broker.id': String(id),
    'zookeeper.connect': `127.0.0.1:${zkServer.port}${CHROOT}`,
    'zookeeper.session.timeout.ms': '1500',
    listeners: `PLAINTEXT://127.0.0.1:${plain},SSL://127.0.0.1:${ssl}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    ...brokerSslSettings(pki),
    'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
    'super.users': 'User:ANONYMOUS',
    'auto.leader.rebalance.enable': 'false',
    'controlled.shutdown.retry.backoff.ms': '100',
    'offsets.topic.replication.factor': '1',
    'offsets.topic.num.partitions': '1',
    'group.initial.rebalance.delay.ms': '0',
    ...(dataDir === undefined ? {} : { 'log.dirs': dataDir }),
  };
}

function connectAlice(id: number): Promise<KafkaConnection> {
  const tls = { options: { ca: readFileSync(pki.caPem), cert: readFileSync(pki.alice.cert), key: readFileSync(pki.alice.key) }, verifyHostname: false };
  return KafkaConnection.connect(`127.0.0.1:${ports.get(id)!.ssl}`, { tls, clientId: 'alice' });
}

beforeAll(async () => {
  pki = makeTestPki();
  zkServer = await startTestServer();
  zk = await ZooKeeperClient.connect(`127.0.0.1:${zkServer.port}${CHROOT}`);
  for (const id of [1, 2]) {
    ports.set(id, { plain: await freePort(), ssl: await freePort() });
    brokers.set(id, await startTestBroker(settings(id)));
    alice.set(id, await connectAlice(id));
  }
  admin = new Kafka({ brokers: [brokers.get(1)!.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  // Every partition on broker 1, so alice's produce and fetch go to its leader.
  await admin.createTopics({
    waitForLeaders: true,
    topics: ['orders-1', 'orders-2', 'secret'].map((topic) => ({ topic, replicaAssignment: [{ partition: 0, replicas: [1] }] })),
  });
}, 60_000);

afterAll(async () => {
  await admin?.disconnect();
  for (const c of alice.values()) c.close();
  for (const b of brokers.values()) await b.close();
  await zk?.close();
  await zkServer?.stop();
  pki?.remove();
});

const produce = (id: number, topic: string) => errorOf(produceRecords(alice.get(id)!, topic, 0, [{ value: Buffer.from('v') }], { timeoutMs: 5000 }));
const fetch = (topic: string) => errorOf(fetchPartition(alice.get(1)!, topic, 0, 0, { maxWaitMs: 0 }));

async function metadata(id: number, topics: string[] | null) {
  return alice.get(id)!.send(ApiKey.Metadata, 12, {
    topics: topics?.map((name) => ({ name, topicId: ZERO_UUID })) ?? null,
    allowAutoTopicCreation: true,
    includeTopicAuthorizedOperations: true,
  });
}

const findCoordinator = async (group: string) => (await alice.get(1)!.send(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: [group] })).coordinators[0]!.errorCode;
const initProducerId = async () => (await alice.get(1)!.send(ApiKey.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 })).errorCode;
const bits = (...ops: number[]) => ops.reduce((b, op) => b | (1 << op), 0);

test('without ACLs alice is refused where Kafka refuses, and Metadata does not show her the topics', async () => {
  const all = await metadata(1, null);
  expect(all.topics.map((t) => t.name)).toEqual([]);
  const named = await metadata(1, ['orders-1', 'no-such-topic']);
  expect(named.topics.map((t) => t.errorCode)).toEqual([ErrorCode.TOPIC_AUTHORIZATION_FAILED, ErrorCode.TOPIC_AUTHORIZATION_FAILED]);
  expect(await produce(1, 'orders-1')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  expect(await fetch('orders-1')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  expect(await findCoordinator('g')).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  expect(await initProducerId()).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  const created = await alice.get(1)!.send(ApiKey.CreateTopics, 7, { topics: [{ name: 'alice-new', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  expect(created.topics[0]!.errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  const acl = { resourceType: 2, resourceName: 'orders-1', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 };
  expect((await alice.get(1)!.send(ApiKey.CreateAcls, 3, { creations: [acl] })).results[0]!.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  const described = await alice.get(1)!.send(ApiKey.DescribeAcls, 3, { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 });
  expect(described.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  const configs = await alice.get(1)!.send(ApiKey.DescribeConfigs, 4, { resources: [{ resourceType: 2, resourceName: 'orders-1', configurationKeys: null }, { resourceType: 4, resourceName: '1', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
  expect(configs.results.map((r) => r.errorCode)).toEqual([ErrorCode.TOPIC_AUTHORIZATION_FAILED, ErrorCode.CLUSTER_AUTHORIZATION_FAILED]);
  const offsets = await alice.get(1)!.send(ApiKey.OffsetFetch, 8, { groups: [{ groupId: 'g', topics: null }], requireStable: false });
  expect(offsets.groups[0]!.errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  // An inter-broker request from a client: CLUSTER_ACTION is the brokers'.
  const update = await alice.get(1)!.send(ApiKey.UpdateMetadata, 7, { controllerId: 1, isKRaftController: false, type: 0, controllerEpoch: 99, brokerEpoch: -1, ungroupedPartitionStates: [], topicStates: [], liveBrokers: [] });
  expect(update.errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  // Cluster-level admin reads and writes, and a share group alice may not read.
  expect((await alice.get(1)!.send(ApiKey.DescribeLogDirs, 4, { topics: null })).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  expect((await alice.get(1)!.send(ApiKey.DescribeUserScramCredentials, 0, { users: null })).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  const scram = await alice.get(1)!.send(ApiKey.AlterUserScramCredentials, 0, { deletions: [{ name: 'bob', mechanism: 1 }], upsertions: [] });
  expect(scram.results).toEqual([{ user: 'bob', errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null }]);
  // Client quotas: DESCRIBE_CONFIGS and ALTER_CONFIGS on the cluster.
  expect((await alice.get(1)!.send(ApiKey.DescribeClientQuotas, 1, { components: [], strict: false })).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  const entity = [{ entityType: 'user', entityName: 'alice' }];
  const quota = await alice.get(1)!.send(ApiKey.AlterClientQuotas, 1, { entries: [{ entity, ops: [{ key: 'producer_byte_rate', value: 1e12, remove: false }] }], validateOnly: false });
  expect(quota.entries).toEqual([{ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, entity }]);
  const share = await alice.get(1)!.send(ApiKey.ShareGroupHeartbeat, 1, { groupId: 'sg', memberId: 'm1', memberEpoch: 0, rackId: null, subscribedTopicNames: ['orders-1'] });
  expect(share.errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  const shareFetch = await alice.get(1)!.send(ApiKey.ShareFetch, 1, { groupId: 'sg', memberId: 'm1', shareSessionEpoch: 0, maxWaitMs: 0, minBytes: 1, maxBytes: 1024, maxRecords: 10, batchSize: 10, topics: [], forgottenTopicsData: [] });
  expect(shareFetch.errorCode).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
});

test('ACLs made through kafkajs are stored as AclAuthorizer stores them, let alice in, deny still wins, and reach the other broker', async () => {
  const base = { principal: 'User:alice', host: '*' };
  await admin.createAcls({
    acl: [
      { ...base, resourceType: AclResourceTypes.TOPIC, resourceName: 'orders-', resourcePatternType: ResourcePatternTypes.PREFIXED, operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW },
      { ...base, resourceType: AclResourceTypes.TOPIC, resourceName: 'orders-1', resourcePatternType: ResourcePatternTypes.LITERAL, operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW },
      { ...base, resourceType: AclResourceTypes.TOPIC, resourceName: 'orders-2', resourcePatternType: ResourcePatternTypes.LITERAL, operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.DENY },
      { ...base, resourceType: AclResourceTypes.GROUP, resourceName: 'g', resourcePatternType: ResourcePatternTypes.LITERAL, operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW },
    ],
  });
  const stored = JSON.parse((await zk.getData('/kafka-acl-extended/prefixed/Topic/orders-')).data!.toString());
  expect(stored).toEqual({ version: 1, acls: [{ principal: 'User:alice', permissionType: 'Allow', operation: 'Write', host: '*' }] });
  expect(JSON.parse((await zk.getData('/kafka-acl/Topic/orders-2')).data!.toString()).acls).toEqual([{ principal: 'User:alice', permissionType: 'Deny', operation: 'Write', host: '*' }]);
  expect((await zk.getChildren('/kafka-acl-changes')).length).toBe(3);
  expect((await zk.getChildren('/kafka-acl-extended-changes')).length).toBe(1);

  const matching = await admin.describeAcls({
    resourceType: AclResourceTypes.TOPIC,
    resourceName: 'orders-1',
    resourcePatternType: ResourcePatternTypes.MATCH,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  expect(matching.resources.map((r) => `${r.resourcePatternType}:${r.resourceName}`).sort()).toEqual([`${ResourcePatternTypes.LITERAL}:orders-1`, `${ResourcePatternTypes.PREFIXED}:orders-`]);

  expect(await produce(1, 'orders-1')).toBe(ErrorCode.NONE);
  expect(await produce(1, 'orders-2')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  expect(await produce(1, 'secret')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  expect(await fetch('orders-1')).toBe(ErrorCode.NONE);
  expect(await fetch('orders-2')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  // The first lookup creates __consumer_offsets: COORDINATOR_NOT_AVAILABLE until it is loaded.
  await waitFor('the group coordinator', async () => ((await findCoordinator('g')) === ErrorCode.NONE ? true : undefined));
  expect(await findCoordinator('other')).toBe(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  // WRITE on some topic is enough for an idempotent producer (KIP-679).
  expect(await initProducerId()).toBe(ErrorCode.NONE);

  const all = await metadata(1, null);
  expect(all.topics.map((t) => t.name).sort()).toEqual(['orders-1', 'orders-2']);
  const orders1 = all.topics.find((t) => t.name === 'orders-1')!;
  // READ, WRITE and the DESCRIBE they imply; nothing else.
  expect(orders1.topicAuthorizedOperations).toBe(bits(3, 4, 8));
  // Broker 2 heard through the change notifications.
  await waitFor('broker 2 to apply the ACLs', async () => ((await metadata(2, ['orders-1'])).topics[0]!.errorCode === ErrorCode.NONE ? true : undefined));
});

test('ACLs survive a restart of the broker', async () => {
  const b1 = brokers.get(1)!;
  alice.get(1)!.close();
  await b1.stop();
  brokers.set(1, await startTestBroker(settings(1, b1.dataDir), b1.dataDir));
  alice.set(1, await connectAlice(1));
  await waitFor('broker 1 to lead orders-1 again', async () => ((await produce(1, 'orders-1')) === ErrorCode.NONE ? true : undefined));
  expect(await produce(1, 'orders-2')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  expect((await metadata(1, null)).topics.map((t) => t.name).sort()).toEqual(['orders-1', 'orders-2']);
});

test('DeleteAcls through kafkajs removes them from every broker', async () => {
  await admin.disconnect();
  admin = new Kafka({ brokers: [brokers.get(1)!.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const deleted = await admin.deleteAcls({
    filters: [{ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, principal: 'User:alice', operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }],
  });
  expect(deleted.filterResponses[0]!.matchingAcls).toHaveLength(4);
  await expect(zk.exists('/kafka-acl/Topic/orders-1')).resolves.toBeNull();
  await waitFor('broker 2 to drop the ACLs', async () => ((await metadata(2, ['orders-1'])).topics[0]!.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED ? true : undefined));
  expect(await produce(1, 'orders-1')).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
});

test('without an authorizer every request is allowed and the ACL APIs answer SECURITY_DISABLED', async () => {
  const open = await startTestBroker();
  try {
    const conn = await KafkaConnection.connect(open.bootstrap);
    const created = await conn.send(ApiKey.CreateAcls, 3, { creations: [{ resourceType: 2, resourceName: 't', resourcePatternType: 3, principal: 'User:x', host: '*', operation: 3, permissionType: 3 }] });
    expect(created.results[0]!.errorCode).toBe(ErrorCode.SECURITY_DISABLED);
    const all = await conn.send(ApiKey.Metadata, 12, { topics: [{ name: 'free', topicId: ZERO_UUID }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: true });
    // Everything a topic supports, as Kafka reports without an authorizer.
    expect(all.topics[0]!.topicAuthorizedOperations).toBe(bits(3, 4, 5, 6, 7, 8, 10, 11));
    conn.close();
  } finally {
    await open.close();
  }
});

test('share groups: ShareGroupHeartbeat and DescribeShareGroupOffsets need DESCRIBE on each topic, ShareFetch and ShareAcknowledge READ, per partition', async () => {
  const base = { principal: 'User:alice', host: '*', resourcePatternType: ResourcePatternTypes.LITERAL, permissionType: AclPermissionTypes.ALLOW };
  await admin.createAcls({
    acl: [
      { ...base, resourceType: AclResourceTypes.GROUP, resourceName: 'shared', operation: AclOperationTypes.READ },
      { ...base, resourceType: AclResourceTypes.TOPIC, resourceName: 'orders-1', operation: AclOperationTypes.READ },
      { ...base, resourceType: AclResourceTypes.TOPIC, resourceName: 'secret', operation: AclOperationTypes.DESCRIBE },
    ],
  });
  const described = async (id: number) => (await metadata(id, ['secret'])).topics[0]!.errorCode === ErrorCode.NONE;
  await waitFor('both brokers to apply the ACLs', async () => ((await described(1)) && (await described(2)) ? true : undefined));
  const topicIds = new Map((await metadata(1, ['orders-1', 'secret'])).topics.map((t) => [t.name!, t.topicId]));
  const coordinator = await waitFor('the share group coordinator', async () => {
    const c = (await alice.get(1)!.send(ApiKey.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['shared'] })).coordinators[0]!;
    return c.errorCode === ErrorCode.NONE ? c.nodeId : undefined;
  });
  const heartbeat = (topics: string[]) =>
    alice.get(coordinator)!.send(ApiKey.ShareGroupHeartbeat, 1, { groupId: 'shared', memberId: 'member-1', memberEpoch: 0, rackId: null, subscribedTopicNames: topics });
  // orders-2: alice may not even describe it.
  expect((await heartbeat(['orders-1', 'orders-2'])).errorCode).toBe(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  // The coordinator answers COORDINATOR_LOAD_IN_PROGRESS until it has read __consumer_offsets back: asked again, as a client does.
  const joined = await waitFor('the coordinator to load the group', async () => {
    const r = await heartbeat(['orders-1', 'secret']);
    return r.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? undefined : r;
  });
  expect(joined.errorCode).toBe(ErrorCode.NONE);

  const partitions = (names: string[], acks: { firstOffset: number; lastOffset: number; acknowledgeTypes: number[] }[] = []) =>
    names.map((name) => ({ topicId: topicIds.get(name)!, partitions: [{ partitionIndex: 0, acknowledgementBatches: acks }] }));
  const fetchBase = { groupId: 'shared', memberId: 'member-1', minBytes: 1, maxBytes: 1 << 20, maxRecords: 100, batchSize: 100 };
  const fetched = await alice.get(1)!.send(ApiKey.ShareFetch, 1, { ...fetchBase, shareSessionEpoch: 0, maxWaitMs: 0, topics: partitions(['orders-1', 'secret']), forgottenTopicsData: [] });
  expect(fetched.errorCode).toBe(ErrorCode.NONE);
  const nameOf = (id: string) => [...topicIds].find(([, t]) => t === id)![0];
  const codes = (responses: readonly { topicId: string; partitions: readonly { errorCode: number }[] }[]) => Object.fromEntries(responses.map((t) => [nameOf(t.topicId), t.partitions[0]!.errorCode]));
  // DESCRIBE is not READ: secret's partition is refused (orders-1 has no record for the group yet).
  expect(codes(fetched.responses)).toEqual({ secret: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
  // orders-1 joined the share session: a record written now is delivered to alice.
  const writer = await KafkaConnection.connect(brokers.get(1)!.bootstrap);
  expect(await errorOf(produceRecords(writer, 'orders-1', 0, [{ value: Buffer.from('shared') }]))).toBe(ErrorCode.NONE);
  writer.close();
  const next = await alice.get(1)!.send(ApiKey.ShareFetch, 1, { ...fetchBase, shareSessionEpoch: 1, maxWaitMs: 5000, topics: [], forgottenTopicsData: [] });
  expect(codes(next.responses)).toEqual({ 'orders-1': ErrorCode.NONE });
  expect(next.responses[0]!.partitions[0]!.acquiredRecords).toHaveLength(1);
  const acked = await alice.get(1)!.send(ApiKey.ShareAcknowledge, 1, {
    groupId: 'shared',
    memberId: 'member-1',
    shareSessionEpoch: 2,
    topics: partitions(['secret'], [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [1] }]),
  });
  expect(acked.errorCode).toBe(ErrorCode.NONE);
  expect(codes(acked.responses)).toEqual({ secret: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
  // DescribeShareGroupOffsets: DESCRIBE on each named topic; orders-2's id is not given away. (Asked at
  // the group's coordinator, which reads orders-1's state from its share coordinator, wherever that is.)
  const offsets = await alice.get(coordinator)!.send(ApiKey.DescribeShareGroupOffsets, 0, {
    groups: [{ groupId: 'shared', topics: [{ topicName: 'orders-1', partitions: [0] }, { topicName: 'orders-2', partitions: [0] }] }],
  });
  expect(offsets.groups[0]!.errorCode).toBe(ErrorCode.NONE);
  expect(offsets.groups[0]!.topics.map((t) => [t.topicName, t.topicId, t.partitions[0]!.errorCode])).toEqual([
    ['orders-1', topicIds.get('orders-1'), ErrorCode.NONE],
    ['orders-2', ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED],
  ]);
  await admin.deleteAcls({ filters: [{ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, principal: 'User:alice', operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }] });
});
