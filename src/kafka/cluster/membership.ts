// This broker's place in a ZooKeeper-mode cluster: its ZooKeeper session (chroot created first, as Kafka
// does), Kafka's persistent paths, the cluster id in /cluster/id, and its ephemeral registration
// /brokers/ids/<id>. When the session expires the registration is gone with it: a new session is started,
// the broker registers again (a new broker epoch), and the parts that watch ZooKeeper are told to arm
// their watches again.
import { ErrorCode as ZkError, KeeperError } from '../../../protocol/zookeeper/codes.js';
import {
  brokerIdPath,
  CLUSTER_ID_PATH,
  CONTROLLER_PATH,
  decodeClusterId,
  encodeBrokerRegistration,
  encodeClusterId,
  PERSISTENT_PATHS,
  type BrokerEndpoint,
} from '../../../protocol/kafka/zk/znodes.js';
import type { Logger } from '../../logger.js';
import { parseConnectString } from '../../zookeeper/client/connect-string.js';
import { ZooKeeperClient } from '../../zookeeper/client/client.js';
import type { BrokerConfig } from '../broker-config.js';
import { encodeHttpEndpoint, skeinHttpPath, SKEIN_HTTP_PATH, type HttpEndpoint } from './http-znode.js';
import { clearPreviousSession, rememberSession } from './previous-session.js';

/** A start refused for a cluster reason the operator can fix; the message names the setting to look at. */
export class ClusterJoinError extends Error {
  override readonly name = 'ClusterJoinError';
}

/** Pause between attempts to start a new session after an expiry, while ZooKeeper is unreachable. */
const RESESSION_RETRY_MS = 1000;

/** Creates `path` and its missing parents; existing nodes are fine. */
export async function ensurePath(zk: ZooKeeperClient, path: string): Promise<void> {
  const parts = path.split('/').filter((p) => p !== '');
  for (let i = 1; i <= parts.length; i++) {
    await createIfAbsent(zk, `/${parts.slice(0, i).join('/')}`);
  }
}

export async function createIfAbsent(zk: ZooKeeperClient, path: string, data: Buffer | null = null): Promise<boolean> {
  try {
    await zk.create(path, data);
    return true;
  } catch (err) {
    if (err instanceof KeeperError && err.code === ZkError.nodeExists) return false;
    throw err;
  }
}

export function isKeeperError(err: unknown, code: number): boolean {
  return err instanceof KeeperError && err.code === code;
}

export class ClusterMembership {
  /** The czxid of our registration: Kafka's broker epoch, new with every registration. */
  brokerEpoch = -1;
  private readonly sessionListeners: (() => void | Promise<void>)[] = [];
  private closed = false;
  /** This broker's HTTP listener once it opened: written again with every new session. */
  private http: HttpEndpoint | undefined;

  private constructor(
    readonly zk: ZooKeeperClient,
    readonly clusterId: string,
    private readonly config: BrokerConfig,
    private readonly log: Logger,
  ) {}

  get brokerId(): number {
    return this.config.brokerId;
  }

