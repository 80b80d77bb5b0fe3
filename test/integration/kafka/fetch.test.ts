// Fetch end to end with our client and raw requests: long polls woken by appends or expiring, min_bytes,
// max_bytes and partition_max_bytes with KIP-74, the log's edges, errors, isolation and sessions.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiKey, ErrorCode, type FetchRequestInput } from '../../../protocol/kafka/index.js';
import { buildRecordBatch } from '../../../protocol/kafka/records/batch-builder.js';
import { CRC_AT, readBatchHeader } from '../../../protocol/kafka/records/batch-header.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { fetchPartition, recordsOf } from '../../../src/kafka/client/consumer.js';
import { produceRecords } from '../../../src/kafka/client/producer.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';

let broker: TestBroker;
let conn: KafkaConnection;
/** Produces go on their own connection: a long-polling fetch holds back later answers on its connection. */
let producerConn: KafkaConnection;

beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false', 'group.initial.rebalance.delay.ms': '0' });
  conn = await KafkaConnection.connect(broker.bootstrap);
  producerConn = await KafkaConnection.connect(broker.bootstrap);
  for (const [name, partitions] of [['poll', 1], ['sized', 2], ['edges', 1], ['iso', 1], ['consumed', 3]] as const) {
    await broker.broker.topics.create({ name, numPartitions: partitions, replicationFactor: 1 });
  }
});
afterAll(async () => {
  conn.close();
  producerConn.close();
  await broker.close();
});

/** A batch of `count` records of `valueBytes` each. */
function produce(topic: string, partition: number, count: number, valueBytes: number, tag = 'v') {
  return produceRecords(producerConn, topic, partition, Array.from({ length: count }, (_, i) => ({ value: Buffer.from(`${tag}${i}:`.padEnd(valueBytes, '.')) })));
}

function fetchRequest(partitions: { topic: string; partition: number; offset: number; maxBytes?: number }[], extra: Partial<FetchRequestInput> = {}): FetchRequestInput {
  const byTopic = new Map<string, { partition: number; fetchOffset: number; partitionMaxBytes: number; currentLeaderEpoch: number; logStartOffset: number }[]>();
  for (const p of partitions) {
    const list = byTopic.get(p.topic) ?? [];
    list.push({ partition: p.partition, fetchOffset: p.offset, partitionMaxBytes: p.maxBytes ?? 1 << 20, currentLeaderEpoch: -1, logStartOffset: -1 });
    byTopic.set(p.topic, list);
  }
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 50 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [...byTopic].map(([topic, ps]) => ({ topic, partitions: ps })),
    forgottenTopicsData: [],
    rackId: '',
    ...extra,
  };
}

/** A Fetch v11 of `partitions`, answered. */
function fetchRaw(partitions: Parameters<typeof fetchRequest>[0], extra: Partial<FetchRequestInput> = {}) {
  return conn.send(ApiKey.Fetch, 11, fetchRequest(partitions, extra));
}

