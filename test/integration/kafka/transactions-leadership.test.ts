// A broker coordinates the transactional ids of a __transaction_state partition only while it leads it
// (the seam the replication manager drives in a cluster): resigning drops them from memory and answers
// NOT_COORDINATOR; being elected again (at a higher leader epoch) reads them back, and the transaction
// left open carries on, its markers stamped with the new coordinator epoch.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { partitionForGroup } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { waitFor } from './groups-harness.js';

const PARTITIONS = 3;
const ID = 'moving';
const PARTITION = partitionForGroup(ID, PARTITIONS);

let broker: TestBroker;
let conn: KafkaConnection;

beforeAll(async () => {
  broker = await startTestBroker({ 'transaction.state.log.num.partitions': String(PARTITIONS) });
  conn = await KafkaConnection.connect(broker.bootstrap, { clientId: 'txn-leadership' });
  await conn.send(ApiKey.CreateTopics, 4, { topics: [{ name: 't', numPartitions: 1, replicationFactor: 1 }], timeoutMs: 5_000 });
  await waitFor('the transaction coordinator', async () => {
    const found = await conn.send(ApiKey.FindCoordinator, 3, { key: ID, keyType: 1 });
    return found.errorCode === ErrorCode.NONE ? true : undefined;
  });
});

afterAll(async () => {
  conn.close();
  await broker.close();
});

const describeId = async () => (await conn.send(ApiKey.DescribeTransactions, 0, { transactionalIds: [ID] })).transactionStates[0]!;

test('resignation unloads the ids, re-election reloads them and an open transaction completes at the new epoch', async () => {
  const { transactions } = broker.broker;
  const init = await conn.send(ApiKey.InitProducerId, 4, { transactionalId: ID, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  expect(init.errorCode).toBe(ErrorCode.NONE);
  const producer = { v3AndBelowTransactionalId: ID, v3AndBelowProducerId: init.producerId, v3AndBelowProducerEpoch: init.producerEpoch };
  const added = await conn.send(ApiKey.AddPartitionsToTxn, 3, { ...producer, v3AndBelowTopics: [{ name: 't', partitions: [0] }], transactions: [] });
  expect(added.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode).toBe(ErrorCode.NONE);

  transactions.onResignation(PARTITION, 1);
  expect(await describeId()).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR });
  const end = { transactionalId: ID, producerId: init.producerId, producerEpoch: init.producerEpoch, committed: true };
  expect((await conn.send(ApiKey.EndTxn, 3, end)).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  // Ids of other partitions are still served.
  const other = ['other-0', 'other-1', 'other-2', 'other-3'].find((id) => partitionForGroup(id, PARTITIONS) !== PARTITION)!;
  expect((await conn.send(ApiKey.InitProducerId, 4, { transactionalId: other, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 })).errorCode).toBe(ErrorCode.NONE);

  await transactions.onElection(PARTITION, 2);
  expect(await describeId()).toMatchObject({ errorCode: ErrorCode.NONE, transactionState: 'Ongoing', topics: [{ topic: 't', partitions: [0] }] });
  expect((await conn.send(ApiKey.EndTxn, 3, end)).errorCode).toBe(ErrorCode.NONE);
  await waitFor('the commit complete', async () => ((await describeId()).transactionState === 'CompleteCommit' ? true : undefined));
  const producers = await conn.send(ApiKey.DescribeProducers, 0, { topics: [{ name: 't', partitionIndexes: [0] }] });
  expect(producers.topics[0]!.partitions[0]!.activeProducers).toMatchObject([{ producerId: init.producerId, coordinatorEpoch: 2, currentTxnStartOffset: -1 }]);
});
