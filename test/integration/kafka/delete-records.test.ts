// DeleteRecords end to end: kafkajs' admin.deleteTopicRecords and raw requests for -1 (the high
// watermark), offsets out of range, unknown partitions, and the log start surviving a restart.
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { fetchPartition, listOffset, recordsOf } from '../../../src/kafka/client/consumer.js';
import { produceRecords } from '../../../src/kafka/client/producer.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { kafkaRequest } from '../../helpers/kafka-request.js';

let broker: TestBroker;
let admin: Admin;

beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false' });
  admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'trim', numPartitions: 3, configEntries: [{ name: 'segment.bytes', value: '500' }] }] });
  const conn = await KafkaConnection.connect(broker.bootstrap);
  for (let p = 0; p < 3; p++) for (let i = 0; i < 10; i++) await produceRecords(conn, 'trim', p, [{ value: Buffer.from(`p${p}-r${i}`.padEnd(100, '.')) }]);
  conn.close();
});
afterAll(async () => {
  await admin.disconnect();
  await broker.close();
});

function deleteRecords(partitions: { partition: number; offset: number }[], topic = 'trim', version = 2) {
  return kafkaRequest(broker.bootstrap, ApiKey.DeleteRecords, version, {
    topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p.partition, offset: p.offset })) }],
    timeoutMs: 5000,
  });
}

test('kafkajs deleteTopicRecords moves the low watermark; older segments leave the disk', async () => {
  const log = broker.broker.replicas.partition('trim', 0)!.log;
  const segmentsBefore = log.segmentCount;
  // kafkajs finds partition leaders only for topics whose metadata it already holds (so against Kafka too).
  await admin.fetchTopicMetadata({ topics: ['trim'] });
  await admin.deleteTopicRecords({ topic: 'trim', partitions: [{ partition: 0, offset: '6' }] });
  expect(log.logStartOffset).toBe(6);
  expect(log.segmentCount).toBeLessThan(segmentsBefore);
  const offsets = await admin.fetchTopicOffsets('trim');
  expect(offsets.find((o) => o.partition === 0)).toMatchObject({ low: '6', high: '10' });
});

test('the answer carries the new low watermark; -1 means the high watermark', async () => {
  const response = await deleteRecords([
    { partition: 1, offset: 3 },
    { partition: 2, offset: -1 },
  ]);
  expect(response.topics[0]!.partitions).toEqual([
    { partitionIndex: 1, lowWatermark: 3, errorCode: 0 },
    { partitionIndex: 2, lowWatermark: 10, errorCode: 0 },
  ]);
  const conn = await KafkaConnection.connect(broker.bootstrap);
  const fetched = await fetchPartition(conn, 'trim', 2, 10);
  expect(fetched).toMatchObject({ logStartOffset: 10, highWatermark: 10, batches: [] });
  conn.close();
});

test('an offset below the current log start changes nothing', async () => {
  const response = await deleteRecords([{ partition: 1, offset: 1 }]);
  expect(response.topics[0]!.partitions).toEqual([{ partitionIndex: 1, lowWatermark: 3, errorCode: 0 }]);
});

test('above the high watermark, or negative, is OFFSET_OUT_OF_RANGE; unknown partitions are named', async () => {
  const response = await deleteRecords([
    { partition: 1, offset: 11 },
    { partition: 1, offset: -5 },
    { partition: 4, offset: 1 },
  ]);
  expect(response.topics[0]!.partitions).toEqual([
    { partitionIndex: 1, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE },
    { partitionIndex: 1, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE },
    { partitionIndex: 4, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
  ]);
  const unknown = await deleteRecords([{ partition: 0, offset: 1 }], 'nope', 0);
  expect(unknown.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

test('fetching below the new log start is OFFSET_OUT_OF_RANGE; from it, the remaining records', async () => {
  const conn = await KafkaConnection.connect(broker.bootstrap);
  await expect(fetchPartition(conn, 'trim', 1, 2)).rejects.toMatchObject({ code: ErrorCode.OFFSET_OUT_OF_RANGE });
  const fetched = await fetchPartition(conn, 'trim', 1, 3, { partitionMaxBytes: 1 << 20 });
  expect(recordsOf(fetched, 3)[0]!.value!.toString()).toMatch(/^p1-r3\./);
  conn.close();
});

test('the log start offsets survive a restart', async () => {
  broker = await broker.restart();
  const conn = await KafkaConnection.connect(broker.bootstrap);
  expect([0, 1, 2].map((p) => broker.broker.replicas.partition('trim', p)!.log.logStartOffset)).toEqual([6, 3, 10]);
  expect((await listOffset(conn, 'trim', 1, -2)).offset).toBe(3);
  conn.close();
});
