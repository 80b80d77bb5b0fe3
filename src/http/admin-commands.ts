// ZooKeeper's AdminServer commands (/commands/<name>), answered with the JSON fields ZooKeeper 3.8's
// command classes put in their responses, under the same names and aliases, so tools polling a ZooKeeper
// AdminServer (monitoring agents, operators' curl) read Skein the same way. Fields for machinery Skein
// does not have (Java system properties, Netty buffers, per-connection latency) are left out rather than
// invented; test/integration/admin-server-compat names each one.
import { dirSize, environmentEntries, monitorValues, ZOOKEEPER_VERSION, type ServerView } from '../zookeeper/four-letter-words.js';
import type { ClientConnection } from '../zookeeper/connection.js';

type Json = null | boolean | number | bigint | string | Json[] | { [key: string]: Json };

/** What a command answers: its fields, then `command` (its primary name) and `error`, as ZooKeeper appends them. */
type CommandBody = Record<string, Json>;

/** As Java prints a long: session ids with the top bit set are negative there. */
const javaLong = (n: bigint): string => BigInt.asIntN(64, n).toString();

function connectionInfo(c: ClientConnection, full: boolean): Record<string, Json> {
  const info: Record<string, Json> = {
    remote_socket_address: c.remote,
    outstanding_requests: c.outstanding,
    packets_received: c.packetsReceived,
    packets_sent: c.packetsSent,
  };
  if (full && c.sessionId !== 0n) {
    Object.assign(info, {
      session_id: c.sessionId,
      last_operation: c.lastOp,
      established: c.established,
      session_timeout: c.sessionTimeout,
      last_cxid: c.lastCxid,
      last_zxid: c.lastZxid,
    });
  }
  return info;
}

function serverStats(s: ServerView, withConnections: boolean): CommandBody {
  const c = s.config;
  const body: CommandBody = {
    version: `${ZOOKEEPER_VERSION}, built on Skein`,
    read_only: s.mode === 'read-only',
    server_stats: {
      packets_sent: s.stats.sent(s.connections),
      packets_received: s.stats.received,
      data_dir_size: dirSize(c.dataDir),
      log_dir_size: dirSize(c.dataLogDir),
      server_state: s.mode,
      last_processed_zxid: s.tree.lastProcessedZxid,
      outstanding_requests: s.outstandingRequests,
      avg_latency: s.stats.avgLatency,
      max_latency: Math.round(s.stats.maxLatency),
      min_latency: Math.round(s.stats.minLatency),
      num_alive_client_connections: s.connections.size,
      uptime: Math.round(s.stats.uptimeMs),
    },
    node_count: s.tree.nodeCount,
  };
  if (withConnections) {
    body.connections = [...s.connections].map((conn) => connectionInfo(conn, false));
    body.secure_connections = [];
  }
  return body;
}

/** A command: its names (the first is the one responses carry, the others ZooKeeper's aliases) and its body. */
interface AdminCommand {
  readonly names: readonly string[];
  run(s: ServerView): CommandBody | { error: string };
}

const COMMANDS: readonly AdminCommand[] = [
  { names: ['ruok'], run: () => ({}) },
  { names: ['is_read_only', 'isro'], run: (s) => ({ read_only: s.mode === 'read-only' }) },
  { names: ['monitor', 'mntr'], run: (s) => Object.fromEntries(monitorValues(s)) },
  { names: ['stats', 'stat'], run: (s) => serverStats(s, true) },
  { names: ['server_stats', 'srvr'], run: (s) => serverStats(s, false) },
  {
    names: ['configuration', 'conf', 'config'],
    run: (s) => ({
      client_port: s.clientPort,
      data_dir: s.config.dataDir,
      data_log_dir: s.config.dataLogDir,
      tick_time: s.config.tickTime,
      max_client_cnxns: s.config.maxClientCnxns,
      min_session_timeout: s.config.minSessionTimeout,
      max_session_timeout: s.config.maxSessionTimeout,
      server_id: s.ensemble?.serverId ?? 0,
      client_port_listen_backlog: -1,
    }),
  },
  {
    names: ['connections', 'cons'],
    run: (s) => ({ connections: [...s.connections].map((conn) => connectionInfo(conn, true)), secure_connections: [] }),
  },
  {
    names: ['leader', 'lead'],
    // ZooKeeper answers a standalone server so: only a quorum member has a leader.
    run(s): CommandBody | { error: string } {
      if (!s.ensemble) return { error: 'server is not initialized' };
      const leader = s.ensemble.leader();
      return { is_leader: s.mode === 'leader', leader_id: leader.id, leader_ip: leader.host };
    },
  },
  { names: ['environment', 'env', 'envi'], run: () => Object.fromEntries(environmentEntries()) },
  {
    names: ['dump'],
    run: (s) => {
      const expiry: Record<string, Json> = {};
      for (const [at, ids] of s.tracker.buckets()) expiry[String(Math.round(at))] = ids;
      const ephemerals: Record<string, Json> = {};
      for (const [id, paths] of s.tree.ephemeralSessions()) ephemerals[javaLong(id)] = [...paths];
      return { expiry_time_to_session_ids: expiry, session_id_to_ephemeral_paths: ephemerals };
    },
  },
  {
    names: ['watch_summary', 'wchs'],
    run: (s) => {
      const w = s.watches.summary();
      return { num_connections: w.connections, num_paths: w.paths, num_total_watches: w.watches };
    },
  },
  {
    names: ['watches', 'wchc'],
    run: (s) => {
      const bySession: Record<string, Json> = {};
      for (const [id, paths] of s.watches.bySession()) bySession[javaLong(id)] = paths;
      return { session_id_to_watched_paths: bySession };
    },
  },
  {
    names: ['watches_by_path', 'wchp'],
    run: (s) => {
      const byPath: Record<string, Json> = {};
      for (const [path, ids] of s.watches.byPath()) byPath[path] = ids;
      return { path_to_session_ids: byPath };
    },
  },
  { names: ['dirs'], run: (s) => ({ datadir_size: dirSize(s.config.dataDir), logdir_size: dirSize(s.config.dataLogDir) }) },
];

const BY_NAME: ReadonlyMap<string, AdminCommand> = new Map(COMMANDS.flatMap((c) => c.names.map((n) => [n, c] as const)));

/** The primary names, for the /commands index. */
export const ADMIN_COMMAND_NAMES: readonly string[] = COMMANDS.map((c) => c.names[0]!).sort();

/**
 * JSON with 64-bit integers (session ids, zxids) written as exact numbers, as Jackson writes Java longs:
 * JSON.stringify cannot, and a double would round them.
 */
export function toJson(value: Json): string {
  const marker = '\u0000bigint:';
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${marker}${javaLong(v)}` : v), 2);
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

/**
 * The JSON answer to /commands/<name>. An unknown name gets ZooKeeper 3.8's answer: status 200 and an
 * "Unknown command" error in the body.
 */
export function runAdminCommand(name: string, s: ServerView): string {
  const command = BY_NAME.get(name);
  if (!command) return toJson({ command: name, error: `Unknown command: ${name}` });
  const out = command.run(s);
  const primary = command.names[0]!;
  if ('error' in out && typeof out.error === 'string') return toJson({ error: out.error, command: primary });
  return toJson({ ...out, command: primary, error: null });
}