describe('long polls', () => {
  test('a fetch waiting at the log end is woken by an append, long before max_wait', async () => {
    const end = (await fetchPartition(conn, 'poll', 0, 0)).highWatermark;
    // max_wait is beyond the test timeout: only the append can end this fetch in time.
    const waiting = fetchPartition(conn, 'poll', 0, end, { maxWaitMs: 120_000 });
    await new Promise((r) => setTimeout(r, 50));
    await produce('poll', 0, 1, 10, 'woken');
    const fetched = await waiting;
    expect(recordsOf(fetched).map((r) => r.value!.toString())).toEqual(['woken0:...']);
  });

  test('with nothing appended the fetch answers empty once max_wait passes', async () => {
    const end = (await fetchPartition(conn, 'poll', 0, 0)).highWatermark;
    const started = Date.now();
    const fetched = await fetchPartition(conn, 'poll', 0, end, { maxWaitMs: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(295);
    expect(fetched.batches).toEqual([]);
    expect(fetched.highWatermark).toBe(end);
  });

  test('min_bytes holds the answer until enough bytes were appended', async () => {
    const end = (await fetchPartition(conn, 'poll', 0, 0)).highWatermark;
    let answered = false;
    const waiting = fetchPartition(conn, 'poll', 0, end, { maxWaitMs: 120_000, minBytes: 4000 }).then((f) => {
      answered = true;
      return f;
    });
    await produce('poll', 0, 1, 100, 'small');
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(false);
    await produce('poll', 0, 5, 1000, 'big');
    const fetched = await waiting;
    expect(recordsOf(fetched).map((r) => r.value!.toString().split(':')[0])).toEqual(['small0', 'big0', 'big1', 'big2', 'big3', 'big4']);
  });

  test('max_wait 0 answers at once even with less than min_bytes', async () => {
    const fetched = await fetchPartition(conn, 'poll', 0, 0, { maxWaitMs: 0, minBytes: 1 << 30 });
    expect(fetched.batches.length).toBeGreaterThan(0);
  });
});

describe('size limits', () => {
  let batchBytes: number;
  beforeAll(async () => {
    for (let i = 0; i < 5; i++) await produce('sized', 0, 1, 1000, `p0b${i}`);
    for (let i = 0; i < 5; i++) await produce('sized', 1, 1, 1000, `p1b${i}`);
    batchBytes = (await fetchPartition(conn, 'sized', 0, 0, { partitionMaxBytes: 1 })).sizeBytes;
  });

  test('partition_max_bytes stops before the batch that would cross it', async () => {
    const fetched = await fetchPartition(conn, 'sized', 0, 0, { partitionMaxBytes: batchBytes * 2 + batchBytes / 2 });
    expect(fetched.headers.map((h) => h.baseOffset)).toEqual([0, 1]);
    expect(fetched.nextOffset).toBe(2);
  });

  test('the first batch comes back even when larger than the limits (KIP-74)', async () => {
    const fetched = await fetchPartition(conn, 'sized', 0, 3, { partitionMaxBytes: 10, maxBytes: 10 });
    expect(fetched.headers.map((h) => h.baseOffset)).toEqual([3]);
  });

  test('max_bytes is shared in request order; only the first non-empty partition may exceed it', async () => {
    const response = await fetchRaw(
      [
        { topic: 'sized', partition: 0, offset: 0 },
        { topic: 'sized', partition: 1, offset: 0 },
      ],
      { maxBytes: batchBytes * 3 },
    );
    const [p0, p1] = response.responses[0]!.partitions;
    expect(p0!.records!.length).toBe(batchBytes * 3);
    expect(p1!.records!.length).toBe(0);
    const tight = await fetchRaw(
      [
        { topic: 'sized', partition: 0, offset: 5 },
        { topic: 'sized', partition: 1, offset: 0 },
      ],
      { maxBytes: 10 },
    );
    const [end, q1] = tight.responses[0]!.partitions;
    expect(end!.records!.length).toBe(0);
    expect(q1!.records!.length).toBe(batchBytes);
  });

  test('a partition after one that took an oversized batch gets only what max_bytes has left', async () => {
    const response = await fetchRaw(
      [
        { topic: 'sized', partition: 0, offset: 0, maxBytes: 10 },
        { topic: 'sized', partition: 1, offset: 0, maxBytes: batchBytes * 3 },
      ],
      { maxBytes: 10 + batchBytes * 3 },
    );
    const [p0, p1] = response.responses[0]!.partitions;
    expect(p0!.records!.length).toBe(batchBytes);
    expect(p1!.records!.length).toBe(batchBytes * 2);
  });
});

describe('the log edges', () => {
  beforeAll(async () => {
    for (let i = 0; i < 4; i++) await produce('edges', 0, 2, 20);
  });

  test('at the log end: empty, with the high watermark, last stable offset and log start', async () => {
    const response = await fetchRaw([{ topic: 'edges', partition: 0, offset: 8 }]);
    expect(response.responses[0]!.partitions[0]).toMatchObject({
      partitionIndex: 0,
      errorCode: 0,
      highWatermark: 8,
      lastStableOffset: 8,
      logStartOffset: 0,
      abortedTransactions: null,
      preferredReadReplica: -1,
    });
    expect(response.responses[0]!.partitions[0]!.records!.length).toBe(0);
  });

  test('inside a batch: the whole batch holding the offset comes back', async () => {
    const fetched = await fetchPartition(conn, 'edges', 0, 3);
    expect(fetched.headers[0]!.baseOffset).toBe(2);
    expect(recordsOf(fetched, 3)[0]!.offset).toBe(3);
  });

  test('above the log end, and below the log start, are OFFSET_OUT_OF_RANGE', async () => {
    const above = await fetchRaw([{ topic: 'edges', partition: 0, offset: 9 }]);
    expect(above.responses[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: -1, logStartOffset: -1 });
    await broker.broker.replicas.partition('edges', 0)!.log.deleteRecordsBefore(4);
    const below = await fetchRaw([{ topic: 'edges', partition: 0, offset: 2 }]);
    expect(below.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect((await fetchPartition(conn, 'edges', 0, 4)).logStartOffset).toBe(4);
  });

  test('an error in one partition answers at once and leaves the others served', async () => {
    // max_wait is beyond the test timeout, so only answering at once passes.
    const response = await fetchRaw(
      [
        { topic: 'edges', partition: 0, offset: 8 },
        { topic: 'edges', partition: 3, offset: 0 },
        { topic: 'nope', partition: 0, offset: 0 },
      ],
      { maxWaitMs: 120_000 },
    );
    expect(response.responses.map((t) => [t.topic, t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.highWatermark])])).toEqual([
      ['edges', [[0, 0, 8], [3, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1]]],
      ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1]]],
    ]);
  });

  test('a leader epoch other than ours is fenced (older) or unknown (newer); replica fetches are refused', async () => {
    const ask = async (currentLeaderEpoch: number, replicaId = -1) => {
      const request = fetchRequest([{ topic: 'edges', partition: 0, offset: 4 }], { replicaId });
      request.topics![0]!.partitions![0]!.currentLeaderEpoch = currentLeaderEpoch;
      return (await conn.send(ApiKey.Fetch, 11, request)).responses[0]!.partitions[0]!.errorCode;
    };
    expect(await ask(0)).toBe(0);
    expect(await ask(1)).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    broker.broker.replicas.partition('edges', 0)!.leaderEpoch = 2;
    expect(await ask(1)).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    broker.broker.replicas.partition('edges', 0)!.leaderEpoch = 0;
    expect(await ask(-1, 1)).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });
});

