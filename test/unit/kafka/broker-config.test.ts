import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { ConfigError, parseOverrides } from '../../../src/config/schema.js';
import { brokerConfigFromText } from '../../../src/kafka/broker-config.js';
import { FileTopicStore } from '../../../src/kafka/metadata/file-topic-store.js';
import { loadOrCreateMetaProperties } from '../../../src/kafka/metadata/meta-properties.js';
import { effectiveTopicConfigs, topicConfigProblem } from '../../../src/kafka/metadata/topic-config.js';

test('a stock server.properties is read with Kafka defaults and derived keys', () => {
  const cfg = brokerConfigFromText(
    [
      'broker.id=0',
      'listeners=PLAINTEXT://:9092',
      'advertised.listeners=PLAINTEXT://broker1:9092',
      'num.network.threads=3',
      'log.dirs=/tmp/kafka-logs',
      'log.retention.hours=24',
      'zookeeper.connect=localhost:2181',
      'frobnicate=1',
    ].join('\n'),
  );
  expect(cfg.listener).toEqual({ name: 'PLAINTEXT', host: '', port: 9092 });
  expect(cfg.advertised).toEqual({ name: 'PLAINTEXT', host: 'broker1', port: 9092 });
  expect(cfg.dataDir).toBe('/tmp/kafka-logs');
  expect(cfg.retentionMs).toBe(24 * 3_600_000);
  expect(cfg.rollMs).toBe(168 * 3_600_000);
  expect(cfg.values['message.max.bytes']).toBe(1_048_588);
  expect(cfg.values['zookeeper.connect']).toBe('localhost:2181');
  expect(cfg.ignoredKeys).toEqual(['num.network.threads']);
  expect(cfg.unknownKeys).toEqual(['frobnicate']);
});

test('cluster keys take Kafka\'s defaults and are checked', () => {
  const cfg = brokerConfigFromText('broker.id=2');
  expect(cfg.values['zookeeper.connect']).toBeUndefined();
  expect(cfg.values['zookeeper.session.timeout.ms']).toBe(18_000);
  expect(cfg.values['unclean.leader.election.enable']).toBe(false);
  expect(cfg.values['controlled.shutdown.enable']).toBe(true);
  expect(cfg.values['auto.leader.rebalance.enable']).toBe(true);
  expect(cfg.values['leader.imbalance.check.interval.seconds']).toBe(300);
  expect(cfg.values['replica.lag.time.max.ms']).toBe(30_000);
  expect(cfg.values['replica.fetch.max.bytes']).toBe(1_048_576);
  expect(cfg.values['replica.fetch.wait.max.ms']).toBe(500);
  expect(cfg.values['num.replica.fetchers']).toBe(1);
  expect(cfg.values['broker.rack']).toBeUndefined();
  expect(() => brokerConfigFromText('inter.broker.listener.name=REPLICATION')).toThrow(/inter.broker.listener.name: REPLICATION is not a listener/);
  expect(() => brokerConfigFromText('zookeeper.connect=/chroot')).toThrow(/zookeeper.connect: no servers/);
  expect(brokerConfigFromText('inter.broker.listener.name=plaintext\nzookeeper.connect=127.0.0.1:2181/kafka').values['zookeeper.connect']).toBe('127.0.0.1:2181/kafka');
});

test('several listeners: each advertises its own endpoint, the inter-broker one is named or PLAINTEXT', () => {
  const cfg = brokerConfigFromText(
    [
      'listeners=INTERNAL://0.0.0.0:19092,EXTERNAL://0.0.0.0:9092',
      'advertised.listeners=INTERNAL://kafka1:19092,EXTERNAL://localhost:9092',
      'listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT',
      'inter.broker.listener.name=INTERNAL',
    ].join('\n'),
  );
  expect(cfg.listeners.map((l) => [l.bind.name, l.bind.port, l.advertised?.host])).toEqual([
    ['INTERNAL', 19092, 'kafka1'],
    ['EXTERNAL', 9092, 'localhost'],
  ]);
  expect(cfg.listener).toEqual({ name: 'INTERNAL', host: '0.0.0.0', port: 19092 });
  expect(cfg.advertised).toEqual({ name: 'INTERNAL', host: 'kafka1', port: 19092 });
  // Kafka's default inter-broker listener is the one named PLAINTEXT.
  expect(brokerConfigFromText('listeners=PLAINTEXT://127.0.0.1:9092,PLAINTEXT_HOST://127.0.0.1:29092\nlistener.security.protocol.map=PLAINTEXT:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT').listener.name).toBe('PLAINTEXT');
  // A listener advertised.listeners leaves out is served but not advertised.
  expect(brokerConfigFromText('listeners=PLAINTEXT://:9092,OTHER://:9093\nlistener.security.protocol.map=PLAINTEXT:PLAINTEXT,OTHER:PLAINTEXT\nadvertised.listeners=PLAINTEXT://h:9092').listeners[1]!.advertised).toBeUndefined();
});

