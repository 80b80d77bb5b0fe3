// One member of a ZooKeeper ensemble: the client socket shell (server.ts) over QuorumCore (ZooKeeper
// semantics) over QuorumPeer (Raft with its clock, network and disk). `skein zookeeper --config` starts
// this when zoo.cfg names an ensemble.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RaftStatus } from '../../consensus/raft.js';
import { NO_NODE } from '../../consensus/types.js';
import { DirLock } from '../../fs/dir-lock.js';
import type { Logger } from '../../logger.js';
import { CONFIG_PATH, DataTree } from '../../znode/data-tree.js';
import { decodeTreeInto } from '../../znode/snapshot-codec.js';
import type { ZooKeeperConfig } from '../config.js';
import { formatConfigText, formatHostPort, formatServerLine, maxServerId, parseConfigText, type Ensemble, type EnsembleServer, type HostPort } from '../ensemble-config.js';
import type { EnsembleRole } from '../four-letter-words.js';
import { clock, serveClients, storageFailureHandler, ZooKeeperServer, type ClientListener, type RunningZooKeeper, type ZooKeeperOptions } from '../server.js';
import { openRaftStorage, RECORD_SLACK_BYTES, type RaftStorage } from './raft-storage.js';
import { DynamicConfigWriter } from './dynamic-config-file.js';
import { leaderlessMaxMs, peerTiming, QuorumPeer } from './peer.js';
import { QuorumCore } from './quorum-core.js';

/** A transaction's header and record framing around the largest znode data jute.maxbuffer allows. */
const ENTRY_SLACK_BYTES = 1024;

/**
 * Session passwords must be derivable on every server a client may resume its session on. Apache
 * ZooKeeper derives them from the session id and a constant built into every server; Skein keys an
 * HMAC of the session id with this constant, so an ensemble is exactly as strong as ZooKeeper's (the
 * password keeps sessions apart, it is not a credential: ACLs and authentication are).
 */
const ENSEMBLE_SESSION_SECRET = createHash('sha256').update('skein zookeeper ensemble session password').digest();

/** ZooKeeper's lower bound on how long a peer without a leader waits before serving read-only. */
const READ_ONLY_GRACE_MS = 2000;

/** The consensus log and snapshots live here, under dataDir (dataLogDir is the standalone transaction log's). */
export const RAFT_DIR = 'raft';

export interface RunningEnsembleMember extends RunningZooKeeper {
  readonly peer: QuorumPeer;
  readonly server: ZooKeeperServer;
}

export interface EnsembleMemberOptions extends ZooKeeperOptions {
  /** The zoo.cfg this member started from: a reconfiguration rewrites it to name a new dynamicConfigFile. */
  configFile?: string;
}

