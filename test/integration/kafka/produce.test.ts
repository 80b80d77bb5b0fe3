// Produce end to end: kafkajs' producer (keys, acks 0/1/all, gzip) read back with our client, and raw
// requests for the edges: batch checks, unknown partitions, acks, min.insync.replicas, timestamps,
// LogAppendTime, keyless records on compacted topics (idempotent batches: idempotent-produce.test.ts; transactional
// ones: transactions-log.test.ts).
import { CompressionTypes, Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { buildRecordBatch, type RecordInput } from '../../../protocol/kafka/records/batch-builder.js';
import { Compression, CRC_AT, readBatchHeader, TIMESTAMP_TYPE_BIT } from '../../../protocol/kafka/records/batch-header.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { fetchPartition, recordsOf } from '../../../src/kafka/client/consumer.js';
import { produceBatch } from '../../../src/kafka/client/producer.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';

let broker: TestBroker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let conn: KafkaConnection;

beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false' });
  kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1 } });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  conn = await KafkaConnection.connect(broker.bootstrap);
});
afterAll(async () => {
  conn.close();
  await producer.disconnect();
  await admin.disconnect();
  await broker.close();
});

async function createTopic(topic: string, numPartitions = 1, configs: Record<string, string> = {}): Promise<void> {
  await admin.createTopics({ topics: [{ topic, numPartitions, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }] });
}

/** Every record of a partition, read with our client. */
async function readAll(topic: string, partition: number): Promise<{ key: string | null; value: string | null; offset: number; timestamp: number }[]> {
  const out = [];
  let offset = 0;
  for (;;) {
    const fetched = await fetchPartition(conn, topic, partition, offset);
    for (const r of recordsOf(fetched, offset)) out.push({ key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, offset: r.offset, timestamp: r.timestamp });
    if (fetched.nextOffset >= fetched.highWatermark) return out;
    offset = fetched.nextOffset;
  }
}

function batchOf(records: RecordInput[], options: Parameters<typeof buildRecordBatch>[1] = {}): Buffer {
  return buildRecordBatch(records, { baseTimestamp: Date.now(), ...options });
}

async function produceRaw(topic: string, partition: number, records: Buffer | null, acks = -1, version = 9) {
  const response = await conn.send(ApiKey.Produce, version, {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
  });
  return response.responses[0]!.partitionResponses[0]!;
}

describe('kafkajs producer', () => {
  test('the same key always lands in the same partition, in order', async () => {
    await createTopic('keyed', 4);
    const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
    for (let round = 0; round < 5; round++) {
      await producer.send({ topic: 'keyed', messages: keys.map((key) => ({ key, value: `${key}:${round}` })) });
    }
    const partitionOfKey = new Map<string, number>();
    const valuesOfKey = new Map<string, string[]>();
    for (let p = 0; p < 4; p++) {
      const records = await readAll('keyed', p);
      expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => i));
      for (const r of records) {
        expect(partitionOfKey.get(r.key!) ?? p).toBe(p);
        partitionOfKey.set(r.key!, p);
        valuesOfKey.set(r.key!, [...(valuesOfKey.get(r.key!) ?? []), r.value!]);
      }
    }
    expect(new Set(partitionOfKey.values()).size).toBeGreaterThan(1);
    for (const key of keys) expect(valuesOfKey.get(key)).toEqual([0, 1, 2, 3, 4].map((round) => `${key}:${round}`));
  });

  test('acks 0, 1 and -1 each store the records; 1 and -1 report their offsets', async () => {
    await createTopic('acks');
    const sent: string[] = [];
    for (const acks of [1, -1, 0, 1]) {
      const messages = [0, 1, 2].map((i) => ({ value: `acks=${acks}:${i}` }));
      sent.push(...messages.map((m) => m.value));
      const result = await producer.send({ topic: 'acks', acks, messages });
      if (acks !== 0) expect(result[0]!.errorCode).toBe(0);
    }
    const records = await readAll('acks', 0);
    expect(records.map((r) => r.value)).toEqual(sent);
  });

  test('gzip batches are stored as the producer compressed them and read back', async () => {
    await createTopic('gzipped');
    const messages = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `compressible value ${i} `.repeat(20) }));
    await producer.send({ topic: 'gzipped', compression: CompressionTypes.GZIP, messages });
    const fetched = await fetchPartition(conn, 'gzipped', 0, 0);
    expect(fetched.headers).toHaveLength(1);
    expect(fetched.headers[0]!.attributes & 0x07).toBe(Compression.Gzip);
    expect(recordsOf(fetched).map((r) => r.value!.toString())).toEqual(messages.map((m) => m.value));
  });
});

