// Four-letter-word answers, in the text layout ZooKeeper's command classes print, so that tools
// parsing them (zkServer.sh status, kazoo's server_version, monitoring scripts) keep working.
import { readdirSync, statSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import type { FourLetterWord } from '../../protocol/zookeeper/four-letter.js';
import type { DataTree } from '../znode/data-tree.js';
import type { ZooKeeperConfig } from './config.js';
import type { ClientConnection } from './connection.js';
import type { SessionTracker } from './session-tracker.js';
import type { DurationSum, ServerStats } from './stats.js';
import type { WatchManager } from './watch-manager.js';

/** The protocol version Skein speaks; tools read the leading digits of zookeeper.version. */
export const ZOOKEEPER_VERSION = '3.8.0-skein';
const BUILT_ON = 'built on Skein';
/** ZooKeeper's answer to srvr, stat and mntr while the server does not serve. */
export const NOT_SERVING = 'This ZooKeeper instance is not currently serving requests\n';

/** What only an ensemble member has: its role and its view of the others. */
export interface EnsembleRole {
  /**
   * srvr's Mode: leader, follower or observer (read-only without a quorum, when allowed); null while
   * the member is not in sync with a leader (looking for one, or syncing with it): ZooKeeper's srvr,
   * stat and mntr say it is not serving then, and tools wait for the role to mean the member is synced.
   */
  mode(): 'leader' | 'follower' | 'observer' | 'read-only' | null;
  /** A non-voting member (peerType=observer). */
  observer(): boolean;
  /** False while the server has been without a leader too long to serve (and may not serve read-only). */
  serving(): boolean;
  /** Cut off from the quorum, serving reads only (readonlymode.enabled). */
  readOnly(): boolean;
  readonly serverId: number;
  /** conf's view of the ensemble: server.N lines as zoo.cfg gives them, and the configuration version. */
  readonly serverLines: readonly string[];
  readonly configVersion: bigint;
  readonly initLimit: number;
  readonly syncLimit: number;
  /** Leader only: followers and observers it has a connection to, voters among them in sync. */
  followers(): number;
  syncedFollowers(): number;
  pendingSyncs(): number;
  /** Voters in the ensemble. */
  quorumSize(): number;
  /** The leader this server follows or is, by id, and the host of its quorum address; -1 and "" while none is known (as ZooKeeper's admin `leader`). */
  leader(): { id: number; host: string };
}

/** What the words report on. */
export interface ServerView {
  readonly config: ZooKeeperConfig;
  readonly tree: DataTree;
  readonly watches: WatchManager;
  readonly tracker: SessionTracker;
  readonly stats: ServerStats;
  readonly connections: ReadonlySet<ClientConnection>;
  readonly outstandingRequests: number;
  readonly clientPort: number;
  readonly secureClientPort: number;
  /** False once storage failed and the server stopped serving. */
  readonly serving: boolean;
  /** srvr's and mntr's state: standalone, or the ensemble member's role (null: not in sync, see EnsembleRole). */
  readonly mode: string | null;
  readonly ensemble: EnsembleRole | undefined;
}

/** As Java's Long.toHexString: 64-bit values (session ids may have the top bit set) print unsigned. */
const hex = (n: number | bigint) => `0x${(typeof n === 'bigint' ? BigInt.asUintN(64, n) : n).toString(16)}`;

export function dirSize(dir: string): number {
  let total = 0;
  try {
    for (const name of readdirSync(dir)) {
      const st = statSync(join(dir, name));
      if (st.isFile()) total += st.size;
    }
  } catch {
    return 0;
  }
  return total;
}

function latency(stats: ServerStats): string {
  return `${Math.round(stats.minLatency)}/${stats.avgLatency.toFixed(4)}/${Math.round(stats.maxLatency)}`;
}

function serverSummary(s: ServerView): string {
  return (
    `Latency min/avg/max: ${latency(s.stats)}\n` +
    `Received: ${s.stats.received}\n` +
    `Sent: ${s.stats.sent(s.connections)}\n` +
    `Connections: ${s.connections.size}\n` +
    `Outstanding: ${s.outstandingRequests}\n` +
    `Zxid: ${hex(s.tree.lastProcessedZxid)}\n` +
    `Mode: ${s.mode}\n` +
    `Node count: ${s.tree.nodeCount}\n`
  );
}

function connectionLine(c: ClientConnection, brief: boolean): string {
  let line = ` /${c.remote}[1](queued=${c.outstanding},recved=${c.packetsReceived},sent=${c.packetsSent}`;
  if (!brief && c.sessionId !== 0n) {
    line +=
      `,sid=${hex(c.sessionId)},lop=${c.lastOp},est=${c.established},to=${c.sessionTimeout}` +
      (c.lastCxid >= 0 ? `,lcxid=${hex(c.lastCxid)}` : '') +
      `,lzxid=${hex(c.lastZxid)}`;
  }
  return `${line})\n`;
}

/** conf's ensemble part, as ZooKeeper's QuorumPeerConfig prints it. */
function ensembleConf(e: EnsembleRole): string {
  return (
    `serverId=${e.serverId}\n` +
    `initLimit=${e.initLimit}\n` +
    `syncLimit=${e.syncLimit}\n` +
    `electionAlg=3\n` +
    `electionPort=-1\n` +
    `quorumPort=-1\n` +
    `peerType=${e.observer() ? 1 : 0}\n` +
    `membership: \n` +
    e.serverLines.map((l) => `${l}\n`).join('') +
    `version=${e.configVersion.toString(16)}\n`
  );
}

/** The open file descriptors of this process, 0 where /proc is absent. */
function openFileDescriptors(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}

/** A duration's avg_/min_/max_/cnt_/sum_ entries, as ZooKeeper's summaries appear in mntr. */
function durationValues(name: string, d: DurationSum): [string, number][] {
  return [
    [`avg_${name}`, d.count === 0 ? 0 : d.totalMs / d.count],
    [`min_${name}`, Math.round(d.minMs)],
    [`max_${name}`, Math.round(d.maxMs)],
    [`cnt_${name}`, d.count],
    [`sum_${name}`, Math.round(d.totalMs)],
  ];
}

/** mntr's entries (without the zk_ prefix), shared by the four-letter word and the AdminServer's monitor. */
export function monitorValues(s: ServerView): [string, string | number][] {
  const values: [string, string | number][] = [
    ['version', `${ZOOKEEPER_VERSION}, ${BUILT_ON}`],
    // Null only reaches here through the AdminServer's monitor: mntr itself says not serving then.
    ['server_state', s.mode ?? 'not serving'],
    ['avg_latency', s.stats.avgLatency],
    ['max_latency', Math.round(s.stats.maxLatency)],
    ['min_latency', Math.round(s.stats.minLatency)],
    ['packets_received', s.stats.received],
    ['packets_sent', s.stats.sent(s.connections)],
    ['num_alive_connections', s.connections.size],
    ['outstanding_requests', s.outstandingRequests],
    ['znode_count', s.tree.nodeCount],
    // Data and child watches, as ZooKeeper's DataTree counts them (wchs counts data watches only).
    ['watch_count', s.watches.totalWatches],
    ['ephemerals_count', s.tree.ephemeralCount],
    ['approximate_data_size', s.tree.approximateDataSize],
    ['open_file_descriptor_count', openFileDescriptors()],
    ['global_sessions', s.tracker.size],
    ['uptime', Math.round(s.stats.uptimeMs)],
    ...durationValues('fsynctime', s.stats.fsyncTime),
    ...durationValues('readlatency', s.stats.readLatency),
    ...durationValues('updatelatency', s.stats.updateLatency),
  ];
  const e = s.ensemble;
  if (e) {
    values.push(['quorum_size', e.quorumSize()]);
    if (s.mode === 'leader') {
      values.push(['followers', e.followers()], ['synced_followers', e.syncedFollowers()], ['pending_syncs', e.pendingSyncs()]);
    }
  }
  return values;
}

function monitor(s: ServerView): string {
  const values = monitorValues(s);
  values.push(['last_zxid', hex(s.tree.lastProcessedZxid)]);
  return values.map(([k, v]) => `zk_${k}\t${v}\n`).join('');
}

/** envi's entries, shared by the four-letter word and the AdminServer's environment. */
export function environmentEntries(): [string, string][] {
  let user = '<NA>';
  let home = '<NA>';
  try {
    ({ username: user, homedir: home } = userInfo());
  } catch {
    // No passwd entry for the uid (containers): keep <NA> as ZooKeeper prints for missing values.
  }
  return [
    ['zookeeper.version', `${ZOOKEEPER_VERSION}, ${BUILT_ON}`],
    ['host.name', hostname()],
    ['node.version', process.version],
    ['os.name', process.platform],
    ['os.arch', process.arch],
    ['os.version', process.release.name],
    ['user.name', user],
    ['user.home', home],
    ['user.dir', process.cwd()],
    ['process.memory.rss', `${Math.round(process.memoryUsage().rss / 1048576)}MB`],
  ];
}

function environment(): string {
  return `Environment:\n${environmentEntries().map(([k, v]) => `${k}=${v}\n`).join('')}`;
}

function dump(s: ServerView): string {
  const buckets = s.tracker.buckets();
  let out = `SessionTracker dump:\nSession Sets (${buckets.length})/(${s.tracker.size}):\n`;
  // Deadlines are monotonic times; shown as the wall-clock time they fall at.
  const toWall = Date.now() - performance.now();
  for (const [at, ids] of buckets) {
    out += `${ids.length} expire at ${new Date(toWall + at).toUTCString()}:\n${ids.map((id) => `\t${hex(id)}\n`).join('')}`;
  }
  const sessions = [...s.tree.ephemeralSessions()];
  out += `ephemeral nodes dump:\nSessions with Ephemerals (${sessions.length}):\n`;
  for (const [id, paths] of sessions) out += `${hex(id)}:\n${[...paths].map((p) => `\t${p}\n`).join('')}`;
  out += `Connections dump:\nConnections (${s.connections.size}):\n`;
  for (const c of s.connections) out += `\t${c.remote} session ${hex(c.sessionId)}\n`;
  return out;
}

export function fourLetterWordText(word: FourLetterWord, s: ServerView): string {
  const c = s.config;
  switch (word) {
    case 'ruok':
      // ZooKeeper's documented contract: imok if running in a non-error state, else no answer at all.
      return s.serving ? 'imok' : '';
    case 'isro':
      return s.mode === 'read-only' ? 'ro' : 'rw';
    case 'srvr':
      if (!s.serving || s.mode === null) return NOT_SERVING;
      return `Zookeeper version: ${ZOOKEEPER_VERSION}, ${BUILT_ON}\n${serverSummary(s)}`;
    case 'stat': {
      if (!s.serving || s.mode === null) return NOT_SERVING;
      const clients = [...s.connections].map((conn) => `${connectionLine(conn, true)}\n`).join('');
      return `Zookeeper version: ${ZOOKEEPER_VERSION}, ${BUILT_ON}\nClients:\n${clients}\n${serverSummary(s)}`;
    }
    case 'cons':
      return `${[...s.connections].map((conn) => `${connectionLine(conn, false)}\n`).join('')}\n`;
    case 'conf':
      return (
        `clientPort=${s.clientPort}\n` +
        `secureClientPort=${s.secureClientPort}\n` +
        `dataDir=${c.dataDir}\n` +
        `dataDirSize=${dirSize(c.dataDir)}\n` +
        `dataLogDir=${c.dataLogDir}\n` +
        `dataLogSize=${dirSize(c.dataLogDir)}\n` +
        `tickTime=${c.tickTime}\n` +
        `maxClientCnxns=${c.maxClientCnxns}\n` +
        `minSessionTimeout=${c.minSessionTimeout}\n` +
        `maxSessionTimeout=${c.maxSessionTimeout}\n` +
        `clientPortListenBacklog=-1\n` +
        (s.ensemble ? ensembleConf(s.ensemble) : `serverId=0\n`)
      );
    case 'envi':
      return environment();
    case 'mntr':
      return s.serving && s.mode !== null ? monitor(s) : NOT_SERVING;
    case 'dirs':
      return `datadir_size: ${dirSize(c.dataDir)}\nlogdir_size: ${dirSize(c.dataLogDir)}\n`;
    case 'wchs': {
      const w = s.watches.summary();
      return `${w.connections} connections watching ${w.paths} paths\nTotal watches:${w.watches}\n`;
    }
    case 'wchc': {
      let out = '';
      for (const [id, paths] of s.watches.bySession()) out += `${hex(id)}\n${paths.map((p) => `\t${p}\n`).join('')}`;
      return `${out}\n`;
    }
    case 'wchp': {
      let out = '';
      for (const [path, ids] of s.watches.byPath()) out += `${path}\n${ids.map((id) => `\t${hex(id)}\n`).join('')}`;
      return `${out}\n`;
    }
    case 'dump':
      return dump(s);
  }
}
