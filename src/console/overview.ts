// The overview page and its live stream: the cluster's brokers and this node's ZooKeeper server with
// their roles, state, uptime and disk use; the totals; and throughput in and out, as rates between two
// samples of this broker's traffic counters (the stream's sampler is the only caller, so "previous" is one).
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

/** Throughput of this broker since the previous call, from its traffic counters. */
export function throughputSampler(broker: BrokerView | undefined): () => { t: number; bytesIn: number | null; bytesOut: number | null; messagesIn: number | null } {
  let previous: { t: number; bytesIn: number; bytesOut: number; messagesIn: number } | undefined;
  return () => {
    const now = { t: Date.now(), bytesIn: 0, bytesOut: 0, messagesIn: 0 };
    if (broker === undefined) return { t: now.t, bytesIn: null, bytesOut: null, messagesIn: null };
    for (const [, c] of broker.traffic.live((t) => broker.topics.get(t) !== undefined)) {
      now.bytesIn += c.bytesIn;
      now.bytesOut += c.bytesOut;
      now.messagesIn += c.messagesIn;
    }
    const before = previous;
    previous = now;
    if (before === undefined) return { t: now.t, bytesIn: null, bytesOut: null, messagesIn: null };
    const s = (now.t - before.t) / 1000;
    return { t: now.t, bytesIn: (now.bytesIn - before.bytesIn) / s, bytesOut: (now.bytesOut - before.bytesOut) / s, messagesIn: (now.messagesIn - before.messagesIn) / s };
  };
}
