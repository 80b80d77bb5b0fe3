// `skein user` and `skein acl` as an administrator types them, against one `skein start` node with an
// authorizer, a PLAINTEXT listener whose User:ANONYMOUS is the super user the commands connect as, and a
// SASL_PLAINTEXT listener with SCRAM: a user made by `skein user create` authenticates with kafkajs, is
// refused a produce until `skein acl create` grants it, and the grant is listed and deleted; list never
// shows a credential, and a deleted user can no longer authenticate.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort } from '../../helpers/free-port.js';
import { expectOneLine, skein, skeinJson, SkeinNode, type CliTarget } from '../../helpers/skein-cli.js';

let node: SkeinNode;
let admin: CliTarget;
let saslAddress: string;

beforeAll(async () => {
  const [plain, sasl] = [await freePort(), await freePort()];
  node = await SkeinNode.start({
    listeners: `PLAINTEXT://127.0.0.1:${plain},SASL_PLAINTEXT://127.0.0.1:${sasl}`,
    'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
    'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
    'super.users': 'User:ANONYMOUS',
    'connection.failed.authentication.delay.ms': '0',
  });
  admin = { kafka: `127.0.0.1:${plain}`, zookeeper: node.zookeeper };
  saslAddress = `127.0.0.1:${sasl}`;
}, 90_000);
afterAll(async () => {
  await node?.stop();
});

// No retries: a refusal is the answer these checks wait for, not a transient state.
const producerAs = (username: string, password: string) =>
  new Kafka({ brokers: [saslAddress], clientId: 'security-cli', logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'scram-sha-256', username, password } }).producer();

type Acl = { resourceType: string; resource: string; patternType: string; principal: string; host: string; operation: string; permission: string };
type User = { user: string; credentials: { mechanism: string; iterations: number }[] };

test('a SCRAM user from `skein user create` is refused a produce until `skein acl create` grants it; list, delete', async () => {
  expect((await skein(admin, ['topic', 'create', 'secured'])).code).toBe(0);
  expect((await skein(admin, ['user', 'create', 'alice', '--password-stdin'], 'alice-secret\n')).code).toBe(0);
  const bob = await skein(admin, ['user', 'create', 'bob', '--mechanism', 'SCRAM-SHA-512', '--mechanism', 'SCRAM-SHA-256', '--iterations', '8192', '--password', 'bob-secret']);
  expect(bob.stdout).toMatch(/USER\s+MECHANISM\s+ITERATIONS\nbob\s+SCRAM-SHA-512\s+8192\nbob\s+SCRAM-SHA-256\s+8192\n/);
  const users = await skein(admin, ['user', 'list', '--format', 'json']);
  expect(JSON.parse(users.stdout) as User[]).toEqual(
    expect.arrayContaining([
      { user: 'alice', credentials: [{ mechanism: 'SCRAM-SHA-256', iterations: 4096 }] },
      { user: 'bob', credentials: expect.arrayContaining([{ mechanism: 'SCRAM-SHA-256', iterations: 8192 }, { mechanism: 'SCRAM-SHA-512', iterations: 8192 }]) as unknown },
    ]),
  );
  expect(users.stdout).not.toMatch(/salt|secret|key/i);

  // Authenticated, but no ACL names the topic: refused.
  const refused = producerAs('alice', 'alice-secret');
  await refused.connect();
  await expect(refused.send({ topic: 'secured', messages: [{ value: 'no' }] })).rejects.toThrow(/authoriz/i);
  await refused.disconnect();

  const granted = await skein(admin, ['acl', 'create', '--allow-principal', 'User:alice', '--operation', 'Write', '--operation', 'describe', '--topic', 'secured']);
  expect(granted.code).toBe(0);
  expect(granted.stdout).toMatch(/RESOURCE-TYPE\s+RESOURCE\s+PATTERN-TYPE\s+PRINCIPAL\s+HOST\s+OPERATION\s+PERMISSION\n/);
  const producer = producerAs('alice', 'alice-secret');
  await producer.connect();
  await producer.send({ topic: 'secured', acks: -1, messages: [{ value: 'yes' }] });
  await producer.disconnect();

  const aliceAcls = (op: string) => ({ resourceType: 'TOPIC', resource: 'secured', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: op, permission: 'ALLOW' });
  expect(await skeinJson<Acl[]>(admin, ['acl', 'list', '--topic', 'secured'])).toEqual([aliceAcls('WRITE'), aliceAcls('DESCRIBE')]);
  expect(await skeinJson<Acl[]>(admin, ['acl', 'list', '--principal', 'User:alice', '--operation', 'Write'])).toEqual([aliceAcls('WRITE')]);
  expect(await skeinJson<Acl[]>(admin, ['acl', 'list', '--topic', 'secured', '--resource-pattern-type', 'prefixed'])).toEqual([]);

  // delete prints what it removed; what it did not match stays.
  expect(await skeinJson<Acl[]>(admin, ['acl', 'delete', '--topic', 'secured', '--allow-principal', 'User:alice', '--operation', 'Write'])).toEqual([aliceAcls('WRITE')]);
  expect(await skeinJson<Acl[]>(admin, ['acl', 'list'])).toEqual([aliceAcls('DESCRIBE')]);

  expectOneLine(await skein(admin, ['acl', 'create', '--allow-principal', 'User:alice', '--operation', 'Write', '--group', 'g']), 2, /^skein acl create: GROUP g has no operation WRITE/);
  expectOneLine(await skein(admin, ['acl', 'delete', '--principal', 'User:alice']), 2, /name the resources whose ACLs to delete/);

  const deleted = await skein(admin, ['user', 'delete', 'alice', '--format', 'json']);
  expect(JSON.parse(deleted.stdout)).toEqual([{ user: 'alice', credentials: [{ mechanism: 'SCRAM-SHA-256', iterations: 4096 }] }]);
  expectOneLine(await skein(admin, ['user', 'delete', 'alice']), 1, /user alice has no SCRAM credential/);
  await expect(producerAs('alice', 'alice-secret').connect()).rejects.toThrow(/authentication failed/i);
}, 60_000);

