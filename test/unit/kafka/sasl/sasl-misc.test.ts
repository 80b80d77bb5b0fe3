// PLAIN's checks, the per-address failure limit, and the SASL keys of server.properties.
import { describe, expect, test } from 'vitest';
import { brokerConfigFromText } from '../../../../src/kafka/broker-config.js';
import { AuthFailureLimit, FAILURE_WINDOW_MS, MAX_FAILURES_PER_ADDRESS } from '../../../../src/kafka/sasl/failure-limit.js';
import { PlainMechanism } from '../../../../src/kafka/sasl/plain.js';
import { sanitizeUser } from '../../../../src/kafka/sasl/user-store.js';

describe('PLAIN', () => {
  const plain = new PlainMechanism(new Map([['alice', 'pw']]));
  const attempt = (t: string) => plain.start().respond(Buffer.from(t));
  test('accepts the right password, with or without the same authorization id', async () => {
    expect(await attempt('\0alice\0pw')).toMatchObject({ done: true, user: 'alice' });
    expect(await attempt('alice\0alice\0pw')).toMatchObject({ done: true, user: 'alice' });
  });
  test.each([
    ['\0alice\0wrong', 'Authentication failed: Invalid username or password'],
    ['\0nobody\0pw', 'Authentication failed: Invalid username or password'],
    ['\0\0pw', 'Authentication failed: username not specified'],
    ['\0alice\0', 'Authentication failed: password not specified'],
    ['bob\0alice\0pw', 'Authentication failed: Client requested an authorization id that is different from username'],
    ['alice pw', 'Invalid SASL/PLAIN response: expected 3 tokens, got 1'],
  ])('refuses %j: %s', async (t, message) => {
    await expect(async () => attempt(t)).rejects.toThrow(message);
  });
});

test('the failure limit blocks an address after its failures until the window passes, others unaffected', () => {
  let now = 0;
  const limit = new AuthFailureLimit(() => now);
  for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++) {
    expect(limit.blocked('10.0.0.1')).toBe(false);
    limit.record('10.0.0.1');
  }
  expect(limit.blocked('10.0.0.1')).toBe(true);
  expect(limit.blocked('10.0.0.2')).toBe(false);
  now += FAILURE_WINDOW_MS;
  expect(limit.blocked('10.0.0.1')).toBe(false);
});

test('user znode names are sanitized as Kafka\'s Sanitizer does', () => {
  expect(sanitizeUser('alice')).toBe('alice');
  expect(sanitizeUser('CN=a b,O=x*')).toBe('CN%3Da%20b%2CO%3Dx%2A');
});

