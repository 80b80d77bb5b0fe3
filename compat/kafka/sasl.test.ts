// Real clients over SASL, one broker for all: a SASL_SSL listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512,
// the server certificate made for the test with openssl), a SASL_PLAINTEXT one (PLAIN), and a PLAINTEXT one
// (inter-broker) where the SCRAM users are made with AlterUserScramCredentials as Kafka's tools do. kcat
// and confluent-kafka-python (librdkafka) use SCRAM over SASL_SSL (kcat also OAUTHBEARER with its unsecured
// token), @confluentinc/kafka-javascript SCRAM over SASL_SSL (admin, producer, consumer), kafka-python PLAIN
// over SASL_PLAINTEXT,
// kafkajs SCRAM over SASL_SSL; wrong passwords are refused, the broker logs the address and no secret.
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../protocol/kafka/index.js';
import { freePort } from '../../test/helpers/free-port.js';
import { kafkaRequest } from '../../test/helpers/kafka-request.js';
import { makeTestPki, STORE_PASSWORD, type TestPki } from '../helpers/certificates.js';
import { PYTHON, run } from '../helpers/commands.js';
import { runNodeJson } from '../helpers/npm-clients.js';
import { roundTrip } from '../helpers/secured-roundtrip.js';
import { SkeinKafka } from '../helpers/skein-process.js';

const ALICE = 'alice-scram-pw';
const BOB = 'bob-plain-pw';
let pki: TestPki;
let kafka: SkeinKafka;
let saslSsl: string;
let saslPlain: string;
let plaintext: string;

beforeAll(async () => {
  pki = makeTestPki();
  const [plainPort, sslPort, saslPort] = [await freePort(), await freePort(), await freePort()];
  saslSsl = `127.0.0.1:${sslPort}`;
  saslPlain = `127.0.0.1:${saslPort}`;
  plaintext = `127.0.0.1:${plainPort}`;
  kafka = await SkeinKafka.start({
    listeners: `PLAINTEXT://${plaintext},SASL_SSL://${saslSsl},SASL_PLAINTEXT://${saslPlain}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': pki.server.p12,
    'ssl.keystore.password': STORE_PASSWORD,
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER',
    'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'PLAIN',
    'sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required user_bob="${BOB}";`,
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.num.partitions': '1',
  });
  // The salted passwords Kafka's kafka-configs.sh --alter --add-config 'SCRAM-SHA-256=[password=...]' sends.
  const upsertion = (mechanism: 1 | 2) => {
    const salt = randomBytes(16);
    const saltedPassword = mechanism === 1 ? pbkdf2Sync(ALICE, salt, 4096, 32, 'sha256') : pbkdf2Sync(ALICE, salt, 4096, 64, 'sha512');
    return { name: 'alice', mechanism, iterations: 4096, salt, saltedPassword };
  };
  const altered = await kafkaRequest(plaintext, ApiKey.AlterUserScramCredentials, 0, { deletions: [], upsertions: [upsertion(1), upsertion(2)] });
  expect(altered.results).toEqual([{ user: 'alice', errorCode: ErrorCode.NONE, errorMessage: null }]);
});

afterAll(async () => {
  await kafka?.destroy();
  pki?.remove();
});

const scram = (mechanism: string, password = ALICE) => ({
  'security.protocol': 'sasl_ssl',
  'ssl.ca.location': pki.caPem,
  'sasl.mechanisms': mechanism,
  'sasl.username': 'alice',
  'sasl.password': password,
});
const kcatArgs = (conf: Record<string, string>) => Object.entries(conf).flatMap(([k, v]) => ['-X', `${k}=${v}`]);

test('kcat: SCRAM-SHA-256 over SASL_SSL produces and consumes', async () => {
  const conf = kcatArgs(scram('SCRAM-SHA-256'));
  const lines = Array.from({ length: 50 }, (_, i) => `scram-${i}`);
  const produced = await run('kcat', ['-b', saslSsl, ...conf, '-P', '-t', 'sasl-kcat', '-X', 'acks=all'], `${lines.join('\n')}\n`, 30_000);
  expect(produced.code, produced.stderr).toBe(0);
  const consumed = await run('kcat', ['-b', saslSsl, ...conf, '-C', '-t', 'sasl-kcat', '-o', 'beginning', '-c', '50', '-e'], '', 30_000);
  expect(consumed.code, consumed.stderr).toBe(0);
  expect(consumed.stdout.trim().split('\n')).toEqual(lines);
});

