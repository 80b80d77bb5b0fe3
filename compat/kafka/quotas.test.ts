// Client quotas with real clients (issues #11 and #12), one broker for all, its quota windows made short
// (quota.window.num=2, quota.window.size.seconds=1) so a few seconds of traffic measure a rate.
// @platformatic/kafka's admin sets and describes quotas with AlterClientQuotas / DescribeClientQuotas
// and is refused bad ones; confluent-kafka-python (librdkafka) producing and consuming under client-id
// quotas is told throttle times (throttle_cb), backs off, and moves data at about the quota; kafkajs
// authenticated as alice (SASL PLAIN) is held to alice's user quota, which /metrics reports per user.
// Under controller_mutation_rate (KIP-599) @platformatic/kafka's admin (CreateTopics v7, CreatePartitions
// v3, DeleteTopics v6: strict) retries what is refused with THROTTLING_QUOTA_EXCEEDED until it fits, and
// kafkajs' (CreateTopics v3: permissive) is served and throttled.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ApiKey, ErrorCode } from '../../protocol/kafka/index.js';
import { freePort } from '../../test/helpers/free-port.js';
import { kafkaRequest } from '../../test/helpers/kafka-request.js';
import { runPythonJson } from '../helpers/commands.js';
import { runNodeJson } from '../helpers/npm-clients.js';
import { SkeinKafka } from '../helpers/skein-process.js';

const RATE = 300_000;
const ALICE_RATE = 100_000;
let kafka: SkeinKafka;
let plaintext: string;
let sasl: string;
let httpPort: number;

interface Moved {
  seconds: number;
  bytes: number;
  throttles: number[];
}

