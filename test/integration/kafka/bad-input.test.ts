// Bad input from clients: each case gets Kafka's error code, or its connection closed with a log line
// saying why, as Kafka's SocketServer closes it. After every case the broker still serves other clients
// and the stored records are untouched.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { ApiKey, decodeResponseFrame, encodeRequestFrame, ErrorCode, type RequestInputOf } from '../../../protocol/kafka/index.js';
import { buildRecordBatch } from '../../../protocol/kafka/records/batch-builder.js';
import { brokerConfigFrom } from '../../../src/kafka/broker-config.js';
import { startKafka, type RunningKafka } from '../../../src/kafka/broker.js';
import { MAX_PARTITIONS_PER_TOPIC } from '../../../src/kafka/topics/topic-manager.js';
import { exchange as exchangeRaw } from '../../helpers/raw-exchange.js';
import { kafkaRequest } from '../../helpers/kafka-request.js';

const MAX_REQUEST_BYTES = 65_536;

let kafka: RunningKafka;
let dataDir: string;
let bootstrap: string;
let stored: Buffer;
const logLines: { msg: string; [key: string]: unknown }[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'skein-bad-input-'));
  const settings = { listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dataDir, 'socket.request.max.bytes': String(MAX_REQUEST_BYTES) };
  const config = brokerConfigFrom(Object.entries(settings).map(([key, value]) => ({ key, value, line: 0 })));
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
  kafka = await startKafka(config, log);
  bootstrap = `127.0.0.1:${kafka.port}`;
  await kafka.broker.topics.create({ name: 'kept', numPartitions: 1, replicationFactor: 1 });
  stored = buildRecordBatch([{ key: Buffer.from('k'), value: Buffer.from('must survive') }], { baseTimestamp: Date.now() });
  const partitionLog = kafka.broker.replicas.partition('kept', 0)!.log;
  partitionLog.append(stored, Date.now());
  await partitionLog.waitDurable(0);
});

afterEach(async () => {
  const metadata = await kafkaRequest(bootstrap, ApiKey.Metadata, 1, { topics: null });
  expect(metadata.topics.map((t) => t.name)).toEqual(['kept']);
  const partitionLog = kafka.broker.replicas.partition('kept', 0)!.log;
  expect(partitionLog.logEndOffset).toBe(1);
  expect(Buffer.concat((await partitionLog.read(0, 1 << 20)).chunks)).toEqual(stored);
});