describe('server.properties SASL keys', () => {
  const base = 'listeners=SASL_PLAINTEXT://127.0.0.1:9093,PLAINTEXT://127.0.0.1:9092\ninter.broker.listener.name=PLAINTEXT\n';
  const plainJaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="pw";';
  const cluster = 'listeners=SASL_PLAINTEXT://127.0.0.1:9093\nzookeeper.connect=127.0.0.1:2181\nsasl.enabled.mechanisms=SCRAM-SHA-256\n';
  const SCRAM_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';

  test('a SASL inter-broker listener in a cluster: the broker logs in with the mechanism\'s own login module entry, else sasl.jaas.config', () => {
    const own = brokerConfigFromText(
      cluster +
        'sasl.mechanism.inter.broker.protocol=scram-sha-256\n' +
        `sasl.jaas.config=${SCRAM_MODULE} required username="other" password="other-secret";\n` +
        `listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=${SCRAM_MODULE} required username="broker" password="secret";\n`,
    );
    expect(own.interBrokerSasl).toEqual({ mechanism: 'SCRAM-SHA-256', username: 'broker', password: 'secret' });
    const global = brokerConfigFromText(
      'listeners=SASL_PLAINTEXT://127.0.0.1:9093\nzookeeper.connect=127.0.0.1:2181\nsasl.enabled.mechanisms=PLAIN\nsasl.mechanism.inter.broker.protocol=PLAIN\n' +
        'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="secret" user_broker="secret";\n',
    );
    expect(global.interBrokerSasl).toEqual({ mechanism: 'PLAIN', username: 'broker', password: 'secret' });
    // A broker alone has no inter-broker connections, so it needs no login.
    expect(brokerConfigFromText('listeners=SASL_PLAINTEXT://127.0.0.1:9093\nsasl.enabled.mechanisms=SCRAM-SHA-256\n').interBrokerSasl).toBeUndefined();
  });

  test('SASL_PLAINTEXT with PLAIN and SCRAM from listener.name.<l>.* keys', () => {
    const config = brokerConfigFromText(
      'listeners=SASL_PLAINTEXT://127.0.0.1:9093,PLAINTEXT://127.0.0.1:9092\ninter.broker.listener.name=PLAINTEXT\n' +
        'listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN\n' +
        `listener.name.sasl_plaintext.plain.sasl.jaas.config=${plainJaas}\n`,
    );
    const sasl = config.listeners.find((l) => l.bind.name === 'SASL_PLAINTEXT')!;
    expect(sasl.securityProtocol).toBe('SASL_PLAINTEXT');
    expect(sasl.sasl?.mechanisms).toEqual(['SCRAM-SHA-512', 'PLAIN']);
    expect(config.unknownKeys).toEqual([]);
  });

  test.each([
    ['GSSAPI, Kafka\'s default, without its Krb5LoginModule entry', base, /serves GSSAPI and needs a Krb5LoginModule entry/],
    [
      'GSSAPI without sasl.kerberos.service.name',
      base + 'sasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true keyTab="/nonexistent" principal="kafka/h@R";\n',
      /GSSAPI needs sasl\.kerberos\.service\.name/,
    ],
    [
      'GSSAPI with a keytab that is not there',
      base + 'sasl.kerberos.service.name=kafka\nsasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true keyTab="/nonexistent" principal="kafka/h@R";\n',
      /keyTab \/nonexistent: ENOENT/,
    ],
    ['an unknown mechanism', base + 'sasl.enabled.mechanisms=DIGEST-MD5\n', /unknown or unserved SASL mechanism DIGEST-MD5/],
    ['PLAIN without its login module', base + 'sasl.enabled.mechanisms=PLAIN\n', /plain\.sasl\.jaas\.config \(or sasl\.jaas\.config\)/],
    ['PLAIN with another module', base + 'sasl.enabled.mechanisms=PLAIN\nsasl.jaas.config=com.example.Other required a="secret";\n', /PLAIN needs org\.apache/],
    ['a SASL inter-broker listener in a cluster with Kafka\'s default GSSAPI between brokers', cluster, /sasl\.mechanism\.inter\.broker\.protocol: GSSAPI \(Kafka's default\) is not served/],
    [
      'an inter-broker mechanism the listener does not enable',
      cluster + 'sasl.mechanism.inter.broker.protocol=PLAIN\n',
      /sasl\.mechanism\.inter\.broker\.protocol: PLAIN must be one of the inter-broker listener SASL_PLAINTEXT's enabled mechanisms \(SCRAM-SHA-256\)/,
    ],
    ['an inter-broker login without a login module entry', cluster + 'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-256\n', /sasl\.jaas\.config: SCRAM-SHA-256 needs a login module entry/],
    [
      'an inter-broker login without a password',
      cluster + `sasl.mechanism.inter.broker.protocol=SCRAM-SHA-256\nlistener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=${SCRAM_MODULE} required username="broker";\n`,
      /listener\.name\.sasl_plaintext\.scram-sha-256\.sasl\.jaas\.config: the login module entry needs username and password/,
    ],
  ])('refused: %s', (_name, text, message) => {
    expect(() => brokerConfigFromText(text)).toThrow(message);
    try {
      brokerConfigFromText(text);
    } catch (err) {
      expect((err as Error).message).not.toContain('secret');
    }
  });
});
