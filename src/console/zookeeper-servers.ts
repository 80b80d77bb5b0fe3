// The ZooKeeper servers on the overview: every server of the ensemble this node knows of (a member's
// own server lines, else the servers of the connect string the console uses), each asked `mntr` and
// `dirs` (four-letter words ZooKeeper answers by default) for its role, state, uptime, znodes and disk
// use, as an operator would. A member that does not answer is shown down with the reason.
import { createConnection } from 'node:net';
import { parseConnectString, type ServerAddress } from '../zookeeper/client/connect-string.js';
import { fourLetterWord } from '../zookeeper/client/four-letter-word.js';
import { parseServerLine } from '../zookeeper/ensemble-config.js';
import type { ServerView } from '../zookeeper/four-letter-words.js';

/** A server that has not answered a word within this is down for this sample (a loaded one answers in milliseconds). */
export const PROBE_TIMEOUT_MS = 2000;
/** Servers probed at most: ZooKeeper ensembles have a handful; a long connect string is cut here. */
export const PROBED_SERVERS_MAX = 16;
/** Server ids are at most this in a server line Skein accepts (ZooKeeper's limit with extended types). */
const SERVER_ID_MAX = 254;

export interface ZooKeeperServerState {
  id: number | null;
  address: string;
  /** leader, follower, observer, read-only, standalone; null when it did not say (down or not serving). */
  mode: string | null;
  state: 'serving' | 'not serving' | 'down';
  uptimeMs: number | null;
  znodes: number | null;
  connections: number | null;
  /** Sessions of the whole ensemble as this server knows them (global_sessions), and its own watches. */
  sessions: number | null;
  watches: number | null;
  /** Bytes of its snapshots and transaction logs (`dirs`). */
  diskBytes: number | null;
  error?: string;
}

interface Target {
  id: number | null;
  address: ServerAddress;
}

/** The servers to probe: a member's ensemble as its server lines stand now (reconfig included), else the connect string's. */
export function zooKeeperTargets(local: ServerView | undefined, connectString: string | undefined): Target[] {
  if (local?.ensemble) {
    return local.ensemble.serverLines.slice(0, PROBED_SERVERS_MAX).map((line) => {
      const eq = line.indexOf('=');
      const s = parseServerLine(line.slice(0, eq), line.slice(eq + 1), SERVER_ID_MAX);
      // A line without a client address: the server's zoo.cfg clientPort applies, as for this one.
      return { id: s.id, address: s.client ?? { host: s.quorum.host, port: local.clientPort } };
    });
  }
  if (connectString === undefined) return [];
  return parseConnectString(connectString).servers.slice(0, PROBED_SERVERS_MAX).map((address) => ({ id: null, address }));
}

/** mntr's `zk_<name>\t<value>` lines (and dirs' `name: value`), by name. */
function fields(answer: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of answer.split('\n')) {
    const m = /^(?:zk_)?([a-z_]+)(?:\t|: )(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!.trim());
  }
  return out;
}

const numberOf = (v: string | undefined): number | null => (v === undefined || !/^\d+(\.\d+)?$/.test(v) ? null : Number(v));

async function probe(t: Target): Promise<ZooKeeperServerState> {
  const address = `${t.address.host}:${t.address.port}`;
  const down = (error: string): ZooKeeperServerState => ({ id: t.id, address, mode: null, state: 'down', uptimeMs: null, znodes: null, connections: null, sessions: null, watches: null, diskBytes: null, error });
  let mntr: string;
  try {
    mntr = await fourLetterWord(t.address, 'mntr', { timeoutMs: PROBE_TIMEOUT_MS });
  } catch (err) {
    return down((err as Error).message);
  }
  const m = fields(mntr);
  if (!m.has('server_state')) {
    // Up but not serving (no quorum), or mntr not allowed: the server's own words say which.
    return { ...down(mntr.trim() || 'no answer to mntr'), state: mntr.includes('not currently serving') ? 'not serving' : 'down' };
  }
  const dirs = await fourLetterWord(t.address, 'dirs', { timeoutMs: PROBE_TIMEOUT_MS }).then(fields, () => new Map<string, string>());
  const data = numberOf(dirs.get('datadir_size'));
  const log = numberOf(dirs.get('logdir_size'));
  return {
    id: t.id,
    address,
    mode: m.get('server_state')!,
    state: 'serving',
    uptimeMs: numberOf(m.get('uptime')),
    znodes: numberOf(m.get('znode_count')),
    connections: numberOf(m.get('num_alive_connections')),
    sessions: numberOf(m.get('global_sessions')),
    watches: numberOf(m.get('watch_count')),
    diskBytes: data === null && log === null ? null : (data ?? 0) + (log ?? 0),
  };
}

export function probeZooKeeperServers(targets: readonly Target[]): Promise<ZooKeeperServerState[]> {
  return Promise.all(targets.map(probe));
}

/** Whether any server of `connectString` accepts a connection: the console's client would retry a dead ensemble until its timeout. */
export async function anyServerListening(connectString: string): Promise<boolean> {
  const tries = parseConnectString(connectString).servers.slice(0, PROBED_SERVERS_MAX).map(
    (s) =>
      new Promise<boolean>((resolve) => {
        const socket = createConnection(s.port, s.host);
        const done = (ok: boolean) => (socket.destroy(), resolve(ok));
        socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
        socket.once('connect', () => done(true));
        socket.once('error', () => done(false));
      }),
  );
  return (await Promise.all(tries)).some(Boolean);
}
