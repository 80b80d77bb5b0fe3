// A Kafka broker: its config, identity, topics, partition logs, API handlers and listener, started and
// stopped as one.
import { initCompression } from '../../protocol/kafka/compression/codecs.js';
import { ApiKey, ErrorCode } from '../../protocol/kafka/index.js';
import { LogManager } from '../log/log-manager.js';
import type { Logger } from '../logger.js';
import { ByteBudget } from '../net/byte-budget.js';
import { TcpServer } from '../net/tcp-server.js';
import { tlsHandshakeOf } from '../security/tls-material.js';
import { cleanerConfigOf, type BrokerConfig, type ListenerConfig } from './broker-config.js';
import { serveKafkaConnection } from './connection.js';
import { AuthFailureLimit } from './sasl/failure-limit.js';
import { mechanismsOf } from './sasl/sasl-config.js';
import { ScramCredentials } from './sasl/scram-credentials.js';
import type { JwksKeys } from './sasl/jwks-keys.js';
import { FileUserConfigStore, ZkUserConfigStore } from './sasl/user-store.js';
import { interBrokerSecurity } from './inter-broker-security.js';
import { HostedPartitions } from './fetch/partition-access.js';
import { CoordinatorKeyType, GroupService } from './groups/service.js';
import { DeletionReportingTopicStore } from './groups/topic-deletions.js';
import { HANDLERS, SHARE_GROUP_API_KEYS, TELEMETRY_API_KEYS } from './handlers/index.js';
import { ClientTelemetry } from './telemetry/client-telemetry.js';
import { ClientMetricsResources, CLIENT_METRICS_ENTITY } from './telemetry/client-metrics-resources.js';
import { ShareService } from './share/share-service.js';
import { ShareStateCoordinator } from './share/share-state-coordinator.js';
import { BrokerConnections } from './cluster/broker-connections.js';
import { SHARE_GROUP_STATE_TOPIC } from '../../protocol/kafka/share-group-state/records.js';
import { FileTopicStore } from './metadata/file-topic-store.js';
import { loadOrCreateMetaProperties, newClusterId, storedClusterId } from './metadata/meta-properties.js';
import { LocalMetadata, MetadataCache, type MetadataView } from './metadata/metadata-view.js';
import type { TopicStore } from './metadata/topic-store.js';
import { carryOverTopicsFile } from './cluster/carry-over.js';
import { controlledShutdown } from './cluster/controlled-shutdown.js';
import { ClusterMembership } from './cluster/membership.js';
import { ZkTopicStore } from './cluster/zk-topic-store.js';
import { Controller } from './controller/controller.js';
import { CONSUMER_OFFSETS_TOPIC } from '../../protocol/kafka/consumer-offsets/group-partition.js';
import { ReplicaManager } from './partitions/replica-manager.js';
import { FileBlockSource, ProducerIdAllocator } from './producers/producer-ids.js';
import { ZkBlockSource } from './producers/zk-producer-id-blocks.js';
import { ReplicationManager } from './replication/replication-manager.js';
import { ZkIsrWriter } from './replication/zk-isr-writer.js';
import { HandlerRegistry } from './registry.js';
import { AclService } from './acl/acl-service.js';
import { Authorizer } from './acl/authorizer.js';
import { ZkAclStore } from './acl/zk-acl-store.js';
import { WriteTxnMarkersChannel } from './txn/marker-channel.js';
import { TransactionService } from './txn/service.js';
import { TRANSACTION_STATE_TOPIC } from './txn/transaction-state-topic.js';
import type { BrokerServices, MetadataUpdates } from './services.js';
import { BrokerLogDirs } from './partitions/log-dirs.js';
import { logConfigForTopic } from './topics/topic-log-config.js';
import { RequestMetrics } from '../metrics/request-metrics.js';
import { TopicTraffic } from '../metrics/topic-traffic.js';
import { TopicManager } from './topics/topic-manager.js';
import { FileEntityConfigs, ZkEntityConfigs } from './cluster/entity-configs.js';
import { ClientQuotas } from './quotas/client-quotas.js';
import { ClientQuotaManager } from './quotas/quota-manager.js';
import { QuotaTable } from './quotas/quota-table.js';
import { EntityConfigWatch } from './cluster/entity-config-watch.js';
import { connectionOverridesOf } from './broker-config.js';
import { PrincipalConnections } from './principal-connections.js';
import { join } from 'node:path';

