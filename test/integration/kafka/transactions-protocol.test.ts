// The transaction APIs byte for byte through our client, for what real clients rarely send: Kafka's
// answers to bad input (a timeout above the maximum, EndTxn with no transaction, unknown partitions, a
// stale epoch at old and new versions), AddPartitionsToTxn's v4+ batched and verify-only forms, and
// ListTransactions' filters.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { waitFor } from './groups-harness.js';

let broker: TestBroker;
let conn: KafkaConnection;

beforeAll(async () => {
  broker = await startTestBroker({ 'transaction.state.log.num.partitions': '2', 'transaction.max.timeout.ms': '60000' });
  conn = await KafkaConnection.connect(broker.bootstrap, { clientId: 'txn-protocol' });
  await conn.send(ApiKey.CreateTopics, 4, { topics: [{ name: 't', numPartitions: 2, replicationFactor: 1 }], timeoutMs: 5_000 });
  await waitFor('the transaction coordinator', async () => ((await conn.send(ApiKey.FindCoordinator, 3, { key: 'x', keyType: 1 })).errorCode === ErrorCode.NONE ? true : undefined));
});

afterAll(async () => {
  conn.close();
  await broker.close();
});

async function init(transactionalId: string, version = 4, transactionTimeoutMs = 30_000) {
  return conn.send(ApiKey.InitProducerId, version, { transactionalId, transactionTimeoutMs, producerId: -1, producerEpoch: -1 });
}

function addV3(transactionalId: string, producerId: number, producerEpoch: number, topics: { name: string; partitions: number[] }[], version = 3) {
  return conn.send(ApiKey.AddPartitionsToTxn, version, { v3AndBelowTransactionalId: transactionalId, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch, v3AndBelowTopics: topics, transactions: [] });
}

const codes = (r: { resultsByTopicV3AndBelow: { name: string; resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[] }[] }) =>
  r.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((p) => [`${t.name}-${p.partitionIndex}`, p.partitionErrorCode]));

