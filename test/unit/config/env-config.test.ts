// Settings from the environment: Bitnami's KAFKA_CFG_ names, ZOO_CFG_ names reaching zoo.cfg's camelCase
// keys, the precedence file < environment < --override, and what `skein config show` prints of them.
import { expect, test } from 'vitest';
import { effectiveSettings, isSecretKey, MASK } from '../../../src/config/effective-config.js';
import { kafkaEnvSettings, kafkaKeyOf, zooKeyOf } from '../../../src/config/env-config.js';
import { kafkaLayers, zooLayers } from '../../../src/config/layers.js';
import { brokerConfigFrom, brokerSchema } from '../../../src/kafka/broker-config.js';
import { parseZooCfgLines, zooCfgSchema } from '../../../src/zookeeper/config.js';

const ZOO_KEYS = Object.keys(zooCfgSchema);

test('KAFKA_CFG_ suffixes become server.properties keys as Bitnami maps them', () => {
  expect(kafkaKeyOf('LOG_DIRS')).toBe('log.dirs');
  expect(kafkaKeyOf('LISTENER_SECURITY_PROTOCOL_MAP')).toBe('listener.security.protocol.map');
  expect(kafkaKeyOf('NUM_PARTITIONS')).toBe('num.partitions');
  // A doubled underscore is a literal one.
  expect(kafkaKeyOf('FOO__BAR_BAZ')).toBe('foo_bar.baz');
});

test('ZOO_CFG_ suffixes reach camelCase and dotted zoo.cfg keys, server.N, and fall back to dots', () => {
  expect(zooKeyOf('TICK_TIME', ZOO_KEYS)).toBe('tickTime');
  expect(zooKeyOf('TICKTIME', ZOO_KEYS)).toBe('tickTime');
  expect(zooKeyOf('INIT_LIMIT', ZOO_KEYS)).toBe('initLimit');
  expect(zooKeyOf('MAX_CLIENT_CNXNS', ZOO_KEYS)).toBe('maxClientCnxns');
  expect(zooKeyOf('AUTOPURGE_PURGE_INTERVAL', ZOO_KEYS)).toBe('autopurge.purgeInterval');
  expect(zooKeyOf('4LW_COMMANDS_WHITELIST', ZOO_KEYS)).toBe('4lw.commands.whitelist');
  expect(zooKeyOf('ZOOKEEPER_ENFORCE_QUOTA', ZOO_KEYS)).toBe('zookeeper.enforceQuota');
  expect(zooKeyOf('SERVER_2', ZOO_KEYS)).toBe('server.2');
  expect(zooKeyOf('HTTP_PORT', ZOO_KEYS)).toBe('http.port');
});

test('only prefixed variables count, in name order, each naming its variable', () => {
  const settings = kafkaEnvSettings({ KAFKA_CFG_B_C: '2', KAFKA_CFG_A: '1', KAFKA_CFG_: 'x', KAFKA_HEAP_OPTS: '-Xmx1g', PATH: '/bin' });
  expect(settings).toEqual([
    { key: 'a', value: '1', line: 0, variable: 'KAFKA_CFG_A' },
    { key: 'b.c', value: '2', line: 0, variable: 'KAFKA_CFG_B_C' },
  ]);
});

test('precedence is file < environment < --override', () => {
  const file = { text: 'num.partitions=2\nlog.retention.hours=10\nbroker.id=7\n', path: 'server.properties' };
  const env = { KAFKA_CFG_NUM_PARTITIONS: '4', KAFKA_CFG_LOG_RETENTION_HOURS: '20' };
  const lines = kafkaLayers({ file, env, overrides: ['log.retention.hours=30'] });
  const config = brokerConfigFrom(lines);
  expect(config.values['num.partitions']).toBe(4);
  expect(config.values['log.retention.hours']).toBe(30);
  expect(config.values['broker.id']).toBe(7);
  const shown = new Map(effectiveSettings(brokerSchema, lines).map((s) => [s.key, s]));
  expect(shown.get('broker.id')).toMatchObject({ value: '7', source: 'server.properties:3', known: true });
  expect(shown.get('num.partitions')).toMatchObject({ value: '4', source: 'env KAFKA_CFG_NUM_PARTITIONS' });
  expect(shown.get('log.retention.hours')).toMatchObject({ value: '30', source: '--override' });
  expect(shown.get('log.segment.bytes')?.source).toBe('default');
});

