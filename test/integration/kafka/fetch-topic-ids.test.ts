// Fetch v13-17 against a broker: topics named by id (KIP-516), an unknown or stale id answered
// UNKNOWN_TOPIC_ID, a topic re-created under its name reached only by its new id, the replica id moved
// into ReplicaState (v15), and the older versions by name still served beside them.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiKey, ErrorCode, ZERO_UUID, type FetchRequestInput } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { recordsOf, splitBatches } from '../../../src/kafka/client/consumer.js';
import { produceRecords } from '../../../src/kafka/client/producer.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';

let broker: TestBroker;
let conn: KafkaConnection;

beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false' });
  conn = await KafkaConnection.connect(broker.bootstrap);
  await broker.broker.topics.create({ name: 'by-id', numPartitions: 2, replicationFactor: 1 });
  await produceRecords(conn, 'by-id', 1, [{ value: Buffer.from('one') }, { value: Buffer.from('two') }]);
});
afterAll(async () => {
  conn.close();
  await broker.close();
});

function idOf(name: string): string {
  const record = broker.broker.topics.get(name);
  if (!record) throw new Error(`no topic ${name}`);
  return record.topicId;
}

function byId(topicId: string, partitions: number[], extra: Partial<FetchRequestInput> = {}): FetchRequestInput {
  return {
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    sessionEpoch: -1,
    topics: [{ topicId, partitions: partitions.map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes: 1 << 20 })) }],
    ...extra,
  };
}

describe('Fetch by topic id', () => {
  test.each([13, 14, 15, 16, 17, 18])('v%i reads the records of the topic the id names, and answers with the id', async (version) => {
    const response = await conn.send(ApiKey.Fetch, version, byId(idOf('by-id'), [0, 1]));
    expect(response.errorCode).toBe(ErrorCode.NONE);
    expect(response.responses).toHaveLength(1);
    const [topic] = response.responses;
    expect(topic!.topicId).toBe(idOf('by-id'));
    expect(topic!.partitions.map((p) => [p.partitionIndex, p.errorCode, p.highWatermark])).toEqual([
      [0, ErrorCode.NONE, 0],
      [1, ErrorCode.NONE, 2],
    ]);
    const values = recordsOf(splitBatches(topic!.partitions[1]!.records)).map((r) => r.value!.toString());
    expect(values).toEqual(['one', 'two']);
  });

  test('an id no topic has is answered UNKNOWN_TOPIC_ID for each partition asked, at once, beside a known one', async () => {
    const unknown = 'ffffffffffffffffffffffffffffffff';
    const request = byId(idOf('by-id'), [1], { maxWaitMs: 60_000, minBytes: 1 << 20 });
    request.topics = [...request.topics!, { topicId: unknown, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 100 }, { partition: 3, fetchOffset: 0, partitionMaxBytes: 100 }] }];
    const started = Date.now();
    const response = await conn.send(ApiKey.Fetch, 17, request);
    // An error answers the fetch without waiting for min_bytes, as Kafka does.
    expect(Date.now() - started).toBeLessThan(30_000);
    const answered = new Map(response.responses.map((t) => [t.topicId, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]));
    expect(answered.get(idOf('by-id'))).toEqual([[1, ErrorCode.NONE]]);
    expect(answered.get(unknown)).toEqual([
      [0, ErrorCode.UNKNOWN_TOPIC_ID],
      [3, ErrorCode.UNKNOWN_TOPIC_ID],
    ]);
  });

  test('v18 takes the fetcher\'s high watermark (KIP-1166), which a consumer\'s fetch ignores', async () => {
    for (const highWatermark of [-1, 0, 2 ** 63]) {
      const request = byId(idOf('by-id'), [1]);
      request.topics![0]!.partitions![0]!.highWatermark = highWatermark;
      const response = await conn.send(ApiKey.Fetch, 18, request);
      expect(response.responses[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 2 });
    }
  });

  test('the zero id names no topic', async () => {
    const response = await conn.send(ApiKey.Fetch, 13, byId(ZERO_UUID, [0]));
    expect(response.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });

  test('a topic deleted and re-created under its name has a new id; the old id is unknown from then on', async () => {
    await broker.broker.topics.create({ name: 'again', numPartitions: 1, replicationFactor: 1 });
    const before = idOf('again');
    await produceRecords(conn, 'again', 0, [{ value: Buffer.from('first life') }]);
    await broker.broker.topics.delete('again');
    await broker.broker.topics.create({ name: 'again', numPartitions: 1, replicationFactor: 1 });
    const after = idOf('again');
    expect(after).not.toBe(before);
    const stale = await conn.send(ApiKey.Fetch, 13, byId(before, [0]));
    expect(stale.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
    const fresh = await conn.send(ApiKey.Fetch, 13, byId(after, [0]));
    expect(fresh.responses[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 0 });
  });

  test('the id survives a restart', async () => {
    const id = idOf('by-id');
    broker = await broker.restart();
    conn.close();
    conn = await KafkaConnection.connect(broker.bootstrap);
    expect(idOf('by-id')).toBe(id);
    const response = await conn.send(ApiKey.Fetch, 17, byId(id, [1]));
    expect(response.responses[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 2 });
  });

  test('v15+ reads the replica id from ReplicaState: a debugging consumer (-2) reads past the high watermark like v0-14', async () => {
    // A consumer's replica id in v15 is ReplicaState's default (-1); v12's top-level field is not on the wire.
    const consumer = await conn.send(ApiKey.Fetch, 15, byId(idOf('by-id'), [1], { replicaState: { replicaId: -1, replicaEpoch: -1 } }));
    expect(consumer.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    const debugging = await conn.send(ApiKey.Fetch, 15, byId(idOf('by-id'), [1], { replicaState: { replicaId: -2, replicaEpoch: -1 } }));
    expect(debugging.responses[0]!.partitions[0]!.errorCode).toBe(ErrorCode.NONE);
    // A follower id on a broker with no followers: the replication core is absent, as for v12.
    const follower = await conn.send(ApiKey.Fetch, 15, byId(idOf('by-id'), [1], { replicaState: { replicaId: 7, replicaEpoch: 1 } }));
    const v12 = await conn.send(ApiKey.Fetch, 12, {
      replicaId: 7,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      sessionEpoch: -1,
      topics: [{ topic: 'by-id', partitions: [{ partition: 1, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
    });
    expect(follower.responses[0]!.partitions[0]!.errorCode).toBe(v12.responses[0]!.partitions[0]!.errorCode);
  });
});
