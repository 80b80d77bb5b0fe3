// SASL on a SASL_PLAINTEXT listener: kafkajs authenticates with PLAIN and produces and consumes; a wrong
// password gets SASL_AUTHENTICATION_FAILED and a closed connection; at the wire, nothing but ApiVersions
// is served before authentication, an unknown mechanism is answered with the enabled list, and the v0
// flow (SaslHandshake v0, then raw tokens without a Kafka header) that old clients use works. No
// password appears in any log line.
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, decodeResponseFrame, encodeRequestFrame, ErrorCode, type RequestInputOf } from '../../../protocol/kafka/index.js';
import { FrameReader } from '../../../src/net/frame-reader.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { sizePrefixed } from '../../helpers/raw-exchange.js';

const ALICE_PASSWORD = 'alice-secret-"quoted"';
const ADMIN_PASSWORD = 'admin-secret';
let broker: TestBroker;
const logged: string[] = [];

beforeAll(async () => {
  broker = await startTestBroker(
    {
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config':
        `org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${ADMIN_PASSWORD}" ` +
        `user_admin="${ADMIN_PASSWORD}" user_alice="alice-secret-\\"quoted\\"";`,
      'connection.failed.authentication.delay.ms': '10',
      'offsets.topic.num.partitions': '1',
      'group.initial.rebalance.delay.ms': '0',
    },
    undefined,
    pino({ level: 'debug' }, { write: (line: string) => void logged.push(line) }),
  );
});

afterAll(async () => {
  await broker?.close();
});

// kafkajs does not retry a refused authentication; the retries are for the group coordinator's start.
const kafkaAs = (username: string, password: string) =>
  new Kafka({ brokers: [broker.bootstrap], clientId: 'sasl-test', logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 }, sasl: { mechanism: 'plain', username, password } });

/** A connection that sends one frame at a time and waits for its answer (null: the broker closed). */
async function rawConnection(): Promise<{ send(frame: Buffer[]): Promise<Buffer | null>; socket: Socket }> {
  const socket = connect(Number(broker.bootstrap.split(':')[1]), '127.0.0.1');
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const reader = new FrameReader(1 << 20);
  const waiting: Array<(f: Buffer | null) => void> = [];
  reader.sink = { frame: (f) => waiting.shift()?.(Buffer.from(f)), invalid: () => socket.destroy() };
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
  socket.on('error', () => {});
  socket.on('close', () => waiting.splice(0).forEach((w) => w(null)));
  return {
    socket,
    send(frame) {
      return new Promise((resolve) => {
        waiting.push(resolve);
        socket.write(sizePrefixed(Buffer.concat(frame)));
      });
    },
  };
}

const request = <K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestInputOf<K>) =>
  encodeRequestFrame({ apiKey, apiVersion, correlationId: 7, clientId: 'raw' }, body);

test('kafkajs authenticates with PLAIN, produces and consumes', async () => {
  const kafka = kafkaAs('alice', ALICE_PASSWORD);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'sasl-plain', acks: -1, messages: [{ value: 'one' }, { value: 'two' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'sasl-g' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'sasl-plain', fromBeginning: true });
  const got: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value!.toString());
        if (got.length === 2) resolve();
      },
    });
  });
  await consumer.disconnect();
  expect(got).toEqual(['one', 'two']);
});

test('before authentication only ApiVersions and SaslHandshake are served', async () => {
  const conn = await rawConnection();
  const versions = await conn.send(request(ApiKey.ApiVersions, 0, {}));
  expect(versions).not.toBeNull();
  const supported = decodeResponseFrame(ApiKey.ApiVersions, 0, versions!).body.apiKeys.map((a) => a.apiKey);
  expect(supported).toEqual(expect.arrayContaining([ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]));
  expect(await conn.send(request(ApiKey.Metadata, 1, { topics: null }))).toBeNull();
  expect(logged.some((l) => l.includes('Unexpected Kafka request during SASL authentication'))).toBe(true);
});

test('an unknown mechanism is answered with the enabled ones, then the connection closes', async () => {
  const conn = await rawConnection();
  const answer = await conn.send(request(ApiKey.SaslHandshake, 1, { mechanism: 'SCRAM-SHA-1' }));
  expect(decodeResponseFrame(ApiKey.SaslHandshake, 1, answer!).body).toEqual({ errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN'] });
  expect(await conn.send(request(ApiKey.ApiVersions, 0, {}))).toBeNull();
});

test('the v0 flow: SaslHandshake v0, a raw PLAIN token, then requests as the user', async () => {
  const conn = await rawConnection();
  const handshake = await conn.send(request(ApiKey.SaslHandshake, 0, { mechanism: 'PLAIN' }));
  expect(decodeResponseFrame(ApiKey.SaslHandshake, 0, handshake!).body.errorCode).toBe(ErrorCode.NONE);
  const done = await conn.send([Buffer.from(`\0alice\0${ALICE_PASSWORD}`)]);
  expect(done).toEqual(Buffer.alloc(0));
  const metadata = await conn.send(request(ApiKey.Metadata, 1, { topics: null }));
  expect(decodeResponseFrame(ApiKey.Metadata, 1, metadata!).body.brokers).toHaveLength(1);
  // Authenticated: another handshake is Kafka's ILLEGAL_SASL_STATE.
  const again = await conn.send(request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' }));
  expect(decodeResponseFrame(ApiKey.SaslHandshake, 1, again!).body.errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
  conn.socket.destroy();
});

test('a wrong password is SASL_AUTHENTICATION_FAILED with a message that leaks nothing, then a close', async () => {
  const conn = await rawConnection();
  await conn.send(request(ApiKey.SaslHandshake, 1, { mechanism: 'PLAIN' }));
  const answer = await conn.send(request(ApiKey.SaslAuthenticate, 2, { authBytes: Buffer.from('\0alice\0guessed-wrong') }));
  const body = decodeResponseFrame(ApiKey.SaslAuthenticate, 2, answer!).body;
  expect(body.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
  expect(body.errorMessage).toBe('Authentication failed: Invalid username or password');
  expect(await conn.send(request(ApiKey.ApiVersions, 0, {}))).toBeNull();
  await expect(kafkaAs('alice', 'also-wrong').admin().connect()).rejects.toThrow(/Invalid username or password/);
  const failures = logged.filter((l) => l.includes('SASL authentication failed'));
  expect(failures.length).toBeGreaterThanOrEqual(2);
  expect(failures.every((l) => l.includes('"remote":"127.0.0.1:'))).toBe(true);
  for (const secret of [ALICE_PASSWORD, 'alice-secret', ADMIN_PASSWORD, 'guessed-wrong', 'also-wrong']) {
    expect(logged.join('\n')).not.toContain(secret);
  }
});
