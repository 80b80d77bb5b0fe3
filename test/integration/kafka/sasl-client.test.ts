// Skein's own client (KafkaConnection) over SASL: it logs in with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512
// (a user made with AlterUserScramCredentials), re-authenticates before each session of
// connections.max.reauth.ms ends (the broker closes a connection whose session ended otherwise), and a
// wrong password or an unserved mechanism is refused with Kafka's error, the password
// in no message. Each user is at its max.connections.per.principal limit: re-authentication keeps the
// connection's one count rather than taking another.
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import type { ClientSasl } from '../../../src/kafka/client/sasl.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { kafkaRequest } from '../../helpers/kafka-request.js';
import { waitFor } from './groups-harness.js';

const SESSION_MS = 1500;
let broker: TestBroker;
let saslAddress: string;
const logged: string[] = [];
const reauthenticated = () => logged.map((l) => JSON.parse(l) as { msg: string; user?: string }).filter((l) => l.msg === 'SASL re-authenticated');

beforeAll(async () => {
  broker = await startTestBroker({
    listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.2:0',
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-pw";',
    'connections.max.reauth.ms': String(SESSION_MS),
    'connection.failed.authentication.delay.ms': '0',
    'max.connections.per.principal.overrides': 'User:alice:1,User:carol:2',
  }, undefined, pino({ level: 'debug' }, { write: (line: string) => void logged.push(line) }));
  const sasl = broker.broker.config.listeners.find((l) => l.bind.name === 'SASL_PLAINTEXT')!.advertised!;
  saslAddress = `${sasl.host}:${sasl.port}`;
  const upsertions = ([[1, 32, 'sha256'], [2, 64, 'sha512']] as const).map(([mechanism, length, hash]) => {
    const salt = randomBytes(16);
    return { name: 'carol', mechanism, iterations: 4096, salt, saltedPassword: pbkdf2Sync('carol-pw', salt, 4096, length, hash) };
  });
  const altered = await kafkaRequest(broker.bootstrap, ApiKey.AlterUserScramCredentials, 0, { deletions: [], upsertions });
  expect(altered.results.map((r) => r.errorCode)).toEqual([ErrorCode.NONE]);
});

afterAll(async () => {
  await broker?.close();
});

test('PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512: each logs in, and re-authenticates before each session ends', async () => {
  const logins: ClientSasl[] = [
    { mechanism: 'PLAIN', username: 'alice', password: 'alice-pw' },
    { mechanism: 'SCRAM-SHA-256', username: 'carol', password: 'carol-pw' },
    { mechanism: 'SCRAM-SHA-512', username: 'carol', password: 'carol-pw' },
  ];
  const conns = await Promise.all(logins.map((sasl) => KafkaConnection.connect(saslAddress, { sasl })));
  try {
    // Two new sessions on each connection, as the broker saw them. Nothing else is sent meanwhile, so no
    // request can race a session's end: the broker would close a connection that let one lapse.
    await waitFor('two re-authentications per connection', () => {
      const by = (user: string) => reauthenticated().filter((l) => l.user === user).length;
      return by('alice') >= 2 && by('carol') >= 4 ? true : undefined;
    }, 10_000);
    expect(conns.map((c) => c.closed)).toEqual([false, false, false]);
    expect(['User:alice', 'User:carol'].map((p) => broker.broker.principalConnections.count(p))).toEqual([1, 2]);
    for (const metadata of await Promise.all(conns.map((c) => c.send(ApiKey.Metadata, 1, { topics: [] })))) expect(metadata.brokers.length).toBe(1);
  } finally {
    for (const c of conns) c.close();
  }
});

test.each<[string, ClientSasl, number]>([
  ['a wrong PLAIN password', { mechanism: 'PLAIN', username: 'alice', password: 'not-alice-pw' }, ErrorCode.SASL_AUTHENTICATION_FAILED],
  ['a wrong SCRAM password', { mechanism: 'SCRAM-SHA-256', username: 'carol', password: 'not-carol-pw' }, ErrorCode.SASL_AUTHENTICATION_FAILED],
  ['an unknown SCRAM user', { mechanism: 'SCRAM-SHA-512', username: 'nobody', password: 'not-carol-pw' }, ErrorCode.SASL_AUTHENTICATION_FAILED],
])('refused: %s, with Kafka\'s error and no password in the message', async (_what, sasl, code) => {
  const err = await KafkaConnection.connect(saslAddress, { sasl }).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(err).toBeInstanceOf(KafkaProtocolError);
  expect((err as KafkaProtocolError).code).toBe(code);
  expect(err!.message).not.toContain(sasl.password);
});

test('a mechanism the listener does not serve: UNSUPPORTED_SASL_MECHANISM naming the ones it does', async () => {
  const plainOnly = await startTestBroker({
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    'sasl.enabled.mechanisms': 'PLAIN',
    'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-pw";',
  });
  try {
    const err = await KafkaConnection.connect(plainOnly.bootstrap, { sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'alice-pw' } }).catch((e: Error) => e);
    expect(err).toMatchObject({ code: ErrorCode.UNSUPPORTED_SASL_MECHANISM, message: expect.stringContaining('it serves PLAIN') });
  } finally {
    await plainOnly.close();
  }
});