  /**
   * Connects to the cluster's ZooKeeper and reads (or, first in the cluster, writes) its id;
   * `candidateClusterId` is the id a new cluster takes (a single node's data keeps its own).
   */
  static async connect(config: BrokerConfig, log: Logger, candidateClusterId: string): Promise<ClusterMembership> {
    const connect = config.values['zookeeper.connect']!;
    const sessionTimeoutMs = config.values['zookeeper.session.timeout.ms'];
    const connectTimeout = config.values['zookeeper.connection.timeout.ms'] ?? sessionTimeoutMs;
    const { chroot } = parseConnectString(connect);
    const open = async (connectString: string): Promise<ZooKeeperClient> => {
      const zk = new ZooKeeperClient(connectString, { sessionTimeoutMs, tls: config.zookeeperTls });
      const started = zk.startNewSession();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ClusterJoinError(`zookeeper.connect: no ZooKeeper session from ${connect} within ${connectTimeout} ms`)), connectTimeout);
      });
      try {
        await Promise.race([started, timeout]);
        return zk;
      } catch (err) {
        await zk.close();
        if (err instanceof ClusterJoinError) throw err;
        throw new ClusterJoinError(`zookeeper.connect: cannot reach ZooKeeper at ${connect}: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    };
    if (chroot !== '') {
      // Kafka creates a missing chroot before using it.
      const root = await open(connect.slice(0, connect.indexOf('/')));
      try {
        await ensurePath(root, chroot);
      } finally {
        await root.close();
      }
    }
    const zk = await open(connect);
    try {
      for (const path of PERSISTENT_PATHS) await createIfAbsent(zk, path);
      await createIfAbsent(zk, CLUSTER_ID_PATH, encodeClusterId(candidateClusterId));
      const clusterId = decodeClusterId((await zk.getData(CLUSTER_ID_PATH)).data);
      return new ClusterMembership(zk, clusterId, config, log);
    } catch (err) {
      await zk.close();
      throw err;
    }
  }

  /** Registers /brokers/ids/<id> and keeps it registered across session expiries. */
  async register(): Promise<void> {
    // What a killed process of ours left would otherwise make us wait a whole session timeout.
    await clearPreviousSession(this.zk, this.config.dataDir, [brokerIdPath(this.brokerId), CONTROLLER_PATH, skeinHttpPath(this.brokerId)], this.log);
    await this.registerOnce();
    this.zk.on('state', (s) => {
      if (s === 'expired' && !this.closed) void this.recover();
    });
  }

  /**
   * Tells the other brokers' consoles where this broker's HTTP listener is (/skein/http/<id>, http-znode.ts).
   * A wildcard bind is named by the advertised host, which the others can reach.
   */
  async advertiseHttp(host: string, port: number): Promise<void> {
    const wildcard = host === '0.0.0.0' || host === '::' || host === '';
    this.http = { host: wildcard ? this.config.advertised.host : host, port };
    await this.writeHttp();
  }

  private async writeHttp(): Promise<void> {
    if (this.http === undefined) return;
    await ensurePath(this.zk, SKEIN_HTTP_PATH);
    const path = skeinHttpPath(this.brokerId);
    const data = encodeHttpEndpoint(this.http);
    try {
      await this.zk.create(path, data, { mode: 'ephemeral' });
    } catch (err) {
      if (!isKeeperError(err, ZkError.nodeExists)) throw err;
      // Left by an earlier session of this broker id (we hold the registration now, so no live broker owns it).
      const existing = await this.zk.exists(path);
      if (existing && existing.ephemeralOwner === this.zk.sessionId) return void (await this.zk.setData(path, data, -1));
      await this.zk.delete(path, -1).catch((e: unknown) => {
        if (!isKeeperError(e, ZkError.noNode)) throw e;
      });
      await this.zk.create(path, data, { mode: 'ephemeral' });
    }
  }

  /** Called after each new session once we are registered again (watches and ephemerals are gone). */
  onNewSession(listener: () => void | Promise<void>): void {
    this.sessionListeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    // Closing the session removes the registration (and /controller, if ours) at once.
    await this.zk.close();
  }

  /** Every advertised listener: each listener's clients are told the endpoints of its own name. */
  private endpoints(): BrokerEndpoint[] {
    return this.config.listeners.flatMap(({ advertised, securityProtocol }) =>
      advertised ? [{ listener: advertised.name, host: advertised.host, port: advertised.port, securityProtocol }] : [],
    );
  }

  private async registerOnce(): Promise<void> {
    const path = brokerIdPath(this.brokerId);
    const data = encodeBrokerRegistration({ id: this.brokerId, endpoints: this.endpoints(), rack: this.config.values['broker.rack'] ?? null, timestamp: Date.now() });
    // A broker killed and restarted at once finds its old registration until that session times out:
    // wait that long for it to go. ZooKeeper expires sessions on tick boundaries, up to a tick late, and
    // a session timeout is at least two ticks, so half a timeout more covers it. A live broker with our
    // id keeps its node, and we are refused.
    const deadline = Date.now() + this.zk.sessionTimeoutMs * 1.5 + RESESSION_RETRY_MS;
    for (;;) {
      try {
        const { stat } = await this.zk.createWithStat(path, data, { mode: 'ephemeral' });
        this.brokerEpoch = Number(stat.czxid);
        await rememberSession(this.config.dataDir, this.zk.sessionId);
        this.log.info({ brokerId: this.brokerId, brokerEpoch: this.brokerEpoch, path }, 'registered in ZooKeeper');
        return;
      } catch (err) {
        if (!isKeeperError(err, ZkError.nodeExists)) throw err;
      }
      const existing = await this.zk.exists(path);
      if (existing && existing.ephemeralOwner === this.zk.sessionId) {
        // Our own create that got through before a connection loss.
        this.brokerEpoch = Number(existing.czxid);
        await rememberSession(this.config.dataDir, this.zk.sessionId);
        return;
      }
      if (Date.now() >= deadline) {
        throw new ClusterJoinError(
          `broker.id ${this.brokerId} is already registered in ZooKeeper (${path}, session 0x${existing?.ephemeralOwner.toString(16) ?? '?'}): another broker runs with this id`,
        );
      }
      if (existing) this.log.warn({ path }, 'our broker id is registered by another session; waiting for it to expire');
      await new Promise((r) => setTimeout(r, RESESSION_RETRY_MS));
    }
  }

  /** After an expiry: a new session, a new registration, then the listeners re-arm their watches. */
  private async recover(): Promise<void> {
    this.log.warn({ brokerId: this.brokerId }, 'ZooKeeper session expired; registering again');
    while (!this.closed) {
      try {
        await this.zk.startNewSession();
        await this.registerOnce();
        await this.writeHttp();
        for (const l of this.sessionListeners) await l();
        return;
      } catch (err) {
        if (this.closed) return;
        this.log.warn({ err }, 'registering again failed; retrying');
        await new Promise((r) => setTimeout(r, RESESSION_RETRY_MS));
      }
    }
  }
}