beforeAll(async () => {
  const [plainPort, saslPort] = [await freePort(), await freePort()];
  httpPort = await freePort();
  plaintext = `127.0.0.1:${plainPort}`;
  sasl = `127.0.0.1:${saslPort}`;
  kafka = await SkeinKafka.start({
    listeners: `PLAINTEXT://${plaintext},SASL_PLAINTEXT://${sasl}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'sasl.enabled.mechanisms': 'PLAIN',
    'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-pw";',
    'quota.window.num': '2',
    'quota.window.size.seconds': '1',
    'http.port': String(httpPort),
  });
  const created = await kafkaRequest(plaintext, ApiKey.CreateTopics, 4, {
    topics: ['quota-librdkafka', 'quota-kafkajs'].map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
    timeoutMs: 10_000,
    validateOnly: false,
  });
  expect(created.topics.map((t) => t.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
}, 60_000);

afterAll(async () => {
  await kafka?.destroy();
});

interface QuotaStep {
  altered?: unknown[];
  refused?: { id: string; message: string }[];
  described?: { entity: unknown[]; values: { key: string; value: number }[] }[];
}
const set = (entityType: string, entityName: string | null, key: string, value: number) => ({ entities: [{ entityType, entityName }], ops: [{ key, value, remove: false }] });
const clientIds = { components: [{ entityType: 'client-id', matchType: 2 }], strict: true };

test('@platformatic/kafka admin sets and describes quotas, and is refused bad ones with INVALID_REQUEST', async () => {
  const bad = [
    [set('user', 'mallory', 'producer_byte_rate', -5), /must not be negative/],
    [set('user', 'mallory', 'producer_byte_rate', 1e300), /too large/],
    [set('user', 'mallory', 'connection_creation_rate', 5), /Invalid configuration key/],
    [set('ip', 'not-an-address', 'connection_creation_rate', 5), /not a valid IP/],
  ] as const;
  const [checked, done, refused] = await runNodeJson<QuotaStep[]>(new URL('platformatic_kafka.mjs', import.meta.url), 'quotas', {
    bootstrap: plaintext,
    steps: [
      { alter: [set('client-id', 'librdkafka-producer', 'producer_byte_rate', 1)], validateOnly: true, describe: clientIds },
      {
        alter: [
          set('client-id', 'librdkafka-producer', 'producer_byte_rate', RATE),
          set('client-id', 'librdkafka-consumer', 'consumer_byte_rate', RATE),
          set('user', 'alice', 'producer_byte_rate', ALICE_RATE),
        ],
        describe: clientIds,
      },
      { alter: bad.map(([entry]) => entry), describe: { components: [{ entityType: 'user', matchType: 0, match: 'mallory' }] } },
    ],
  });
  // Validated only: nothing set.
  expect(checked!.described).toEqual([]);
  expect(done!.refused).toBeUndefined();
  const described = done!.described!.map((e) => [e.entity, e.values]);
  expect(described).toEqual(
    expect.arrayContaining([
      [[{ entityType: 'client-id', entityName: 'librdkafka-producer' }], [{ key: 'producer_byte_rate', value: RATE }]],
      [[{ entityType: 'client-id', entityName: 'librdkafka-consumer' }], [{ key: 'consumer_byte_rate', value: RATE }]],
    ]),
  );
  expect(described).toHaveLength(2);
  expect(refused!.refused?.map((r) => r.id)).toEqual(bad.map(() => 'INVALID_REQUEST'));
  bad.forEach(([, message], i) => expect(refused!.refused?.[i]?.message).toMatch(message));
  expect(refused!.described).toEqual([]);
}, 60_000);

/**
 * Bytes per second, with a band around the quota (measured, 8 runs: producing 1.02x or 1.37x, consuming
 * 0.81-1.00x): the first window's allowance may make it run fast, the client's start (connecting,
 * metadata) on a busy machine slow.
 */
function expectAboutQuota(moved: Moved, quota: number): void {
  const rate = moved.bytes / moved.seconds;
  expect(moved.throttles.some((ms) => ms > 0)).toBe(true);
  expect(rate).toBeGreaterThan(quota * 0.5);
  expect(rate).toBeLessThan(quota * 1.6);
}

test('confluent-kafka-python is throttled to its client-id quotas when producing and consuming', async () => {
  const common = { bootstrap: plaintext, topic: 'quota-librdkafka' };
  const produced = await runPythonJson<Moved>(new URL('confluent_quotas.py', import.meta.url), { ...common, mode: 'produce', clientId: 'librdkafka-producer', count: 40, size: 30_000 });
  expectAboutQuota(produced, RATE);
  const consumed = await runPythonJson<Moved>(new URL('confluent_quotas.py', import.meta.url), { ...common, mode: 'consume', clientId: 'librdkafka-consumer', count: 40 });
  expect(consumed.bytes).toBe(40 * 30_000);
  expectAboutQuota(consumed, RATE);
}, 60_000);

test("kafkajs authenticated as alice is held to alice's user quota, reported per user on /metrics", async () => {
  const client = new Kafka({ brokers: [sasl], clientId: 'kafkajs-alice', logLevel: logLevel.NOTHING, sasl: { mechanism: 'plain', username: 'alice', password: 'alice-pw' } });
  const producer = client.producer();
  await producer.connect();
  const value = Buffer.alloc(50_000, 1);
  const started = Date.now();
  try {
    for (let i = 0; i < 8; i++) await producer.send({ topic: 'quota-kafkajs', acks: 1, messages: [{ value }] });
  } finally {
    await producer.disconnect();
  }
  const seconds = (Date.now() - started) / 1000;
  // 400 kB at 100 kB/s, the first second's allowance taken: about 3 s.
  expect(seconds).toBeGreaterThan(2);
  const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const throttled = metrics.split('\n').find((l) => l.startsWith('kafka_server_quota_throttle_time_ms_total{') && l.includes('quota="Produce"') && l.includes('user="alice"'));
  expect(throttled, metrics).toBeDefined();
  expect(Number(throttled!.split(' ').at(-1))).toBeGreaterThan(0);
}, 60_000);

const MUTATION_RATE = 10;

test('under controller_mutation_rate, @platformatic/kafka retries THROTTLING_QUOTA_EXCEEDED and kafkajs is throttled', async () => {
  // 10 partitions/s over 2 windows of 1 s: a bucket of 20 partitions.
  const altered = await kafkaRequest(plaintext, ApiKey.AlterClientQuotas, 1, {
    entries: ['platformatic-mutator', 'kafkajs-mutator'].map((name) => ({
      entity: [{ entityType: 'client-id', entityName: name }],
      ops: [{ key: 'controller_mutation_rate', value: MUTATION_RATE, remove: false }],
    })),
    validateOnly: false,
  });
  expect(altered.entries.map((e) => e.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);

  const done = await runNodeJson<{ refusals: { id: string; throttleTimeMs: number }[]; elapsedMs: number; partitions: Record<string, number> }>(
    new URL('platformatic_kafka.mjs', import.meta.url),
    'mutations',
    {
      bootstrap: plaintext,
      clientId: 'platformatic-mutator',
      steps: [{ create: 'mutated-a', partitions: 10 }, { create: 'mutated-b', partitions: 10 }, { create: 'mutated-c', partitions: 10 }, { grow: 'mutated-a', count: 20 }, { delete: 'mutated-b' }],
    },
  );
  // 50 partitions, the last 10 admitted only once the bucket is back at zero: 40 - 20 taken at 10/s is at least 2 s,
  // however fast or slow the machine (a slow one refills the bucket meanwhile and is refused less often).
  expect(done.elapsedMs).toBeGreaterThanOrEqual(2000);
  for (const r of done.refusals) expect(r).toMatchObject({ id: 'THROTTLING_QUOTA_EXCEEDED', throttleTimeMs: expect.any(Number) });
  expect(done.partitions).toMatchObject({ 'mutated-a': 20, 'mutated-c': 10 });
  expect(done.partitions['mutated-b']).toBeUndefined();

  const admin = new Kafka({ brokers: [plaintext], clientId: 'kafkajs-mutator', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const started = Date.now();
  try {
    // 30 of the 20 partitions the bucket holds: created, and throttled 1 s, which kafkajs waits out before its next request.
    expect(await admin.createTopics({ topics: [{ topic: 'kafkajs-mutated-a', numPartitions: 30 }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'kafkajs-mutated-b', numPartitions: 1 }] })).toBe(true);
  } finally {
    await admin.disconnect();
  }
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const rate = metrics.split('\n').find((l) => l.startsWith('kafka_server_quota_rate{') && l.includes('quota="ControllerMutation"') && l.includes('client_id="kafkajs-mutator"'));
  expect(rate, metrics).toBeDefined();
  expect(Number(rate!.split(' ').at(-1))).toBeGreaterThan(0);
}, 60_000);
