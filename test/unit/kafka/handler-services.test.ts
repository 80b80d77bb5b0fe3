// Handlers against fakes of just the services they declare: no broker, no sockets, no logs on disk. A fake
// built with onlyThese() throws on any member it was not given, so each test also shows which parts of a
// service the handler really touches. The registry hands a handler only what it declares in `uses`.
import { unknownClient } from '../../../src/kafka/client-information.js';
import { ANONYMOUS } from '../../../src/kafka/principal.js';
import { pino } from 'pino';
import { expect, test } from 'vitest';
import { ApiKey, ErrorCode, type UpdateMetadataRequest } from '../../../protocol/kafka/index.js';
import { defineHandler, NO_RESPONSE, type RequestContext } from '../../../src/kafka/handler.js';
import { electLeadersHandler } from '../../../src/kafka/handlers/43-elect-leaders.js';
import { alterPartitionReassignmentsHandler } from '../../../src/kafka/handlers/45-alter-partition-reassignments.js';
import { listPartitionReassignmentsHandler } from '../../../src/kafka/handlers/46-list-partition-reassignments.js';
import { initProducerIdHandler } from '../../../src/kafka/handlers/22-init-producer-id.js';
import { offsetForLeaderEpochHandler } from '../../../src/kafka/handlers/23-offset-for-leader-epoch.js';
import { updateMetadataHandler } from '../../../src/kafka/handlers/6-update-metadata.js';
import type { TopicRecord } from '../../../src/kafka/metadata/topic-store.js';
import type { Partition } from '../../../src/kafka/partitions/partition.js';
import { HandlerRegistry } from '../../../src/kafka/registry.js';
import { AclService } from '../../../src/kafka/acl/acl-service.js';
import type { BrokerServices, ControllerRequests, MetadataUpdates, PartitionAccess, ProducerIds, TopicAdmin, TransactionRequests } from '../../../src/kafka/services.js';

/** A fake of T with only the members given; touching any other throws, naming it. */
function onlyThese<T extends object>(given: Partial<T>): T {
  return new Proxy(given, {
    get(target, name) {
      if (name in target) return target[name as keyof typeof target];
      // Promise resolution and vitest's printing probe for these; a fake is neither a thenable nor special.
      if (name === 'then' || typeof name === 'symbol' || name === 'toJSON') return undefined;
      throw new Error(`the fake has no ${String(name)}: the handler uses more of the service than the test expected`);
    },
  }) as T;
}

/** authorizer.class.name empty: every check allows. */
const NO_AUTHORIZER = new AclService(undefined);

function ctx(apiVersion: number): RequestContext {
  return {
    apiVersion,
    correlationId: 1,
    clientId: 'test',
    remote: 'test',
    client: unknownClient('127.0.0.1', 1),
    listener: 'PLAINTEXT',
    principal: ANONYMOUS,
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    replyTurn: () => Promise.resolve(),
  };
}

/** A handler's answer that has a response on the wire (every one here does). */
function answered<T>(result: T | typeof NO_RESPONSE): T {
  if (result === NO_RESPONSE) throw new Error('the handler sent no response');
  return result;
}

const topicRecord = (name: string, partitions: number): TopicRecord => ({
  name,
  topicId: '0'.repeat(32),
  replicas: Array.from({ length: partitions }, () => [0]),
  configs: {},
});

function topicsOf(...records: TopicRecord[]): TopicAdmin {
  return onlyThese<TopicAdmin>({ list: () => records, get: (name) => records.find((r) => r.name === name) });
}

const electAll = { electionType: 0, topicPartitions: null, timeoutMs: 1000 };

