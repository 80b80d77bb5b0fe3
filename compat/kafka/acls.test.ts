// Kafka ACLs with real clients (issue #12): one broker of a ZooKeeper-mode cluster with
// authorizer.class.name=kafka.security.authorizer.AclAuthorizer. The administrator (kafkajs over
// PLAINTEXT, User:ANONYMOUS, a super user as the brokers are) makes, lists and deletes ACLs with kafkajs'
// admin; alice is the principal of a client certificate made by openssl, on the SSL listener. kcat
// (librdkafka) as alice sees only the topics she may describe, produces and consumes where allowed and
// gets TOPIC_AUTHORIZATION_FAILED elsewhere; kafkajs as alice consumes in her group and is refused a
// topic she may not write.
import { readFileSync } from 'node:fs';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes, type Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort } from '../../test/helpers/free-port.js';
import { brokerSslSettings, makeTestPki, type TestPki } from '../helpers/certificates.js';
import { run } from '../helpers/commands.js';
import { SkeinKafka, SkeinZooKeeper } from '../helpers/skein-process.js';

let pki: TestPki;
let zk: SkeinZooKeeper;
let kafka: SkeinKafka;
let sslPort: number;
let admin: Admin;
const ssl = () => `127.0.0.1:${sslPort}`;

beforeAll(async () => {
  pki = makeTestPki();
  zk = await SkeinZooKeeper.start();
  sslPort = await freePort();
  const plainPort = await freePort();
  kafka = await SkeinKafka.start({
    listeners: `PLAINTEXT://127.0.0.1:${plainPort},SSL://127.0.0.1:${sslPort}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'zookeeper.connect': zk.address,
    'broker.id': '1',
    ...brokerSslSettings(pki),
    'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
    'super.users': 'User:ANONYMOUS',
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.num.partitions': '1',
    'offsets.topic.replication.factor': '1',
  });
  admin = new Kafka({ brokers: [`127.0.0.1:${plainPort}`], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  // The broker elects itself controller just after it listens; kafkajs sends CreateTopics to the controller.
  while ((await admin.describeCluster()).controller === -1) await new Promise((r) => setTimeout(r, 50));
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'granted' }, { topic: 'denied' }] });
}, 60_000);

afterAll(async () => {
  await admin?.disconnect();
  await kafka?.destroy();
  await zk?.destroy();
  pki?.remove();
});

/** kcat as alice: mutual TLS with her certificate. */
function kcat(args: string[], input = '') {
  const tls = ['-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${pki.caPem}`, '-X', `ssl.certificate.location=${pki.alice.cert}`, '-X', `ssl.key.location=${pki.alice.key}`];
  return run('kcat', ['-b', ssl(), ...tls, ...args], input, 30_000);
}
const aliceKafkajs = () =>
  new Kafka({
    brokers: [ssl()],
    clientId: 'alice',
    logLevel: logLevel.NOTHING,
    ssl: { ca: [readFileSync(pki.caPem, 'utf8')], cert: readFileSync(pki.alice.cert, 'utf8'), key: readFileSync(pki.alice.key, 'utf8') },
  });

test('kafkajs admin creates and lists ACLs; kcat and kafkajs as alice get exactly what they allow', async () => {
  const alice = { principal: 'User:alice', host: '*', resourcePatternType: ResourcePatternTypes.LITERAL, permissionType: AclPermissionTypes.ALLOW };
  await admin.createAcls({
    acl: [
      { ...alice, resourceType: AclResourceTypes.TOPIC, resourceName: 'granted', operation: AclOperationTypes.WRITE },
      { ...alice, resourceType: AclResourceTypes.TOPIC, resourceName: 'granted', operation: AclOperationTypes.READ },
      { ...alice, resourceType: AclResourceTypes.GROUP, resourceName: 'alice-group', operation: AclOperationTypes.READ },
    ],
  });
  const listed = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    principal: 'User:alice',
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  expect(listed.resources.map((r) => `${r.resourceType}:${r.resourceName}:${r.acls.length}`).sort()).toEqual([`${AclResourceTypes.TOPIC}:granted:2`, `${AclResourceTypes.GROUP}:alice-group:1`].sort());

  // Metadata shows alice only what she may describe.
  const meta = await kcat(['-L', '-J', '-m', '15']);
  expect(meta.code, meta.stderr).toBe(0);
  expect(JSON.parse(meta.stdout).topics.map((t: { topic: string }) => t.topic)).toEqual(['granted']);

  const lines = Array.from({ length: 20 }, (_, i) => `acl-${i}`);
  const produced = await kcat(['-P', '-t', 'granted', '-X', 'acks=all'], `${lines.join('\n')}\n`);
  expect(produced.code, produced.stderr).toBe(0);
  const consumed = await kcat(['-C', '-t', 'granted', '-o', 'beginning', '-c', '20', '-e']);
  expect(consumed.stdout.trim().split('\n')).toEqual(lines);
  const refused = await kcat(['-P', '-t', 'denied'], 'nope\n');
  expect(refused.stderr).toMatch(/Topic authorization failed/i);
  const unread = await kcat(['-C', '-t', 'denied', '-o', 'beginning', '-e']);
  expect(unread.code).not.toBe(0);
  expect(unread.stderr).toMatch(/authorization failed/i);

  const producer = aliceKafkajs().producer();
  await producer.connect();
  await expect(producer.send({ topic: 'denied', messages: [{ value: 'x' }] })).rejects.toMatchObject({ cause: { type: 'TOPIC_AUTHORIZATION_FAILED' } });
  await producer.disconnect();
  const consumer = aliceKafkajs().consumer({ groupId: 'alice-group' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'granted', fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (seen.length === lines.length) resolve();
      },
    });
  });
  expect(seen).toEqual(lines);
  await consumer.disconnect();
}, 60_000);

test('kafkajs admin deletes the ACLs and alice is refused again', async () => {
  const deleted = await admin.deleteAcls({
    filters: [{ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, principal: 'User:alice', operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }],
  });
  expect(deleted.filterResponses[0]!.matchingAcls).toHaveLength(3);
  const refused = await kcat(['-P', '-t', 'granted'], 'nope\n');
  expect(refused.stderr).toMatch(/Topic authorization failed/i);
});
