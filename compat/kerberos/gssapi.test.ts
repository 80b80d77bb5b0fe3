// SASL GSSAPI (Kerberos) with unmodified clients against an MIT KDC from Debian, one realm and one Skein
// ZooKeeper + Kafka broker for the whole file. ZooKeeper's JAAS Server section has a Krb5LoginModule with
// the zookeeper/ keytab; the broker's SASL_PLAINTEXT listener serves GSSAPI from its Krb5LoginModule entry
// (sasl.kerberos.service.name=kafka), with ACLs on and User:client as the super user, so the DEFAULT
// principal.to.local rule is what lets client@SKEIN.TEST through and keeps reader@SKEIN.TEST out.
// Kafka: kcat and confluent-kafka-python (librdkafka over Cyrus SASL's GSSAPI plugin, kinit from a keytab),
// kafka-python (python-gssapi, the raw-token flow). ZooKeeper: kazoo (puresasl over pykerberos) and zkCli
// (Java's Krb5LoginModule). Refused: a ticket sealed with a key the broker's keytab does not hold (a stale
// keytab), and an authenticated principal without ACLs. Kafka's logins use RFC 8009's aes-sha2 etypes,
// ZooKeeper's RFC 3962's aes-sha1 ones. No key reaches either log.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseKeytab } from '../../src/security/kerberos/keytab.js';
import { freePort } from '../../test/helpers/free-port.js';
import { PYTHON, run } from '../helpers/commands.js';
import { REALM, TestKdc } from '../helpers/kdc.js';
import { SkeinKafka, SkeinZooKeeper } from '../helpers/skein-process.js';

let kdc: TestKdc;
let zk: SkeinZooKeeper;
let kafka: SkeinKafka;
let sasl: string;
const TOPICS = ['gssapi-kcat', 'gssapi-confluent', 'gssapi-kafka-python'];
const keytabs: Record<'kafka' | 'zookeeper' | 'client' | 'reader', string> = { kafka: '', zookeeper: '', client: '', reader: '' };