test('ElectLeaders on a broker without a controller answers from topics alone: every known partition needs no election', async () => {
  const asked = { ...electAll, topicPartitions: [{ topic: 'a', partitions: [0, 5] }, { topic: 'gone', partitions: [0] }] };
  const response = await electLeadersHandler.handle(asked, ctx(1), { controller: undefined, topics: topicsOf(topicRecord('a', 2)), acls: NO_AUTHORIZER });
  expect(response).toEqual({
    throttleTimeMs: 0,
    replicaElectionResults: [
      {
        topic: 'a',
        partitionResult: [
          { partitionId: 0, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: expect.any(String) },
          { partitionId: 5, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: expect.any(String) },
        ],
      },
      { topic: 'gone', partitionResult: [{ partitionId: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: expect.any(String) }] },
    ],
  });
});

test("ElectLeaders passes the controller's outcomes through as Kafka's codes, and NOT_CONTROLLER when it is not the active one", async () => {
  const topics = onlyThese<TopicAdmin>({});
  const asked = { electionType: 0, topicPartitions: [{ topic: 'a', partitions: [0, 1] }], timeoutMs: 1000 };
  const calls: unknown[] = [];
  const active = onlyThese<ControllerRequests>({
    electLeaders: (type, which) => {
      calls.push([type, which]);
      return Promise.resolve([
        { topic: 'a', partition: 0, outcome: 'elected' },
        { topic: 'a', partition: 1, outcome: 'notAvailable' },
      ]);
    },
  });
  const elected = answered(await electLeadersHandler.handle(asked, ctx(1), { controller: active, topics, acls: NO_AUTHORIZER }));
  expect(calls).toEqual([['preferred', [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 1 }]]]);
  expect(elected.replicaElectionResults?.[0]?.partitionResult?.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE]);

  const standby = onlyThese<ControllerRequests>({ electLeaders: () => Promise.resolve(undefined) });
  const refused = answered(await electLeadersHandler.handle(asked, ctx(1), { controller: standby, topics, acls: NO_AUTHORIZER }));
  expect(refused.replicaElectionResults?.[0]?.partitionResult?.map((p) => p.errorCode)).toEqual([ErrorCode.NOT_CONTROLLER, ErrorCode.NOT_CONTROLLER]);
});

function updateMetadata(brokerEpoch: number, controllerEpoch: number): UpdateMetadataRequest {
  return { controllerId: 1, isKRaftController: false, type: 0, controllerEpoch, brokerEpoch, ungroupedPartitionStates: [], topicStates: [], liveBrokers: [] };
}

test('UpdateMetadata is refused alone, from an older registration or controller, and applied otherwise', () => {
  const applied: UpdateMetadataRequest[] = [];
  const metadataUpdates = onlyThese<MetadataUpdates>({ brokerEpoch: 40, controllerEpoch: 3, update: (r) => applied.push(r) });
  const acls = NO_AUTHORIZER;
  const answer = (r: UpdateMetadataRequest, services: Pick<BrokerServices, 'metadataUpdates' | 'acls'> = { metadataUpdates, acls }) => updateMetadataHandler.handle(r, ctx(7), services);

  expect(answer(updateMetadata(40, 3), { metadataUpdates: undefined, acls })).toEqual({ errorCode: ErrorCode.INVALID_REQUEST });
  expect(answer(updateMetadata(39, 3))).toEqual({ errorCode: ErrorCode.STALE_BROKER_EPOCH });
  expect(answer(updateMetadata(40, 2))).toEqual({ errorCode: ErrorCode.STALE_CONTROLLER_EPOCH });
  expect(applied).toEqual([]);
  // -1 is a controller too old to send broker epochs: not held to them.
  expect(answer(updateMetadata(-1, 3))).toEqual({ errorCode: ErrorCode.NONE });
  expect(answer(updateMetadata(41, 4))).toEqual({ errorCode: ErrorCode.NONE });
  expect(applied.map((r) => r.brokerEpoch)).toEqual([-1, 41]);
});

