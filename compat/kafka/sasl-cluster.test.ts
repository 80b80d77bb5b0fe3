// Issue #12's secured cluster: three `skein kafka` processes whose only listener is SASL_SSL, brokers
// logging in to each other with SCRAM-SHA-512 (sasl.mechanism.inter.broker.protocol) as User:broker, a
// super user of the ACL authorizer, and re-authenticating every connections.max.reauth.ms (4 s, so the
// followers' connections do during the test; that each re-authentication succeeds is checked at the
// broker's log in test/integration/kafka/sasl-client.test.ts). The SCRAM
// users are written to ZooKeeper before any broker starts, as `kafka-configs --zookeeper` writes them.
// kafkajs, logged in as alice (SCRAM-SHA-256) with ACLs for one topic only, produces acks=all into a
// replication-factor-3 topic while its leader is killed with SIGKILL and started again: nothing
// acknowledged is lost, and the restarted broker's follower (SASL to the new leader) joins the ISR again.
// Skein's own client reads the partition back over SASL_SSL.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { decodePartitionState, encodeEntityConfig, partitionStatePath } from '../../protocol/kafka/zk/znodes.js';
import { KafkaConnection, fetchPartition, recordsOf } from '../../src/kafka/client/index.js';
import { credentialFromSalted, formatCredential, saltedPassword, type ScramMechanismName } from '../../src/kafka/sasl/scram.js';
import { ZooKeeperClient } from '../../src/zookeeper/client/client.js';
import { freePort } from '../../test/helpers/free-port.js';
import { waitFor } from '../../test/integration/kafka/groups-harness.js';
import { makeTestPki, STORE_PASSWORD, type TestPki } from '../helpers/certificates.js';
import { SkeinKafka, SkeinZooKeeper } from '../helpers/skein-process.js';

const TOPIC = 'sasl-failover';
const CHROOT = '/kafka';
const PASSWORDS = { broker: 'broker-pw', admin: 'admin-pw', alice: 'alice-pw' } as const;

let pki: TestPki;
let zkServer: SkeinZooKeeper;
let zk: ZooKeeperClient;
const brokers = new Map<number, { process: SkeinKafka; address: string }>();

async function partitionState(): Promise<{ leader: number; leaderEpoch: number; isr: number[] } | undefined> {
  return zk.getData(partitionStatePath(TOPIC, 0)).then(
    ({ data }) => decodePartitionState(data),
    () => undefined,
  );
}

/** A user's SCRAM credentials as Kafka stores them in /config/users/<user>. */
function scramConfig(password: string): Buffer {
  const config: Record<string, string> = {};
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as ScramMechanismName[]) {
    const salt = randomBytes(16);
    config[mechanism] = formatCredential(credentialFromSalted(mechanism, saltedPassword(mechanism, password, salt, 4096), salt, 4096));
  }
  return encodeEntityConfig(config);
}

beforeAll(async () => {
  pki = makeTestPki();
  zkServer = await SkeinZooKeeper.start();
  zk = await ZooKeeperClient.connect(zkServer.address);
  for (const path of [CHROOT, `${CHROOT}/config`, `${CHROOT}/config/users`]) await zk.create(path);
  for (const [user, password] of Object.entries(PASSWORDS)) await zk.create(`${CHROOT}/config/users/${user}`, scramConfig(password));
  await zk.close();
  zk = await ZooKeeperClient.connect(`${zkServer.address}${CHROOT}`);
  const started = await Promise.all(
    [1, 2, 3].map(async (id) => {
      const port = await freePort();
      const process = await SkeinKafka.start({
        'broker.id': String(id),
        listeners: `SASL_SSL://127.0.0.1:${port}`,
        'security.inter.broker.protocol': 'SASL_SSL',
        'ssl.keystore.type': 'PKCS12',
        'ssl.keystore.location': pki.server.p12,
        'ssl.keystore.password': STORE_PASSWORD,
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': pki.caPem,
        'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
        'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
        'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="${PASSWORDS.broker}";`,
        'connections.max.reauth.ms': '4000',
        'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
        'super.users': 'User:broker;User:admin',
        'zookeeper.connect': `${zkServer.address}${CHROOT}`,
        'zookeeper.session.timeout.ms': '1000',
        'replica.lag.time.max.ms': '3000',
        'replica.fetch.wait.max.ms': '200',
        'auto.leader.rebalance.enable': 'false',
        'controlled.shutdown.max.retries': '0',
      });
      return [id, { process, address: `127.0.0.1:${port}` }] as const;
    }),
  );
  for (const [id, b] of started) brokers.set(id, b);
}, 60_000);

afterAll(async () => {
  await zk?.close();
  await Promise.all([...brokers.values()].map((b) => b.process.destroy()));
  await zkServer?.destroy();
  pki?.remove();
});

