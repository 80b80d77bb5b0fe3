// compression.type other than producer: the broker stores each batch in the topic's codec, rewriting
// batches that arrive in another one, as Kafka does; records keep their offsets, timestamps, keys, values
// and headers, and clients read them back. Batches already in the codec, and topics left at producer,
// are stored byte for byte.
import { createRequire } from 'node:module';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { compressionId } from '../../../protocol/kafka/records/batch-attributes.js';
import { buildRecordBatch, type RecordInput } from '../../../protocol/kafka/records/batch-builder.js';
import { BATCH_HEADER_BYTES, Compression, computeBatchCrc, CRC_AT } from '../../../protocol/kafka/records/batch-header.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { fetchPartition, recordsOf } from '../../../src/kafka/client/consumer.js';
import { produceBatch } from '../../../src/kafka/client/producer.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';

const require = createRequire(import.meta.url);
const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: unknown) => Promise<{
  records: { offset: string; key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer> }[];
}>;
const KafkajsDecoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown;

const CODECS = { uncompressed: Compression.None, gzip: Compression.Gzip, snappy: Compression.Snappy, lz4: Compression.Lz4, zstd: Compression.Zstd } as const;

let broker: TestBroker;
let conn: KafkaConnection;

beforeAll(async () => {
  broker = await startTestBroker({ 'compression.type': 'gzip' });
  conn = await KafkaConnection.connect(broker.bootstrap);
});
afterAll(async () => {
  conn.close();
  await broker.close();
});

async function createTopic(name: string, configs: Record<string, string>): Promise<void> {
  const r = await conn.send(ApiKey.CreateTopics, 5, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
    timeoutMs: 10_000,
    validateOnly: false,
  });
  expect(r.topics[0]!.errorCode).toBe(ErrorCode.NONE);
}

/** Records with gaps in their offset deltas, own timestamps and headers, so nothing can be rebuilt by accident. */
function sampleRecords(tag: string): RecordInput[] {
  const base = Date.now() - 10_000;
  return [
    { key: Buffer.from(`${tag}-k0`), value: Buffer.from(`${tag} value 0 `.repeat(20)), timestamp: base, offsetDelta: 0, headers: [{ key: 'h', value: Buffer.from('1') }] },
    { key: null, value: Buffer.from(`${tag} value 1`), timestamp: base + 5, offsetDelta: 1 },
    { key: Buffer.from(`${tag}-k2`), value: null, timestamp: base + 7, offsetDelta: 2, headers: [{ key: 'a', value: null }, { key: 'b', value: Buffer.from('x') }] },
  ];
}

function plain(records: ReturnType<typeof recordsOf>) {
  return records.map((r) => ({ offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers }));
}

test('each codec topic stores batches produced in every other codec in its own codec, records unchanged', async () => {
  for (const [target, targetId] of Object.entries(CODECS)) {
    const topic = `to-${target}`;
    await createTopic(topic, { 'compression.type': target });
    const sent: RecordInput[] = [];
    for (const [source, sourceId] of Object.entries(CODECS)) {
      const records = sampleRecords(`${source}->${target}`);
      sent.push(...records);
      const batch = buildRecordBatch(records, { compression: sourceId });
      await produceBatch(conn, topic, 0, batch);
    }
    const fetched = await fetchPartition(conn, topic, 0, 0);
    expect(fetched.headers.map((h) => compressionId(h.attributes)), target).toEqual(Object.values(CODECS).map(() => targetId));
    expect(plain(recordsOf(fetched))).toEqual(asStored(sent));
  }
});

/** What the records of `sent` read back as, offsets counting from 0. */
function asStored(sent: RecordInput[]) {
  return sent.map((r, i) => ({
    offset: i,
    timestamp: r.timestamp,
    key: r.key ?? null,
    value: r.value ?? null,
    headers: (r.headers ?? []).map((h) => ({ key: h.key, value: h.value })),
  }));
}

test('a batch already in the topic codec, and every batch of a producer topic, is stored byte for byte', async () => {
  await createTopic('as-produced', { 'compression.type': 'producer' });
  await createTopic('already-zstd', { 'compression.type': 'zstd' });
  for (const [topic, codec] of [['as-produced', Compression.Lz4], ['already-zstd', Compression.Zstd]] as const) {
    const batch = buildRecordBatch(sampleRecords(topic), { compression: codec });
    await produceBatch(conn, topic, 0, batch);
    const [stored] = (await fetchPartition(conn, topic, 0, 0)).batches;
    // Only the offset and leader epoch fields are rewritten on append; the rest is as sent.
    expect(stored!.subarray(21)).toEqual(batch.subarray(21));
  }
});

test('the broker default compression.type applies to topics without an override; kafkajs decodes the recompressed batches', async () => {
  const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1 } });
  const producer = kafka.producer();
  await producer.connect();
  await createTopic('broker-default', {});
  await producer.send({ topic: 'broker-default', compression: CompressionTypes.None, messages: [{ key: 'a', value: 'one', headers: { h: 'v' } }, { key: 'b', value: 'two' }] });
  await producer.disconnect();
  const fetched = await fetchPartition(conn, 'broker-default', 0, 0);
  expect(fetched.headers.map((h) => compressionId(h.attributes))).toEqual([Compression.Gzip]);
  // kafkajs' own record batch decoder, as its consumer runs it on a fetched batch.
  const decoded = await decodeKafkajsBatch(new KafkajsDecoder(fetched.batches[0]!));
  expect(decoded.records.map((r) => [r.offset, r.key?.toString(), r.value?.toString(), Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString()]))])).toEqual([
    ['0', 'a', 'one', { h: 'v' }],
    ['1', 'b', 'two', {}],
  ]);
});

test('a batch whose records do not decompress is CORRUPT_MESSAGE on a recompressing topic', async () => {
  await createTopic('corrupt-in', { 'compression.type': 'zstd' });
  const batch = buildRecordBatch(sampleRecords('bad'), { compression: Compression.Gzip });
  batch.fill(0x55, BATCH_HEADER_BYTES + 10); // inside the gzip stream, under a valid CRC
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), CRC_AT);
  await expect(produceBatch(conn, 'corrupt-in', 0, batch)).rejects.toMatchObject({ code: ErrorCode.CORRUPT_MESSAGE });
  expect((await fetchPartition(conn, 'corrupt-in', 0, 0)).batches).toEqual([]);
});

test('a zstd topic answers fetches older than v10 with UNSUPPORTED_COMPRESSION_TYPE, as Kafka does', async () => {
  for (const codec of ['zstd', 'gzip']) {
    await createTopic(`old-fetch-${codec}`, { 'compression.type': codec });
    await produceBatch(conn, `old-fetch-${codec}`, 0, buildRecordBatch(sampleRecords(codec)));
  }
  await expect(fetchPartition(conn, 'old-fetch-zstd', 0, 0, { version: 9 })).rejects.toMatchObject({ code: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE });
  expect((await fetchPartition(conn, 'old-fetch-zstd', 0, 0, { version: 10 })).batches).toHaveLength(1);
  expect((await fetchPartition(conn, 'old-fetch-gzip', 0, 0, { version: 9 })).batches).toHaveLength(1);
});