test('bad input gets Kafka\'s errors and leaves the id usable', async () => {
  expect((await init('bad', 4, 60_001)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  expect((await init('', 4)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  const p = await init('bad');
  expect(p).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
  // EndTxn for a transaction never begun.
  expect((await conn.send(ApiKey.EndTxn, 3, { transactionalId: 'bad', producerId: p.producerId, producerEpoch: 0, committed: true })).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);
  // A producer id the transactional id does not have; an id never initialised.
  expect((await conn.send(ApiKey.EndTxn, 3, { transactionalId: 'bad', producerId: p.producerId + 1000, producerEpoch: 0, committed: true })).errorCode).toBe(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  expect(codes(await addV3('never', 1, 0, [{ name: 't', partitions: [0] }]))).toEqual([['t-0', ErrorCode.INVALID_PRODUCER_ID_MAPPING]]);
  // Unknown partitions fail the request: the others are not attempted.
  expect(codes(await addV3('bad', p.producerId, 0, [{ name: 't', partitions: [0, 7] }, { name: 'nope', partitions: [0] }]))).toEqual([
    ['t-0', ErrorCode.OPERATION_NOT_ATTEMPTED],
    ['t-7', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ['nope-0', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
  ]);
  expect(codes(await addV3('bad', p.producerId, 0, [{ name: 't', partitions: [0] }]))).toEqual([['t-0', ErrorCode.NONE]]);
});

test('a transactional id used by two producers: the older is fenced, PRODUCER_FENCED from v2 (v4 for InitProducerId), INVALID_PRODUCER_EPOCH before', async () => {
  const first = await init('two');
  const second = await init('two');
  expect(second).toMatchObject({ errorCode: ErrorCode.NONE, producerId: first.producerId, producerEpoch: 1 });
  expect(codes(await addV3('two', first.producerId, 0, [{ name: 't', partitions: [1] }], 2))).toEqual([['t-1', ErrorCode.PRODUCER_FENCED]]);
  expect(codes(await addV3('two', first.producerId, 0, [{ name: 't', partitions: [1] }], 1))).toEqual([['t-1', ErrorCode.INVALID_PRODUCER_EPOCH]]);
  expect((await conn.send(ApiKey.EndTxn, 1, { transactionalId: 'two', producerId: first.producerId, producerEpoch: 0, committed: false })).errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  // KIP-360: naming a stale epoch is fenced.
  const stale = await conn.send(ApiKey.InitProducerId, 4, { transactionalId: 'two', transactionTimeoutMs: 30_000, producerId: first.producerId, producerEpoch: 5 });
  expect(stale.errorCode).toBe(ErrorCode.PRODUCER_FENCED);
  const staleV3 = await conn.send(ApiKey.InitProducerId, 3, { transactionalId: 'two', transactionTimeoutMs: 30_000, producerId: first.producerId, producerEpoch: 5 });
  expect(staleV3.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
});

test('AddPartitionsToTxn v4+: several transactions in one request, and verify-only', async () => {
  const a = await init('batch-a');
  const b = await init('batch-b');
  const added = await conn.send(ApiKey.AddPartitionsToTxn, 5, {
    transactions: [
      { transactionalId: 'batch-a', producerId: a.producerId, producerEpoch: 0, verifyOnly: false, topics: [{ name: 't', partitions: [0] }] },
      { transactionalId: 'batch-b', producerId: b.producerId, producerEpoch: 0, verifyOnly: false, topics: [{ name: 't', partitions: [1] }] },
    ],
    v3AndBelowTransactionalId: '', v3AndBelowProducerId: 0, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [],
  });
  expect(added.errorCode).toBe(ErrorCode.NONE);
  expect(added.resultsByTransaction.map((t) => [t.transactionalId, t.topicResults[0]!.resultsByPartition[0]!.partitionErrorCode])).toEqual([['batch-a', 0], ['batch-b', 0]]);
  const verify = (version: number) =>
    conn.send(ApiKey.AddPartitionsToTxn, version, {
      transactions: [{ transactionalId: 'batch-a', producerId: a.producerId, producerEpoch: 0, verifyOnly: true, topics: [{ name: 't', partitions: [0, 1] }] }],
      v3AndBelowTransactionalId: '', v3AndBelowProducerId: 0, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [],
    });
  const v5 = (await verify(5)).resultsByTransaction[0]!.topicResults[0]!.resultsByPartition;
  expect(v5).toEqual([{ partitionIndex: 0, partitionErrorCode: ErrorCode.NONE }, { partitionIndex: 1, partitionErrorCode: ErrorCode.TRANSACTION_ABORTABLE }]);
  const v4 = (await verify(4)).resultsByTransaction[0]!.topicResults[0]!.resultsByPartition;
  expect(v4[1]).toEqual({ partitionIndex: 1, partitionErrorCode: ErrorCode.INVALID_TXN_STATE });
  // Verification adds nothing.
  expect((await conn.send(ApiKey.DescribeTransactions, 0, { transactionalIds: ['batch-a'] })).transactionStates[0]!.topics).toEqual([{ topic: 't', partitions: [0] }]);
});

test('ListTransactions filters by state, producer id and duration', async () => {
  const list = (stateFilters: string[], producerIdFilters: number[] = [], durationFilter = -1) =>
    conn.send(ApiKey.ListTransactions, 1, { stateFilters, producerIdFilters, durationFilter });
  const ongoing = await list(['Ongoing', 'NoSuchState']);
  expect(ongoing.unknownStateFilters).toEqual(['NoSuchState']);
  expect(ongoing.transactionStates.map((t) => t.transactionalId).sort()).toEqual(['bad', 'batch-a', 'batch-b']);
  const a = (await conn.send(ApiKey.DescribeTransactions, 0, { transactionalIds: ['batch-a'] })).transactionStates[0]!;
  expect((await list([], [a.producerId])).transactionStates).toEqual([{ transactionalId: 'batch-a', producerId: a.producerId, transactionState: 'Ongoing' }]);
  expect((await list(['Ongoing'], [], 3_600_000)).transactionStates).toEqual([]);
});
