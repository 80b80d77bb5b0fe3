// Transactions in a three-broker cluster: the coordinator of a transactional id is the leader of its
// __transaction_state partition (replicated on all three), markers go to partition leaders on other
// brokers over the inter-broker connection, and when the coordinator's broker shuts down the partition's
// new leader loads the id and the producer carries on there.
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { partitionForGroup } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';
import { waitFor } from './groups-harness.js';

const TXN_PARTITIONS = 3;
const ID = 'ledger-writer';
let zkServer: TestServer;
const brokers = new Map<number, TestBroker>();
let producer: Producer;

beforeAll(async () => {
  zkServer = await startTestServer();
  for (const id of [1, 2, 3]) {
    brokers.set(
      id,
      await startTestBroker({
        'broker.id': String(id),
        'zookeeper.connect': `127.0.0.1:${zkServer.port}/skein`,
        'zookeeper.session.timeout.ms': '1500',
        'controlled.shutdown.retry.backoff.ms': '100',
        'auto.leader.rebalance.enable': 'false',
        'transaction.state.log.num.partitions': String(TXN_PARTITIONS),
        'offsets.topic.num.partitions': '3',
        'group.initial.rebalance.delay.ms': '0',
      }),
    );
  }
  await waitFor('every broker to see the others', () => ([...brokers.values()].every((b) => b.broker.metadata.liveBrokers().length === 3) ? true : undefined));
  const kafka = new Kafka({ brokers: [brokers.get(1)!.bootstrap], logLevel: logLevel.NOTHING, retry: { initialRetryTime: 100, retries: 15 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'ledger', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
  await admin.disconnect();
  producer = kafka.producer({ transactionalId: ID, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
}, 60_000);

afterAll(async () => {
  await producer?.disconnect();
  for (const b of brokers.values()) await b.close();
  await zkServer?.destroy();
});

/** The broker leading the id's __transaction_state partition, as broker `via` sees it. */
function coordinatorOf(via: TestBroker): number | undefined {
  return via.broker.metadata.partition('__transaction_state', partitionForGroup(ID, TXN_PARTITIONS))?.leader;
}

async function describe(on: TestBroker) {
  const conn = await KafkaConnection.connect(on.bootstrap);
  try {
    return (await conn.send(ApiKey.DescribeTransactions, 0, { transactionalIds: [ID] })).transactionStates[0]!;
  } finally {
    conn.close();
  }
}

test('a transaction over partitions led by three brokers commits through the id\'s coordinator, which then moves', async () => {
  const txn = await producer.transaction();
  await txn.send({ topic: 'ledger', messages: [0, 1, 2].map((partition) => ({ partition, value: `first-${partition}` })) });
  await txn.commit();
  const leaders = new Set([0, 1, 2].map((p) => brokers.get(1)!.broker.metadata.partition('ledger', p)!.leader));
  expect(leaders.size).toBeGreaterThan(1); // some markers went to other brokers
  const first = coordinatorOf(brokers.get(1)!)!;
  const coordinator = brokers.get(first)!;
  const done = await waitFor('the commit complete', async () => {
    const d = await describe(coordinator);
    return d.transactionState === 'CompleteCommit' ? d : undefined;
  });
  // Every other broker refuses the id: it is not theirs.
  for (const [id, b] of brokers) if (id !== first) expect((await describe(b)).errorCode).toBe(ErrorCode.NOT_COORDINATOR);

  // The coordinator's broker leaves: the partition's new leader loads the id.
  await coordinator.close();
  brokers.delete(first);
  const survivor = [...brokers.values()][0]!;
  const next = await waitFor('a new coordinator', () => {
    const leader = coordinatorOf(survivor);
    return leader !== undefined && leader !== first && leader > 0 ? leader : undefined;
  });
  const moved = await waitFor('the id loaded on its new coordinator', async () => {
    const d = await describe(brokers.get(next)!);
    return d.errorCode === ErrorCode.NONE ? d : undefined;
  });
  expect(moved).toMatchObject({ transactionState: 'CompleteCommit', producerId: done.producerId, producerEpoch: done.producerEpoch });
  const again = await producer.transaction();
  await again.send({ topic: 'ledger', messages: [0, 1, 2].map((partition) => ({ partition, value: `second-${partition}` })) });
  await again.commit();
  await waitFor('the second commit complete', async () => ((await describe(brokers.get(next)!)).transactionState === 'CompleteCommit' ? true : undefined));
}, 90_000);
