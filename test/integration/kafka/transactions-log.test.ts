// Transactions on the partition side, end to end through the wire: transactional batches open a
// producer's transaction, WriteTxnMarkers closes it, the last stable offset holds read_committed
// readers (Fetch and ListOffsets) back meanwhile, and a read_committed Fetch names the aborted
// transactions among what it returns. A restart keeps the open transaction and the aborted index.
// TxnOffsetCommit's offsets wait in the group for the marker on __consumer_offsets, across a restart too.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { buildRecordBatch } from '../../../protocol/kafka/records/batch-builder.js';
import { CONTROL_BIT } from '../../../protocol/kafka/records/batch-header.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { fetchPartition, LATEST, listOffset, recordsOf } from '../../../src/kafka/client/consumer.js';
import { produceBatch } from '../../../src/kafka/client/producer.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { GroupService } from '../../../src/kafka/groups/service.js';
import { findCoordinator, waitFor } from './groups-harness.js';

let broker: TestBroker;
let conn: KafkaConnection;

beforeAll(async () => {
  // One __consumer_offsets partition: every group's markers go to partition 0.
  broker = await startTestBroker({ 'offsets.topic.num.partitions': '1' });
  conn = await KafkaConnection.connect(broker.bootstrap);
  const topics = ['txn-commit', 'txn-abort', 'txn-refusals', 'txn-restart'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1 }));
  await conn.send(ApiKey.CreateTopics, 4, { topics, timeoutMs: 5_000 });
});
afterAll(async () => {
  conn.close();
  await broker.close();
});

const sequences = new Map<number, number>();

/** A batch of `values` from producer `producerId` at `epoch`, transactional unless said otherwise. */
function batch(producerId: number, values: string[], options: { epoch?: number; transactional?: boolean } = {}): Buffer {
  const seq = sequences.get(producerId) ?? 0;
  sequences.set(producerId, seq + values.length);
  return buildRecordBatch(
    values.map((v) => ({ value: Buffer.from(v) })),
    { baseTimestamp: Date.now(), producerId, producerEpoch: options.epoch ?? 0, baseSequence: seq, transactional: options.transactional ?? true },
  );
}

async function produce(topic: string, b: Buffer): Promise<number> {
  const result = await produceBatch(conn, topic, 0, b, { transactionalId: 'tx' });
  return result.baseOffset;
}

async function produceError(topic: string, b: Buffer, transactionalId: string | null = 'tx'): Promise<number> {
  const response = await conn.send(ApiKey.Produce, 9, {
    transactionalId,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: b }] }],
  });
  return response.responses[0]!.partitionResponses[0]!.errorCode;
}

async function marker(topic: string, producerId: number, commit: boolean, options: { epoch?: number; coordinatorEpoch?: number } = {}): Promise<number> {
  const response = await conn.send(ApiKey.WriteTxnMarkers, 1, {
    markers: [{ producerId, producerEpoch: options.epoch ?? 0, transactionResult: commit, coordinatorEpoch: options.coordinatorEpoch ?? 0, topics: [{ name: topic, partitionIndexes: [0] }] }],
  });
  return response.markers[0]!.topics[0]!.partitions[0]!.errorCode;
}

/** The values a read_committed consumer keeps: records of aborted transactions and markers dropped, as clients do. */
async function readCommitted(topic: string): Promise<{ values: string[]; lso: number; hw: number }> {
  const fetched = await fetchPartition(conn, topic, 0, 0, { isolationLevel: 1 });
  const aborted = new Map<number, number>((fetched.abortedTransactions ?? []).map((a) => [a.producerId, a.firstOffset]));
  const abortedNow = new Set<number>();
  const values: string[] = [];
  for (let i = 0; i < fetched.batches.length; i++) {
    const h = fetched.headers[i]!;
    const start = aborted.get(h.producerId);
    if (start !== undefined && h.baseOffset >= start) abortedNow.add(h.producerId);
    if ((h.attributes & CONTROL_BIT) !== 0) {
      abortedNow.delete(h.producerId);
      continue;
    }
    if (abortedNow.has(h.producerId)) continue;
    for (const r of recordsOf({ batches: [fetched.batches[i]!] })) values.push(r.value!.toString());
  }
  return { values, lso: fetched.lastStableOffset, hw: fetched.highWatermark };
}