beforeAll(async () => {
  kdc = await TestKdc.start();
  [keytabs.kafka, keytabs.zookeeper, keytabs.client, keytabs.reader] = await Promise.all([
    // The broker's own name has RFC 8009's SHA-2 keys only, so Kafka's logins use them; ZooKeeper's and the
    // clients' have all four etypes, and the clients list the SHA-1 ones first, so ZooKeeper's logins use those.
    kdc.keytab('kafka.keytab', ['kafka/127.0.0.1'], 'aes256-cts-hmac-sha384-192:normal,aes128-cts-hmac-sha256-128:normal'),
    // Java's client asks for zookeeper/<canonical name of 127.0.0.1>, kazoo for zookeeper/127.0.0.1.
    kdc.keytab('zookeeper.keytab', ['zookeeper/localhost', 'zookeeper/127.0.0.1']),
    kdc.keytab('client.keytab', ['client']),
    kdc.keytab('reader.keytab', ['reader']),
  ]);
  // The broker's second name, added to its keytab (after the first: both write the file).
  await kdc.keytab('kafka.keytab', ['kafka/localhost']);
  // Session keys (and so the clients' subkeys and Wrap tokens) of the broker's own name are aes-sha2 too.
  await kdc.admin([`setstr kafka/127.0.0.1@${REALM} session_enctypes aes256-cts-hmac-sha384-192`]);
  // A new key for kafka/localhost that the broker's keytab never gets: its keytab is now stale for that name.
  await kdc.admin([`cpw -randkey kafka/localhost@${REALM}`]);
  const jaas = join(kdc.dir, 'zookeeper.jaas');
  await writeFile(jaas, `Server {\n  com.sun.security.auth.module.Krb5LoginModule required\n  useKeyTab=true storeKey=true keyTab="${keytabs.zookeeper}" principal="*";\n};\n`);
  zk = await SkeinZooKeeper.start([`java.security.auth.login.config=${jaas}`, 'authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider']);
  sasl = `127.0.0.1:${await freePort()}`;
  const plaintext = `127.0.0.1:${await freePort()}`;
  kafka = await SkeinKafka.start({
    listeners: `SASL_PLAINTEXT://${sasl},PLAINTEXT://${plaintext}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'zookeeper.connect': zk.address,
    'sasl.enabled.mechanisms': 'GSSAPI',
    'sasl.kerberos.service.name': 'kafka',
    // The broker accepts tickets for either of its names (the stale one's refusal is the point).
    'listener.name.sasl_plaintext.gssapi.sasl.jaas.config': `com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab="${keytabs.kafka}" principal="*";`,
    'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
    // ANONYMOUS is the PLAINTEXT (inter-broker) listener's, which sets up the topics below.
    'super.users': 'User:client;User:ANONYMOUS',
    'offsets.topic.num.partitions': '1',
    'offsets.topic.replication.factor': '1',
    'group.initial.rebalance.delay.ms': '0',
  });
  // The topics exist before the clients come: the broker elects itself controller just after it listens.
  const admin = new Kafka({ brokers: [plaintext], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  while ((await admin.describeCluster()).controller === -1) await new Promise((r) => setTimeout(r, 50));
  await admin.createTopics({ waitForLeaders: true, topics: TOPICS.map((topic) => ({ topic })) });
  await admin.disconnect();
  await Promise.all([kdc.kinit(keytabs.client, 'client', 'client'), kdc.kinit(keytabs.client, 'client', 'kazoo')]);
}, 90_000);

afterAll(async () => {
  await kafka?.destroy();
  await zk?.destroy();
  await kdc?.destroy();
});

/** librdkafka's GSSAPI settings: it runs kinit from the keytab itself. */
const librdkafka = (principal: 'client' | 'reader') => ({
  'security.protocol': 'sasl_plaintext',
  'sasl.mechanisms': 'GSSAPI',
  'sasl.kerberos.service.name': 'kafka',
  'sasl.kerberos.keytab': keytabs[principal],
  'sasl.kerberos.principal': `${principal}@${REALM}`,
});
const kcatArgs = (conf: Record<string, string>) => Object.entries(conf).flatMap(([k, v]) => ['-X', `${k}=${v}`]);
const roundTrip = (client: 'confluent' | 'kafka-python', conf: Record<string, string>, topic: string, cache: string) =>
  run(PYTHON, [new URL('../kafka/secured_roundtrip.py', import.meta.url).pathname, JSON.stringify({ client, conf, topic, prefix: topic })], '', 60_000, kdc.env(cache));

test('Kafka: kcat, confluent-kafka-python and kafka-python produce and consume over GSSAPI; a stale keytab and a principal without ACLs are refused', async () => {
  const lines = Array.from({ length: 20 }, (_, i) => `k${i}`);
  const kcat = (args: string[], input = '') => run('kcat', ['-b', sasl, ...kcatArgs(librdkafka('client')), ...args], input, 30_000, kdc.env('kcat'));
  const [produced, confluent, kafkaPython] = await Promise.all([
    kcat(['-P', '-t', 'gssapi-kcat', '-X', 'acks=all'], `${lines.join('\n')}\n`),
    roundTrip('confluent', { 'bootstrap.servers': sasl, ...librdkafka('client') }, 'gssapi-confluent', 'confluent'),
    roundTrip(
      'kafka-python',
      { bootstrap_servers: sasl, security_protocol: 'SASL_PLAINTEXT', sasl_mechanism: 'GSSAPI', sasl_kerberos_service_name: 'kafka' },
      'gssapi-kafka-python',
      'client',
    ),
  ]);
  expect(produced.code, produced.stderr).toBe(0);
  expect(confluent.code, confluent.stderr).toBe(0);
  expect(JSON.parse(confluent.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `gssapi-confluent${i}`));
  expect(kafkaPython.code, kafkaPython.stderr).toBe(0);
  expect(JSON.parse(kafkaPython.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `gssapi-kafka-python${i}`));
  const consumed = await kcat(['-C', '-t', 'gssapi-kcat', '-o', 'beginning', '-c', '20', '-e']);
  expect(consumed.code, consumed.stderr).toBe(0);
  expect(consumed.stdout.trim().split('\n')).toEqual(lines);
  // What the KDC issued: RFC 8009 tickets and session keys for the broker.
  expect(kdc.log).toMatch(/tkt=aes256-cts-hmac-sha384-192\(20\), ses=aes256-cts-hmac-sha384-192\(20\)\}, client@SKEIN\.TEST for kafka\/127\.0\.0\.1@SKEIN\.TEST/);
  expect(kdc.log).not.toMatch(/sha1-96\(\d+\)\}, client@SKEIN\.TEST for kafka\/127\.0\.0\.1/);

  // The authorized client first: the stale keytab's failures then count towards the broker's limit of 10
  // failures a minute per address only after it, and the slow reconnect keeps them to a few.
  const reader = await run('kcat', ['-b', sasl, ...kcatArgs(librdkafka('reader')), '-P', '-t', 'gssapi-kcat', '-X', 'acks=all'], 'no\n', 30_000, kdc.env('reader'));
  // Through the name "localhost" the client gets a ticket for kafka/localhost under its new key.
  const slowReconnect = ['-X', 'reconnect.backoff.ms=1000', '-X', 'reconnect.backoff.max.ms=1000'];
  const stale = await run('kcat', ['-b', `localhost:${sasl.split(':')[1]}`, ...kcatArgs(librdkafka('client')), ...slowReconnect, '-L', '-m', '3'], '', 30_000, kdc.env('stale'));
  expect(stale.code).not.toBe(0);
  expect(stale.stderr).toMatch(/Authentication failed/);
  expect(kafka.log).toMatch(/"mechanism":"GSSAPI","why":"Authentication failed: GSSAPI: ticket for kafka\/localhost@SKEIN\.TEST does not open with the keytab's key/);
  expect(reader.code).not.toBe(0);
  expect(reader.stderr).toMatch(/Topic authorization failed|TOPIC_AUTHORIZATION_FAILED/i);
});

test('ZooKeeper: kazoo and zkCli log in with GSSAPI; the sasl ACL names the client principal', async () => {
  const kazoo = `
import json, sys
from kazoo.client import KazooClient
from kazoo.security import make_acl
from kazoo.exceptions import NoAuthError
zk = KazooClient(hosts=sys.argv[1], sasl_options={'mechanism': 'GSSAPI', 'principal': 'client@${REALM}'}, timeout=10)
zk.start(timeout=20)
zk.create('/kerberos', b'mine', acl=[make_acl('sasl', 'client@${REALM}', all=True)])
mine = zk.get('/kerberos')[0].decode()
zk.stop()
anon = KazooClient(hosts=sys.argv[1], timeout=10)
anon.start(timeout=20)
try:
    anon.get('/kerberos')
    other = 'read'
except NoAuthError:
    other = 'NoAuth'
anon.stop()
print(json.dumps({'mine': mine, 'anonymous': other}))
`;
  const javaJaas = join(kdc.dir, 'client.jaas');
  await writeFile(javaJaas, `Client {\n  com.sun.security.auth.module.Krb5LoginModule required\n  useKeyTab=true storeKey=true useTicketCache=false keyTab="${keytabs.client}" principal="client@${REALM}";\n};\n`);
  const [py, zkCli] = await Promise.all([
    run(PYTHON, ['-c', kazoo, zk.address], '', 60_000, kdc.env('kazoo')),
    run(
      'java',
      [
        '-XX:TieredStopAtLevel=1',
        `-Djava.security.auth.login.config=${javaJaas}`,
        `-Djava.security.krb5.conf=${kdc.krb5Conf}`,
        '-cp',
        '/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-nop.jar',
        'org.apache.zookeeper.ZooKeeperMain',
        '-server',
        zk.address,
        'whoami',
      ],
      '',
      60_000,
    ),
  ]);
  expect(py.code, py.stderr).toBe(0);
  expect(JSON.parse(py.stdout)).toEqual({ mine: 'mine', anonymous: 'NoAuth' });
  expect(zkCli.stdout).toMatch(/SaslAuthenticated/);
  expect(kdc.log).toMatch(/ses=aes256-cts-hmac-sha1-96\(18\)\}, client@SKEIN\.TEST for zookeeper\/localhost@SKEIN\.TEST/);
  expect(zkCli.stdout.split('\n'), zkCli.stderr).toEqual(expect.arrayContaining([`sasl: client@${REALM}`]));
});

test('no key from any keytab reaches the logs', () => {
  for (const path of Object.values(keytabs)) {
    for (const entry of parseKeytab(readFileSync(path))) {
      for (const text of [entry.key.toString('hex'), entry.key.toString('base64')]) {
        expect(kafka.log).not.toContain(text);
        expect(zk.log).not.toContain(text);
      }
    }
  }
});
