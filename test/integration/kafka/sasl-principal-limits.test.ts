// max.connections.per.principal with kafkajs over SASL PLAIN: alice (override 2) gets two connections, a
// third client's login is refused with SASL_AUTHENTICATION_FAILED naming the limit, and once one of hers
// closes a new one gets in; bob (the default, 3) is not affected by alice's count; the broker's own
// principal, a super user, is never counted.
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';

let broker: TestBroker;
let saslAddress: string;
const admins: Admin[] = [];

beforeAll(async () => {
  broker = await startTestBroker({
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    'sasl.enabled.mechanisms': 'PLAIN',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config':
      'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="a" user_admin="a" user_alice="a" user_bob="b";',
    'connection.failed.authentication.delay.ms': '0',
    'max.connections.per.principal': '3',
    'max.connections.per.principal.overrides': 'User:alice:2',
    'super.users': 'User:admin',
  });
  const sasl = broker.broker.config.listeners[0]!.advertised!;
  saslAddress = `${sasl.host}:${sasl.port}`;
});

afterAll(async () => {
  await Promise.all(admins.map((a) => a.disconnect()));
  await broker?.close();
});

/**
 * An admin client holding one connection: kafkajs' admin connects to its seed broker and, the metadata
 * naming that same address, keeps that one connection.
 */
async function connectAs(username: string, password: string): Promise<Admin> {
  const kafka = new Kafka({ brokers: [saslAddress], clientId: 'principal-limits', logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'plain', username, password } });
  const admin = kafka.admin();
  await admin.connect();
  admins.push(admin);
  return admin;
}

const count = (principal: string) => broker.broker.principalConnections.count(principal);

test('a principal at its limit is refused with the limit named; a closed connection frees its place', async () => {
  const first = await connectAs('alice', 'a');
  await connectAs('alice', 'a');
  expect(count('User:alice')).toBe(2);
  await expect(connectAs('alice', 'a')).rejects.toThrow('connection limit of 2 for User:alice reached');
  expect(count('User:alice')).toBe(2);
  // bob has his own count under the default limit.
  await connectAs('bob', 'b');
  await connectAs('bob', 'b');
  expect(count('User:bob')).toBe(2);
  // The super user is never counted, however many connections it opens.
  for (let i = 0; i < 4; i++) await connectAs('admin', 'a');
  expect(count('User:admin')).toBe(0);

  await first.disconnect();
  admins.splice(admins.indexOf(first), 1);
  // The broker sees the close after the client: wait for its count to drop rather than for a time.
  await vi.waitFor(() => expect(count('User:alice')).toBe(1), { timeout: 5_000, interval: 10 });
  await connectAs('alice', 'a');
  expect(count('User:alice')).toBe(2);
});
