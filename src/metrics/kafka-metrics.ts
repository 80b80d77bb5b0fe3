// A broker's /metrics, named as Prometheus' JMX exporter names Kafka's MBeans with the rules most Kafka
// deployments use (kafka.server<type=BrokerTopicMetrics, name=MessagesInPerSec, topic=t><>Count becomes
// kafka_server_brokertopicmetrics_messagesin_total{topic="t"}), so dashboards and alerts written for
// Apache Kafka read Skein unchanged. Consumer lag, which Kafka brokers do not export, takes the names of
// kafka_exporter (kafka_consumergroup_lag). Counters come from fields bumped on the request path; every
// gauge is computed here, at scrape time, from state the broker already holds.
import { ApiKey } from '../../protocol/kafka/index.js';
import type { BrokerView } from './broker-view.js';
import type { Partition } from '../kafka/partitions/partition.js';
import type { QuotaSensor } from '../kafka/quotas/quota-manager.js';
import { LATENCY_BUCKETS_MS } from './request-metrics.js';
import { histogramSamples, type Sample, type ScrapedMetric } from './scraped.js';

/** Series a scrape emits per partition or per group offset at most: a scrape stays bounded work whatever the broker holds. */
export const PARTITION_SERIES_MAX = 20_000;

const API_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(ApiKey).map(([name, key]) => [key, name]));

function hostedPartitions(broker: BrokerView): Partition[] {
  const all = broker.replicas.all();
  return all.length > PARTITION_SERIES_MAX ? all.slice(0, PARTITION_SERIES_MAX) : all;
}

function partitionGauge(broker: BrokerView, name: string, help: string, value: (p: Partition) => number): ScrapedMetric {
  return {
    name,
    help,
    type: 'gauge',
    samples: () => hostedPartitions(broker).map((p) => ({ labels: { topic: p.topic, partition: p.index }, value: value(p) })),
  };
}

function isActiveController(broker: BrokerView): boolean {
  return broker.cluster === undefined || broker.cluster.controller.isActive;
}

/** Partitions without a live leader, counted by the active controller only, as Kafka's OfflinePartitionsCount is. */
function offlinePartitions(broker: BrokerView): number {
  if (!isActiveController(broker)) return 0;
  const live = new Set(broker.metadata.liveBrokers().map((b) => b.nodeId));
  let offline = 0;
  for (const topic of broker.topics.list()) {
    for (let i = 0; i < topic.replicas.length; i++) {
      const leader = broker.metadata.partition(topic.name, i)?.leader ?? -1;
      if (!live.has(leader)) offline++;
    }
  }
  return offline;
}

/** Partitions this broker leads whose ISR is smaller than their replica set. */
function underReplicated(broker: BrokerView): number {
  let n = 0;
  for (const p of broker.replicas.all()) if (p.leaderId === broker.brokerId && p.isr.length < p.replicas.length) n++;
  return n;
}

/** Committed offset and lag of every group's partitions this broker hosts (lag against the log end, as kafka_exporter reports it). */
function groupOffsets(broker: BrokerView): { current: Sample[]; lag: Sample[] } {
  const current: Sample[] = [];
  const lag: Sample[] = [];
  for (const group of broker.groups.snapshot()) {
    for (const o of group.offsets) {
      if (current.length >= PARTITION_SERIES_MAX) return { current, lag };
      const labels = { consumergroup: group.groupId, topic: o.topic, partition: o.partition };
      current.push({ labels, value: o.offset });
      const log = broker.replicas.partition(o.topic, o.partition)?.log;
      if (log) lag.push({ labels, value: Math.max(0, log.logEndOffset - o.offset) });
    }
  }
  return { current, lag };
}

/** Kafka's quota metric groups (kafka.server:type=Produce|Fetch|Request|ConnectionQuota|ControllerMutation,user=..,client-id=..). */
const QUOTA_TYPE = { produce: 'Produce', fetch: 'Fetch', request: 'Request', connection: 'ConnectionQuota', mutation: 'ControllerMutation' } as const;

/**
 * Per quota entity: the throttle time handed out and the responses throttled (counters, summed where
 * Kafka reports an average, so a rate() of them is the average), and the rate now measured.
 */
function quotaMetrics(broker: BrokerView): ScrapedMetric[] {
  const per = (value: (s: QuotaSensor, now: number) => number) => (): Sample[] => {
    const now = Date.now();
    return [...broker.quotaManager.all()].map((s) => ({ labels: { quota: QUOTA_TYPE[s.kind], user: s.user, client_id: s.clientId }, value: value(s, now) }));
  };
  return [
    { name: 'kafka_server_quota_throttle_time_ms_total', help: 'Throttle time given to clients for exceeding a quota, per quota entity (Kafka\'s throttle-time).', type: 'counter', samples: per((s) => s.throttleTimeMsTotal) },
    { name: 'kafka_server_quota_throttled_total', help: 'Responses throttled, or connections refused, for exceeding a quota, per quota entity.', type: 'counter', samples: per((s) => s.throttledResponses) },
    { name: 'kafka_server_quota_rate', help: 'The rate a quota is measured on (bytes/s, percent of a thread, connections/s, partition mutations/s), per quota entity (Kafka\'s byte-rate, request-time, mutation-rate).', type: 'gauge', samples: per((s, now) => s.rate.rate(now)) },
  ];
}