test('a bad value from the environment is refused naming the variable', () => {
  expect(() => brokerConfigFrom(kafkaLayers({ env: { KAFKA_CFG_NUM_PARTITIONS: 'many' }, overrides: [] }))).toThrow(
    /num\.partitions \(env KAFKA_CFG_NUM_PARTITIONS\): expected an integer/,
  );
  expect(() => parseZooCfgLines(zooLayers({ env: { ZOO_CFG_TICK_TIME: 'fast' }, overrides: [] }, ZOO_KEYS))).toThrow(/tickTime \(env ZOO_CFG_TICK_TIME\)/);
});

test('ZOO_CFG_ settings configure the ZooKeeper server, under --override', () => {
  const lines = zooLayers(
    { file: { text: 'tickTime=2000\nclientPort=2181\n', path: 'zoo.cfg' }, env: { ZOO_CFG_TICK_TIME: '500', ZOO_CFG_CLIENT_PORT: '2182' }, overrides: ['clientPort=2183'] },
    ZOO_KEYS,
  );
  const { config } = parseZooCfgLines(lines);
  expect(config.tickTime).toBe(500);
  expect(config.clientPort).toBe(2183);
});

test("SERVER_JVMFLAGS and JVMFLAGS system properties set ZooKeeper's settings; the JVM's own flags are left alone", () => {
  const env = {
    SERVER_JVMFLAGS: '-Xmx1g -Djava.security.auth.login.config=/etc/zk/jaas.conf -Dzookeeper.superUser=admin -Dlog4j.configuration=file:/x',
    JVMFLAGS: ' -Dzookeeper.superUser=root -Dzookeeper.authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider ',
    ZOO_CFG_ZOOKEEPER_SUPER_USER: 'zoo',
  };
  const lines = zooLayers({ file: { text: 'tickTime=2000\n', path: 'zoo.cfg' }, env, overrides: [] }, ZOO_KEYS);
  expect(lines.slice(1).map((l) => `${l.source} ${l.key}=${l.value}`)).toEqual([
    'env SERVER_JVMFLAGS java.security.auth.login.config=/etc/zk/jaas.conf',
    'env SERVER_JVMFLAGS zookeeper.superUser=admin',
    'env JVMFLAGS zookeeper.superUser=root',
    'env JVMFLAGS zookeeper.authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider',
    'env ZOO_CFG_ZOOKEEPER_SUPER_USER zookeeper.superUser=zoo',
  ]);
});

test('config show lists defaults, unknown keys and masks secrets', () => {
  const lines = kafkaLayers({
    env: {
      KAFKA_CFG_SSL_KEY_PASSWORD: 'hunter2',
      KAFKA_CFG_LISTENER_NAME_SASL__PLAINTEXT_PLAIN_SASL_JAAS_CONFIG: 'org.apache... password="x";',
      KAFKA_CFG_SSL_KEYSTORE_KEY: '-----BEGIN PRIVATE KEY-----',
      KAFKA_CFG_SSL_KEYSTORE_LOCATION: '/etc/ks.jks',
      KAFKA_CFG_SSL_KEYSTORE_CERTIFICATE_CHAIN: '-----BEGIN CERTIFICATE-----',
    },
    overrides: [],
  });
  const shown = new Map(effectiveSettings(brokerSchema, lines).map((s) => [s.key, s]));
  expect(shown.get('ssl.key.password')).toMatchObject({ value: MASK, known: true });
  // Typed PASSWORD in the schema: hidden whatever its name says.
  expect(shown.get('ssl.keystore.certificate.chain')?.value).toBe(MASK);
  expect(shown.get('listener.name.sasl_plaintext.plain.sasl.jaas.config')?.value).toBe(MASK);
  expect(shown.get('ssl.keystore.key')?.value).toBe(MASK);
  // Where the key store is is not a secret.
  expect(shown.get('ssl.keystore.location')?.value).toBe('/etc/ks.jks');
  expect(isSecretKey('DigestAuthenticationProvider.superDigest')).toBe(true);
  const zoo = effectiveSettings(zooCfgSchema, zooLayers({ file: { text: 'server.1=a:2888:3888\n', path: 'zoo.cfg' }, env: {}, overrides: [] }, ZOO_KEYS), (k) =>
    k.startsWith('server.'),
  );
  expect(zoo.find((s) => s.key === 'server.1')).toMatchObject({ known: true, source: 'zoo.cfg:1' });
  expect(zoo.find((s) => s.key === '4lw.commands.whitelist')?.value).toBe('srvr,ruok,isro,mntr,wchs,dirs');
  expect(zoo.find((s) => s.key === 'dataLogDir')?.value).toBeNull();
});