/** A broker's part in a ZooKeeper-mode cluster; absent when it runs alone. */
export interface ClusterContext {
  membership: ClusterMembership;
  /** What the controller last told this broker (UpdateMetadata). */
  cache: MetadataCache;
  /** Runs for controller; acts as one while elected. */
  controller: Controller;
  /** With authorizer.class.name: the ACL cache the checks read, and its ZooKeeper store. */
  acl?: { authorizer: Authorizer; store: ZkAclStore };
}

/** UpdateMetadata's view of a cluster member: its registration's epoch and the controller's cache. */
function metadataUpdatesOf({ membership, cache }: ClusterContext): MetadataUpdates {
  return {
    get brokerEpoch() {
      return membership.brokerEpoch;
    },
    get controllerEpoch() {
      return cache.controllerEpoch;
    },
    update: (request) => cache.update(request),
  };
}

export class Broker {
  /** Every API served, each handler bound to the services it declares. */
  readonly handlers: HandlerRegistry;
  /** Consumer groups: the coordinator and __consumer_offsets. */
  readonly groups: GroupService;
  /** Share groups (KIP-932): membership, share-partitions and share sessions. */
  readonly shares: ShareService;
  /** The share coordinator: share-partition state in __share_group_state, for the partitions of it this broker leads. */
  readonly shareState: ShareStateCoordinator;
  /** Transactions: the coordinator and __transaction_state. */
  readonly transactions: TransactionService;
  /** Leaders, followers and ISR of the partitions the controller assigned here. */
  readonly replication: ReplicationManager;
  /** Records and bytes in and out per topic, counted on the data path for /metrics. */
  readonly traffic = new TopicTraffic();
  /** Requests and their latency per API, counted by the connections for /metrics. */
  readonly requests = new RequestMetrics();
  /** SCRAM credentials: in ZooKeeper as Kafka keeps them, or users.json for a broker alone. */
  readonly scram: ScramCredentials;
  /** Failed SASL authentications per address, shared by every listener and the console's login. */
  readonly authFailures = new AuthFailureLimit();
  /** Open connections per authenticated principal (max.connections.per.principal), over every listener. */
  readonly principalConnections: PrincipalConnections;
  /** KIP-714: client telemetry subscriptions and the metrics clients pushed, for /metrics. */
  readonly telemetry: ClientTelemetry;
  /** KIP-714's client-metrics subscriptions: in ZooKeeper's /config as Kafka names them, or client-metrics.json for a broker alone. */
  readonly clientMetrics: ClientMetricsResources;
  /** Client quotas: in ZooKeeper's /config as Kafka keeps them, or client-quotas.json for a broker alone. */
  readonly clientQuotas: ClientQuotas;
  /** The quotas' rates and the throttle times they earn. */
  readonly quotaManager: ClientQuotaManager;