test('listener mistakes are refused naming the key', () => {
  const both = 'listeners=A://:9092,B://:9093\nlistener.security.protocol.map=A:PLAINTEXT,B:PLAINTEXT';
  expect(() => brokerConfigFromText(both)).toThrow(/inter.broker.listener.name: PLAINTEXT is unset and no listener is named PLAINTEXT/);
  expect(() => brokerConfigFromText(`${both}\ninter.broker.listener.name=C`)).toThrow(/inter.broker.listener.name: C is not a listener/);
  expect(() => brokerConfigFromText('listeners=A://:9092,B://:9093\nlistener.security.protocol.map=A:PLAINTEXT')).toThrow(/listener.security.protocol.map: no security protocol for listener B/);
  expect(() => brokerConfigFromText('listeners=PLAINTEXT://:9092,PLAINTEXT://:9093')).toThrow(/listener name PLAINTEXT appears twice/);
  expect(() => brokerConfigFromText(`listeners=A://:9092,B://h:9092\nlistener.security.protocol.map=A:PLAINTEXT,B:PLAINTEXT\ninter.broker.listener.name=A`)).toThrow(/port 9092 is used by two listeners/);
  expect(() => brokerConfigFromText(`${both}\ninter.broker.listener.name=A\nadvertised.listeners=C://h:1`)).toThrow(/advertised.listeners: C is not a listener/);
  expect(() => brokerConfigFromText(`${both}\ninter.broker.listener.name=A\nadvertised.listeners=B://h:1`)).toThrow(/inter-broker listener A must be advertised/);
  expect(() => brokerConfigFromText('advertised.listeners=PLAINTEXT://0.0.0.0:9092')).toThrow(/meta-address/);
  expect(() => brokerConfigFromText('listeners=A://:9092,B://:9093\nlistener.security.protocol.map=A:PLAINTEXT,B:SSL\ninter.broker.listener.name=A')).toThrow(
    /ssl.keystore.location \(or listener.name.b.ssl.keystore.location\): listener B speaks SSL and needs a keystore/,
  );
  expect(() => brokerConfigFromText('listeners=A://:9092\nlistener.security.protocol.map=A:SASL_PLAINTEXT')).toThrow(/listener.name.a.gssapi.sasl.jaas.config \(or sasl.jaas.config\): listener A serves GSSAPI and needs a Krb5LoginModule entry/);
  expect(() => brokerConfigFromText('listeners=A://:9092\nlistener.security.protocol.map=A:TLS')).toThrow(/unknown security protocol "TLS"/);
  expect(() => brokerConfigFromText('listeners=SSL://:9092\nssl.keystore.location=/nonexistent/ks.p12')).toThrow(/ssl.keystore.location .*cannot read \/nonexistent\/ks.p12: ENOENT/);
  expect(() => brokerConfigFromText('listeners=SSL://:9092\nssl.keystore.type=PEM\nssl.keystore.key=x\nssl.keystore.certificate.chain=y')).toThrow(/no PEM private key found/);
  expect(() => brokerConfigFromText('listeners=SSL://:9092\nssl.keystore.key=x')).toThrow(/ssl.keystore.type .*must be PEM/);
  expect(() => brokerConfigFromText('ssl.client.auth=maybe')).toThrow(/ssl.client.auth.*expected one of none, requested, required/);
  expect(brokerConfigFromText('zookeeper.ssl.client.enable=true').zookeeperTls).toMatchObject({ verifyHostname: true, options: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } });
  expect(brokerConfigFromText('').zookeeperTls).toBeUndefined();
  expect(() => brokerConfigFromText('zookeeper.ssl.client.enable=true\nzookeeper.ssl.endpoint.identification.algorithm=ldaps')).toThrow(/expected HTTPS or empty/);
  expect(() => brokerConfigFromText('zookeeper.ssl.client.enable=true\nzookeeper.ssl.truststore.location=/nonexistent/t.p12')).toThrow(/zookeeper.ssl.truststore.location: cannot read/);
});

