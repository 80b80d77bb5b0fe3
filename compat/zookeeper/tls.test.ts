// ZooKeeper's secure client port (secureClientPort, Netty factory named in zoo.cfg) with the keystore as
// PKCS#12 and the truststore as Java's keytool writes it, ssl.clientAuth=need: kazoo with use_ssl and
// zkCli with ZooKeeper's Netty client socket and its keystore properties both work over it, a client
// without a certificate is refused, the certificate's name is an x509 ACL identity, and the plaintext
// clientPort beside it still serves.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort } from '../../test/helpers/free-port.js';
import { fourLetterWord } from '../../test/helpers/four-letter-word.js';
import { makeTestPki, STORE_PASSWORD, type TestPki } from '../helpers/certificates.js';
import { PYTHON, run } from '../helpers/commands.js';
import { SkeinZooKeeper } from '../helpers/skein-process.js';

let pki: TestPki;
let zk: SkeinZooKeeper;
let securePort: number;

beforeAll(async () => {
  pki = makeTestPki();
  securePort = await freePort();
  zk = await SkeinZooKeeper.start([
    `secureClientPort=${securePort}`,
    'serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory',
    `ssl.keyStore.location=${pki.server.p12}`,
    `ssl.keyStore.password=${STORE_PASSWORD}`,
    `ssl.trustStore.location=${pki.javaTruststore()}`,
    `ssl.trustStore.password=${STORE_PASSWORD}`,
    'ssl.clientAuth=need',
  ]);
});

afterAll(async () => {
  await zk?.destroy();
  pki?.remove();
});

const KAZOO = `
import json, sys
from kazoo.client import KazooClient
a = json.loads(sys.argv[1])
zk = KazooClient(hosts=a['hosts'], use_ssl=True, ca=a['ca'], certfile=a.get('cert'), keyfile=a.get('key'), timeout=5)
zk.start(timeout=5)
zk.create('/tls-kazoo', b'over tls', makepath=True)
data, stat = zk.get('/tls-kazoo')
zk.stop()
print(json.dumps({'data': data.decode(), 'version': stat.version}))
`;

test('kazoo with use_ssl and a client certificate creates and reads a node; without a certificate it is refused', async () => {
  const hosts = `127.0.0.1:${securePort}`;
  const ok = await run(PYTHON, ['-c', KAZOO, JSON.stringify({ hosts, ca: pki.caPem, cert: pki.alice.cert, key: pki.alice.key })], '', 30_000);
  expect(ok.code, ok.stderr).toBe(0);
  expect(JSON.parse(ok.stdout)).toEqual({ data: 'over tls', version: 0 });
  const refused = await run(PYTHON, ['-c', KAZOO, JSON.stringify({ hosts, ca: pki.caPem })], '', 30_000);
  expect(refused.code).not.toBe(0);
  expect(zk.log).toMatch(/closing TLS connection.*"remote":"127\.0\.0\.1:\d+"|"remote":"127\.0\.0\.1:\d+".*closing TLS connection/);
  expect(zk.log).not.toContain(STORE_PASSWORD);
});

const KAZOO_X509 = `
import json, sys
from kazoo.client import KazooClient
from kazoo.security import make_acl
from kazoo.exceptions import NoAuthError
a = json.loads(sys.argv[1])
tls = KazooClient(hosts=a['secure'], use_ssl=True, ca=a['ca'], certfile=a['cert'], keyfile=a['key'], timeout=5)
tls.start(timeout=5)
tls.create('/tls-x509', b'alice only', acl=[make_acl('x509', a['dn'], all=True)])
mine = tls.get('/tls-x509')[0].decode()
tls.stop()
plain = KazooClient(hosts=a['plain'], timeout=5)
plain.start(timeout=5)
try:
    plain.get('/tls-x509')
    other = 'read'
except NoAuthError:
    other = 'NoAuth'
plain.stop()
print(json.dumps({'mine': mine, 'other': other}))
`;

test('a client certificate authenticates as x509:<its X.500 name>: a node only that name may read', async () => {
  const args = { secure: `127.0.0.1:${securePort}`, plain: zk.address, ca: pki.caPem, cert: pki.alice.cert, key: pki.alice.key, dn: 'CN=alice,OU=Eng,O=Skein Test' };
  const r = await run(PYTHON, ['-c', KAZOO_X509, JSON.stringify(args)], '', 30_000);
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({ mine: 'alice only', other: 'NoAuth' });
});

/**
 * zkCli's own class, run with java directly: Debian's zookeeper.jar leaves netty-resolver and netty-codec
 * out of its manifest's Class-Path, and its Netty client socket (the only one that speaks TLS) needs them.
 */
const ZKCLI_CLASSPATH = ['zookeeper', 'netty-resolver', 'netty-codec'].map((j) => `/usr/share/java/${j}.jar`).join(':');

test('zkCli over TLS (Netty client socket, PKCS12 keystore and truststore) sees the node kazoo made', async () => {
  const jvm = [
    '-Dzookeeper.client.secure=true',
    '-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty',
    `-Dzookeeper.ssl.keyStore.location=${pki.alice.p12}`,
    `-Dzookeeper.ssl.keyStore.password=${STORE_PASSWORD}`,
    `-Dzookeeper.ssl.trustStore.location=${pki.javaTruststore()}`,
    `-Dzookeeper.ssl.trustStore.password=${STORE_PASSWORD}`,
  ];
  const server = `127.0.0.1:${securePort}`;
  const zkCli = (command: string[]) => run('java', ['-cp', ZKCLI_CLASSPATH, ...jvm, 'org.apache.zookeeper.ZooKeeperMain', '-server', server, ...command], '', 60_000);
  const got = await zkCli(['get', '/tls-kazoo']);
  expect(got.stdout.split('\n'), got.stderr).toContain('over tls');
  const created = await zkCli(['create', '/tls-cli', 'made-by-zkcli']);
  // zkCli prints some answers on stderr.
  expect(`${created.stdout}\n${created.stderr}`.split('\n')).toContain('Created /tls-cli');
  // The plaintext port serves the same tree, and conf reports the secure port.
  expect(await fourLetterWord(zk.port, 'conf')).toContain(`secureClientPort=${securePort}`);
});