export function kafkaMetrics(broker: BrokerView): ScrapedMetric[] {
  const { traffic, requests } = broker;
  const perTopic = (name: string, help: string, field: 'messagesIn' | 'bytesIn' | 'bytesOut' | 'failedProduce'): ScrapedMetric => ({
    name,
    help,
    type: 'counter',
    samples: () => [...traffic.live((t) => broker.topics.get(t) !== undefined)].map(([topic, c]) => ({ labels: { topic }, value: c[field] })),
  });
  let lastGroups: { current: Sample[]; lag: Sample[] } | undefined;
  return [
    perTopic('kafka_server_brokertopicmetrics_messagesin_total', 'Records appended by producers, per topic (MessagesInPerSec).', 'messagesIn'),
    perTopic('kafka_server_brokertopicmetrics_bytesin_total', 'Record batch bytes appended by producers, per topic (BytesInPerSec).', 'bytesIn'),
    perTopic('kafka_server_brokertopicmetrics_bytesout_total', 'Record bytes sent to consumers, per topic (BytesOutPerSec).', 'bytesOut'),
    perTopic('kafka_server_brokertopicmetrics_failedproducerequests_total', 'Produce partition requests refused, per topic.', 'failedProduce'),
    {
      name: 'kafka_network_requestmetrics_requests_total',
      help: 'Requests answered, per API (RequestsPerSec).',
      type: 'counter',
      samples: () => {
        const out: Sample[] = [];
        for (const [key, request] of API_NAMES) if (requests.requests[key]! > 0) out.push({ labels: { request }, value: requests.requests[key]! });
        return out;
      },
    },
    {
      name: 'kafka_network_requestmetrics_totaltimems',
      help: 'Time from reading a request to its response being ready, in milliseconds, per API (TotalTimeMs).',
      type: 'histogram',
      samples: () => {
        const out: Sample[] = [];
        const width = LATENCY_BUCKETS_MS.length + 1;
        for (const [key, request] of API_NAMES) {
          if (requests.requests[key]! === 0) continue;
          out.push(...histogramSamples('kafka_network_requestmetrics_totaltimems', LATENCY_BUCKETS_MS, requests.totalTimeMsBuckets, key * width, requests.totalTimeMsSum[key]!, { request }));
        }
        return out;
      },
    },
    ...quotaMetrics(broker),
    { name: 'kafka_server_replicamanager_partitioncount', help: 'Partitions hosted by this broker.', type: 'gauge', samples: () => [{ value: broker.replicas.all().length }] },
    {
      name: 'kafka_server_replicamanager_leadercount',
      help: 'Partitions this broker leads.',
      type: 'gauge',
      samples: () => [{ value: broker.replicas.all().filter((p) => p.leaderId === broker.brokerId).length }],
    },
    { name: 'kafka_server_replicamanager_underreplicatedpartitions', help: 'Partitions led here whose ISR is smaller than their replicas.', type: 'gauge', samples: () => [{ value: underReplicated(broker) }] },
    { name: 'kafka_server_replicamanager_isrshrinks_total', help: 'ISR shrinks made by this broker as leader.', type: 'counter', samples: () => [{ value: broker.replication.isrShrinks }] },
    { name: 'kafka_server_replicamanager_isrexpands_total', help: 'ISR expansions made by this broker as leader.', type: 'counter', samples: () => [{ value: broker.replication.isrExpands }] },
    { name: 'kafka_controller_kafkacontroller_activecontrollercount', help: '1 on the active controller, else 0.', type: 'gauge', samples: () => [{ value: isActiveController(broker) ? 1 : 0 }] },
    { name: 'kafka_controller_kafkacontroller_offlinepartitionscount', help: 'Partitions without a live leader (active controller only).', type: 'gauge', samples: () => [{ value: offlinePartitions(broker) }] },
    partitionGauge(broker, 'kafka_log_log_size', 'Bytes of a partition log on disk.', (p) => p.log.sizeBytes),
    partitionGauge(broker, 'kafka_log_log_logendoffset', 'Offset the next record of a partition gets.', (p) => p.log.logEndOffset),
    partitionGauge(broker, 'kafka_log_log_logstartoffset', 'First offset a partition still holds.', (p) => p.log.logStartOffset),
    partitionGauge(broker, 'kafka_log_log_numlogsegments', 'Segments of a partition log.', (p) => p.log.segmentCount),
    {
      name: 'kafka_consumergroup_current_offset',
      help: 'Committed offset of a group on a partition hosted here (kafka_exporter name).',
      type: 'gauge',
      samples: () => (lastGroups = groupOffsets(broker)).current,
    },
    {
      name: 'kafka_consumergroup_lag',
      help: 'Log end offset minus committed offset of a group on a partition hosted here (kafka_exporter name).',
      type: 'gauge',
      // Read in the same scrape as kafka_consumergroup_current_offset (registered just before), so both come from one snapshot.
      samples: () => (lastGroups ?? groupOffsets(broker)).lag,
    },
  ];
}
