// kafkajs transactions against one Skein broker: a committed transaction is read by a read_committed
// consumer, an aborted one never; offsets sent in a transaction count only once it commits; a second producer with the
// same transactional.id fences the first; DescribeTransactions and ListTransactions see the ids; a
// restart keeps the coordinator's state.
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { waitFor } from './groups-harness.js';

let broker: TestBroker;
let kafka: Kafka;
const closing: (Producer | Consumer)[] = [];

beforeAll(async () => {
  broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '3', 'transaction.state.log.num.partitions': '3' });
  kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'txn-kafkajs', logLevel: logLevel.NOTHING, retry: { initialRetryTime: 100, retries: 10 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'in', numPartitions: 2 }, { topic: 'out', numPartitions: 2 }] });
  await admin.disconnect();
});

afterAll(async () => {
  await Promise.all(closing.map((c) => c.disconnect()));
  await broker.close();
});

function transactional(transactionalId: string): Producer {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 30_000 });
  closing.push(producer);
  return producer;
}

/** Every value a read_committed consumer of `topic` sees within `ms`. */
async function readCommitted(topic: string, expected: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Math.random()}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  closing.push(consumer);
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await waitFor(`${expected} records of ${topic}`, () => (seen.length >= expected ? true : undefined));
  // Anything aborted would have come by now too: the reader is past the committed records after it.
  await new Promise((r) => setTimeout(r, 500));
  await consumer.stop();
  return seen.sort();
}

test('commit is visible to read_committed readers, abort never is', async () => {
  const producer = transactional('tx-basic');
  await producer.connect();
  const committed = await producer.transaction();
  await committed.send({ topic: 'out', messages: [{ key: 'a', value: 'c1' }, { key: 'b', value: 'c2' }] });
  await committed.commit();
  const aborted = await producer.transaction();
  await aborted.send({ topic: 'out', messages: [{ key: 'a', value: 'x1' }, { key: 'b', value: 'x2' }] });
  await aborted.abort();
  const last = await producer.transaction();
  await last.send({ topic: 'out', messages: [{ key: 'a', value: 'c3' }] });
  await last.commit();
  expect(await readCommitted('out', 3)).toEqual(['c1', 'c2', 'c3']);
}, 60_000);

test('offsets sent in a transaction are committed with it, and not when it aborts', async () => {
  const producer = transactional('tx-offsets');
  await producer.connect();
  const aborted = await producer.transaction();
  await aborted.sendOffsets({ consumerGroupId: 'ctp', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '3' }] }] });
  await aborted.abort();
  const txn = await producer.transaction();
  await txn.send({ topic: 'in', messages: [{ value: 'v' }] });
  await txn.sendOffsets({ consumerGroupId: 'ctp', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '5' }] }] });
  await txn.commit();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offset = await waitFor('the offset committed by the transaction', async () => {
      const offsets = await admin.fetchOffsets({ groupId: 'ctp', topics: ['in'] });
      const got = offsets[0]?.partitions.find((p) => p.partition === 0)?.offset;
      return got === '-1' ? undefined : got;
    });
    expect(offset).toBe('5');
  } finally {
    await admin.disconnect();
  }
}, 60_000);

test('a second producer with the same transactional.id fences the first', async () => {
  const first = transactional('tx-fence');
  await first.connect();
  const open = await first.transaction();
  await open.send({ topic: 'out', messages: [{ value: 'zombie' }] });
  const second = transactional('tx-fence');
  await second.connect();
  // kafkajs asks for the transactional producer id on its first transaction: that fences the first
  // producer and aborts its open transaction.
  const txn = await second.transaction();
  await expect(open.commit()).rejects.toThrow(/fenced|epoch/i);
  await txn.send({ topic: 'out', messages: [{ value: 'fenced-ok' }] });
  await txn.commit();
  const values = await readCommitted('out', 4);
  expect(values).toContain('fenced-ok');
  expect(values).not.toContain('zombie');
}, 60_000);

test('DescribeTransactions and ListTransactions show the ids, and a restart keeps them', async () => {
  const ask = async () => {
    const conn = await KafkaConnection.connect(broker.bootstrap);
    try {
      const described = await conn.send(ApiKey.DescribeTransactions, 0, { transactionalIds: ['tx-basic', 'nobody'] });
      const listed = await conn.send(ApiKey.ListTransactions, 1, { stateFilters: [], producerIdFilters: [], durationFilter: -1 });
      return { described, listed };
    } finally {
      conn.close();
    }
  };
  // The last commit of each id completes after its EndTxn was answered.
  const before = await waitFor('every transaction complete', async () => {
    const answer = await ask();
    return answer.listed.transactionStates.every((t) => t.transactionState.startsWith('Complete')) ? answer : undefined;
  });
  expect(before.described.transactionStates[0]).toMatchObject({ errorCode: ErrorCode.NONE, transactionalId: 'tx-basic', transactionState: 'CompleteCommit', producerEpoch: 0 });
  expect(before.described.transactionStates[1]).toMatchObject({ errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND });
  expect(before.listed.transactionStates.map((t) => t.transactionalId).sort()).toEqual(['tx-basic', 'tx-fence', 'tx-offsets']);
  broker = await broker.restart();
  await waitFor('the coordinator loaded again', async () => ((await ask()).listed.errorCode === ErrorCode.NONE ? true : undefined));
  const after = await ask();
  expect(after.described.transactionStates[0]).toMatchObject(before.described.transactionStates[0]!);
  // The same id continues at the next epoch.
  const again = transactional('tx-basic');
  await again.connect();
  const txn = await again.transaction();
  await txn.send({ topic: 'out', messages: [{ value: 'after-restart' }] });
  await txn.commit();
  // EndTxn is answered once PrepareCommit is durable; the markers and CompleteCommit follow.
  const done = await waitFor('the commit complete', async () => {
    const state = (await ask()).described.transactionStates[0]!;
    return state.transactionState === 'CompleteCommit' ? state : undefined;
  });
  expect(done).toMatchObject({ producerEpoch: 1 });
}, 60_000);
