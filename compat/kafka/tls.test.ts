// Real clients over an SSL listener with mutual TLS (ssl.client.auth=required), the broker's keystore and
// truststore as PKCS#12 files, certificates made for the test with openssl: kcat and confluent-kafka-python
// (librdkafka), kafka-python and kafkajs each produce and consume; a client without a certificate, with one
// from an untrusted CA, plaintext sent to the SSL port and TLS sent to the plaintext port are refused with
// a log line naming the address. A PLAINTEXT listener beside it is the inter-broker one.
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { freePort } from '../../test/helpers/free-port.js';
import { brokerSslSettings, makeTestPki, STORE_PASSWORD, type TestPki } from '../helpers/certificates.js';
import { run } from '../helpers/commands.js';
import { roundTrip } from '../helpers/secured-roundtrip.js';
import { SkeinKafka } from '../helpers/skein-process.js';

let pki: TestPki;
let kafka: SkeinKafka;
let sslPort: number;
let plainPort: number;
const ssl = () => `127.0.0.1:${sslPort}`;

beforeAll(async () => {
  pki = makeTestPki();
  sslPort = await freePort();
  plainPort = await freePort();
  kafka = await SkeinKafka.start({
    listeners: `PLAINTEXT://127.0.0.1:${plainPort},SSL://127.0.0.1:${sslPort}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    ...brokerSslSettings(pki),
    'group.initial.rebalance.delay.ms': '0',
    'offsets.topic.num.partitions': '1',
  });
});

afterAll(async () => {
  await kafka?.destroy();
  pki?.remove();
});

/** librdkafka's settings for mutual TLS as alice. */
const rdkafkaTls = () => ({
  'security.protocol': 'ssl',
  'ssl.ca.location': pki.caPem,
  'ssl.certificate.location': pki.alice.cert,
  'ssl.key.location': pki.alice.key,
});
const kcatArgs = (conf: Record<string, string>) => Object.entries(conf).flatMap(([k, v]) => ['-X', `${k}=${v}`]);

test('kcat: metadata names the SSL listener, and records produced over TLS come back', async () => {
  const meta = await run('kcat', ['-b', ssl(), ...kcatArgs(rdkafkaTls()), '-L', '-J', '-m', '15'], '', 30_000);
  expect(meta.code, meta.stderr).toBe(0);
  expect(JSON.parse(meta.stdout).brokers).toEqual([{ id: 0, name: ssl() }]);
  const lines = Array.from({ length: 50 }, (_, i) => `tls-record-${i}`);
  const produced = await run('kcat', ['-b', ssl(), ...kcatArgs(rdkafkaTls()), '-P', '-t', 'tls-kcat', '-X', 'acks=all'], `${lines.join('\n')}\n`, 30_000);
  expect(produced.code, produced.stderr).toBe(0);
  const consumed = await run('kcat', ['-b', ssl(), ...kcatArgs(rdkafkaTls()), '-C', '-t', 'tls-kcat', '-o', 'beginning', '-c', '50', '-e'], '', 30_000);
  expect(consumed.code, consumed.stderr).toBe(0);
  expect(consumed.stdout.trim().split('\n')).toEqual(lines);
});

test('refused: no client certificate, an untrusted one, plaintext to the SSL port, TLS to the plaintext port', async () => {
  const attempts: Record<string, string>[] = [
    { 'security.protocol': 'ssl', 'ssl.ca.location': pki.caPem },
    { 'security.protocol': 'ssl', 'ssl.ca.location': pki.caPem, 'ssl.certificate.location': pki.stranger.cert, 'ssl.key.location': pki.stranger.key },
    { 'security.protocol': 'plaintext' },
  ];
  for (const conf of attempts) {
    const r = await run('kcat', ['-b', ssl(), ...kcatArgs(conf), '-L', '-m', '3'], '', 30_000);
    expect(r.code, JSON.stringify(conf)).not.toBe(0);
  }
  const toPlain = await run('kcat', ['-b', `127.0.0.1:${plainPort}`, ...kcatArgs(rdkafkaTls()), '-L', '-m', '3'], '', 30_000);
  expect(toPlain.code).not.toBe(0);
  const refusals = kafka.log.split('\n').filter((l) => l.includes('closing TLS connection'));
  expect(refusals.some((l) => l.includes('handshake failed') && l.includes('"remote":"127.0.0.1:'))).toBe(true);
  // The broker is still serving.
  const meta = await run('kcat', ['-b', ssl(), ...kcatArgs(rdkafkaTls()), '-L', '-m', '15'], '', 30_000);
  expect(meta.code, meta.stderr).toBe(0);
  expect(kafka.log).not.toContain(STORE_PASSWORD);
});

test('confluent-kafka-python and kafka-python produce and consume over mutual TLS', async () => {
  const r1 = await roundTrip('confluent', { 'bootstrap.servers': ssl(), ...rdkafkaTls() }, 'tls-confluent', 'c');
  expect(r1.code, r1.stderr).toBe(0);
  expect(JSON.parse(r1.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`));
  const tls = { bootstrap_servers: ssl(), security_protocol: 'SSL', ssl_cafile: pki.caPem, ssl_certfile: pki.alice.cert, ssl_keyfile: pki.alice.key };
  const r2 = await roundTrip('kafka-python', tls, 'tls-kafka-python', 'k');
  expect(r2.code, r2.stderr).toBe(0);
  expect(JSON.parse(r2.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`));
});

test('kafkajs with ssl: { ca, cert, key } produces and consumes', async () => {
  const client = new Kafka({
    brokers: [ssl()],
    logLevel: logLevel.NOTHING,
    ssl: { ca: [readFileSync(pki.caPem, 'utf8')], cert: readFileSync(pki.alice.cert, 'utf8'), key: readFileSync(pki.alice.key, 'utf8') },
  });
  const producer = client.producer();
  await producer.connect();
  await producer.send({ topic: 'tls-kafkajs', acks: -1, messages: Array.from({ length: 20 }, (_, i) => ({ value: `j${i}` })) });
  await producer.disconnect();
  const consumer = client.consumer({ groupId: 'tls-kafkajs-group' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'tls-kafkajs', fromBeginning: true });
  const got: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message.value!.toString());
        if (got.length === 20) resolve();
      },
    });
  });
  await consumer.disconnect();
  expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `j${i}`));
});