describe('transactions on a partition', () => {
  test('an open transaction holds the last stable offset; a commit releases it', async () => {
    const topic = 'txn-commit';
    await produce(topic, buildRecordBatch([{ value: Buffer.from('plain') }], { baseTimestamp: Date.now() }));
    const first = await produce(topic, batch(100, ['a', 'b']));
    await produce(topic, batch(100, ['c']));
    let read = await readCommitted(topic);
    expect(read).toEqual({ values: ['plain'], lso: first, hw: 4 });
    expect((await listOffset(conn, topic, 0, LATEST, { isolationLevel: 1 })).offset).toBe(first);
    expect((await listOffset(conn, topic, 0, LATEST, { isolationLevel: 0 })).offset).toBe(4);
    expect(await marker(topic, 100, true)).toBe(ErrorCode.NONE);
    read = await readCommitted(topic);
    expect(read).toEqual({ values: ['plain', 'a', 'b', 'c'], lso: 5, hw: 5 });
  });

  test('an aborted transaction is named to read_committed readers, which drop its records', async () => {
    const topic = 'txn-abort';
    await produce(topic, batch(200, ['x1']));
    await produce(topic, batch(201, ['y1']));
    await produce(topic, batch(200, ['x2']));
    expect(await marker(topic, 200, false)).toBe(ErrorCode.NONE);
    // Producer 201 is still open: the last stable offset stays at its first offset.
    let read = await readCommitted(topic);
    expect(read.lso).toBe(1);
    expect(read.values).toEqual([]);
    expect(await marker(topic, 201, true)).toBe(ErrorCode.NONE);
    read = await readCommitted(topic);
    expect(read.values).toEqual(['y1']);
    expect(read.lso).toBe(5);
    const fetched = await fetchPartition(conn, topic, 0, 0, { isolationLevel: 1 });
    expect(fetched.abortedTransactions).toEqual([{ producerId: 200, firstOffset: 0 }]);
    // read_uncommitted sees everything and gets no aborted list.
    const uncommitted = await fetchPartition(conn, topic, 0, 0);
    expect(uncommitted.abortedTransactions).toBeNull();
    expect(uncommitted.headers.map((h) => (h.attributes & CONTROL_BIT) !== 0)).toEqual([false, false, false, true, true]);
    expect(recordsOf({ batches: uncommitted.batches.slice(0, 3) }).map((r) => r.value?.toString())).toEqual(['x1', 'y1', 'x2']);
  });

  test('a plain batch inside an open transaction is INVALID_TXN_STATE; old epochs are refused', async () => {
    const topic = 'txn-refusals';
    await produce(topic, batch(300, ['t'], { epoch: 1 }));
    expect(await produceError(topic, batch(300, ['plain'], { epoch: 1, transactional: false }))).toBe(ErrorCode.INVALID_TXN_STATE);
    sequences.set(300, 1);
    expect(await marker(topic, 300, true, { epoch: 0 })).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await marker(topic, 300, false, { epoch: 1, coordinatorEpoch: 5 })).toBe(ErrorCode.NONE);
    expect(await marker(topic, 300, false, { epoch: 1, coordinatorEpoch: 4 })).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    expect(await marker('no-such-topic-here', 300, true)).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  test('a read_committed long poll is answered when the marker makes records readable, not by appends inside the transaction', async () => {
    const topic = 'txn-refusals';
    const start = (await fetchPartition(conn, topic, 0, 0, { isolationLevel: 1 })).lastStableOffset;
    const poll = fetchPartition(conn, topic, 0, start, { isolationLevel: 1, maxWaitMs: 10_000, minBytes: 1 });
    let answered = false;
    void poll.then(() => (answered = true));
    // A second connection: the first waits for the poll's reply in order.
    const other = await KafkaConnection.connect(broker.bootstrap);
    try {
      await produceBatch(other, topic, 0, batch(600, ['inside']), { transactionalId: 'tx' });
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toBe(false);
      const began = Date.now();
      const response = await other.send(ApiKey.WriteTxnMarkers, 1, {
        markers: [{ producerId: 600, producerEpoch: 0, transactionResult: true, coordinatorEpoch: 0, topics: [{ name: topic, partitionIndexes: [0] }] }],
      });
      expect(response.markers[0]!.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
      const fetched = await poll;
      expect(Date.now() - began).toBeLessThan(5_000);
      expect(recordsOf(fetched).map((r) => r.value?.toString())).toContain('inside');
    } finally {
      other.close();
    }
  });

  test('DescribeProducers lists each producer with its open transaction\'s first offset', async () => {
    const response = await conn.send(ApiKey.DescribeProducers, 0, { topics: [{ name: 'txn-abort', partitionIndexes: [0, 7] }] });
    const [known, unknown] = response.topics[0]!.partitions;
    expect(unknown!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(known!.errorCode).toBe(ErrorCode.NONE);
    expect(known!.activeProducers.map((p) => [p.producerId, p.producerEpoch, p.lastSequence, p.currentTxnStartOffset]).sort()).toEqual([
      [200, 0, 1, -1],
      [201, 0, 0, -1],
    ]);
    await produce('txn-abort', batch(202, ['open']));
    const again = await conn.send(ApiKey.DescribeProducers, 0, { topics: [{ name: 'txn-abort', partitionIndexes: [0] }] });
    expect(again.topics[0]!.partitions[0]!.activeProducers.find((p) => p.producerId === 202)?.currentTxnStartOffset).toBe(5);
  });

  test('transactional batches in a request without a transactional id are TRANSACTIONAL_ID_AUTHORIZATION_FAILED, as in Kafka', async () => {
    expect(await produceError('txn-refusals', batch(900, ['t']), null)).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    sequences.delete(900);
    expect(await produceError('txn-refusals', buildRecordBatch([{ value: Buffer.from('plain') }], { baseTimestamp: Date.now() }), null)).toBe(ErrorCode.NONE);
  });

  test('clients cannot write markers through Produce (INVALID_RECORD, as Kafka)', async () => {
    const control = buildRecordBatch([{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }], {
      baseTimestamp: Date.now(), producerId: 400, producerEpoch: 0, baseSequence: -1, transactional: true, control: true,
    });
    expect(await produceError('txn-commit', control)).toBe(ErrorCode.INVALID_RECORD);
  });

  test('a restart keeps the open transaction and the aborted index', async () => {
    const topic = 'txn-restart';
    await produce(topic, batch(500, ['gone']));
    expect(await marker(topic, 500, false)).toBe(ErrorCode.NONE);
    await produce(topic, batch(501, ['kept']));
    await produce(topic, batch(502, ['open']));
    expect(await marker(topic, 501, true)).toBe(ErrorCode.NONE);
    const before = await readCommitted(topic);
    expect(before).toEqual({ values: ['kept'], lso: 3, hw: 5 });
    conn.close();
    broker = await broker.restart();
    conn = await KafkaConnection.connect(broker.bootstrap);
    expect(await readCommitted(topic)).toEqual(before);
    expect(await marker(topic, 502, true)).toBe(ErrorCode.NONE);
    expect((await readCommitted(topic)).values).toEqual(['kept', 'open']);
  });
});

describe('transactional offset commits', () => {
  async function txnCommit(groupId: string, producerId: number, offset: number): Promise<number> {
    const response = await conn.send(ApiKey.TxnOffsetCommit, 3, {
      transactionalId: `tx-${producerId}`,
      groupId,
      producerId,
      producerEpoch: 0,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: 'txn-commit', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }],
    });
    return response.topics[0]!.partitions[0]!.errorCode;
  }

  async function fetchOffset(groupId: string, requireStable: boolean): Promise<{ offset: number; errorCode: number }> {
    const response = await conn.send(ApiKey.OffsetFetch, 7, { groupId, topics: [{ name: 'txn-commit', partitionIndexes: [0] }], requireStable });
    const p = response.topics[0]!.partitions[0]!;
    return { offset: p.committedOffset, errorCode: p.errorCode };
  }

  test('offsets become visible with the COMMIT marker and vanish with an ABORT, also across a restart', async () => {
    await findCoordinator(conn, 'g-commit');
    expect(await txnCommit('g-commit', 700, 3)).toBe(ErrorCode.NONE);
    expect(await fetchOffset('g-commit', false)).toEqual({ offset: -1, errorCode: ErrorCode.NONE });
    expect((await fetchOffset('g-commit', true)).errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
    expect(await marker('__consumer_offsets', 700, true)).toBe(ErrorCode.NONE);
    expect(await fetchOffset('g-commit', true)).toEqual({ offset: 3, errorCode: ErrorCode.NONE });

    expect(await txnCommit('g-commit', 701, 9)).toBe(ErrorCode.NONE);
    expect(await marker('__consumer_offsets', 701, false)).toBe(ErrorCode.NONE);
    expect(await fetchOffset('g-commit', true)).toEqual({ offset: 3, errorCode: ErrorCode.NONE });

    // An open transaction's offsets are read back as pending, and its marker still settles them.
    expect(await txnCommit('g-commit', 702, 4)).toBe(ErrorCode.NONE);
    conn.close();
    broker = await broker.restart();
    conn = await KafkaConnection.connect(broker.bootstrap);
    await findCoordinator(conn, 'g-commit');
    expect((await fetchOffset('g-commit', true)).errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
    expect(await fetchOffset('g-commit', false)).toEqual({ offset: 3, errorCode: ErrorCode.NONE });
    expect(await marker('__consumer_offsets', 702, true)).toBe(ErrorCode.NONE);
    expect(await fetchOffset('g-commit', true)).toEqual({ offset: 4, errorCode: ErrorCode.NONE });
  });

  test('a marker that reaches __consumer_offsets while it loads settles the loaded groups afterwards', async () => {
    await findCoordinator(conn, 'g-loading');
    expect(await txnCommit('g-loading', 703, 6)).toBe(ErrorCode.NONE);
    // A second service over the running broker's topic starts loading at once; the marker comes meanwhile.
    const { config, log, topics, metadata, replicas, shares: shareStates } = broker.broker;
    const service = new GroupService({ config, log, alone: true, topics, metadata, replicas, shareStates, now: () => Date.now() });
    service.start();
    try {
      expect(service.state).toBe('loading');
      service.completeTransaction(703, [0], true);
      await waitFor('the load', () => (service.state === 'ready' ? true : undefined));
      const fetched = await service.offsetFetch({ groups: [{ groupId: 'g-loading', topics: [{ name: 'txn-commit', partitionIndexes: [0] }] }], requireStable: true });
      expect(fetched.groups[0]!.topics[0]!.partitions[0]).toMatchObject({ committedOffset: 6, errorCode: ErrorCode.NONE });
    } finally {
      await service.stop();
    }
  });

  test('a member that is not in the group is UNKNOWN_MEMBER_ID, a stale generation ILLEGAL_GENERATION', async () => {
    await findCoordinator(conn, 'g-members');
    const send = (memberId: string, generationId: number) =>
      conn.send(ApiKey.TxnOffsetCommit, 3, {
        transactionalId: 'tx', groupId: 'g-members', producerId: 800, producerEpoch: 0, generationId, memberId, groupInstanceId: null,
        topics: [{ name: 'txn-commit', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
      });
    expect((await send('nobody', -1)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await send('', 3)).topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
  });
});
