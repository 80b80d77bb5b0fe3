// ZooKeeper authentication with unmodified clients, one server with SASL users (JAAS file named by
// java.security.auth.login.config, authProvider.1=SASLAuthenticationProvider, zookeeper.superUser) and one
// that also enforces authentication (enforce.auth.enabled, schemes sasl and digest): kazoo's sasl_options
// and legacy auth_data logins, a wrong password, Curator's digest authentication with creator-only ACLs,
// the Java client's SASL login from a JAAS Client section (Curator, zkCli), and an anonymous Java client refused with
// SessionClosedRequireSaslAuth. The kazoo and Curator expectations are what Apache ZooKeeper 3.8.0
// answered to the same clients and configuration on this machine. No password reaches Skein's log.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { run, runPythonJson } from '../helpers/commands.js';
import { SkeinZooKeeper } from '../helpers/skein-process.js';

const CURATOR_CLASSPATH = ['/usr/share/java/curator-recipes.jar', '/usr/share/java/slf4j-nop.jar'];
const PASSWORDS = ['alice_secret', 'super_secret', 'digest_pw', 'not-her-password'];

const SERVER_JAAS = `Server {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  user_super="super_secret"
  user_alice="alice_secret";
};
`;
const CLIENT_JAAS = `Client {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  username="alice"
  password="alice_secret";
};
`;

let dir: string;
let open: SkeinZooKeeper;
let enforced: SkeinZooKeeper;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'skein-zk-auth-'));
  await Promise.all([writeFile(join(dir, 'server.jaas'), SERVER_JAAS), writeFile(join(dir, 'client.jaas'), CLIENT_JAAS)]);
  const auth = [
    `java.security.auth.login.config=${join(dir, 'server.jaas')}`,
    'authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider',
  ];
  const [compiled] = await Promise.all([
    run('javac', ['-cp', CURATOR_CLASSPATH.join(':'), '-d', dir, join(import.meta.dirname, 'CuratorAuth.java')]),
    SkeinZooKeeper.start([...auth, 'zookeeper.superUser=super']).then((zk) => (open = zk)),
    SkeinZooKeeper.start([...auth, 'enforce.auth.enabled=true', 'enforce.auth.schemes=sasl,digest']).then((zk) => (enforced = zk)),
  ]);
  if (compiled.code !== 0) throw new Error(`javac CuratorAuth.java failed:\n${compiled.stderr}`);
}, 60_000);

afterAll(async () => {
  await Promise.all([open?.destroy(), enforced?.destroy()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('kazoo: sasl_options and legacy auth_data log in, sasl ACLs and the super user hold, a wrong password is refused', async () => {
  const [onOpen, onEnforced] = await Promise.all([
    runPythonJson(new URL('kazoo_sasl.py', import.meta.url), { hosts: open.address, enforced: false }, 30_000),
    runPythonJson(new URL('kazoo_sasl.py', import.meta.url), { hosts: enforced.address, enforced: true }, 30_000),
  ]);
  expect(onOpen).toEqual({ mine: 'alice only', legacy: 'alice only', anonymous: 'NoAuth', super: 'alice only', wrong: 'CLOSED' });
  expect(onEnforced).toEqual({ mine: 'alice only', legacy: 'alice only', wrong: 'CLOSED' });
  expect(open.log).toMatch(/"reason":"wrong password for user \\"alice\\"".*SASL authentication failed/);
}, 40_000);

test("Curator and zkCli: digest auth with creator ACLs, the Java client's SASL login from JAAS, and enforce.auth refusing an anonymous client", async () => {
  const jaas = `-Djava.security.auth.login.config=${join(dir, 'client.jaas')}`;
  const [r, zkCli] = await Promise.all([
    run('java', ['-XX:TieredStopAtLevel=1', jaas, '-cp', [...CURATOR_CLASSPATH, dir].join(':'), 'CuratorAuth', open.address, enforced.address], '', 40_000),
    run('java', ['-XX:TieredStopAtLevel=1', jaas, '-cp', '/usr/share/java/zookeeper.jar', 'org.apache.zookeeper.ZooKeeperMain', '-server', enforced.address, 'whoami'], '', 40_000),
  ]);
  expect(zkCli.stdout.split('\n'), zkCli.stderr).toEqual(expect.arrayContaining(['Auth scheme: User', 'ip: 127.0.0.1', 'sasl: alice']));
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({
    digestRead: "alice's",
    digestAcl: 'digest:alice:31',
    digestWhoAmI: 'digest:alice,ip:127.0.0.1',
    anonymousRead: 'NOAUTH',
    saslWhoAmI: 'ip:127.0.0.1,sasl:alice',
    saslRead: 'via SASL',
    enforcedAnonymousRead: 'SESSIONCLOSEDREQUIRESASLAUTH',
  });
  expect(enforced.log).toMatch(/not authenticated with a scheme enforce.auth.schemes requires/);
}, 50_000);

test('no password reaches the log', () => {
  for (const password of PASSWORDS) {
    expect(open.log).not.toContain(password);
    expect(enforced.log).not.toContain(password);
  }
});
