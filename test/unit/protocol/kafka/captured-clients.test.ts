// Request frames captured from real clients (librdkafka, kafka-python, @platformatic/kafka, @kafkats/client's ShareConsumer,
// librdkafka 2.15's KIP-714 telemetry; see
// test/fixtures/kafka/README.md) decode completely, carry what the clients were asked to send, and
// re-encode to the very same bytes.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { Reader } from '../../../../protocol/bytes.js';
import {
  ApiKey,
  decodeRequestBody,
  decodeRequestFrame,
  encodeRequestFrame,
  readRequestHeader,
  type ApiKey as ApiKeyType,
  type KafkaRequest,
} from '../../../../protocol/kafka/index.js';
import { readBatchHeader, validateBatch } from '../../../../protocol/kafka/records/batch-header.js';
import { decompress, initCompression } from '../../../../protocol/kafka/compression/codecs.js';
import { decodeMetricsData } from '../../../../protocol/otlp/metrics-data.js';

interface Fixture {
  client: string;
  frames: Array<{ scenario: string; api: string; apiKey: number; apiVersion: number; frame: string }>;
}

function load(name: string): Fixture {
  return JSON.parse(
    readFileSync(new URL(`../../../fixtures/kafka/captured/${name}`, import.meta.url), 'utf8'),
  ) as Fixture;
}

const FIXTURES = ['librdkafka.json', 'kafka-python.json', 'platformatic-kafka.json', 'kafkats-share.json', 'librdkafka-2.15-telemetry.json'].map(
  (name) => [name, load(name)] as const,
);

beforeAll(() => initCompression());

const TOPICS = new Set(['capture', 'admin-topic', 'python-topic', 'pk-topic']);
const GROUPS = new Set(['kcat-group', 'capture-group', 'python-group', 'pk-group', 'sweep-group']);

/** Every record batch in a records field is whole and carries a valid CRC: the view is exact. */
function expectValidBatches(records: Buffer | null): void {
  expect(records).not.toBeNull();
  let pos = 0;
  while (pos < records!.length) {
    const header = readBatchHeader(records!, pos);
    validateBatch(records!, header, pos);
    pos += header.sizeBytes;
  }
  expect(pos).toBe(records!.length);
}

