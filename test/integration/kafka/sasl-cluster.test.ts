// SCRAM credentials in a cluster: a user made through one broker is stored in ZooKeeper as Kafka stores
// it (/config/users/<user> plus a /config/changes notification) and authenticates at the other broker
// at once; a deleted credential stops working there too. Client quotas and KIP-714 client-metrics
// subscriptions, entity configs too, are followed the same way.
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { ZooKeeperClient } from '../../../src/zookeeper/client/client.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { kafkaRequest } from '../../helpers/kafka-request.js';
import { startTestServer, type TestServer } from '../zookeeper/harness.js';

let zkServer: TestServer;
const brokers: TestBroker[] = [];

beforeAll(async () => {
  zkServer = await startTestServer();
  for (const id of [1, 2]) {
    brokers.push(
      await startTestBroker({
        'broker.id': String(id),
        listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.2:0',
        'inter.broker.listener.name': 'PLAINTEXT',
        'sasl.enabled.mechanisms': 'SCRAM-SHA-256',
        'zookeeper.connect': `127.0.0.1:${zkServer.port}/sasl`,
        'zookeeper.session.timeout.ms': '3000',
        'controlled.shutdown.max.retries': '0',
      }),
    );
  }
}, 30_000);

afterAll(async () => {
  for (const b of brokers) await b.close();
  await zkServer?.destroy();
});

const saslOf = (b: TestBroker) => {
  const l = b.broker.config.listeners.find((x) => x.bind.name === 'SASL_PLAINTEXT')!.advertised!;
  return `${l.host}:${l.port}`;
};
const connectAs = async (b: TestBroker, password: string) => {
  const admin = new Kafka({ brokers: [saslOf(b)], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'scram-sha-256', username: 'carol', password } }).admin();
  await admin.connect();
  await admin.disconnect();
};

test('a user made at one broker is in /config/users in Kafka\'s format and gets in at the other', async () => {
  const salt = randomBytes(16);
  const upsertion = { name: 'carol', mechanism: 1, iterations: 4096, salt, saltedPassword: pbkdf2Sync('carol-pw', salt, 4096, 32, 'sha256') };
  const altered = await kafkaRequest(brokers[0]!.bootstrap, ApiKey.AlterUserScramCredentials, 0, { deletions: [], upsertions: [upsertion] });
  expect(altered.results[0]!.errorCode).toBe(ErrorCode.NONE);

  const zk = await ZooKeeperClient.connect(`127.0.0.1:${zkServer.port}/sasl`);
  try {
    const stored = JSON.parse((await zk.getData('/config/users/carol')).data!.toString()) as { version: number; config: Record<string, string> };
    expect(stored.version).toBe(1);
    expect(Object.keys(stored.config)).toEqual(['SCRAM-SHA-256']);
    expect(stored.config['SCRAM-SHA-256']).toMatch(new RegExp(`^salt=${salt.toString('base64').replace(/[+/]/g, '\\$&')},stored_key=[A-Za-z0-9+/=]+,server_key=[A-Za-z0-9+/=]+,iterations=4096$`));
    const changes = await zk.getChildren('/config/changes');
    const notes = await Promise.all(changes.map(async (c) => JSON.parse((await zk.getData(`/config/changes/${c}`)).data!.toString()) as unknown));
    expect(notes).toContainEqual({ version: 2, entity_path: 'users/carol' });
  } finally {
    await zk.close();
  }

  await connectAs(brokers[1]!, 'carol-pw');
  await expect(connectAs(brokers[1]!, 'not-carols')).rejects.toThrow(/invalid credentials/);

  const deleted = await kafkaRequest(brokers[1]!.bootstrap, ApiKey.AlterUserScramCredentials, 0, { deletions: [{ name: 'carol', mechanism: 1 }], upsertions: [] });
  expect(deleted.results[0]!.errorCode).toBe(ErrorCode.NONE);
  await expect(connectAs(brokers[0]!, 'carol-pw')).rejects.toThrow(/invalid credentials/);
});

