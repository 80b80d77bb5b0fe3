// The overview page and its live stream: every broker of the cluster (registered ones from Metadata,
// with uptime from their ZooKeeper registration and disk use from DescribeLogDirs; a broker that hosts
// replicas but is not registered is down) and every ZooKeeper server of the ensemble (zookeeper-servers.ts),
// the controller and the quorum leader, and the totals (the throughput beside it: cluster-traffic.ts).
import { statfs } from 'node:fs/promises';
import { ApiKey, ErrorCode } from '../../protocol/kafka/index.js';
import { BROKER_IDS_PATH, brokerIdPath, decodeBrokerRegistration } from '../../protocol/kafka/zk/znodes.js';
import type { KafkaAdmin } from '../kafka/client/admin.js';
import type { BrokerView } from '../metrics/broker-view.js';
import type { ZooKeeperClient } from '../zookeeper/client/client.js';
import type { ServerView } from '../zookeeper/four-letter-words.js';
import { probeZooKeeperServers, PROBE_TIMEOUT_MS, zooKeeperTargets } from './zookeeper-servers.js';

export interface NodeParts {
  readonly broker: BrokerView | undefined;
  readonly zookeeper: ServerView | undefined;
  readonly dataDirs: readonly string[];
  /** When this process started serving (ms since the epoch). */
  readonly startedAt: number;
}

/** Runs a call with one of the console's clients (errors as the API answers them). */
export type With<C> = <T>(call: (client: C) => Promise<T>) => Promise<T>;

export interface OverviewSources extends NodeParts {
  /** The cluster through the console's admin client; undefined on a node without a broker. */
  readonly kafka: With<KafkaAdmin> | undefined;
  /** The ZooKeeper the console browses; undefined when it has none. */
  readonly zk: With<ZooKeeperClient> | undefined;
  /** The connect string the console's ZooKeeper client uses (its servers are probed when this node is no ensemble member). */
  readonly zookeeperConnect: string | undefined;
  /** Brokers this console has seen registered (id → address): one that is no longer registered is shown down. */
  readonly seenBrokers: Map<number, string>;
}

/** Brokers remembered as seen at most (a cluster has far fewer; ids beyond are not remembered). */
export const SEEN_BROKERS_MAX = 1000;

/** Brokers whose log directories are described at most (one DescribeLogDirs each per sample). */
export const DESCRIBED_BROKERS_MAX = 50;

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

/** `promise`, or `fallback` when it fails or has not settled within the probe timeout (a broker that just died). */
function orElse<T>(promise: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), PROBE_TIMEOUT_MS)));
  return Promise.race([promise.catch(() => fallback), late]).finally(() => clearTimeout(timer));
}

interface LogDirs {
  logBytes: number;
  totalBytes: number | null;
  usableBytes: number | null;
}

/** A broker's log size (its partitions summed) and its volumes' size and free space (DescribeLogDirs v4, KIP-827). */
async function logDirs(admin: KafkaAdmin, brokerId: number): Promise<LogDirs> {
  const r = await admin.send(await admin.broker(brokerId), ApiKey.DescribeLogDirs, { topics: null });
  const dirs = r.results.filter((d) => d.errorCode === ErrorCode.NONE);
  const known = dirs.filter((d) => d.totalBytes >= 0);
  return {
    logBytes: dirs.reduce((n, d) => n + d.topics.reduce((m, t) => m + t.partitions.reduce((k, p) => k + Number(p.partitionSize), 0), 0), 0),
    totalBytes: known.length === 0 ? null : known.reduce((n, d) => n + Number(d.totalBytes), 0),
    usableBytes: known.length === 0 ? null : known.reduce((n, d) => n + Number(d.usableBytes), 0),
  };
}

/** When each registered broker registered (its /brokers/ids/N znode's timestamp): broker id → ms since the epoch. */
async function registrations(client: ZooKeeperClient): Promise<Map<number, number>> {
  const ids = (await client.getChildren(BROKER_IDS_PATH)).map(Number).filter(Number.isInteger);
  const out = new Map<number, number>();
  await Promise.all(
    ids.map(async (id) => {
      const { data } = await client.getData(brokerIdPath(id));
      if (data !== null) out.set(id, decodeBrokerRegistration(id, data).timestamp);
    }),
  );
  return out;
}

