// The console of a secured node (issue #14 after the security issue): a ZooKeeper-mode broker with a
// SASL_PLAINTEXT listener (PLAIN users in its JAAS entry, SCRAM users in the credential store) and
// Kafka's ACL authorizer, the console wired as skein start wires it. Its users log in with their cluster
// passwords and see and change only what the ACLs kafkajs created let them; the console's own
// connection to the node is the PLAINTEXT inter-broker listener's User:ANONYMOUS, a super user as the
// brokers' principal must be.
import { randomBytes } from 'node:crypto';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes, type Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { consoleSecurityOf } from '../../../src/cli/console-security.js';
import type { RunningHttp } from '../../../src/http/http-listener.js';
import { startProcessHttp } from '../../../src/http/process-endpoints.js';
import { MIN_ITERATIONS, saltedPassword } from '../../../src/kafka/sasl/scram.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';

let zk: TestServer;
let broker: TestBroker;
let http: RunningHttp;
let admin: Admin;
let base = '';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ALICE = basic('alice', 'alice-secret');
const ADMIN = basic('admin', 'admin-secret');
const BOB = basic('bob', 'bob-secret');

beforeAll(async () => {
  zk = await startTestServer({ tickTime: 2000, minSessionTimeout: 4000 });
  broker = await startTestBroker({
    'zookeeper.connect': `127.0.0.1:${zk.port}`,
    listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
    'inter.broker.listener.name': 'PLAINTEXT',
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config':
      'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";',
    'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
    'super.users': 'User:ANONYMOUS;User:admin',
    'offsets.topic.num.partitions': '1',
    'group.initial.rebalance.delay.ms': '0',
  });
  const b = broker.broker;
  http = await startProcessHttp(
    { host: '127.0.0.1', port: 0 },
    { broker: b, zookeeper: zk.server, dataDirs: [broker.dataDir], console: { bootstrap: broker.bootstrap, zookeeperConnect: `127.0.0.1:${zk.port}`, readOnly: undefined, security: consoleSecurityOf(b.config, b) } },
    b.log,
  );
  base = `http://127.0.0.1:${http.port}`;
  // kafkajs asks the controller to create topics: wait until the broker has elected itself.
  await vi.waitFor(() => expect(b.metadata.controllerId()).toBeGreaterThanOrEqual(0), { timeout: 10_000, interval: 20 });
  admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 50 } }).admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'orders' }, { topic: 'secret' }] });
  await admin.createAcls({
    acl: [
      { resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:alice', host: '*', operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW },
      { resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.LITERAL, principal: 'User:bob', host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW },
    ],
  });
  // bob is a SCRAM user, made as kafka-configs.sh makes one (AlterUserScramCredentials' content).
  const salt = randomBytes(16);
  await b.scram.alter([], [{ name: 'bob', mechanism: 1, iterations: MIN_ITERATIONS, salt, saltedPassword: saltedPassword('SCRAM-SHA-256', 'bob-secret', salt, MIN_ITERATIONS) }]);
}, 60_000);

afterAll(async () => {
  await admin?.disconnect();
  await http?.close();
  await broker?.close();
  await zk?.destroy();
});

async function call(path: string, authorization?: string, method = 'GET', body?: unknown) {
  const headers: Record<string, string> = { ...(authorization ? { authorization } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body: (await res.json()) as Record<string, unknown> };
}

test('a secured node\'s console asks for a login, and its users see and change only what their ACLs allow', async () => {
  const anonymous = await call('/api/topics');
  expect(anonymous.status).toBe(401);
  expect(anonymous.challenge).toMatch(/^Basic realm=/);
  expect((await call('/api/topics', basic('alice', 'wrong'))).status).toBe(401);

  // The ACLs reach the broker's cache through ZooKeeper's change notifications.
  await vi.waitFor(async () => expect((await call('/api/topics/orders', ALICE)).status).toBe(200), { timeout: 10_000, interval: 50 });
  const orders = await call('/api/topics/orders', ALICE);
  expect(orders.body.may).toEqual({ describeConfigs: false, read: true, write: false, alterConfigs: false });
  expect(orders.body.configs).toEqual([]);
  // Metadata's filter: alice's list holds orders, not secret.
  expect(((await call('/api/topics', ALICE)).body.topics as { name: string }[]).map((t) => t.name)).toEqual(['orders']);
  expect((await call('/api/topics/secret', ALICE)).status).toBe(403);
  expect((await call('/api/topics/orders/messages', ALICE, 'POST', { value: 'from alice' })).status).toBe(403);
  expect((await call('/api/zk/node?path=/', ALICE)).status).toBe(403);
  expect((await call('/api/overview', ALICE)).status).toBe(403);

  // bob (SCRAM) may write orders but not read it; the super user admin may do anything.
  const produced = await call('/api/topics/orders/messages', BOB, 'POST', { key: 'k', value: 'from bob', partition: 0 });
  expect(produced.status).toBe(200);
  expect((await call('/api/topics/orders/messages?partition=0', BOB)).status).toBe(403);
  const page = await call('/api/topics/orders/messages?partition=0&offset=0', ALICE);
  expect(page.status).toBe(200);
  expect(JSON.stringify(page.body)).toContain(Buffer.from('from bob').toString('base64'));
  const adminView = await call('/api/topics/orders', ADMIN);
  expect(adminView.body.may).toEqual({ describeConfigs: true, read: true, write: true, alterConfigs: true });
  expect((adminView.body.configs as unknown[]).length).toBeGreaterThan(0);
  expect((await call('/api/zk/node?path=/', ADMIN)).status).toBe(200);
  expect((await call('/api/overview', ADMIN)).status).toBe(200);
  expect((await call('/api/settings', BOB)).body).toEqual({ readOnly: false, principal: 'User:bob', kafka: true, zookeeper: false, sessions: true });
});