test("OffsetForLeaderEpoch answers from the leader's epoch cache, and with the partition service's error where it refuses", () => {
  const ends = new Map([[4, { epoch: 3, endOffset: 120 }]]);
  const leading = { log: { endOffsetForEpoch: (epoch: number) => ends.get(epoch) } } as unknown as Partition;
  const partitions = onlyThese<PartitionAccess>({
    leader: (topic, index, currentLeaderEpoch) => (currentLeaderEpoch === 1 ? ErrorCode.FENCED_LEADER_EPOCH : index === 0 ? leading : ErrorCode.NOT_LEADER_OR_FOLLOWER),
  });
  const request = {
    replicaId: -1,
    topics: [
      {
        topic: 't',
        partitions: [
          { partition: 0, currentLeaderEpoch: 5, leaderEpoch: 4 },
          { partition: 0, currentLeaderEpoch: 1, leaderEpoch: 4 },
          { partition: 1, currentLeaderEpoch: -1, leaderEpoch: 4 },
          { partition: 0, currentLeaderEpoch: -1, leaderEpoch: 9 },
        ],
      },
    ],
  };
  const response = offsetForLeaderEpochHandler.handle(request, ctx(4), { partitions, acls: NO_AUTHORIZER });
  expect(response).toEqual({
    throttleTimeMs: 0,
    topics: [
      {
        topic: 't',
        partitions: [
          { partition: 0, errorCode: ErrorCode.NONE, leaderEpoch: 3, endOffset: 120 },
          { partition: 0, errorCode: ErrorCode.FENCED_LEADER_EPOCH, leaderEpoch: -1, endOffset: -1 },
          { partition: 1, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, leaderEpoch: -1, endOffset: -1 },
          { partition: 0, errorCode: ErrorCode.NONE, leaderEpoch: -1, endOffset: -1 },
        ],
      },
    ],
  });
});

test('the registry hands each handler the services it declares and no others', async () => {
  let given: object | undefined;
  const probe = defineHandler({
    apiKey: ApiKey.ApiVersions,
    minVersion: 0,
    maxVersion: 3,
    uses: ['clock', 'clusterId'],
    handle(_request, _ctx, services) {
      given = services;
      return { errorCode: ErrorCode.NONE, apiKeys: [], throttleTimeMs: 0 };
    },
  });
  const everything = onlyThese<BrokerServices>({ clock: { now: () => 7 }, clusterId: 'cluster' });
  const registry = new HandlerRegistry([probe], everything);
  await registry.get(ApiKey.ApiVersions)!.handle({ clientSoftwareName: 'x', clientSoftwareVersion: '1' }, ctx(3));
  expect(Object.keys(given!).sort()).toEqual(['clock', 'clusterId']);
  expect((given as BrokerServices).clusterId).toBe('cluster');
});

const initIdempotent = { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 };

test('InitProducerId: an id at epoch 0 from the allocator; a transactional id goes to the transaction coordinator', async () => {
  const transactions = onlyThese<TransactionRequests>({});
  expect(await initProducerIdHandler.handle(initIdempotent, ctx(4), { producerIds: onlyThese<ProducerIds>({ next: async () => 1234 }), transactions, acls: NO_AUTHORIZER })).toEqual({
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    producerId: 1234,
    producerEpoch: 0,
  });
  const fencing = onlyThese<TransactionRequests>({ initProducerId: async () => ({ errorCode: ErrorCode.PRODUCER_FENCED, producerId: -1, producerEpoch: -1 }) });
  const asked = { ...initIdempotent, transactionalId: 'txn' };
  expect(await initProducerIdHandler.handle(asked, ctx(4), { producerIds: onlyThese<ProducerIds>({}), transactions: fencing, acls: NO_AUTHORIZER })).toMatchObject({ errorCode: ErrorCode.PRODUCER_FENCED });
  // Before v4 a fenced producer hears the code it knows.
  expect(await initProducerIdHandler.handle(asked, ctx(3), { producerIds: onlyThese<ProducerIds>({}), transactions: fencing, acls: NO_AUTHORIZER })).toMatchObject({ errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
});

test('InitProducerId: an allocator that cannot claim a block (ZooKeeper away) is COORDINATOR_NOT_AVAILABLE, which clients retry', async () => {
  const producerIds = onlyThese<ProducerIds>({ next: () => Promise.reject(new Error('connection loss')) });
  expect(await initProducerIdHandler.handle(initIdempotent, ctx(4), { producerIds, transactions: onlyThese<TransactionRequests>({}), acls: NO_AUTHORIZER })).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1 });
});

