// SCRAM credentials in a cluster: a user made through one broker is stored in ZooKeeper as Kafka stores
// it (/config/users/<user> plus a /config/changes notification) and authenticates at the other broker
// at once; a deleted credential stops working there too.
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
