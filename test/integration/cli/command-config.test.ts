// `skein user`, `skein acl`, `skein topic`, `skein produce` and `skein perf produce` against a node whose only Kafka listener is
// SASL_SSL (brokers log in to each other with PLAIN as admin, a super user), with Kafka tools' client
// properties files given as --command-config (or SKEIN_COMMAND_CONFIG): admin's (PLAIN, PEM truststore)
// makes a SCRAM user and grants it one topic; alice's (SCRAM-SHA-256, PKCS12 truststore) produces there
// and is refused elsewhere; a wrong password gets Kafka's error and a hint, the password in no output.
// The node's own readiness check and its console reach the broker over SASL_SSL too.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeTestPki, STORE_PASSWORD, type TestPki } from '../../../compat/helpers/certificates.js';
import { freePort } from '../../helpers/free-port.js';
import { expectOneLine, skein, SkeinNode, type CliTarget } from '../../helpers/skein-cli.js';

const ADMIN_PASSWORD = 'admin-secret';
const ALICE_PASSWORD = 'alice-secret';
let pki: TestPki;
let node: SkeinNode;
let target: CliTarget;
const configs = { admin: '', alice: '', wrong: '' };

const PLAIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const SCRAM_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';

beforeAll(async () => {
  pki = makeTestPki();
  const port = await freePort();
  node = await SkeinNode.start({
    listeners: `SASL_SSL://127.0.0.1:${port}`,
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': pki.server.p12,
    'ssl.keystore.password': STORE_PASSWORD,
    // The broker reaches its own listener as a client (the controller, the start's readiness check).
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': pki.caPem,
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256',
    'sasl.mechanism.inter.broker.protocol': 'PLAIN',
    'sasl.jaas.config': `${PLAIN_MODULE} required username="admin" password="${ADMIN_PASSWORD}" user_admin="${ADMIN_PASSWORD}";`,
    'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
    'super.users': 'User:admin',
    'connection.failed.authentication.delay.ms': '0',
  });
  target = { kafka: `127.0.0.1:${port}`, zookeeper: node.zookeeper };
  const write = (name: string, lines: string[]) => {
    const file = join(pki.dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  configs.admin = write('admin.properties', [
    'security.protocol=SASL_SSL',
    'sasl.mechanism=PLAIN',
    `sasl.jaas.config=${PLAIN_MODULE} required username="admin" password="${ADMIN_PASSWORD}";`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${pki.caPem}`,
    // Settings of Kafka's clients that do not apply to Skein's are ignored, as the tools ignore them.
    'request.timeout.ms=20000',
  ]);
  const alice = [
    'security.protocol=sasl_ssl',
    'sasl.mechanism=SCRAM-SHA-256',
    'ssl.truststore.type=PKCS12',
    `ssl.truststore.location=${pki.truststoreP12}`,
    `ssl.truststore.password=${STORE_PASSWORD}`,
  ];
  configs.alice = write('alice.properties', [...alice, `sasl.jaas.config=${SCRAM_MODULE} required username="alice" password="${ALICE_PASSWORD}";`]);
  configs.wrong = write('wrong.properties', [...alice, `sasl.jaas.config=${SCRAM_MODULE} required username="alice" password="not-${ALICE_PASSWORD}";`]);
}, 90_000);

afterAll(async () => {
  await node?.stop();
  pki?.remove();
});

test('admin makes a SCRAM user and grants it a topic over SASL_SSL; the user produces there and is refused elsewhere', async () => {
  // skein start's readiness check logged in to its own SASL_SSL listener: no timeout warning.
  expect(node.startOutput).not.toContain('has not taken up its partitions yet');
  const asAdmin = (args: string[], input = '') => skein(target, [...args, '--command-config', configs.admin], input);
  expect((await asAdmin(['topic', 'create', 'granted'])).code).toBe(0);
  // The console reaches the broker as brokers do (SASL_SSL, PLAIN as admin) and serves a logged-in user.
  const http = (JSON.parse(node.startOutput.split('\n').find((l) => l.includes('"HTTP listener for metrics and health"'))!) as { http: string }).http;
  const topics = await fetch(`http://${http}/api/topics`, { headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}` } });
  expect(topics.status).toBe(200);
  expect(JSON.stringify(await topics.json())).toContain('"granted"');
  expect((await asAdmin(['user', 'create', 'alice', '--password-stdin'], `${ALICE_PASSWORD}\n`)).code).toBe(0);
  const acl = await asAdmin(['acl', 'create', '--allow-principal', 'User:alice', '--operation', 'Write', '--operation', 'Describe', '--topic', 'granted']);
  expect(acl.code, acl.stderr).toBe(0);
  expect(acl.stdout).toMatch(/TOPIC\s+granted\s+LITERAL\s+User:alice\s+\*\s+WRITE\s+ALLOW/);

  // SKEIN_COMMAND_CONFIG does what --command-config does.
  const produced = await skein(target, ['produce', 'granted'], 'one\ntwo\n', { SKEIN_COMMAND_CONFIG: configs.alice });
  expect(produced.code, produced.stderr).toBe(0);
  const read = await asAdmin(['consume', 'granted', '-n', '2']);
  expect(read.stdout, read.stderr).toBe('one\ntwo\n');

  // The perf tool logs in the same way (kafka-producer-perf-test's --producer.config).
  const perf = await skein(target, ['perf', 'produce', 'granted', '-n', '1000', '--acks', 'all', '--format', 'json', '--command-config', configs.alice]);
  expect(perf.code, perf.stderr).toBe(0);
  expect(JSON.parse(perf.stdout)).toMatchObject({ records: 1000, failed: 0 });

  const refused = await skein(target, ['topic', 'create', 'not-granted', '--command-config', configs.alice]);
  expectOneLine(refused, 1, /TOPIC_AUTHORIZATION_FAILED/);

  const wrong = await skein(target, ['topic', 'list', '--command-config', configs.wrong]);
  expectOneLine(wrong, 1, /SASL_AUTHENTICATION_FAILED.*check the username and password of sasl\.jaas\.config in --command-config/);
  for (const r of [produced, refused, wrong]) expect(r.stdout + r.stderr).not.toContain(ALICE_PASSWORD);
}, 60_000);

test('a command config that cannot work is a usage error naming the file and key, not its value', async () => {
  const file = join(pki.dir, 'gssapi.properties');
  writeFileSync(file, `security.protocol=SASL_SSL\nsasl.jaas.config=${SCRAM_MODULE} required username="alice" password="${ALICE_PASSWORD}";\n`);
  const r = await skein(target, ['topic', 'list', '--command-config', file]);
  expectOneLine(r, 2, /sasl\.mechanism: SASL mechanism GSSAPI is not one Skein's client speaks/);
  expect(r.stderr).toContain(file);
  expect(r.stderr).not.toContain(ALICE_PASSWORD);
  expectOneLine(await skein(target, ['topic', 'list', '--command-config', join(pki.dir, 'missing.properties')]), 2, /--command-config: cannot read .*missing\.properties: ENOENT/);
});