const kafkaAs = (user: keyof typeof PASSWORDS, mechanism: 'scram-sha-256' | 'scram-sha-512') =>
  new Kafka({
    brokers: [...brokers.values()].map((b) => b.address),
    ssl: { ca: [readFileSync(pki.caPem, 'utf8')] },
    sasl: { mechanism, username: user, password: PASSWORDS[user] } as SASLOptions,
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });

test('SASL_SSL only, SCRAM between brokers: kill -9 of the leader under an acks=all kafkajs producer loses nothing acknowledged', async () => {
  const admin = kafkaAs('admin', 'scram-sha-512').admin();
  await admin.connect();
  try {
    // Every broker registered and told of the others by the controller over SASL.
    await waitFor('three live brokers', async () => ((await admin.describeCluster().catch(() => undefined))?.brokers.length === 3 ? true : undefined));
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }] });
    // alice may write and describe this topic, nothing else.
    await admin.createAcls({
      acl: (['WRITE', 'DESCRIBE'] as const).map((operation) => ({
        resourceType: 2 /* TOPIC */,
        resourceName: TOPIC,
        resourcePatternType: 3 /* LITERAL */,
        principal: 'User:alice',
        host: '*',
        operation: operation === 'WRITE' ? 4 : 8,
        permissionType: 3 /* ALLOW */,
      })),
    });
  } finally {
    await admin.disconnect();
  }
  // Followers fetch from the leader over SASL_SSL as User:broker, a super user: the ISR fills.
  await waitFor('the full ISR', async () => ((await partitionState())?.isr.length === 3 ? true : undefined));

  const alice = kafkaAs('alice', 'scram-sha-256');
  // Without CREATE on the cluster alice cannot make topics.
  const aliceAdmin = alice.admin();
  await aliceAdmin.connect();
  await expect(aliceAdmin.createTopics({ topics: [{ topic: 'not-allowed', numPartitions: 1, replicationFactor: 3 }] })).rejects.toMatchObject({
    errors: [expect.objectContaining({ type: 'TOPIC_AUTHORIZATION_FAILED' })],
  });
  await aliceAdmin.disconnect();

  const producer = alice.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const acked: string[] = [];
  let stopping = false;
  let seq = 0;
  const sending = (async () => {
    while (!stopping) {
      const value = `v${seq++}`;
      try {
        await producer.send({ topic: TOPIC, acks: -1, timeout: 5000, messages: [{ value }] });
        acked.push(value);
      } catch {
        // Not acknowledged: it may or may not be in the log; only acknowledged records are checked.
      }
    }
  })();
  try {
    await waitFor('writes acknowledged', () => (acked.length > 10 ? true : undefined));
    const before = (await partitionState())!;
    const victim = brokers.get(before.leader)!;
    const ackedBefore = acked.length;
    await victim.process.kill();
    await waitFor('a new leader', async () => {
      const now = await partitionState();
      return now && now.leader >= 0 && now.leader !== before.leader && now.leaderEpoch > before.leaderEpoch ? true : undefined;
    }, 30_000);
    await waitFor('writes acknowledged by the new leader', () => (acked.length > ackedBefore + 10 ? true : undefined));
    await victim.process.launch();
    // The restarted broker logs in to the new leader and catches up: back in the ISR.
    await waitFor('the restarted broker back in the ISR', async () => ((await partitionState())?.isr.length === 3 ? true : undefined), 30_000);
  } finally {
    stopping = true;
    await sending;
    await producer.disconnect();
  }

  // Read back by Skein's client, over SASL_SSL as admin, from the current leader.
  const values = await waitFor('every acknowledged record readable', async () => {
    const leader = brokers.get((await partitionState())?.leader ?? -1);
    const conn =
      leader &&
      (await KafkaConnection.connect(leader.address, {
        tls: { options: { ca: readFileSync(pki.caPem, 'utf8') }, verifyHostname: true },
        sasl: { mechanism: 'SCRAM-SHA-512', username: 'admin', password: PASSWORDS.admin },
      }).catch(() => undefined));
    if (!conn) return undefined;
    try {
      const found = new Set<string>();
      let offset = 0;
      for (;;) {
        const fetched = await fetchPartition(conn, TOPIC, 0, offset);
        if (fetched.headers.length === 0) break;
        for (const r of recordsOf(fetched, offset)) found.add(r.value!.toString());
        offset = fetched.nextOffset;
      }
      return acked.every((v) => found.has(v)) ? found : undefined;
    } catch {
      return undefined;
    } finally {
      conn.close();
    }
  });
  expect(acked.filter((v) => !values.has(v))).toEqual([]);
  console.log(`sasl cluster: ${acked.length} acks=all records acknowledged across a kill -9 of the leader, all read back`);
}, 120_000);