test('a Kafka 4.x (KRaft) file: the controller listener, its settings and the KRaft keys are reported as not applicable', () => {
  const cfg = brokerConfigFromText(
    [
      'process.roles=broker,controller',
      'node.id=3',
      'controller.quorum.voters=3@localhost:9093',
      'listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
      'advertised.listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      'listener.name.controller.ssl.client.auth=required',
      'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    ].join('\n'),
  );
  expect(cfg.brokerId).toBe(3);
  expect(cfg.listeners.map((l) => l.bind.name)).toEqual(['PLAINTEXT']);
  expect(cfg.unknownKeys).toEqual([]);
  expect(cfg.ignoredKeys.sort()).toEqual(
    [
      'controller.listener.names',
      'controller.quorum.voters',
      'listener.name.controller.sasl.enabled.mechanisms',
      'listener.name.controller.ssl.client.auth',
      'process.roles',
    ].sort(),
  );
});

test('retention.ms beats minutes beats hours, and -1 means forever', () => {
  expect(brokerConfigFromText('log.retention.hours=1\nlog.retention.minutes=5').retentionMs).toBe(300_000);
  expect(brokerConfigFromText('log.retention.minutes=5\nlog.retention.ms=42').retentionMs).toBe(42);
  expect(brokerConfigFromText('log.retention.hours=-1').retentionMs).toBe(-1);
});

test('bad values are refused with the key named; overrides win over the file', () => {
  expect(() => brokerConfigFromText('num.partitions=-3')).toThrow(/num.partitions/);
  expect(() => brokerConfigFromText('listeners=localhost:9092')).toThrow(/listeners/);
  expect(() => brokerConfigFromText('listeners=SSL://:9093')).toThrow(ConfigError);
  const cfg = brokerConfigFromText('num.partitions=2', parseOverrides(['num.partitions=7']));
  expect(cfg.values['num.partitions']).toBe(7);
});

test('topic configs report their source and refuse values Kafka refuses', () => {
  const cfg = brokerConfigFromText('log.retention.bytes=1000');
  const eff = new Map(effectiveTopicConfigs(cfg, { 'segment.bytes': '2048' }).map((e) => [e.name, e]));
  expect(eff.get('segment.bytes')).toMatchObject({ value: '2048', source: 'topic' });
  expect(eff.get('retention.bytes')).toMatchObject({ value: '1000', source: 'broker' });
  expect(eff.get('retention.ms')).toMatchObject({ value: String(168 * 3_600_000), source: 'default' });
  expect(topicConfigProblem('retention.ms', 'soon')).toMatch(/not an integer/);
  expect(topicConfigProblem('cleanup.policy', 'compact')).toBeUndefined();
  expect(topicConfigProblem('cleanup.policy', 'shred')).toBeDefined();
  expect(topicConfigProblem('no.such', '1')).toMatch(/unknown/);
  expect(topicConfigProblem('retention.ms', '-1')).toBeUndefined();
});

test('topic store and meta.properties survive a reopen', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skein-meta-'));
  const store = new FileTopicStore(dir);
  await store.create({ name: 't', topicId: 'ab'.repeat(16), replicas: [[0]], configs: {} });
  await store.addPartitions('t', [[0], [0]]);
  await store.setConfigs('t', { 'retention.ms': '5' });
  const again = new FileTopicStore(dir);
  expect(again.get('t')).toEqual({ name: 't', topicId: 'ab'.repeat(16), replicas: [[0], [0], [0]], configs: { 'retention.ms': '5' } });
  const { clusterId } = await loadOrCreateMetaProperties(dir, 0);
  expect(clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect((await loadOrCreateMetaProperties(dir, 0)).clusterId).toBe(clusterId);
  await expect(loadOrCreateMetaProperties(dir, 1)).rejects.toThrow(/broker.id/);
  expect(readFileSync(join(dir, 'meta.properties'), 'utf8')).toContain(`cluster.id=${clusterId}`);
});