  constructor(
    readonly config: BrokerConfig,
    readonly log: Logger,
    readonly clusterId: string,
    readonly logs: LogManager,
    readonly replicas: ReplicaManager,
    readonly topics: TopicManager,
    /** The cluster as clients see it: Metadata, FindCoordinator and DescribeCluster answer from it. */
    readonly metadata: MetadataView,
    readonly cluster: ClusterContext | undefined = undefined,
  ) {
    this.principalConnections = new PrincipalConnections(config.principalLimits);
    this.scram = new ScramCredentials(cluster ? new ZkUserConfigStore(() => cluster.membership.zk) : new FileUserConfigStore(config.dataDir));
    this.clientQuotas = new ClientQuotas(
      cluster ? new ZkEntityConfigs(() => cluster.membership.zk) : new FileEntityConfigs(join(config.dataDir, 'client-quotas.json')),
      new QuotaTable(),
    );
    this.quotaManager = new ClientQuotaManager(this.clientQuotas.table, {
      samples: config.values['quota.window.num'],
      sampleMs: config.values['quota.window.size.seconds'] * 1000,
    });
    const partitions = new HostedPartitions(replicas, config, topics, metadata, this.traffic);
    // DeleteGroups deletes a share group's share-partition state, which the share service (made next) reaches.
    const shareStates = { deleteGroupState: (groupId: string, ts: Parameters<ShareService['deleteGroupState']>[1]) => this.shares.deleteGroupState(groupId, ts) };
    this.groups = new GroupService({ config, log, alone: cluster === undefined, topics, metadata, replicas, shareStates, now: () => this.now() });
    this.shareState = new ShareStateCoordinator({ config, log, alone: cluster === undefined, topics, metadata, replicas, now: () => this.now() });
    this.shares = new ShareService({
      config,
      log,
      topics,
      partitions,
      metadata,
      stateCoordinator: this.shareState,
      connections: new BrokerConnections({ metadata, clientId: `skein-share-persister-${config.brokerId}`, requestTimeoutMs: SHARE_STATE_REQUEST_TIMEOUT_MS, security: () => interBrokerSecurity(config) }),
      // Share groups live on the group coordinator of their id, as Kafka places them.
      membership: this.groups,
      now: () => this.now(),
    });
    // Alone the data directory holds the claimed blocks; in a cluster ZooKeeper does, shared by all brokers.
    const producerIds = new ProducerIdAllocator(cluster ? new ZkBlockSource(() => cluster.membership.zk, config.brokerId) : new FileBlockSource(config.dataDir));
    this.transactions = new TransactionService({
      config,
      log,
      alone: cluster === undefined,
      topics,
      metadata,
      replicas,
      producerIds,
      // Markers for partitions this broker leads go straight to its own WriteTxnMarkers handler.
      markers: new WriteTxnMarkersChannel({
        brokerId: config.brokerId,
        metadata,
        log,
        localHandler: () => this.handlers.get(ApiKey.WriteTxnMarkers),
        security: () => interBrokerSecurity(config),
      }),
      now: () => this.now(),
    });
    this.replication = new ReplicationManager({
      config,
      log,
      replicas,
      now: () => this.now(),
      minInsyncReplicas: (p) => partitions.produceConfig(p.topic, p.log).minInsyncReplicas,
      brokerEpoch: () => cluster?.membership.brokerEpoch ?? -1,
      endpointOf: (id) => {
        const b = metadata.liveBrokers().find((n) => n.nodeId === id);
        return b && `${b.host}:${b.port}`;
      },
      onElection: (topic, partition, epoch) => void this.coordinatorOf(topic)?.onElection(partition, epoch),
      onResignation: (topic, partition, epoch) => this.coordinatorOf(topic)?.onResignation(partition, epoch),
    });
    this.clientMetrics = new ClientMetricsResources(
      cluster ? new ZkEntityConfigs(() => cluster.membership.zk) : new FileEntityConfigs(join(config.dataDir, 'client-metrics.json')),
    );
    this.telemetry = new ClientTelemetry(
      {
        maxBytes: config.values['telemetry.max.bytes'],
        clientsMax: config.values['telemetry.max.client.instances'],
        seriesMax: config.values['telemetry.max.series'],
      },
      this.clientMetrics,
    );
    // The broker's parts as handlers see them (services.ts); each handler is handed the ones it declares.
    const services: BrokerServices = {
      clock: this,
      config,
      clusterId,
      metadata,
      partitions,
      logDirs: new BrokerLogDirs(logs, log),
      topics,
      groups: this.groups,
      shares: this.shares,
      transactions: this.transactions,
      replication: this.replication,
      metadataUpdates: cluster && metadataUpdatesOf(cluster),
      controller: cluster?.controller,
      apiVersions: { supported: () => this.handlers.supported() },
      producerIds,
      acls: new AclService(cluster?.acl),
      scram: this.scram,
      telemetry: this.telemetry,
      clientMetrics: this.clientMetrics,
      clientQuotas: this.clientQuotas,
      quotas: this.quotaManager,
    };
    const shareGroups = config.values['share.version'] >= 1;
    const telemetry = config.values['telemetry.enable'];
    const served = HANDLERS.filter((h) => (shareGroups || !SHARE_GROUP_API_KEYS.has(h.apiKey)) && (telemetry || !TELEMETRY_API_KEYS.has(h.apiKey)));
    this.handlers = new HandlerRegistry(served, services);
  }

  /** The coordinator whose state lives in `topic`, which loads a partition of it this broker comes to lead. */
  private coordinatorOf(topic: string): GroupService | TransactionService | ShareStateCoordinator | undefined {
    if (topic === CONSUMER_OFFSETS_TOPIC) return this.groups;
    if (topic === TRANSACTION_STATE_TOPIC) return this.transactions;
    if (topic === SHARE_GROUP_STATE_TOPIC) return this.shareState;
    return undefined;
  }