describe('isolation and sessions', () => {
  beforeAll(() => produce('iso', 0, 3, 10));

  test('READ_COMMITTED reads to the last stable offset (the high watermark) with no aborted transactions', async () => {
    const response = await fetchRaw([{ topic: 'iso', partition: 0, offset: 0 }], { isolationLevel: 1 });
    const p = response.responses[0]!.partitions[0]!;
    expect(p).toMatchObject({ errorCode: 0, highWatermark: 3, lastStableOffset: 3, abortedTransactions: [] });
  });

  test('sessionless (0/-1) and new-session (0/0) fetches get full answers with session id 0', async () => {
    for (const sessionEpoch of [-1, 0]) {
      const response = await fetchRaw([{ topic: 'iso', partition: 0, offset: 0 }], { sessionEpoch });
      expect(response.errorCode).toBe(0);
      expect(response.sessionId).toBe(0);
      expect(response.responses[0]!.partitions[0]!.records!.length).toBeGreaterThan(0);
    }
  });

  test('an incremental fetch names a session this broker never created: FETCH_SESSION_ID_NOT_FOUND', async () => {
    const response = await fetchRaw([], { sessionId: 1234, sessionEpoch: 1 });
    expect(response).toMatchObject({ errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] });
  });

  test('every served version reads the same records', async () => {
    for (let version = 4; version <= 12; version++) {
      const fetched = await fetchPartition(conn, 'iso', 0, 0, { version });
      expect(recordsOf(fetched).map((r) => r.offset)).toEqual([0, 1, 2]);
      expect(fetched.highWatermark).toBe(3);
    }
  });
});

test('batches come back as stored: the producer\'s bytes with the offsets assigned', async () => {
  const batch = buildRecordBatch([{ value: Buffer.alloc(5000, 7) }], { baseTimestamp: Date.now() });
  const response = await conn.send(ApiKey.Produce, 9, { acks: -1, timeoutMs: 1000, topicData: [{ name: 'iso', partitionData: [{ index: 0, records: batch }] }] });
  const offset = response.responses[0]!.partitionResponses[0]!.baseOffset;
  const fetched = await fetchPartition(conn, 'iso', 0, offset);
  expect(fetched.batches[0]!.subarray(CRC_AT)).toEqual(batch.subarray(CRC_AT));
  expect(readBatchHeader(fetched.batches[0]!).baseOffset).toBe(offset);
});

test('kafkajs\' consumer reads every record, each key in order, including ones produced while it long-polls', async () => {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const message = (i: number) => ({ key: `key-${i % 5}`, value: `${i}` });
  await producer.send({ topic: 'consumed', messages: Array.from({ length: 30 }, (_, i) => message(i)) });
  const consumer = kafka.consumer({ groupId: 'fetch-test', maxWaitTimeInMs: 5000 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'consumed', fromBeginning: true });
  const byKey = new Map<string, number[]>();
  let count = 0;
  let firstThirty!: () => void;
  let all!: () => void;
  const gotFirst = new Promise<void>((resolve) => (firstThirty = resolve));
  const gotAll = new Promise<void>((resolve) => (all = resolve));
  await consumer.run({
    eachMessage: async ({ message: m }) => {
      const key = m.key!.toString();
      byKey.set(key, [...(byKey.get(key) ?? []), Number(m.value!.toString())]);
      if (++count === 30) firstThirty();
      if (count === 60) all();
    },
  });
  await gotFirst;
  await producer.send({ topic: 'consumed', messages: Array.from({ length: 30 }, (_, i) => message(30 + i)) });
  await gotAll;
  for (const [key, values] of byKey) {
    const k = Number(key.split('-')[1]);
    expect(values).toEqual(Array.from({ length: 12 }, (_, j) => k + 5 * j));
  }
  await consumer.disconnect();
  await producer.disconnect();
});