async function kafkaView(admin: KafkaAdmin, parts: OverviewSources) {
  // ListGroups asks every broker: one that went away leaves the count unknown, not the page empty.
  const [cluster, groups] = await Promise.all([admin.metadata(), admin.listGroups().catch(() => null)]);
  const now = Date.now();
  const registered = new Set(cluster.brokers.map((b) => b.nodeId));
  for (const b of cluster.brokers) if (parts.seenBrokers.size < SEEN_BROKERS_MAX || parts.seenBrokers.has(b.nodeId)) parts.seenBrokers.set(b.nodeId, `${b.host}:${b.port}`);
  const [registeredAt, dirs] = await Promise.all([
    parts.zk ? orElse(parts.zk(registrations), new Map<number, number>()) : new Map<number, number>(),
    Promise.all(cluster.brokers.slice(0, DESCRIBED_BROKERS_MAX).map((b) => orElse<LogDirs | null>(logDirs(admin, b.nodeId), null))),
  ]);
  const partitions = cluster.topics.flatMap((t) => t.partitions);
  const self = parts.broker?.brokerId;
  const alive = cluster.brokers.map((b, i) => {
    const since = registeredAt.get(b.nodeId) ?? (b.nodeId === self ? parts.startedAt : undefined);
    const d = dirs[i] ?? null;
    return {
      id: b.nodeId,
      address: `${b.host}:${b.port}`,
      role: b.nodeId === cluster.controllerId ? 'controller' : 'broker',
      state: d === null && i < DESCRIBED_BROKERS_MAX ? 'registered, not answering' : 'alive',
      self: b.nodeId === self,
      uptimeMs: since === undefined ? null : now - since,
      logBytes: d?.logBytes ?? null,
      diskTotalBytes: d?.totalBytes ?? null,
      diskFreeBytes: d?.usableBytes ?? null,
    };
  });
  // A broker seen before, or holding replicas, that is not registered has gone away: the cluster still counts on it.
  const missing = [...new Set([...parts.seenBrokers.keys(), ...partitions.flatMap((p) => p.replicas)])].filter((id) => !registered.has(id)).sort((a, b) => a - b);
  const down = missing.map((id) => ({ id, address: parts.seenBrokers.get(id) ?? null, role: 'broker', state: 'down', self: false, uptimeMs: null, logBytes: null, diskTotalBytes: null, diskFreeBytes: null }));
  return {
    clusterId: cluster.clusterId,
    controller: cluster.controllerId,
    brokers: [...alive, ...down],
    totals: {
      brokers: cluster.brokers.length,
      topics: cluster.topics.length,
      partitions: partitions.length,
      underReplicated: partitions.filter((p) => p.isr.length < p.replicas.length).length,
      offline: partitions.filter((p) => p.leader < 0).length,
      groups: groups === null ? null : groups.length,
    },
  };
}

export async function overview(parts: OverviewSources) {
  const zk = parts.zookeeper;
  const [kafka, servers, disks] = await Promise.all([
    parts.kafka?.((a) => kafkaView(a, parts)),
    probeZooKeeperServers(zooKeeperTargets(zk, parts.zookeeperConnect)),
    diskUse(parts.dataDirs),
  ]);
  const leader = servers.find((s) => s.mode === 'leader' || s.mode === 'standalone');
  const told = leader ?? servers.find((s) => s.state === 'serving');
  const ownPort = zk?.clientPort;
  return {
    clusterId: kafka?.clusterId ?? null,
    controller: kafka?.controller ?? null,
    brokers: kafka?.brokers ?? [],
    zookeeper: servers.map((s) => ({ ...s, self: ownPort !== undefined && s.address.endsWith(`:${ownPort}`) && (zk?.ensemble === undefined || s.id === zk.ensemble.serverId) })),
    quorumLeader: leader ? { id: leader.id, address: leader.address, mode: leader.mode } : null,
    disks,
    totals: {
      brokers: kafka?.totals.brokers ?? null,
      topics: kafka?.totals.topics ?? null,
      partitions: kafka?.totals.partitions ?? null,
      underReplicated: kafka?.totals.underReplicated ?? null,
      offline: kafka?.totals.offline ?? null,
      groups: kafka?.totals.groups ?? null,
      // This node's server when it runs one; else what the ensemble's leader (or any serving server) says.
      sessions: zk ? zk.tracker.size : (told?.sessions ?? null),
      znodes: zk ? zk.tree.nodeCount : (told?.znodes ?? null),
      watches: zk ? zk.watches.summary().watches : (told?.watches ?? null),
    },
  };
}
