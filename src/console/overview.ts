// The overview page and its live stream: the cluster's brokers and this node's ZooKeeper server with
// their roles, state, uptime and disk use; the totals; and throughput in and out, as rates between two
// samples of this broker's traffic counters, in total for the overview and per topic for the topic list.
import { statfs } from 'node:fs/promises';
import type { KafkaAdmin } from '../kafka/client/admin.js';
import type { BrokerView } from '../metrics/broker-view.js';
import type { ServerView } from '../zookeeper/four-letter-words.js';

export interface NodeParts {
  readonly broker: BrokerView | undefined;
  readonly zookeeper: ServerView | undefined;
  readonly dataDirs: readonly string[];
  /** When this process started serving (ms since the epoch). */
  readonly startedAt: number;
}

async function diskUse(dirs: readonly string[]) {
  return Promise.all(
    [...new Set(dirs)].map(async (dir) => {
      try {
        const s = await statfs(dir);
        return { dir, totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
      } catch {
        return { dir, totalBytes: null, freeBytes: null };
      }
    }),
  );
}

export async function overview(admin: KafkaAdmin, parts: NodeParts) {
  const [cluster, groups, disks] = await Promise.all([admin.metadata(), admin.listGroups(), diskUse(parts.dataDirs)]);
  const partitions = cluster.topics.flatMap((t) => t.partitions);
  const local = parts.broker;
  const zk = parts.zookeeper;
  const uptimeMs = Date.now() - parts.startedAt;
  const logBytes = local ? local.replicas.all().reduce((n, p) => n + p.log.sizeBytes, 0) : null;
  return {
    clusterId: cluster.clusterId,
    controller: cluster.controllerId,
    brokers: cluster.brokers.map((b) => ({
      id: b.nodeId,
      address: `${b.host}:${b.port}`,
      role: b.nodeId === cluster.controllerId ? 'controller' : 'broker',
      // A broker listed by Metadata is registered, so alive; uptime and disk are known for this node's own.
      state: 'alive',
      self: b.nodeId === local?.brokerId,
      uptimeMs: b.nodeId === local?.brokerId ? uptimeMs : null,
      logBytes: b.nodeId === local?.brokerId ? logBytes : null,
    })),
    zookeeper: zk
      ? { mode: zk.mode, serving: zk.serving, serverId: zk.ensemble?.serverId ?? null, clientPort: zk.clientPort, uptimeMs: zk.stats.uptimeMs, quorumLeader: zk.ensemble ? (zk.ensemble.mode() === 'leader' ? zk.ensemble.serverId : null) : 'standalone' }
      : null,
    disks,
    totals: {
      brokers: cluster.brokers.length,
      topics: cluster.topics.length,
      partitions: partitions.length,
      underReplicated: partitions.filter((p) => p.isr.length < p.replicas.length).length,
      offline: partitions.filter((p) => p.leader < 0).length,
      groups: groups.length,
      sessions: zk ? zk.tracker.size : null,
      znodes: zk ? zk.tree.nodeCount : null,
      watches: zk ? zk.watches.summary().watches : null,
    },
  };
}

/** Per second, over the interval between two samples. */
export interface Rates {
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
}

/** Topics a traffic sample lists rates for at most (the whole broker's total counts them all). */
export const RATE_TOPICS_MAX = 2000;

type Counts = Map<string, Rates>;

/**
 * Throughput of this broker, in total and per topic, since the previous call, from its traffic counters.
 * Each stream has its own sampler (the first call of each has no rates yet: null).
 */
export function trafficSampler(broker: BrokerView | undefined): () => { t: number; total: Rates | null; topics: Record<string, Rates> } {
  let previous: { t: number; counts: Counts } | undefined;
  return () => {
    const t = Date.now();
    if (broker === undefined) return { t, total: null, topics: {} };
    const counts: Counts = new Map();
    for (const [topic, c] of broker.traffic.live((name) => broker.topics.get(name) !== undefined)) counts.set(topic, { bytesIn: c.bytesIn, bytesOut: c.bytesOut, messagesIn: c.messagesIn });
    const before = previous;
    previous = { t, counts };
    if (before === undefined) return { t, total: null, topics: {} };
    const seconds = (t - before.t) / 1000;
    const total: Rates = { bytesIn: 0, bytesOut: 0, messagesIn: 0 };
    const topics: Record<string, Rates> = {};
    for (const [topic, now] of counts) {
      const was = before.counts.get(topic) ?? { bytesIn: 0, bytesOut: 0, messagesIn: 0 };
      const r = { bytesIn: (now.bytesIn - was.bytesIn) / seconds, bytesOut: (now.bytesOut - was.bytesOut) / seconds, messagesIn: (now.messagesIn - was.messagesIn) / seconds };
      total.bytesIn += r.bytesIn;
      total.bytesOut += r.bytesOut;
      total.messagesIn += r.messagesIn;
      if (Object.keys(topics).length < RATE_TOPICS_MAX) topics[topic] = r;
    }
    return { t, total, topics };
  };
}
