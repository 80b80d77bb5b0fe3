// A cluster with no plaintext anywhere: ZooKeeper serves only its secureClientPort (client certificates
// needed) and the brokers reach it with Kafka's zookeeper.ssl.* settings; two brokers whose only listener
// is SSL with ssl.client.auth=required, so every inter-broker connection (the controller's LeaderAndIsr
// and UpdateMetadata, followers' fetches) is mutual TLS with host name verification, PEM keystore and
// truststore files. A replicated topic takes acks=all writes (the follower fetches over TLS to stay in the
// ISR) and Skein's own client reads them back over TLS.
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { KafkaConnection } from '../../src/kafka/client/connection.js';
import { fetchPartition, recordsOf } from '../../src/kafka/client/consumer.js';
import { startTestBroker, type TestBroker } from '../../test/helpers/kafka-broker.js';
import { startTestServer, type TestServer } from '../../test/integration/zookeeper/harness.js';
import { parseZooCfg } from '../../src/zookeeper/config.js';
import { makeTestPki, STORE_PASSWORD, type TestPki } from '../helpers/certificates.js';

let pki: TestPki;
let zk: TestServer;
const brokers: TestBroker[] = [];

beforeAll(async () => {
  pki = makeTestPki();
  const tlsOnly = parseZooCfg([`secureClientPort=0`, `ssl.keyStore.location=${pki.server.p12}`, `ssl.keyStore.password=${STORE_PASSWORD}`, `ssl.trustStore.location=${pki.caPem}`].join('\n')).config;
  zk = await startTestServer({ servePlaintext: false, secure: { ...tlsOnly.secure!, address: '127.0.0.1' } });
  for (const id of [1, 2]) {
    brokers.push(
      await startTestBroker({
        'broker.id': String(id),
        listeners: 'INTERNAL://127.0.0.1:0',
        'listener.security.protocol.map': 'INTERNAL:SSL',
        'inter.broker.listener.name': 'INTERNAL',
        'listener.name.internal.ssl.keystore.type': 'PEM',
        'listener.name.internal.ssl.keystore.location': pki.server.pem,
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': pki.caPem,
        'ssl.client.auth': 'required',
        'zookeeper.connect': `127.0.0.1:${zk.port}/tls`,
        'zookeeper.ssl.client.enable': 'true',
        'zookeeper.clientCnxnSocket': 'org.apache.zookeeper.ClientCnxnSocketNetty',
        'zookeeper.ssl.keystore.location': pki.server.pem,
        'zookeeper.ssl.truststore.location': pki.truststoreP12,
        'zookeeper.ssl.truststore.password': STORE_PASSWORD,
        'zookeeper.session.timeout.ms': '3000',
        'controlled.shutdown.max.retries': '0',
      }),
    );
  }
  // Both brokers known to both: the controller's UpdateMetadata reached them over TLS.
  for (const b of brokers) {
    while (b.broker.metadata.liveBrokers().length < 2) await new Promise((r) => setTimeout(r, 20));
  }
}, 30_000);

afterAll(async () => {
  for (const b of brokers) await b.close();
  await zk?.destroy();
  pki?.remove();
});

test('a replicated topic over an SSL inter-broker listener: acks=all writes, both replicas in sync, read back by Skein\'s client', async () => {
  const ssl = { ca: [readFileSync(pki.caPem, 'utf8')], cert: readFileSync(pki.alice.cert, 'utf8'), key: readFileSync(pki.alice.key, 'utf8') };
  const kafka = new Kafka({ brokers: brokers.map((b) => b.bootstrap), ssl, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'replicated', numPartitions: 1, replicationFactor: 2 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'replicated', acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `r${i}` })) });
  await producer.disconnect();
  const [meta] = (await admin.fetchTopicMetadata({ topics: ['replicated'] })).topics;
  await admin.disconnect();
  expect(meta!.partitions[0]!.isr.sort()).toEqual([1, 2]);

  const leader = brokers.find((b) => b.broker.config.brokerId === meta!.partitions[0]!.leader)!;
  const conn = await KafkaConnection.connect(leader.bootstrap, {
    tls: { options: { ca: ssl.ca, cert: ssl.cert, key: ssl.key }, verifyHostname: true },
  });
  try {
    const fetched = await fetchPartition(conn, 'replicated', 0, 0);
    expect(recordsOf(fetched).map((r) => r.value?.toString())).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`));
  } finally {
    conn.close();
  }
  // Without a client certificate the same listener refuses Skein's client too.
  await expect(KafkaConnection.connect(leader.bootstrap, { tls: { options: { ca: ssl.ca }, verifyHostname: true }, connectTimeoutMs: 5000 }).then((c) => c.apiVersions())).rejects.toThrow();
}, 60_000);

test('a client certificate no ssl.principal.mapping.rules rule maps is refused: the connection closes before any answer', async () => {
  const alone = await startTestBroker({
    listeners: 'SSL://127.0.0.1:0',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': pki.server.pem,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': pki.caPem,
    'ssl.client.auth': 'required',
    'ssl.principal.mapping.rules': 'RULE:^CN=([^,]*),OU=Ops,.*$/$1/',
  });
  try {
    const options = { ca: readFileSync(pki.caPem, 'utf8'), cert: readFileSync(pki.alice.cert, 'utf8'), key: readFileSync(pki.alice.key, 'utf8') };
    const conn = await KafkaConnection.connect(alone.bootstrap, { tls: { options, verifyHostname: true } });
    await expect(conn.apiVersions()).rejects.toThrow(/closed/);
  } finally {
    await alone.close();
  }
});