describe('raw produce requests', () => {
  beforeAll(async () => {
    await createTopic('raw', 2);
    await createTopic('small', 1, { 'max.message.bytes': '2000' });
    await createTopic('appendtime', 1, { 'message.timestamp.type': 'LogAppendTime' });
    await createTopic('isr2', 1, { 'min.insync.replicas': '2' });
    await createTopic('recent', 1, { 'message.timestamp.before.max.ms': '60000', 'message.timestamp.after.max.ms': '60000' });
  });

  test('the answer carries the base offset and the log start offset (v5+), no append time under CreateTime', async () => {
    const first = await produceRaw('raw', 1, batchOf([{ value: Buffer.from('a') }, { value: Buffer.from('b') }]));
    const second = await produceRaw('raw', 1, batchOf([{ value: Buffer.from('c') }]));
    expect(first).toMatchObject({ index: 1, errorCode: 0, baseOffset: 0, logAppendTimeMs: -1, logStartOffset: 0, recordErrors: [], errorMessage: null });
    expect(second).toMatchObject({ errorCode: 0, baseOffset: 2 });
  });

  test('a batch above max.message.bytes is MESSAGE_TOO_LARGE and nothing is stored', async () => {
    const response = await produceRaw('small', 0, batchOf([{ value: Buffer.alloc(3000, 1) }]));
    expect(response).toMatchObject({ errorCode: ErrorCode.MESSAGE_TOO_LARGE, baseOffset: -1, logStartOffset: -1 });
    expect((await fetchPartition(conn, 'small', 0, 0)).highWatermark).toBe(0);
  });

  test('a batch with a bad CRC is CORRUPT_MESSAGE', async () => {
    const batch = batchOf([{ value: Buffer.from('tampered') }]);
    batch.writeUInt32BE((batch.readUInt32BE(CRC_AT) ^ 1) >>> 0, CRC_AT);
    expect((await produceRaw('raw', 0, batch)).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
  });

  test('two batches in one partition, or none, are INVALID_RECORD with a message (v8+)', async () => {
    const two = Buffer.concat([batchOf([{ value: Buffer.from('x') }]), batchOf([{ value: Buffer.from('y') }])]);
    const response = await produceRaw('raw', 0, two);
    expect(response.errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(response.errorMessage).toMatch(/more than one record batch/);
    expect((await produceRaw('raw', 0, null)).errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect((await produceRaw('raw', 0, Buffer.alloc(0))).errorCode).toBe(ErrorCode.INVALID_RECORD);
  });

  test('zstd needs Produce v7', async () => {
    const zstd = batchOf([{ value: Buffer.from('z') }], { compression: Compression.Zstd });
    expect((await produceRaw('raw', 0, zstd, -1, 6)).errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect((await produceRaw('raw', 0, zstd, -1, 7)).errorCode).toBe(0);
  });

  test('Produce v0-2 is advertised and takes v2 batches; the v0/v1 message sets of pre-0.11 clients are UNSUPPORTED_FOR_MESSAGE_FORMAT', async () => {
    // librdkafka < 2.10 sends gzip, snappy and lz4 uncompressed to a broker whose Produce range lacks v0.
    expect((await conn.apiVersions()).get(ApiKey.Produce)).toEqual({ min: 0, max: 13 });
    const gzip = batchOf([{ value: Buffer.from('g') }], { compression: Compression.Gzip });
    for (const version of [0, 1, 2]) expect((await produceRaw('raw', 0, gzip, -1, version)).errorCode).toBe(0);
    // One magic 1 message: offset, size, crc, magic, attributes, timestamp, null key, value "v1".
    const v1 = Buffer.from('0000000000000000' + '00000018' + '00000000' + '01' + '00' + '0000000000000000' + 'ffffffff' + '00000002' + '7631', 'hex');
    const before = (await fetchPartition(conn, 'raw', 0, 0)).highWatermark;
    expect((await produceRaw('raw', 0, v1, -1, 2)).errorCode).toBe(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    expect((await fetchPartition(conn, 'raw', 0, 0)).highWatermark).toBe(before);
  });

  test('an unknown topic or partition is UNKNOWN_TOPIC_OR_PARTITION, per partition', async () => {
    const response = await conn.send(ApiKey.Produce, 9, {
      transactionalId: null,
      acks: 1,
      timeoutMs: 5000,
      topicData: [
        { name: 'raw', partitionData: [{ index: 0, records: batchOf([{ value: Buffer.from('ok') }]) }, { index: 7, records: batchOf([{ value: Buffer.from('no') }]) }] },
        { name: 'no-such-topic', partitionData: [{ index: 0, records: batchOf([{ value: Buffer.from('no') }]) }] },
      ],
    });
    expect(response.responses.map((t) => [t.name, t.partitionResponses.map((p) => [p.index, p.errorCode])])).toEqual([
      ['raw', [[0, 0], [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
      ['no-such-topic', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
    ]);
  });

  test('v13 names topics by id (KIP-516): the records land in the topic the id names; an unknown id is UNKNOWN_TOPIC_ID, per partition', async () => {
    const raw = broker.broker.topics.get('raw')!;
    const unknown = 'ffffffffffffffffffffffffffffffff';
    const before = (await fetchPartition(conn, 'raw', 0, 0)).highWatermark;
    const response = await conn.send(ApiKey.Produce, 13, {
      acks: -1,
      timeoutMs: 5000,
      topicData: [
        { topicId: raw.topicId, partitionData: [{ index: 0, records: batchOf([{ value: Buffer.from('by id') }]) }, { index: 7, records: batchOf([{ value: Buffer.from('no') }]) }] },
        { topicId: unknown, partitionData: [{ index: 0, records: batchOf([{ value: Buffer.from('no') }]) }, { index: 1, records: batchOf([{ value: Buffer.from('no') }]) }] },
      ],
    });
    expect(response.responses.map((t) => [t.topicId, t.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset])])).toEqual([
      [raw.topicId, [[0, 0, before], [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1]]],
      [unknown, [[0, ErrorCode.UNKNOWN_TOPIC_ID, -1], [1, ErrorCode.UNKNOWN_TOPIC_ID, -1]]],
    ]);
    expect(response.nodeEndpoints).toEqual([]);
    const fetched = await fetchPartition(conn, 'raw', 0, before);
    expect(recordsOf(fetched).map((r) => r.value!.toString())).toEqual(['by id']);
  });

  test('v10-12 answer as v9 by name', async () => {
    for (const version of [10, 11, 12]) expect((await produceRaw('raw', 0, batchOf([{ value: Buffer.from(`v${version}`) }]), -1, version)).errorCode).toBe(0);
  });

  test('acks other than 0, 1, -1 is INVALID_REQUIRED_ACKS', async () => {
    expect((await produceRaw('raw', 0, batchOf([{ value: Buffer.from('2') }]), 2)).errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
  });

  test('min.insync.replicas above the ISR refuses acks=all with NOT_ENOUGH_REPLICAS but not acks=1', async () => {
    expect((await produceRaw('isr2', 0, batchOf([{ value: Buffer.from('all') }]), -1)).errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect((await produceRaw('isr2', 0, batchOf([{ value: Buffer.from('one') }]), 1)).errorCode).toBe(0);
  });

  test('CreateTime outside the topic bounds is INVALID_TIMESTAMP naming the records (v8+)', async () => {
    const now = Date.now();
    const stale = batchOf([{ value: Buffer.from('ok'), timestamp: now }, { value: Buffer.from('old'), timestamp: now - 3_600_000 }, { value: Buffer.from('t'), timestamp: now }], { baseTimestamp: now });
    const response = await produceRaw('recent', 0, stale);
    expect(response.errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(response.recordErrors.map((e) => e.batchIndex)).toEqual([1]);
    expect(response.errorMessage).toMatch(/invalid timestamp/);
    expect((await produceRaw('recent', 0, batchOf([{ value: Buffer.from('future'), timestamp: now + 3_600_000 }]))).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    const gzipFuture = batchOf([{ value: Buffer.from('future'), timestamp: now + 3_600_000 }], { compression: Compression.Gzip });
    expect((await produceRaw('recent', 0, gzipFuture)).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect((await produceRaw('recent', 0, batchOf([{ value: Buffer.from('now') }]))).errorCode).toBe(0);
    // A record without a timestamp (-1) is exempt, as in Kafka.
    expect((await produceRaw('recent', 0, batchOf([{ value: Buffer.from('none'), timestamp: -1 }], { baseTimestamp: -1 }))).errorCode).toBe(0);
  });

  test('config changes through AlterConfigs apply to the next produce', async () => {
    await createTopic('altered');
    const future = () => batchOf([{ value: Buffer.from('soon'), timestamp: Date.now() + 120_000 }]);
    expect((await produceRaw('altered', 0, future())).errorCode).toBe(0);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: 2, name: 'altered', configEntries: [{ name: 'message.timestamp.after.max.ms', value: '60000' }, { name: 'min.insync.replicas', value: '2' }] }],
    });
    expect((await produceRaw('altered', 0, future(), 1)).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect((await produceRaw('altered', 0, batchOf([{ value: Buffer.from('now') }]), -1)).errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
  });

  test('a producer may not send a LogAppendTime batch to a LogAppendTime topic', async () => {
    const batch = batchOf([{ value: Buffer.from('x') }], { timestampType: 1 });
    expect((await produceRaw('appendtime', 0, batch)).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
  });

  test('under LogAppendTime the broker stamps the batch and reports the time', async () => {
    const before = Date.now();
    const response = await produceRaw('appendtime', 0, batchOf([{ value: Buffer.from('x'), timestamp: 1000 }], { baseTimestamp: 1000 }));
    expect(response.errorCode).toBe(0);
    expect(response.logAppendTimeMs).toBeGreaterThanOrEqual(before);
    const fetched = await fetchPartition(conn, 'appendtime', 0, 0);
    expect(fetched.headers[0]!.attributes & TIMESTAMP_TYPE_BIT).toBe(TIMESTAMP_TYPE_BIT);
    expect(recordsOf(fetched).map((r) => r.timestamp)).toEqual([response.logAppendTimeMs]);
  });

  test('a batch whose max timestamp is -1 (Sarama 1.22 sends no other) is stored with its records\' largest, so ListOffsets finds them by time', async () => {
    await createTopic('unset-max');
    const base = Date.now() - 60_000;
    const records = [0, 1, 2].map((i) => ({ value: Buffer.from(`r${i}`), timestamp: base + i * 1000 }));
    expect((await produceRaw('unset-max', 0, batchOf(records, { baseTimestamp: base, maxTimestamp: -1, compression: Compression.Gzip }))).errorCode).toBe(0);
    const fetched = await fetchPartition(conn, 'unset-max', 0, 0);
    expect(readBatchHeader(fetched.batches[0]!).maxTimestamp).toBe(base + 2000);
    expect(recordsOf(fetched).map((r) => r.timestamp)).toEqual(records.map((r) => r.timestamp));
    const byTime = await conn.send(ApiKey.ListOffsets, 7, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 'unset-max', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: base + 500 }] }],
    });
    expect(byTime.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, offset: 1, timestamp: base + 1000 });
  });

  test('a compacted topic refuses keyless records, compressed or not, naming them (v8+)', async () => {
    await createTopic('compacted', 1, { 'cleanup.policy': 'compact' });
    for (const compression of [Compression.None, Compression.Gzip]) {
      const mixed = batchOf([{ key: Buffer.from('k'), value: Buffer.from('1') }, { value: Buffer.from('no key') }], { compression });
      const response = await produceRaw('compacted', 0, mixed);
      expect(response.errorCode).toBe(ErrorCode.INVALID_RECORD);
      expect(response.recordErrors.map((e) => e.batchIndex)).toEqual([1]);
      expect(response.errorMessage).toMatch(/without key/);
    }
    expect((await produceRaw('compacted', 0, batchOf([{ key: Buffer.from('k'), value: Buffer.from('v') }]))).errorCode).toBe(ErrorCode.NONE);
    expect((await readAll('compacted', 0)).map((r) => r.value)).toEqual(['v']);
  });

  test('clients cannot write to internal topics', async () => {
    await kafkaAdminCreateInternal();
    expect((await produceRaw('__consumer_offsets', 0, batchOf([{ value: Buffer.from('x') }]))).errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  test('acks=0 gets no answer; a failed acks=0 produce closes the connection, as in Kafka', async () => {
    const quiet = await KafkaConnection.connect(broker.bootstrap);
    await produceBatch(quiet, 'raw', 0, batchOf([{ value: Buffer.from('fire and forget') }]), { acks: 0 });
    // The next request's answer is the first one on the wire: the acks=0 request had none.
    const next = await produceBatch(quiet, 'raw', 0, batchOf([{ value: Buffer.from('acknowledged') }]), { acks: 1 });
    const stored = recordsOf(await fetchPartition(quiet, 'raw', 0, next.baseOffset - 1), next.baseOffset - 1);
    expect(stored.map((r) => r.value!.toString())).toEqual(['fire and forget', 'acknowledged']);
    const closed = new Promise<Error>((resolve) => quiet.onClose(resolve));
    await produceBatch(quiet, 'raw', 9, batchOf([{ value: Buffer.from('nowhere') }]), { acks: 0 });
    expect((await closed).message).toMatch(/closed/);
  });
});

/** __consumer_offsets exists once the groups coordinator creates it; here it is made directly. */
async function kafkaAdminCreateInternal(): Promise<void> {
  if (!broker.broker.topics.get('__consumer_offsets')) await broker.broker.topics.create({ name: '__consumer_offsets', numPartitions: 1, replicationFactor: 1 });
}

test('stored batches are byte for byte what the producer sent, but for offsets and leader epoch', async () => {
  const sent = batchOf([{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'h', value: Buffer.from('1') }] }]);
  const copy = Buffer.from(sent);
  const { baseOffset } = await produceBatch(conn, 'raw', 0, sent);
  const [stored] = (await fetchPartition(conn, 'raw', 0, baseOffset)).batches;
  expect(readBatchHeader(stored!).baseOffset).toBe(baseOffset);
  expect(readBatchHeader(stored!).partitionLeaderEpoch).toBe(0);
  expect(stored!.subarray(CRC_AT)).toEqual(copy.subarray(CRC_AT));
});