/** What each scenario asked its client to send, checked on the decoded request. */
function checkContent(req: KafkaRequest): void {
  switch (req.apiKey) {
    case ApiKey.Produce:
      expect([-1, 1]).toContain(req.body.acks);
      for (const t of req.body.topicData) {
        expect(t.name).toBe('capture');
        for (const p of t.partitionData) expectValidBatches(p.records);
      }
      break;
    case ApiKey.Fetch:
      for (const t of req.body.topics) {
        if (req.apiVersion >= 13) expect(t.topicId).not.toBe('0'.repeat(32));
        else expect(t.topic).toBe('capture');
        expect(t.partitions[0]!.partition).toBe(0);
      }
      break;
    case ApiKey.ListOffsets:
      expect(req.body.replicaId).toBe(-1);
      expect(req.body.topics.map((t) => t.name)).toEqual(['capture']);
      expect([-2, -1]).toContain(req.body.topics[0]!.partitions[0]!.timestamp);
      break;
    case ApiKey.Metadata:
      for (const t of req.body.topics ?? []) expect(TOPICS.has(t.name ?? '')).toBe(true);
      break;
    case ApiKey.ApiVersions:
      if (req.apiVersion >= 3) expect(req.body.clientSoftwareName).not.toBe('');
      break;
    case ApiKey.FindCoordinator: {
      const keys = req.apiVersion >= 4 ? req.body.coordinatorKeys : [req.body.key];
      for (const key of keys) expect(GROUPS.has(key)).toBe(true);
      break;
    }
    case ApiKey.JoinGroup:
      expect(GROUPS.has(req.body.groupId)).toBe(true);
      expect(req.body.protocolType).toBe('consumer');
      expect(req.body.protocols.length).toBeGreaterThan(0);
      break;
    case ApiKey.SyncGroup:
    case ApiKey.Heartbeat:
    case ApiKey.OffsetCommit:
    case ApiKey.OffsetDelete:
      expect(GROUPS.has(req.body.groupId)).toBe(true);
      break;
    case ApiKey.LeaveGroup: {
      expect(GROUPS.has(req.body.groupId)).toBe(true);
      const members = req.apiVersion >= 3 ? req.body.members.map((m) => m.memberId) : [req.body.memberId];
      for (const m of members) expect(m).not.toBe('');
      break;
    }
    case ApiKey.OffsetFetch: {
      const groups = req.apiVersion >= 8 ? req.body.groups.map((g) => g.groupId) : [req.body.groupId];
      for (const g of groups) expect(GROUPS.has(g)).toBe(true);
      break;
    }
    case ApiKey.DescribeGroups:
      for (const g of req.body.groups) expect(GROUPS.has(g)).toBe(true);
      break;
    case ApiKey.DeleteGroups:
      expect(req.body.groupsNames.every((g) => GROUPS.has(g))).toBe(true);
      break;
    case ApiKey.CreateTopics:
      for (const t of req.body.topics) {
        expect(TOPICS.has(t.name)).toBe(true);
        expect(t.configs).toEqual([{ name: 'retention.ms', value: '1000' }]);
      }
      break;
    case ApiKey.DeleteTopics: {
      const names = req.apiVersion >= 6 ? req.body.topics.map((t) => t.name) : req.body.topicNames;
      for (const n of names) expect(TOPICS.has(n ?? '')).toBe(true);
      break;
    }
    case ApiKey.CreatePartitions:
      for (const t of req.body.topics) expect(t.count).toBeGreaterThan(1);
      break;
    case ApiKey.DescribeConfigs:
    case ApiKey.AlterConfigs:
    case ApiKey.IncrementalAlterConfigs:
      for (const r of req.body.resources) {
        expect(r.resourceType).toBe(2);
        expect(TOPICS.has(r.resourceName)).toBe(true);
      }
      break;
    case ApiKey.DeleteRecords:
      expect(req.body.topics[0]!.partitions[0]).toEqual({ partitionIndex: 0, offset: 1 });
      break;
    case ApiKey.InitProducerId:
      expect(req.body.transactionalId).toBeNull();
      break;
    case ApiKey.ListGroups:
      break;
    case ApiKey.ShareGroupHeartbeat:
      expect(req.body.groupId).toBe('share-capture-group');
      expect(req.body.memberId).not.toBe('');
      if (req.body.memberEpoch === 0) expect(req.body.subscribedTopicNames).toEqual(['share-capture']);
      break;
    case ApiKey.ShareFetch:
    case ApiKey.ShareAcknowledge:
      expect(req.body.groupId).toBe('share-capture-group');
      for (const t of req.body.topics) for (const p of t.partitions) for (const b of p.acknowledgementBatches) expect(b.lastOffset).toBeGreaterThanOrEqual(b.firstOffset);
      break;
    case ApiKey.GetTelemetrySubscriptions:
      // The client's first request: it has no instance id yet.
      expect(req.body.clientInstanceId).toBe('0'.repeat(32));
      break;
    case ApiKey.PushTelemetry:
      // zstd, the first of the types the broker accepts; the payload decompresses to OTLP MetricsData.
      expect(req.body.clientInstanceId).not.toBe('0'.repeat(32));
      expect(req.body.compressionType).toBe(4);
      expect(decodeMetricsData(decompress(4, req.body.metrics)).metrics.map((m) => m.name)).toContain('org.apache.kafka.producer.connection.creation.total');
      break;
  }
}

describe.each(FIXTURES)('%s', (_name, fixture) => {
  test.each(fixture.frames.map((f) => [`${f.api} v${f.apiVersion}`, f] as const))('%s', (_label, captured) => {
    const frame = Buffer.from(captured.frame, 'hex');
    const req = decodeRequestFrame(frame);
    expect(req.apiKey).toBe(captured.apiKey);
    expect(req.apiVersion).toBe(captured.apiVersion);
    expect(req.clientId).toBe('skein-capture');

    const r = new Reader(frame);
    readRequestHeader(r);
    decodeRequestBody(captured.apiKey as ApiKeyType, captured.apiVersion, r);
    expect(r.remaining).toBe(0);

    checkContent(req);

    const again = Buffer.concat(encodeRequestFrame(req, req.body));
    expect(again.toString('hex')).toBe(captured.frame);
  });
});

/**
 * APIs none of the captured clients sends: librdkafka validates positions with OffsetForLeaderEpoch only
 * from 2.1 (KIP-320), kafka-python never does; the inter-broker APIs come from controllers only;
 * ElectLeaders and DescribeCluster from the Java Admin. Their golden bytes are in
 * offset-for-leader-epoch.test.ts, inter-broker.test.ts and cluster-admin.test.ts.
 */
