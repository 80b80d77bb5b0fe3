// Producer state after kill -9: a `skein kafka` process (small segments, so rolls write snapshots) takes
// an idempotent producer's acks=all batches and is killed with SIGKILL; after the restart the producer's
// retry of its last acknowledged batch is answered with that batch's original offset and not stored
// again, and its next sequence is appended. The state comes from the newest snapshot plus the recovered
// log tail after it.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { buildRecordBatch } from '../../../protocol/kafka/records/batch-builder.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { fetchPartition, recordsOf } from '../../../src/kafka/client/consumer.js';
import { SkeinKafka } from '../../helpers/skein-process.js';

const TOPIC = 'idem-crash';
const BATCHES = 60;
let kafka: SkeinKafka;

beforeAll(async () => {
  kafka = await SkeinKafka.start({ 'log.segment.bytes': '4096', 'num.partitions': '1' });
});
afterAll(async () => {
  await kafka?.destroy();
});

function batch(producerId: number, seq: number): Buffer {
  return buildRecordBatch([{ value: Buffer.from(`s${seq}`.padEnd(300, '.')) }], { baseTimestamp: Date.now(), producerId, producerEpoch: 0, baseSequence: seq });
}

async function produce(conn: KafkaConnection, records: Buffer) {
  const r = await conn.send(ApiKey.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }] });
  return r.responses[0]!.partitionResponses[0]!;
}

test('after kill -9 a retried acknowledged batch is still a duplicate with its original offset', async () => {
  let conn = await KafkaConnection.connect(kafka.bootstrap);
  await conn.send(ApiKey.CreateTopics, 4, { topics: [{ name: TOPIC, numPartitions: 1, replicationFactor: 1, configs: [] }], timeoutMs: 10_000 });
  const { producerId } = await conn.send(ApiKey.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  const pid = Number(producerId);
  for (let seq = 0; seq < BATCHES; seq++) expect(await produce(conn, batch(pid, seq))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: seq });
  conn.close();
  await kafka.kill();
  await kafka.launch();
  conn = await KafkaConnection.connect(kafka.bootstrap);
  try {
    for (const seq of [BATCHES - 1, BATCHES - 3]) expect(await produce(conn, batch(pid, seq))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: seq });
    expect(await produce(conn, batch(pid, BATCHES))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: BATCHES });
    expect((await produce(conn, batch(pid, BATCHES + 5))).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    const values: string[] = [];
    let offset = 0;
    for (;;) {
      const fetched = await fetchPartition(conn, TOPIC, 0, offset);
      for (const r of recordsOf(fetched, offset)) values.push(r.value!.toString().replace(/\.+$/, ''));
      if (fetched.nextOffset >= fetched.highWatermark) break;
      offset = fetched.nextOffset;
    }
    expect(values).toEqual(Array.from({ length: BATCHES + 1 }, (_, i) => `s${i}`));
    // A producer id handed out after the crash is new too.
    const after = await conn.send(ApiKey.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    expect(Number(after.producerId)).toBeGreaterThan(pid);
  } finally {
    conn.close();
  }
}, 60_000);