export async function startEnsembleMember(config: ZooKeeperConfig, ensemble: Ensemble, log: Logger, options: EnsembleMemberOptions = {}): Promise<RunningEnsembleMember> {
  await mkdir(config.dataDir, { recursive: true });
  const locks = await DirLock.acquireAll([config.dataDir]);
  let peer: QuorumPeer | undefined;
  let server: ZooKeeperServer | undefined;
  let storage: RaftStorage | undefined;
  let clients: ClientListener | undefined;
  const hooks = {
    onDurable: (seq: number) => peer?.persisted(seq),
    onFailure: (err: Error) => server?.fatal(err),
    onSynced: (ms: number) => server?.stats.synced(ms),
  };
  try {
    const entryBytesMax = config.juteMaxBuffer + ENTRY_SLACK_BYTES;
    storage = await openRaftStorage(join(config.dataDir, RAFT_DIR), { ...hooks, log, forceSync: config.forceSync, recordBytesMax: entryBytesMax + RECORD_SLACK_BYTES });
    const durable = storage.durable;
    const tree = new DataTree();
    if (durable.snapshot) decodeTreeInto(tree, durable.snapshot.data);
    // zoo.cfg's servers, unless a reconfiguration in the log's snapshot replaced them.
    if (!tree.get(CONFIG_PATH)!.data?.length) tree.setEnsembleConfig(Buffer.from(formatConfigText(ensemble.servers, ensemble.version)));
    const maxId = maxServerId(config.extendedTypesEnabled);
    const configured = () => parseConfigText(tree.get(CONFIG_PATH)!.data?.toString() ?? '', maxId);
    const timing = peerTiming(config.tickTime, ensemble.initLimit, ensemble.syncLimit);
    const quorumAddresses = (servers: readonly EnsembleServer[]) => new Map<number, HostPort>(servers.filter((s) => s.id !== ensemble.myid).map((s) => [s.id, s.quorum]));
    const peers = quorumAddresses(configured().servers);
    const dynamicFile = options.configFile === undefined ? null : new DynamicConfigWriter(options.configFile, ensemble.version, log);
    const thePeer = new QuorumPeer({
      myid: ensemble.myid,
      membership: ensemble.membership,
      configVersion: ensemble.version,
      listen: ensemble.me.quorum,
      peers,
      timing,
      entryBytesMax,
      storage,
      log,
      ...(config.quorumTls && { tls: config.quorumTls }),
    });
    peer = thePeer;
    let core!: QuorumCore;
    const zk = new ZooKeeperServer(config, tree, ENSEMBLE_SESSION_SECRET, log, storageFailureHandler(options, log), (s) => {
      core = new QuorumCore(
        tree,
        {
          status: () => thePeer.status(),
          propose: (data) => thePeer.propose(data),
          proposeMembership: (change, data) => thePeer.proposeMembership(change, data),
          readIndex: (ctx) => thePeer.readIndex(ctx),
          syncedFollowers: () => thePeer.syncedFollowers(),
          send: (to, m) => thePeer.send(to, m),
          compact: (index, data) => thePeer.compact(index, data),
        },
        {
          serverId: ensemble.myid,
          tickTime: config.tickTime,
          extendedTypesEnabled: config.extendedTypesEnabled,
          reconfigEnabled: config.reconfigEnabled,
          standaloneEnabled: ensemble.standaloneEnabled,
          enforceQuota: config.enforceQuota,
          snapCount: config.snapCount,
          random: (n) => Math.floor(Math.random() * n),
        },
        {
          trigger: (type, path) => s.watches.trigger(type, path),
          dropSessions: (ids, reason) => s.dropSessions(ids, reason),
          dropAll: (reason) => s.dropAll(reason),
          configChanged: (text) => {
            log.info({ config: text }, 'ensemble configuration changed');
            const { servers, version } = parseConfigText(text, maxId);
            thePeer.setPeers(quorumAddresses(servers));
            dynamicFile?.write(servers, version);
          },
          connect: (servers) => thePeer.setPeers(quorumAddresses(servers)),
        },
        clock(),
        durable.snapshot?.index ?? 0,
      );
      return core;
    });
    server = zk;
    const hasQuorum = () => thePeer.hasQuorum();
    // With readonlymode.enabled it serves reads only once leaderless for ZooKeeper's grace period,
    // max(2000 ms, tickTime) (its read-only server starts that long after the peer began LOOKING).
    // Until then requests wait for a leader as in an election: an ensemble still electing its first
    // leader (its servers started together on a busy machine) must not hand out read-only sessions.
    const readOnlyAfterMs = Math.max(leaderlessMaxMs(timing), READ_ONLY_GRACE_MS, config.tickTime);
    const readOnly = () => ensemble.readOnlyModeEnabled && thePeer.leaderlessMs() > readOnlyAfterMs;
    const role = ensembleRole(ensemble, thePeer, core, hasQuorum, readOnly, configured);
    // Not serving until a leader is known (RoleWatch): no client connection is accepted before that.
    let wasState: 'rw' | 'ro' | 'down' = 'down';
    zk.ensemble = role;
    await thePeer.start({
      apply: (entries) => core.apply(entries),
      restore: (snapshot) => core.restore(snapshot),
      shell: (m) => core.shell(m, clock()),
      readsConfirmed: (reads) => core.readsConfirmed(reads),
      changed: (status: RaftStatus) => core.changed(status),
      tick: () => {
        // Sessions of one state do not carry over to another: clients reconnect (read-only ones move on
        // to a read-write server, which ZooKeeper's clients look for while on a read-only one).
        // Within the read-only grace period a server with readonlymode.enabled keeps its clients (state rw).
        const state = readOnly() ? 'ro' : role.serving() ? 'rw' : 'down';
        if (state === wasState) return;
        if (state === 'rw') {
          log.info('leader known: serving reads and writes');
          // Connections accepted since the leader became known are read-write already: only read-only ones go.
          zk.dropReadOnly('the quorum is back: read-only sessions end');
        } else {
          log.warn({ leaderlessMs: Math.round(thePeer.leaderlessMs()) }, state === 'ro' ? 'no leader: serving reads only until one is elected' : 'no leader: closing client connections until one is elected');
          zk.dropAll('this server lost contact with the quorum');
        }
        wasState = state;
      },
    });
    clients = await serveClients(zk, config, log);
    log.info(
      { myid: ensemble.myid, clientPort: clients.port, quorum: formatHostPort(ensemble.me.quorum), servers: ensemble.servers.length, tickMs: timing.tickMs },
      'ZooKeeper ensemble member listening',
    );
    const listener = clients;
    const theStorage = storage;
    return {
      clientPort: listener.port,
      secureClientPort: listener.securePort,
      peer: thePeer,
      server: zk,
      async stop() {
        // Writes still in flight cannot be answered once consensus stops here: their clients retry elsewhere.
        zk.dropAll('server shutting down');
        await listener.close();
        await thePeer.stop();
        await dynamicFile?.flushed();
        await theStorage.close();
        await Promise.all(locks.map((l) => l.release()));
        log.info('ZooKeeper ensemble member stopped');
      },
    };
  } catch (err) {
    await clients?.close();
    await peer?.stop();
    await storage?.close();
    await Promise.all(locks.map((l) => l.release()));
    throw err;
  }
}