  get brokerId(): number {
    return this.config.brokerId;
  }

  /** Wall-clock milliseconds; the one place handlers (the clock service), groups and replication read the time. */
  now(): number {
    return Date.now();
  }
}

/** Kafka's request.timeout.ms default, for share-partition state requests to other brokers' share coordinators. */
const SHARE_STATE_REQUEST_TIMEOUT_MS = 30_000;

function unlimitedIfNegative(bytes: number): number {
  return bytes < 0 ? Infinity : bytes;
}

export interface RunningKafka {
  broker: Broker;
  /** The bound port (differs from the configured one when that was 0). */
  port: number;
  stop(): Promise<void>;
}

export async function startKafka(config: BrokerConfig, log: Logger): Promise<RunningKafka> {
  await initCompression();
  return config.values['zookeeper.connect'] === undefined ? startAlone(config, log) : startInCluster(config, log);
}

function logManagerFor(config: BrokerConfig, log: Logger, store: TopicStore): Promise<LogManager> {
  return LogManager.open({
    dirs: [config.dataDir],
    configFor: (topic) => logConfigForTopic(config, store.get(topic)?.configs ?? {}),
    logger: log,
    retentionCheckIntervalMs: config.values['log.retention.check.interval.ms'],
    flushCheckIntervalMs: config.values['log.flush.scheduler.interval.ms'],
    producerIdExpirationMs: config.values['producer.id.expiration.ms'],
    producerIdExpirationCheckIntervalMs: config.values['producer.id.expiration.check.interval.ms'],
    cleaner: cleanerConfigOf(config),
  });
}

/**
 * Kafka has no setting for it (a Java broker's handshake is bounded by connections.max.idle.ms); ten
 * seconds is generous for a handshake on any network and keeps silent sockets from holding a slot.
 */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Kafka has no setting for it either (connections.max.idle.ms bounds a silent one): a SASL client that
 * keeps talking without authenticating would otherwise hold its connection for ever. Thirty seconds covers
 * any real exchange, SCRAM's iterations included.
 */
export const SASL_AUTHENTICATION_TIMEOUT_MS = 30_000;

/** What every listener shares: the request budget (queued.max.request.bytes bounds the broker) and the SASL failure counts. */
interface SharedLimits {
  budget: ByteBudget;
  authFailures: AuthFailureLimit;
  /** Counted over all listeners: a principal's limit does not grow with their number. */
  principalConnections: PrincipalConnections;
}

/** max.connections.per.ip, with max.connections.per.ip.overrides for the addresses they name. */
function perAddressLimit(config: BrokerConfig): number | ((address: string) => number) {
  const overrides = connectionOverridesOf(config.values['max.connections.per.ip.overrides']);
  const limit = config.values['max.connections.per.ip'];
  if (overrides.size === 0) return limit;
  // An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d; the override names a.b.c.d.
  return (address) => overrides.get(address) ?? overrides.get(address.replace(/^::ffff:/, '')) ?? limit;
}

/** One listener's server. */
function tcpServerFor(config: BrokerConfig, log: Logger, listener: ListenerConfig, { budget, authFailures, principalConnections }: SharedLimits, broker: Broker): TcpServer {
  const { bind } = listener;
  return new TcpServer({
    host: bind.host === '' ? '0.0.0.0' : bind.host,
    port: bind.port,
    // Counted per listener (Kafka counts max.connections over all of them): N listeners admit up to N times as many.
    maxConnections: config.values['max.connections'],
    maxConnectionsPerAddress: perAddressLimit(config),
    admitsConnection: (address) => broker.quotaManager.admitsConnection(address, Date.now()),
    maxFrameBytes: config.values['socket.request.max.bytes'],
    requestBudget: budget,
    timeouts: {
      idleMs: Math.max(0, config.values['connections.max.idle.ms']),
      frameMs: Math.max(0, config.values['socket.request.read.timeout.ms']),
    },
    tls: listener.tls && tlsHandshakeOf(listener.tls.spec, TLS_HANDSHAKE_TIMEOUT_MS, log.child({ listener: bind.name })),
    log,
    accept: (socket, frames) =>
      serveKafkaConnection(socket, frames, {
        handlers: broker.handlers,
        requests: broker.requests,
        maxInFlight: config.values['queued.max.requests'],
        log,
        listener: bind.name,
        principals: listener.tls?.principals,
        quotas: broker.quotaManager,
        connections: principalConnections,
        sasl: listener.sasl && {
          mechanisms: mechanismsOf(listener.sasl, (user, mechanism) => broker.scram.lookup(user, mechanism)),
          policy: {
            maxReceiveBytes: config.values['sasl.server.max.receive.size'],
            failureDelayMs: config.values['connection.failed.authentication.delay.ms'],
            failures: authFailures,
            reauthMs: config.values['connections.max.reauth.ms'],
          },
          timeoutMs: SASL_AUTHENTICATION_TIMEOUT_MS,
        },
      }),
  });
}

