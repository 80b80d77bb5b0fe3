// SASL on a SASL_PLAINTEXT listener: kafkajs authenticates with PLAIN and produces and consumes, and with
// SCRAM-SHA-256/512 once AlterUserScramCredentials (sent on a PLAINTEXT listener beside it) made the user; a wrong
// password gets SASL_AUTHENTICATION_FAILED and a closed connection; at the wire, nothing but ApiVersions
// is served before authentication, an unknown mechanism is answered with the enabled list, and the v0
// flow (SaslHandshake v0, then raw tokens without a Kafka header) that old clients use works. No
// password appears in any log line.
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, decodeResponseFrame, encodeRequestFrame, ErrorCode, type RequestInputOf } from '../../../protocol/kafka/index.js';
import { FrameReader } from '../../../src/net/frame-reader.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { kafkaRequest } from '../../helpers/kafka-request.js';
import { sizePrefixed } from '../../helpers/raw-exchange.js';

const ALICE_PASSWORD = 'alice-secret-"quoted"';
const ADMIN_PASSWORD = 'admin-secret';
let broker: TestBroker;
let saslAddress: string;
const logged: string[] = [];

beforeAll(async () => {
  broker = await startTestBroker(
    {
      listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.2:0',
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER',
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
  const sasl = broker.broker.config.listeners.find((l) => l.bind.name === 'SASL_PLAINTEXT')!.advertised!;
  saslAddress = `${sasl.host}:${sasl.port}`;
});

afterAll(async () => {
  await broker?.close();
});

// kafkajs does not retry a refused authentication; the retries are for the group coordinator's start.
const kafkaAs = (username: string, password: string, mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512' = 'plain') =>
  new Kafka({ brokers: [saslAddress], clientId: 'sasl-test', logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 }, sasl: { mechanism, username, password } as never });

/** A connection that sends one frame at a time and waits for its answer (null: the broker closed). */
async function rawConnection(): Promise<{ send(frame: Buffer[]): Promise<Buffer | null>; socket: Socket }> {
  const socket = connect(Number(saslAddress.split(':')[1]), '127.0.0.2');
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
  expect(decodeResponseFrame(ApiKey.SaslHandshake, 1, answer!).body).toEqual({
    errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
    mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'],
  });
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

const BOB_PASSWORD = 'bob-scram-secret';

/** What a client tool sends: the password salted as RFC 5802 says (PBKDF2 with the mechanism's hash). */
function upsertion(name: string, mechanism: 1 | 2, password: string, iterations = 4096) {
  const salt = randomBytes(16);
  const [hash, bytes] = mechanism === 1 ? ['sha256', 32] : ['sha512', 64] as const;
  return { name, mechanism, iterations, salt, saltedPassword: pbkdf2Sync(password, salt, iterations, bytes, hash) };
}

test('SCRAM: credentials made by AlterUserScramCredentials let kafkajs in with SCRAM-SHA-256 and -512', async () => {
  const altered = await kafkaRequest(broker.bootstrap, ApiKey.AlterUserScramCredentials, 0, {
    deletions: [],
    upsertions: [upsertion('bob', 1, BOB_PASSWORD), upsertion('bob', 2, BOB_PASSWORD, 8192)],
  });
  expect(altered.results).toEqual([{ user: 'bob', errorCode: ErrorCode.NONE, errorMessage: null }]);
  for (const mechanism of ['scram-sha-256', 'scram-sha-512'] as const) {
    const admin = kafkaAs('bob', BOB_PASSWORD, mechanism).admin();
    await admin.connect();
    await admin.listTopics();
    await admin.disconnect();
  }
  const described = await kafkaRequest(broker.bootstrap, ApiKey.DescribeUserScramCredentials, 0, { users: [{ name: 'bob' }, { name: 'nobody' }] });
  expect(described.results).toEqual([
    { user: 'bob', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 4096 }, { mechanism: 2, iterations: 8192 }] },
    { user: 'nobody', errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to describe a user credential that does not exist', credentialInfos: [] },
  ]);
});

test('OAUTHBEARER: kafkajs with an unsecured token gets in as its subject; an expired one is refused', async () => {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const token = (exp: number) => `${b64({ alg: 'none' })}.${b64({ sub: 'dora', exp })}.`;
  const withToken = (value: string) =>
    new Kafka({ brokers: [saslAddress], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value }) } });
  const admin = withToken(token(Math.floor(Date.now() / 1000) + 300)).admin();
  await admin.connect();
  await admin.listTopics();
  await admin.disconnect();
  // kafkajs takes the broker's error challenge (answered without an error code, as Kafka answers it) for
  // success; the connection is closed at its next request.
  const expired = withToken(token(Math.floor(Date.now() / 1000) - 300)).admin();
  await expect(expired.connect().then(() => expired.listTopics())).rejects.toThrow();
  await expired.disconnect();
  expect(logged.some((l) => l.includes('Unexpected Kafka request during SASL authentication') && l.includes('"state":"tokens"'))).toBe(true);
});

test('SCRAM: AlterUserScramCredentials refuses as Kafka does, per user', async () => {
  const altered = await kafkaRequest(broker.bootstrap, ApiKey.AlterUserScramCredentials, 0, {
    deletions: [{ name: 'carol', mechanism: 1 }, { name: 'dave', mechanism: 2 }],
    upsertions: [upsertion('carol', 1, 'x'), upsertion('erin', 1, 'x', 1000), upsertion('', 1, 'x'), { ...upsertion('frank', 1, 'x'), mechanism: 9 as 1 }],
  });
  expect(altered.results.map((r) => [r.user, r.errorCode])).toEqual([
    ['carol', ErrorCode.DUPLICATE_RESOURCE],
    ['dave', ErrorCode.RESOURCE_NOT_FOUND],
    ['erin', ErrorCode.UNACCEPTABLE_CREDENTIAL],
    ['', ErrorCode.UNACCEPTABLE_CREDENTIAL],
    ['frank', ErrorCode.UNSUPPORTED_SASL_MECHANISM],
  ]);
  const described = await kafkaRequest(broker.bootstrap, ApiKey.DescribeUserScramCredentials, 0, { users: null });
  expect(described.results.map((r) => r.user)).toEqual(['bob']);
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
  expect(failures.every((l) => /"remote":"127\.0\.0\.\d+:\d+"/.test(l))).toBe(true);
  await expect(kafkaAs('bob', 'not-bobs', 'scram-sha-512').admin().connect()).rejects.toThrow(/invalid credentials with SASL mechanism SCRAM-SHA-512/);
  for (const secret of [ALICE_PASSWORD, 'alice-secret', ADMIN_PASSWORD, 'guessed-wrong', 'also-wrong', BOB_PASSWORD, 'not-bobs']) {
    expect(logged.join('\n')).not.toContain(secret);
  }
});