function ensembleRole(
  ensemble: Ensemble,
  peer: QuorumPeer,
  core: QuorumCore,
  hasQuorum: () => boolean,
  readOnly: () => boolean,
  configured: () => { servers: EnsembleServer[]; version: bigint },
): EnsembleRole {
  return {
    serverId: ensemble.myid,
    get serverLines() {
      return configured().servers.map(formatServerLine);
    },
    get configVersion() {
      return configured().version;
    },
    initLimit: ensemble.initLimit,
    syncLimit: ensemble.syncLimit,
    serving: () => hasQuorum() || ensemble.readOnlyModeEnabled,
    readOnly,
    mode() {
      if (readOnly()) return 'read-only';
      const s = peer.status();
      if (!s.synced) return null;
      if (s.role === 'leader') return 'leader';
      return s.membership.learners.includes(ensemble.myid) ? 'observer' : 'follower';
    },
    observer: () => peer.status().membership.learners.includes(ensemble.myid),
    followers: () => peer.connectedPeers().length,
    // Voters the leader streams entries to and heard from within syncLimit (ZooKeeper's synced followers).
    syncedFollowers() {
      const voters = peer.status().membership.voters;
      return peer.syncedFollowers().filter((id) => voters.includes(id)).length;
    },
    pendingSyncs: () => core.pendingSyncs,
    quorumSize: () => peer.status().membership.voters.length,
    leader() {
      const id = peer.status().leader;
      const server = id === NO_NODE ? undefined : configured().servers.find((s) => s.id === id);
      return server ? { id, host: server.quorum.host } : { id: -1, host: '' };
    },
  };
}