/** The broker's listeners, one server each. */
class Listeners {
  private constructor(
    private readonly servers: TcpServer[],
    /** OAUTHBEARER's identity provider keys, read before any listener serves (a start fails without them, as Kafka's). */
    private readonly jwks: JwksKeys[],
    private readonly log: Logger,
  ) {}

  static of(config: BrokerConfig, log: Logger, broker: Broker): Listeners {
    const limits = {
      budget: new ByteBudget(unlimitedIfNegative(config.values['queued.max.request.bytes'])),
      authFailures: broker.authFailures,
      principalConnections: broker.principalConnections,
    };
    const jwks = config.listeners.flatMap((l) => (l.sasl?.jwks ? [l.sasl.jwks] : []));
    return new Listeners(config.listeners.map((l) => tcpServerFor(config, log, l, limits, broker)), jwks, log);
  }

  /**
   * Listens on every listener; one on port 0 gets a free port (tests do), and the one bound is
   * advertised. Resolves with the inter-broker listener's port.
   */
  async listen(config: BrokerConfig): Promise<number> {
    try {
      for (const keys of this.jwks) await keys.open(this.log);
      for (const [i, server] of this.servers.entries()) {
        const port = await server.listen();
        const l = config.listeners[i]!;
        l.bind = { ...l.bind, port };
        if (l.advertised?.port === 0) l.advertised = { ...l.advertised, port };
      }
    } catch (err) {
      // A later listener's port in use: the ones already listening close with the failed start.
      await this.close();
      throw err;
    }
    const interBroker = config.listeners.find((l) => l.bind.name === config.listener.name)!;
    config.listener = interBroker.bind;
    config.advertised = interBroker.advertised!;
    return config.listener.port;
  }

  async close(): Promise<void> {
    for (const keys of this.jwks) keys.close();
    await Promise.all(this.servers.map((s) => s.close()));
  }
}

function logListening(log: Logger, config: BrokerConfig, port: number, clusterId: string): void {
  log.info(
    {
      listener: `${config.listener.name}://${config.listener.host}:${port}`,
      listeners: config.listeners.map((l) => `${l.bind.name}://${l.bind.host}:${l.bind.port}`),
      advertised: config.advertised,
      dataDir: config.dataDir,
      clusterId,
      brokerId: config.brokerId,
    },
    'kafka broker listening',
  );
}

/** No zookeeper.connect: the broker is the whole cluster, its topics in topics.json. */
async function startAlone(config: BrokerConfig, log: Logger): Promise<RunningKafka> {
  const store = new DeletionReportingTopicStore(new FileTopicStore(config.dataDir));
  const logs = await logManagerFor(config, log, store);
  try {
    const { clusterId } = await loadOrCreateMetaProperties(config.dataDir, config.brokerId);
    const replicas = new ReplicaManager(logs, config.brokerId, log);
    await replicas.load(store);
    const self = () => ({ id: config.brokerId, rack: config.values['broker.rack'] ?? null });
    const topics = new TopicManager(store, replicas, config, log, () => [self()], true);
    const metadata = new LocalMetadata(
      config.brokerId,
      (listener) => config.listeners.find((l) => l.bind.name === listener)?.advertised,
      config.listener.name,
      self().rack,
      (topic, index) => replicas.partition(topic, index),
    );
    const broker = new Broker(config, log, clusterId, logs, replicas, topics, metadata);
    await broker.clientQuotas.load();
    await broker.clientMetrics.load();
    store.onPartitionsDeleted((partitions) => broker.groups.partitionsDeleted(partitions));
    const server = Listeners.of(config, log, broker);
    const port = await server.listen(config);
    broker.groups.start();
    broker.shares.start();
    broker.transactions.start();
    logListening(log, config, port, clusterId);
    return {
      broker,
      port,
      async stop() {
        await broker.replication.stop();
        await broker.transactions.stop();
        await broker.groups.stop();
        await broker.shares.stop();
        await server.close();
        await logs.close();
      },
    };
  } catch (err) {
    await logs.close();
    throw err;
  }
}

