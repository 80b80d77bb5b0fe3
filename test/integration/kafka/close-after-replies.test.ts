// A connection the broker closes over a bad frame first answers every request pipelined before it, as
// Apache Kafka does (it reads a connection's next request only once the last one is answered): a client
// whose produces preceded the bad frame learns they were written, and has no reason to send them again.
// An earlier request that takes long (a long-poll fetch) holds the close back FLUSH_BEFORE_CLOSE_MS at most.
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, decodeResponseFrame, encodeRequestFrame, ErrorCode, type RequestInputOf } from '../../../protocol/kafka/index.js';
import { buildRecordBatch } from '../../../protocol/kafka/records/batch-builder.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { fetchPartition, recordsOf } from '../../../src/kafka/client/consumer.js';
import { FLUSH_BEFORE_CLOSE_MS } from '../../../src/net/framed-connection.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { exchange, sizePrefixed } from '../../helpers/raw-exchange.js';

const TOPIC = 'flushed';
const PRODUCE_VERSION = 9;
const PIPELINED = 20;
/** Beyond FLUSH_BEFORE_CLOSE_MS: the broker's timer and the client's view of the close, on a busy machine. */
const CLOSE_SLACK_MS = 10_000;

let broker: TestBroker;
const logged: string[] = [];

beforeAll(async () => {
  const log = pino({ level: 'warn' }, { write: (line: string) => void logged.push((JSON.parse(line) as { msg: string }).msg) });
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false' }, undefined, log);
  await broker.broker.topics.create({ name: TOPIC, numPartitions: 1, replicationFactor: 1 });
});
afterAll(() => broker.close());

function frame<K extends ApiKey>(apiKey: K, apiVersion: number, correlationId: number, body: RequestInputOf<K>): Buffer {
  return sizePrefixed(Buffer.concat(encodeRequestFrame({ apiKey, apiVersion, correlationId, clientId: 'close-flush' }, body)));
}

function produce(correlationId: number, value: string): Buffer {
  const records = buildRecordBatch([{ value: Buffer.from(value) }], { baseTimestamp: Date.now() });
  return frame(ApiKey.Produce, PRODUCE_VERSION, correlationId, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 5000,
    topicData: [{ name: TOPIC, partitionData: [{ index: 0, records }] }],
  });
}

async function logEndOffset(): Promise<number> {
  const conn = await KafkaConnection.connect(broker.bootstrap);
  try {
    return (await fetchPartition(conn, TOPIC, 0, 0)).highWatermark;
  } finally {
    conn.close();
  }
}

async function valuesFrom(offset: number): Promise<string[]> {
  const conn = await KafkaConnection.connect(broker.bootstrap);
  try {
    return recordsOf(await fetchPartition(conn, TOPIC, 0, offset)).map((r) => r.value!.toString());
  } finally {
    conn.close();
  }
}

/** The produce responses in `frames`, checked to be successes, as [correlation id, base offset]. */
function produced(frames: Buffer[]): [number, number][] {
  return frames.map((f) => {
    const { correlationId, body } = decodeResponseFrame(ApiKey.Produce, PRODUCE_VERSION, f);
    const partition = body.responses[0]!.partitionResponses[0]!;
    expect(partition.errorCode).toBe(ErrorCode.NONE);
    return [correlationId, Number(partition.baseOffset)];
  });
}

const header = (apiKey: number, apiVersion: number) => {
  const h = Buffer.alloc(8);
  h.writeInt16BE(apiKey, 0);
  h.writeInt16BE(apiVersion, 2);
  h.writeInt32BE(999, 4);
  return Buffer.concat([h, Buffer.from([0xff, 0xff])]);
};

const BAD_FRAMES: [string, Buffer, string][] = [
  ['too short for a header', sizePrefixed(Buffer.from([1])), 'request too short for a header'],
  ['an unknown API key', sizePrefixed(header(999, 0)), 'unsupported API key'],
  ['an unsupported version', sizePrefixed(header(ApiKey.Produce, 99)), 'unsupported API version'],
  ['a malformed body', sizePrefixed(Buffer.concat([header(ApiKey.Produce, 3), Buffer.from('not a produce body')])), 'malformed request'],
  ['a negative length', Buffer.from([0xff, 0xff, 0xff, 0xfe]), 'negative frame size -2'],
];

test.each(BAD_FRAMES)('produces pipelined ahead of %s in one write are all answered, in order, before the close', async (_what, bad, reason) => {
  const start = await logEndOffset();
  const seen = logged.length;
  const values = Array.from({ length: PIPELINED }, (_, i) => `${reason} ${i}`);
  const after = produce(PIPELINED + 1, 'never read');
  const { frames, closedByServer } = await exchange(broker.bootstrap, Buffer.concat([...values.map((v, i) => produce(i + 1, v)), bad, after]));

  expect(closedByServer).toBe(true);
  expect(produced(frames)).toEqual(values.map((_, i) => [i + 1, start + i]));
  expect(await valuesFrom(start)).toEqual(values);
  expect(logged.slice(seen)).toEqual([`closing connection: ${reason}`]);
});

test('an earlier long-poll fetch holds the close back FLUSH_BEFORE_CLOSE_MS at most; the replies before it still arrive', async () => {
  const start = await logEndOffset();
  const seen = logged.length;
  const longPoll = frame(ApiKey.Fetch, 11, 3, {
    replicaId: -1,
    maxWaitMs: 10 * 60_000,
    minBytes: 1 << 20,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic: TOPIC, partitions: [{ partition: 0, fetchOffset: start + 2, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, logStartOffset: -1 }] }],
    forgottenTopicsData: [],
    rackId: '',
  });
  const sent = Date.now();
  const { frames, closedByServer } = await exchange(
    broker.bootstrap,
    Buffer.concat([produce(1, 'before the poll'), produce(2, 'also before'), longPoll, sizePrefixed(Buffer.from([1]))]),
  );
  const closedAfter = Date.now() - sent;

  expect(closedByServer).toBe(true);
  expect(produced(frames)).toEqual([
    [1, start],
    [2, start + 1],
  ]);
  expect(closedAfter).toBeGreaterThanOrEqual(FLUSH_BEFORE_CLOSE_MS - 50);
  expect(closedAfter).toBeLessThan(FLUSH_BEFORE_CLOSE_MS + CLOSE_SLACK_MS);
  expect(logged.slice(seen)).toEqual(['closing connection: request too short for a header', 'dropping replies owed before closing: not answered in time']);
  expect(await valuesFrom(start)).toEqual(['before the poll', 'also before']);
});