const NOT_CAPTURED: number[] = [
  ApiKey.OffsetForLeaderEpoch,
  ApiKey.LeaderAndIsr,
  ApiKey.StopReplica,
  ApiKey.UpdateMetadata,
  ApiKey.ControlledShutdown,
  ApiKey.ElectLeaders,
  // kafkajs sends these two, but the captures predate them; kafkajs.test.ts checks them against kafkajs.
  ApiKey.AlterPartitionReassignments,
  ApiKey.ListPartitionReassignments,
  ApiKey.DescribeCluster,
  // Transactions: the captures predate them; kafkajs.test.ts checks AddPartitionsToTxn, AddOffsetsToTxn and
  // EndTxn against kafkajs. DescribeTransactions and ListTransactions come from the Java Admin only
  // (kafka-transactions.sh); all-versions.test.ts round-trips them.
  ApiKey.AddPartitionsToTxn,
  ApiKey.AddOffsetsToTxn,
  ApiKey.EndTxn,
  ApiKey.DescribeTransactions,
  ApiKey.ListTransactions,
  // WriteTxnMarkers is inter-broker (a transaction coordinator's); TxnOffsetCommit is checked against
  // kafkajs in kafkajs.test.ts; DescribeProducers comes from the Java Admin only.
  ApiKey.WriteTxnMarkers,
  ApiKey.TxnOffsetCommit,
  ApiKey.DescribeProducers,
  // KIP-848: librdkafka 2.15 (@confluentinc/kafka-javascript) sends them; compat/kafka/confluent-javascript.test.ts drives them.
  ApiKey.ConsumerGroupHeartbeat,
  ApiKey.ConsumerGroupDescribe,
  // ACLs: the captures predate them; kafkajs.test.ts checks them against kafkajs, test/integration/kafka/acls.test.ts drives them.
  ApiKey.DescribeAcls,
  ApiKey.CreateAcls,
  ApiKey.DeleteAcls,
  // Newer than the captures: @platformatic/kafka's admin sends DescribeLogDirs v4 (compat/kafka/platformatic.test.ts
  // drives it), the Java Admin DescribeTopicPartitions; cluster-admin.test.ts holds their golden bytes.
  ApiKey.DescribeLogDirs,
  ApiKey.DescribeTopicPartitions,
  // KIP-932: @kafkats/client's ShareConsumer (kafkats-share.json) sends 76, 78 and 79, not ShareGroupDescribe,
  // which compat/kafka/share-groups.test.ts sends; all-versions.test.ts round-trips every version.
  ApiKey.ShareGroupDescribe,
  // The Java Admin's (kafka-share-groups.sh); test/integration/kafka/share-groups.test.ts sends them.
  ApiKey.DescribeShareGroupOffsets,
  ApiKey.AlterShareGroupOffsets,
  ApiKey.DeleteShareGroupOffsets,
  // Inter-broker (a share-partition leader to a share coordinator); all-versions.test.ts round-trips them,
  // test/integration/kafka/share-state-cluster.test.ts drives them between brokers.
  ApiKey.ReadShareGroupState,
  ApiKey.WriteShareGroupState,
  ApiKey.DeleteShareGroupState,
  // SASL: the captures were made on a PLAINTEXT listener; test/integration/kafka/sasl.test.ts drives kafkajs
  // through them. The SCRAM credential APIs come from the Java Admin only (kafka-configs.sh).
  ApiKey.SaslHandshake,
  ApiKey.SaslAuthenticate,
  ApiKey.DescribeUserScramCredentials,
  ApiKey.AlterUserScramCredentials,
  // Client quotas: newer than the captures; client-quotas.test.ts holds @platformatic/kafka's requests and
  // compat/kafka/quotas.test.ts drives its admin.
  ApiKey.DescribeClientQuotas,
  ApiKey.AlterClientQuotas,
  // Newer than the captures; client-metrics-resources.test.ts holds @platformatic/kafka's v0 request and
  // compat/kafka/client-telemetry.test.ts sends it.
  ApiKey.ListConfigResources,
];

test('the fixtures cover every API but the uncaptured ones, and the flexible versions clients use', () => {
  const seen = new Set(FIXTURES.flatMap(([, f]) => f.frames.map((fr) => fr.apiKey)));
  const want = Object.values(ApiKey).filter((k) => !NOT_CAPTURED.includes(k));
  expect([...seen].sort((a, b) => a - b)).toEqual(want.sort((a, b) => a - b));
});