/** Polls a broker's DescribeClientQuotas until `done` holds of its entries: the brokers follow ZooKeeper through a watch. */
async function quotasAt(b: TestBroker, done: (entries: { entity: { entityType: string; entityName: string | null }[]; values: { key: string; value: number }[] }[]) => boolean) {
  for (;;) {
    const r = await kafkaRequest(b.bootstrap, ApiKey.DescribeClientQuotas, 1, { components: [], strict: false });
    expect(r.errorCode).toBe(ErrorCode.NONE);
    if (done(r.entries ?? [])) return r.entries ?? [];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("client quotas set at one broker are in ZooKeeper as Kafka keeps them, beside a user's credential, and in force at the other; so are quotas Kafka's tools write", async () => {
  const salt = randomBytes(16);
  const upsertion = { name: 'dave', mechanism: 1, iterations: 4096, salt, saltedPassword: pbkdf2Sync('dave-pw', salt, 4096, 32, 'sha256') };
  expect((await kafkaRequest(brokers[0]!.bootstrap, ApiKey.AlterUserScramCredentials, 0, { deletions: [], upsertions: [upsertion] })).results[0]!.errorCode).toBe(ErrorCode.NONE);
  const altered = await kafkaRequest(brokers[0]!.bootstrap, ApiKey.AlterClientQuotas, 1, {
    entries: [
      { entity: [{ entityType: 'user', entityName: 'dave' }], ops: [{ key: 'producer_byte_rate', value: 4096, remove: false }] },
      { entity: [{ entityType: 'user', entityName: 'dave' }, { entityType: 'client-id', entityName: null }], ops: [{ key: 'consumer_byte_rate', value: 8192, remove: false }] },
    ],
    validateOnly: false,
  });
  expect(altered.entries.map((e) => e.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);

  const zk = await ZooKeeperClient.connect(`127.0.0.1:${zkServer.port}/sasl`);
  try {
    const user = JSON.parse((await zk.getData('/config/users/dave')).data!.toString()) as { config: Record<string, string> };
    expect(Object.keys(user.config).sort()).toEqual(['SCRAM-SHA-256', 'producer_byte_rate']);
    expect(user.config.producer_byte_rate).toBe('4096');
    expect(JSON.parse((await zk.getData('/config/users/dave/clients/<default>')).data!.toString())).toEqual({ version: 1, config: { consumer_byte_rate: '8192' } });
    // kafka-configs.sh --zookeeper writes the znode itself.
    await zk.create('/config/clients/legacy-app', Buffer.from(JSON.stringify({ version: 1, config: { producer_byte_rate: '1024' } })));
  } finally {
    await zk.close();
  }
  const has = (entries: { entity: { entityType: string; entityName: string | null }[] }[], type: string, name: string) => entries.some((e) => e.entity.some((p) => p.entityType === type && p.entityName === name));
  for (const b of brokers) await quotasAt(b, (entries) => has(entries, 'user', 'dave') && has(entries, 'client-id', 'legacy-app'));
  expect(brokers[1]!.broker.quotaManager.table.resolve('producer_byte_rate', 'dave', 'any')).toEqual({ quota: 4096, user: 'dave', clientId: '' });
  expect(brokers[1]!.broker.quotaManager.table.resolve('producer_byte_rate', 'eve', 'legacy-app')).toEqual({ quota: 1024, user: '', clientId: 'legacy-app' });
  // The quota write kept dave's credential.
  const admin = new Kafka({ brokers: [saslOf(brokers[1]!)], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'scram-sha-256', username: 'dave', password: 'dave-pw' } }).admin();
  await admin.connect();
  await admin.disconnect();

  const removed = await kafkaRequest(brokers[1]!.bootstrap, ApiKey.AlterClientQuotas, 0, {
    entries: [{ entity: [{ entityType: 'user', entityName: 'dave' }], ops: [{ key: 'producer_byte_rate', value: 0, remove: true }] }],
    validateOnly: false,
  });
  expect(removed.entries[0]!.errorCode).toBe(ErrorCode.NONE);
  await quotasAt(brokers[0]!, (entries) => !entries.some((e) => e.entity.length === 1 && e.entity[0]!.entityName === 'dave'));
});

/** Polls a broker's ListConfigResources v0 until `done` holds of the client-metrics subscription names. */
async function subscriptionsAt(b: TestBroker, done: (names: string[]) => boolean) {
  for (;;) {
    const r = await kafkaRequest(b.bootstrap, ApiKey.ListConfigResources, 0, {});
    expect(r.errorCode).toBe(ErrorCode.NONE);
    const names = r.configResources.map((c) => c.resourceName);
    if (done(names)) return names;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a client-metrics subscription set at one broker is in /config/client-metrics as Kafka keeps it and followed by the other; so is one Kafka\'s tools write', async () => {
  const configs = [{ name: 'metrics', configOperation: 0, value: 'org.apache.kafka.producer.' }];
  const altered = await kafkaRequest(brokers[0]!.bootstrap, ApiKey.IncrementalAlterConfigs, 1, { resources: [{ resourceType: 16, resourceName: 'orders/producers', configs }], validateOnly: false });
  expect(altered.responses[0]!.errorCode).toBe(ErrorCode.NONE);
  await subscriptionsAt(brokers[1]!, (names) => names.includes('orders/producers'));

  const zk = await ZooKeeperClient.connect(`127.0.0.1:${zkServer.port}/sasl`);
  try {
    // Kafka's Sanitizer makes the name a znode name.
    expect(JSON.parse((await zk.getData('/config/client-metrics/orders%2Fproducers')).data!.toString())).toEqual({ version: 1, config: { metrics: 'org.apache.kafka.producer.' } });
    await zk.create('/config/client-metrics/everything', Buffer.from(JSON.stringify({ version: 1, config: { metrics: '*', 'interval.ms': '60000' } })));
  } finally {
    await zk.close();
  }
  await subscriptionsAt(brokers[0]!, (names) => names.includes('everything'));
  const described = await kafkaRequest(brokers[0]!.bootstrap, ApiKey.DescribeConfigs, 4, { resources: [{ resourceType: 16, resourceName: 'everything', configurationKeys: ['interval.ms'] }], includeSynonyms: false, includeDocumentation: false });
  expect(described.results[0]!.configs.map((c) => [c.name, c.value])).toEqual([['interval.ms', '60000']]);
});
