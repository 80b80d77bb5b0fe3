// A ZooKeeper server's /metrics with the names ZooKeeper's own PrometheusMetricsProvider exports
// (metricsProvider.className=...PrometheusMetricsProvider), so its dashboards and alerts read Skein:
// the mntr gauges under their mntr names without the zk_ prefix, the leader's follower counts, and the
// readlatency / updatelatency / fsynctime summaries. Everything is read from the server at scrape time.
import type { ServerView } from '../zookeeper/four-letter-words.js';
import type { DurationSum } from '../zookeeper/stats.js';
import type { Sample, ScrapedMetric } from './scraped.js';

function gauge(name: string, help: string, value: () => number): ScrapedMetric {
  return { name, help, type: 'gauge', samples: () => [{ value: value() }] };
}

/** Only a leader has these, as in ZooKeeper (the leader's metrics set is registered while it leads). */
function leaderGauge(s: ServerView, name: string, help: string, value: (e: NonNullable<ServerView['ensemble']>) => number): ScrapedMetric {
  return { name, help, type: 'gauge', samples: () => (s.ensemble && s.mode === 'leader' ? [{ value: value(s.ensemble) }] : []) };
}

function summary(name: string, help: string, sum: DurationSum): ScrapedMetric {
  return {
    name,
    help,
    type: 'summary',
    samples: (): Sample[] => [
      { metricName: `${name}_count`, value: sum.count },
      { metricName: `${name}_sum`, value: sum.totalMs },
    ],
  };
}

export function zookeeperMetrics(s: ServerView): ScrapedMetric[] {
  return [
    gauge('znode_count', 'Znodes in the tree.', () => s.tree.nodeCount),
    gauge('watch_count', 'Data and child watches set by clients.', () => s.watches.totalWatches),
    gauge('ephemerals_count', 'Ephemeral znodes.', () => s.tree.ephemeralCount),
    gauge('approximate_data_size', 'Bytes of znode paths and data.', () => s.tree.approximateDataSize),
    gauge('outstanding_requests', 'Requests read and not yet answered.', () => s.outstandingRequests),
    gauge('num_alive_connections', 'Client connections.', () => s.connections.size),
    gauge('global_sessions', 'Sessions the server tracks.', () => s.tracker.size),
    gauge('packets_received', 'Requests received since start.', () => s.stats.received),
    gauge('packets_sent', 'Packets sent since start.', () => s.stats.sent(s.connections)),
    gauge('avg_latency', 'Mean request latency in ms since start.', () => s.stats.avgLatency),
    gauge('min_latency', 'Smallest request latency in ms since start.', () => s.stats.minLatency),
    gauge('max_latency', 'Largest request latency in ms since start.', () => s.stats.maxLatency),
    { name: 'quorum_size', help: 'Voters in the ensemble.', type: 'gauge', samples: () => (s.ensemble ? [{ value: s.ensemble.quorumSize() }] : []) },
    leaderGauge(s, 'learners', 'Followers and observers connected to this leader.', (e) => e.followers()),
    leaderGauge(s, 'synced_followers', 'Voting followers in sync with this leader.', (e) => e.syncedFollowers()),
    leaderGauge(s, 'pending_syncs', 'Followers this leader is syncing.', (e) => e.pendingSyncs()),
    summary('readlatency', 'Read request latency in ms.', s.stats.readLatency),
    summary('updatelatency', 'Write request latency in ms, from arrival to the applied reply.', s.stats.updateLatency),
    summary('fsynctime', 'Time to make a batch of the transaction log durable, in ms.', s.stats.fsyncTime),
  ];
}
