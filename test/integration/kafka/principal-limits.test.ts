// max.connections.per.principal with kafkajs, on a broker with a SASL_PLAINTEXT listener and an SSL one
// (client certificates name the principal): alice (override 2) gets two connections, a third login is
// refused with SASL_AUTHENTICATION_FAILED naming the limit; bob (the default, 3) has his own count; the
// super user is never counted. The count spans listeners: at her limit, alice's certificate connection is
// closed with a log line naming address and principal, and once her connections close it gets in.
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type Admin, type KafkaConfig } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { brokerSslSettings, makeTestPki, type TestPki } from '../../../compat/helpers/certificates.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';

let pki: TestPki;
let broker: TestBroker;
const address = (listener: string) => {
  const { host, port } = broker.broker.config.listeners.find((l) => l.bind.name === listener)!.advertised!;
  return `${host}:${port}`;
};
const admins: Admin[] = [];
const logged: string[] = [];

beforeAll(async () => {
  pki = makeTestPki();
  broker = await startTestBroker(
    {
      listeners: 'SASL_PLAINTEXT://127.0.0.2:0,SSL://127.0.0.1:0',
      'inter.broker.listener.name': 'SASL_PLAINTEXT',
      ...brokerSslSettings(pki),
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config':
        'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="a" user_admin="a" user_alice="a" user_bob="b";',
      'connection.failed.authentication.delay.ms': '0',
      'max.connections.per.principal': '3',
      'max.connections.per.principal.overrides': 'User:alice:2',
      'super.users': 'User:admin',
    },
    undefined,
    pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) }),
  );
});

afterAll(async () => {
  await Promise.all(admins.map((a) => a.disconnect()));
  await broker?.close();
  pki?.remove();
});

/**
 * An admin client holding one connection: kafkajs' admin connects to its seed broker and, the metadata
 * naming that same address, keeps that one connection. No retries: a refusal is the answer.
 */
async function connect(config: Omit<KafkaConfig, 'brokers'>, listener: string): Promise<Admin> {
  const admin = new Kafka({ ...config, brokers: [address(listener)], clientId: 'principal-limits', logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
  admins.push(admin);
  return admin;
}
const saslAs = (username: string, password: string) => connect({ sasl: { mechanism: 'plain', username, password } }, 'SASL_PLAINTEXT');
const aliceCertificate = () =>
  connect({ ssl: { ca: [readFileSync(pki.caPem, 'utf8')], cert: readFileSync(pki.alice.cert, 'utf8'), key: readFileSync(pki.alice.key, 'utf8') } }, 'SSL');
const count = (principal: string) => broker.broker.principalConnections.count(principal);
async function disconnect(admin: Admin): Promise<void> {
  await admin.disconnect();
  admins.splice(admins.indexOf(admin), 1);
}

test('a principal at its limit is refused with the limit named, on every listener; a closed connection frees its place', async () => {
  const first = await saslAs('alice', 'a');
  const second = await saslAs('alice', 'a');
  expect(count('User:alice')).toBe(2);
  await expect(saslAs('alice', 'a')).rejects.toThrow('connection limit of 2 for User:alice reached');
  expect(count('User:alice')).toBe(2);
  // bob has his own count under the default limit.
  await saslAs('bob', 'b');
  await saslAs('bob', 'b');
  expect(count('User:bob')).toBe(2);
  // The super user is never counted, however many connections it opens.
  for (let i = 0; i < 4; i++) await saslAs('admin', 'a');
  expect(count('User:admin')).toBe(0);

  // Her certificate names the same principal: the SSL listener closes it at connect.
  await expect(aliceCertificate()).rejects.toThrow();
  const refusal = logged.map((l) => JSON.parse(l) as { msg: string; remote?: string; principal?: string }).find((l) => l.msg.includes('connection limit of 2 for User:alice reached'));
  expect(refusal).toMatchObject({ principal: 'User:alice', remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });

  await disconnect(first);
  // The broker sees the close after the client: wait for its count to drop rather than for a time.
  await vi.waitFor(() => expect(count('User:alice')).toBe(1), { timeout: 5_000, interval: 10 });
  await saslAs('alice', 'a');
  await disconnect(second);
  await vi.waitFor(() => expect(count('User:alice')).toBe(1), { timeout: 5_000, interval: 10 });
  await aliceCertificate();
  expect(count('User:alice')).toBe(2);
});