afterAll(async () => {
  await kafka.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function sized(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

function requestBody<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestInputOf<K>): Buffer {
  return Buffer.concat(encodeRequestFrame({ apiKey, apiVersion, correlationId: 7, clientId: 'bad-input' }, body));
}

/** A classic (v1) request header: what every request starts with before flexible versions. */
function header(apiKey: number, apiVersion: number): Buffer {
  const clientId = Buffer.from('bad-input');
  const h = Buffer.alloc(10);
  h.writeInt16BE(apiKey, 0);
  h.writeInt16BE(apiVersion, 2);
  h.writeInt32BE(7, 4);
  h.writeInt16BE(clientId.length, 8);
  return Buffer.concat([h, clientId]);
}

/** Sends raw bytes; resolves with the reply frames once `replies` have come (then hangs up) or the broker closes. */
async function exchange(bytes: Buffer, replies = Infinity): Promise<{ frames: Buffer[]; closedByBroker: boolean }> {
  const { frames, closedByServer } = await exchangeRaw(bootstrap, bytes, replies);
  return { frames, closedByBroker: closedByServer };
}

async function expectClosed(bytes: Buffer, why: string | RegExp, repliesFirst = 0): Promise<Buffer[]> {
  const seen = logLines.length;
  const { frames, closedByBroker } = await exchange(bytes);
  expect(closedByBroker).toBe(true);
  expect(frames).toHaveLength(repliesFirst);
  const closing = logLines.slice(seen).filter((l) => l.msg.startsWith('closing connection: '));
  expect(closing.map((l) => l.msg.slice('closing connection: '.length))).toEqual([expect.stringMatching(why)]);
  return frames;
}

test('a zero-length frame and a frame too short for a header close the connection', async () => {
  await expectClosed(sized(Buffer.alloc(0)), 'request too short for a header');
  await expectClosed(sized(Buffer.from([0, 3, 0])), 'request too short for a header');
});

test('a negative frame length closes the connection', async () => {
  await expectClosed(Buffer.from([0xff, 0xff, 0xff, 0xfe]), 'negative frame size -2');
});

test('a frame above socket.request.max.bytes closes the connection before its body is read', async () => {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(MAX_REQUEST_BYTES + 1);
  await expectClosed(prefix, `frame of ${MAX_REQUEST_BYTES + 1} bytes exceeds the limit of ${MAX_REQUEST_BYTES}`);
});

test('unknown API keys and unsupported versions close the connection; ApiVersions answers UNSUPPORTED_VERSION instead', async () => {
  await expectClosed(sized(header(999, 0)), 'unsupported API key');
  await expectClosed(sized(header(-1, 0)), 'unsupported API key');
  await expectClosed(sized(Buffer.concat([header(ApiKey.Metadata, 99), Buffer.alloc(4)])), 'unsupported API version');

  const { frames, closedByBroker } = await exchange(sized(header(ApiKey.ApiVersions, 99)), 1);
  expect(closedByBroker).toBe(false);
  const answer = decodeResponseFrame(ApiKey.ApiVersions, 0, frames[0]!).body;
  expect(answer.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
  expect(answer.apiKeys.map((k) => k.apiKey)).toContain(ApiKey.CreateTopics);
});

test('truncated bodies, garbage after a valid header and huge array counts close the connection as malformed', async () => {
  const whole = requestBody(ApiKey.CreateTopics, 2, {
    topics: [{ name: 'never', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '1' }] }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  await expectClosed(sized(whole.subarray(0, whole.length - 3)), 'malformed request');
  await expectClosed(sized(Buffer.concat([header(ApiKey.CreateTopics, 3), Buffer.from('this is not a request body at all')])), 'malformed request');

  const hugeCount = Buffer.alloc(4);
  hugeCount.writeInt32BE(0x7fffffff);
  await expectClosed(sized(Buffer.concat([header(ApiKey.CreateTopics, 2), hugeCount])), 'malformed request');
  // The same inside a topic: two billion config entries announced in a few bytes.
  const topic = Buffer.concat([Buffer.from([0, 1]), Buffer.from('t'), Buffer.from([0, 0, 0, 1, 0, 1, 0, 0, 0, 0]), hugeCount]);
  await expectClosed(sized(Buffer.concat([header(ApiKey.CreateTopics, 2), Buffer.from([0, 0, 0, 1]), topic])), 'malformed request');
  // A flexible version's compact array count: an unsigned varint near 2^32.
  const flexible = Buffer.concat([header(ApiKey.CreateTopics, 5), Buffer.from([0]), Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f])]);
  await expectClosed(sized(flexible), 'malformed request');
});

test('a good request pipelined ahead of garbage is answered before the connection closes', async () => {
  const good = sized(requestBody(ApiKey.ApiVersions, 0, {}));
  const frames = await expectClosed(Buffer.concat([good, sized(Buffer.from([1]))]), 'request too short for a header', 1);
  expect(decodeResponseFrame(ApiKey.ApiVersions, 0, frames[0]!).body.errorCode).toBe(ErrorCode.NONE);
});

test('invalid topic names are INVALID_TOPIC_EXCEPTION, per topic', async () => {
  const names = ['', '.', '..', 'x'.repeat(250), 'has space', 'slash/name', 'ünïcode', 'nul\u0000byte'];
  const res = await kafkaRequest(bootstrap, ApiKey.CreateTopics, 4, {
    topics: names.map((name) => ({ name, numPartitions: 1, replicationFactor: 1 })),
    timeoutMs: 1000,
  });
  expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual(names.map((n) => [n, ErrorCode.INVALID_TOPIC_EXCEPTION]));
  expect(res.topics.every((t) => typeof t.errorMessage === 'string' && t.errorMessage.length > 0)).toBe(true);
  const metadata = await kafkaRequest(bootstrap, ApiKey.Metadata, 4, { topics: [{ name: '..' }], allowAutoTopicCreation: true });
  expect(metadata.topics[0]!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
});

test('absurd partition counts and replication factors get INVALID_PARTITIONS and INVALID_REPLICATION_FACTOR', async () => {
  const res = await kafkaRequest(bootstrap, ApiKey.CreateTopics, 5, {
    topics: [
      { name: 'zero-partitions', numPartitions: 0, replicationFactor: 1 },
      { name: 'negative-partitions', numPartitions: -5, replicationFactor: 1 },
      { name: 'max-partitions', numPartitions: 2 ** 31 - 1, replicationFactor: 1 },
      { name: 'over-limit', numPartitions: MAX_PARTITIONS_PER_TOPIC + 1, replicationFactor: -1 },
      { name: 'two-copies', numPartitions: 1, replicationFactor: 2 },
      { name: 'zero-copies', numPartitions: 1, replicationFactor: 0 },
      { name: 'negative-copies', numPartitions: 1, replicationFactor: -7 },
      { name: 'empty-assignment', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [] }] },
      { name: 'gap-assignment', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 1, brokerIds: [0] }] },
      { name: 'unknown-broker', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [42] }] },
      { name: 'both-given', numPartitions: 1, replicationFactor: 1, assignments: [{ partitionIndex: 0, brokerIds: [0] }] },
    ],
    timeoutMs: 1000,
  });
  expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
    ['zero-partitions', ErrorCode.INVALID_PARTITIONS],
    ['negative-partitions', ErrorCode.INVALID_PARTITIONS],
    ['max-partitions', ErrorCode.INVALID_PARTITIONS],
    ['over-limit', ErrorCode.INVALID_PARTITIONS],
    ['two-copies', ErrorCode.INVALID_REPLICATION_FACTOR],
    ['zero-copies', ErrorCode.INVALID_REPLICATION_FACTOR],
    ['negative-copies', ErrorCode.INVALID_REPLICATION_FACTOR],
    ['empty-assignment', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
    ['gap-assignment', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
    ['unknown-broker', ErrorCode.INVALID_REPLICA_ASSIGNMENT],
    ['both-given', ErrorCode.INVALID_REQUEST],
  ]);
  expect(res.topics[4]!.errorMessage).toBe('Replication factor: 2 larger than available brokers: 1.');

  const grow = await kafkaRequest(bootstrap, ApiKey.CreatePartitions, 2, {
    topics: [{ name: 'kept', count: 2 ** 31 - 1, assignments: null }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  expect(grow.results[0]!.errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
  const shrink = await kafkaRequest(bootstrap, ApiKey.CreatePartitions, 0, { topics: [{ name: 'kept', count: -5, assignments: null }], timeoutMs: 1000, validateOnly: false });
  expect(shrink.results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic currently has 1 partitions, which is higher than the requested -5.' });
  expect(kafka.broker.topics.get('kept')!.replicas).toHaveLength(1);
});

test('unknown configs and bad config values are INVALID_CONFIG, in creation and alteration alike', async () => {
  const res = await kafkaRequest(bootstrap, ApiKey.CreateTopics, 3, {
    topics: [
      { name: 'unknown-config', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'frobnication.level', value: '11' }] },
      { name: 'bad-value', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'retention.ms', value: '99999999999999999999' }] },
      { name: 'null-value', numPartitions: 1, replicationFactor: 1, configs: [{ name: 'retention.ms', value: null }] },
    ],
    timeoutMs: 1000,
    validateOnly: false,
  });
  expect(res.topics.map((t) => t.errorCode)).toEqual([ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_CONFIG, ErrorCode.INVALID_CONFIG]);
  const alter = await kafkaRequest(bootstrap, ApiKey.AlterConfigs, 0, {
    resources: [{ resourceType: 2, resourceName: 'kept', configs: [{ name: 'segment.bytes', value: 'large' }] }],
    validateOnly: false,
  });
  expect(alter.responses[0]!.errorCode).toBe(ErrorCode.INVALID_CONFIG);
  expect(kafka.broker.topics.get('kept')!.configs).toEqual({});
});

test('after all of it, a real client connects and works', async () => {
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
  expect(await admin.listTopics()).toEqual(['kept']);
  await admin.createTopics({ topics: [{ topic: 'fresh' }] });
  await admin.deleteTopics({ topics: ['fresh'] });
  await admin.disconnect();
});