type Quota = { entity: { user?: string | null; clientId?: string | null; ip?: string | null }; quotas: Record<string, number> };

test("`skein quota` sets, lists and deletes client quotas; a user's quotas share its config with its SCRAM credential", async () => {
  expect((await skein(admin, ['user', 'create', 'carol', '--password', 'carol-secret'])).code).toBe(0);
  expect((await skein(admin, ['quota', 'set', '--user', 'carol', 'producer_byte_rate=1048576', 'request_percentage=50'])).code).toBe(0);
  expect((await skein(admin, ['quota', 'set', '--client-id', '<default>', 'consumer_byte_rate=2048'])).code).toBe(0);
  expect(await skeinJson<Quota[]>(admin, ['quota', 'list'])).toEqual(
    expect.arrayContaining([
      { entity: { user: 'carol' }, quotas: { producer_byte_rate: 1048576, request_percentage: 50 } },
      { entity: { clientId: null }, quotas: { consumer_byte_rate: 2048 } },
    ]),
  );
  // The quota write kept carol's credential.
  const carol = producerAs('carol', 'carol-secret');
  await carol.connect();
  await carol.disconnect();
  expectOneLine(await skein(admin, ['quota', 'set', '--user', 'carol', 'producer_byte_rate=-1']), 1, /must not be negative/);
  expect(await skeinJson<Quota[]>(admin, ['quota', 'delete', '--user', 'carol', 'request_percentage'])).toEqual([{ entity: { user: 'carol' }, quotas: { request_percentage: 50 } }]);
  expect(await skeinJson<Quota[]>(admin, ['quota', 'list', '--user', 'carol'])).toEqual([{ entity: { user: 'carol' }, quotas: { producer_byte_rate: 1048576 } }]);
}, 60_000);

type Subscription = { name: string; metrics: string; intervalMs: string; match: string };

test('`skein client-metrics` sets, lists and deletes KIP-714 client-metrics subscriptions; Kafka\'s refusals are one line', async () => {
  expect(await skeinJson<Subscription[]>(admin, ['client-metrics', 'set', 'orders', '--metrics', 'org.apache.kafka.producer.', '--match', 'client_id=orders-.*'])).toEqual([
    { name: 'orders', metrics: 'org.apache.kafka.producer.', intervalMs: '300000', match: 'client_id=orders-.*' },
  ]);
  // Keys not given are kept.
  expect((await skein(admin, ['client-metrics', 'set', 'orders', '--interval', '10000'])).stdout).toMatch(/NAME\s+METRICS\s+INTERVAL\.MS\s+MATCH\norders\s+org\.apache\.kafka\.producer\.\s+10000\s+client_id=orders-\.\*\n/);
  expectOneLine(await skein(admin, ['client-metrics', 'set', 'bad', '--interval', '50']), 1, /interval must be between 100 and 3600000/);
  expect(await skeinJson<Subscription[]>(admin, ['client-metrics', 'list'])).toEqual([{ name: 'orders', metrics: 'org.apache.kafka.producer.', intervalMs: '10000', match: 'client_id=orders-.*' }]);
  expect((await skein(admin, ['client-metrics', 'delete', 'orders'])).code).toBe(0);
  expect(await skeinJson<Subscription[]>(admin, ['client-metrics', 'list'])).toEqual([]);
}, 60_000);