/**
 * With zookeeper.connect: the broker registers in ZooKeeper, keeps its topic definitions there, runs for
 * controller, and serves the metadata the controller sends. Its partitions open when the controller
 * names it a replica. A single node's topics.json is carried into ZooKeeper at the first start.
 */
async function startInCluster(config: BrokerConfig, log: Logger): Promise<RunningKafka> {
  const membership = await ClusterMembership.connect(config, log, storedClusterId(config.dataDir) ?? newClusterId());
  let logs: LogManager | undefined;
  let server: Listeners | undefined;
  try {
    const store = await ZkTopicStore.open(membership.zk, log);
    await carryOverTopicsFile(config, store, log);
    logs = await logManagerFor(config, log, store);
    const { clusterId } = await loadOrCreateMetaProperties(config.dataDir, config.brokerId, membership.clusterId);
    const replicas = new ReplicaManager(logs, config.brokerId, log);
    await replicas.load(store, false);
    const cache = new MetadataCache(config.listener.name);
    const topics = new TopicManager(store, replicas, config, log, () => cache.liveBrokers().map((b) => ({ id: b.nodeId, rack: b.rack })), false);
    const controller = new Controller(membership, config, log, (topic) => {
      const override = store.get(topic)?.configs['unclean.leader.election.enable'];
      return override === undefined ? config.values['unclean.leader.election.enable'] : override.trim().toLowerCase() === 'true';
    });
    const authorizer = config.authorizer && new Authorizer(config.authorizer);
    const acl = authorizer && { authorizer, store: new ZkAclStore(membership.zk, authorizer, log) };
    // Every ACL is read before the listeners open: no request is checked against a partial cache.
    await acl?.store.arm();
    const broker = new Broker(config, log, clusterId, logs, replicas, topics, cache, { membership, cache, controller, acl });
    // Quotas and client-metrics subscriptions are read before the listeners open, and followed from then on.
    const quotaWatch = new EntityConfigWatch(() => membership.zk, ['users', 'clients', 'ips'], broker.clientQuotas, 'client quotas', log);
    const clientMetricsWatch = new EntityConfigWatch(() => membership.zk, [CLIENT_METRICS_ENTITY], broker.clientMetrics, 'client-metrics subscriptions', log);
    await quotaWatch.arm();
    await clientMetricsWatch.arm();
    store.onTopicsRemoved((removed) => {
      for (const t of removed) cache.forgetTopic(t.name);
      const partitions = removed.flatMap((t) => t.replicas.map((_, partition) => ({ topic: t.name, partition })));
      if (partitions.length > 0) broker.groups.partitionsDeleted(partitions);
    });
    store.onConfigsChanged((topic) => replicas.updateConfig(topic));
    membership.onNewSession(async () => {
      await store.arm();
      await acl?.store.arm();
      await quotaWatch.arm();
      await clientMetricsWatch.arm();
      await controller.restart();
    });
    // The leader's ISR changes go to the partition state znodes through this broker's session.
    broker.replication.useIsrWriter(new ZkIsrWriter(membership.zk));
    server = Listeners.of(config, log, broker);
    const port = await server.listen(config);
    // Registered only once reachable: the controller connects as soon as it sees the registration.
    await membership.register();
    await controller.start();
    broker.groups.start();
    broker.shares.start();
    broker.transactions.start();
    logListening(log, config, port, clusterId);
    const openLogs = logs;
    const listening = server;
    return {
      broker,
      port,
      async stop() {
        if (config.values['controlled.shutdown.enable']) await controlledShutdown(membership, config, log);
        await broker.replication.stop();
        await broker.transactions.stop();
        await broker.groups.stop();
        await broker.shares.stop();
        await listening.close();
        await controller.stop();
        await membership.close();
        await openLogs.close();
      },
    };
  } catch (err) {
    // A refused registration (a duplicate broker.id) comes after the listener opened.
    await server?.close();
    await logs?.close();
    await membership.close();
    throw err;
  }
}