const reassignAsked = {
  timeoutMs: 1000,
  topics: [{ name: 'a', partitions: [{ partitionIndex: 0, replicas: [2, 3] }, { partitionIndex: 1, replicas: null }, { partitionIndex: 2, replicas: [9] }] }],
};

test('AlterPartitionReassignments maps the controller\'s refusals to Kafka\'s codes, and answers NOT_CONTROLLER when it is not the controller', async () => {
  const refusing = onlyThese<ControllerRequests>({
    reassign: (asked) =>
      Promise.resolve(
        asked.map((a) => ({
          topic: a.topic,
          partition: a.partition,
          refusal: a.partition === 0 ? undefined : a.partition === 1 ? { kind: 'noneInProgress' as const } : { kind: 'invalid' as const, message: 'no broker 9' },
        })),
      ),
  });
  const services = { controller: refusing, topics: onlyThese<TopicAdmin>({}), config: onlyThese<BrokerServices['config']>({}), acls: NO_AUTHORIZER };
  const response = answered(await alterPartitionReassignmentsHandler.handle(reassignAsked, ctx(0), services));
  expect(response).toEqual({
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    responses: [
      {
        name: 'a',
        partitions: [
          { partitionIndex: 0, errorCode: ErrorCode.NONE, errorMessage: null },
          { partitionIndex: 1, errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: 'No partition reassignment is in progress.' },
          { partitionIndex: 2, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'no broker 9' },
        ],
      },
    ],
  });
  const deposed = onlyThese<ControllerRequests>({ reassign: () => Promise.resolve(undefined), reassignments: () => Promise.resolve(undefined) });
  const refused = answered(await alterPartitionReassignmentsHandler.handle(reassignAsked, ctx(0), { ...services, controller: deposed }));
  expect(refused).toMatchObject({ errorCode: ErrorCode.NOT_CONTROLLER, responses: [] });
  const listed = answered(await listPartitionReassignmentsHandler.handle({ timeoutMs: 1000, topics: null }, ctx(0), { controller: deposed, acls: NO_AUTHORIZER }));
  expect(listed).toMatchObject({ errorCode: ErrorCode.NOT_CONTROLLER, topics: [] });
});

test('AlterPartitionReassignments on a broker alone: only "here" is an assignment it can take', async () => {
  const services = { controller: undefined, topics: topicsOf(topicRecord('a', 2)), config: onlyThese<BrokerServices['config']>({ brokerId: 2 }), acls: NO_AUTHORIZER };
  const response = answered(await alterPartitionReassignmentsHandler.handle(reassignAsked, ctx(0), services));
  expect(response.responses![0]!.partitions!.map((p) => p.errorCode)).toEqual([ErrorCode.INVALID_REPLICA_ASSIGNMENT, ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  const here = { timeoutMs: 1000, topics: [{ name: 'a', partitions: [{ partitionIndex: 1, replicas: [2] }] }] };
  expect(answered(await alterPartitionReassignmentsHandler.handle(here, ctx(0), services)).responses![0]!.partitions![0]!.errorCode).toBe(ErrorCode.NONE);
  const listed = answered(await listPartitionReassignmentsHandler.handle({ timeoutMs: 1000, topics: null }, ctx(0), { controller: undefined, acls: NO_AUTHORIZER }));
  expect(listed).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [] });
});