test('kcat: OAUTHBEARER with librdkafka\'s unsecured token over SASL_SSL', async () => {
  const conf = {
    'security.protocol': 'sasl_ssl',
    'ssl.ca.location': pki.caPem,
    'sasl.mechanisms': 'OAUTHBEARER',
    'enable.sasl.oauthbearer.unsecure.jwt': 'true',
    'sasl.oauthbearer.config': 'principal=dora',
  };
  const meta = await run('kcat', ['-b', saslSsl, ...kcatArgs(conf), '-L', '-m', '15'], '', 30_000);
  expect(meta.code, meta.stderr).toBe(0);
});

test('confluent-kafka-python SCRAM-SHA-512 over SASL_SSL, kafka-python PLAIN over SASL_PLAINTEXT', async () => {
  const r1 = await roundTrip('confluent', { 'bootstrap.servers': saslSsl, ...scram('SCRAM-SHA-512') }, 'sasl-confluent', 'c');
  expect(r1.code, r1.stderr).toBe(0);
  expect(JSON.parse(r1.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`));
  const plain = { bootstrap_servers: saslPlain, security_protocol: 'SASL_PLAINTEXT', sasl_mechanism: 'PLAIN', sasl_plain_username: 'bob', sasl_plain_password: BOB };
  const r2 = await roundTrip('kafka-python', plain, 'sasl-kafka-python', 'k');
  expect(r2.code, r2.stderr).toBe(0);
  expect(JSON.parse(r2.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`));
});

test('kafkajs: SCRAM-SHA-256 over SASL_SSL produces and reads back', async () => {
  const client = new Kafka({
    brokers: [saslSsl],
    logLevel: logLevel.NOTHING,
    ssl: { ca: [readFileSync(pki.caPem, 'utf8')] },
    sasl: { mechanism: 'scram-sha-256', username: 'alice', password: ALICE },
  });
  const producer = client.producer();
  await producer.connect();
  const [sent] = await producer.send({ topic: 'sasl-kafkajs', acks: -1, messages: [{ value: 'j0' }] });
  await producer.disconnect();
  const admin = client.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets('sasl-kafkajs');
  await admin.disconnect();
  expect(offsets[0]!.high).toBe(String(Number(sent!.baseOffset) + 1));
});

test('@confluentinc/kafka-javascript (librdkafka 2.15): SCRAM-SHA-512 over SASL_SSL, admin, producer and consumer', async () => {
  const r = await runNodeJson<{ read: { value: string }[] }>(new URL('confluent_javascript.mjs', import.meta.url), 'rdkafka', {
    bootstrap: saslSsl,
    topic: 'sasl-ckjs',
    codecs: ['lz4'],
    config: scram('SCRAM-SHA-512'),
  });
  expect(r.read.map((m) => m.value.split(' ')[0])).toEqual(['lz4-0', 'lz4-1']);
});

test('wrong passwords are refused (kcat, kafka-python) and no secret reaches the log', async () => {
  const kcat = await run('kcat', ['-b', saslSsl, ...kcatArgs(scram('SCRAM-SHA-256', 'wrong-scram-guess')), '-L', '-m', '5'], '', 30_000);
  expect(kcat.code).not.toBe(0);
  expect(kcat.stderr).toMatch(/Authentication failed/);
  const kafkaPython = `
import sys
from kafka import KafkaAdminClient
from kafka.errors import KafkaError
try:
    KafkaAdminClient(bootstrap_servers=sys.argv[1], security_protocol='SASL_PLAINTEXT', sasl_mechanism='PLAIN',
                     sasl_plain_username='bob', sasl_plain_password='wrong-plain-guess', request_timeout_ms=2000)
except KafkaError as e:
    print(type(e).__name__)
`;
  const r = await run(PYTHON, ['-c', kafkaPython, saslPlain], '', 60_000);
  expect(r.stdout.trim()).not.toBe('');
  const failures = kafka.log.split('\n').filter((l) => l.includes('SASL authentication failed'));
  expect(failures.some((l) => l.includes('"remote":"127.0.0.1:'))).toBe(true);
  // kafka-python gives up with a timeout either way; the broker's log says its attempt was refused.
  expect(failures.some((l) => l.includes('"mechanism":"PLAIN"') && l.includes('Invalid username or password'))).toBe(true);
  for (const secret of [ALICE, BOB, 'wrong-scram-guess', 'wrong-plain-guess', STORE_PASSWORD]) expect(kafka.log).not.toContain(secret);
});
