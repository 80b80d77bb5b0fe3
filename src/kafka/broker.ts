// A Kafka broker: its config, identity, topics, partition logs, API handlers and listener, started and
// stopped as one.
import { initCompression } from '../../protocol/kafka/compression/codecs.js';
import { LogManager } from '../log/log-manager.js';
import type { Logger } from '../logger.js';
import { ByteBudget } from '../net/byte-budget.js';
import { TcpServer } from '../net/tcp-server.js';
import { cleanerConfigOf, type BrokerConfig } from './broker-config.js';
import { serveKafkaConnection } from './connection.js';
import { GroupService } from './groups/service.js';
import { DeletionReportingTopicStore } from './groups/topic-deletions.js';
import { HANDLERS } from './handlers/index.js';
import { FileTopicStore } from './metadata/file-topic-store.js';
import { loadOrCreateMetaProperties } from './metadata/meta-properties.js';
import { ReplicaManager } from './partitions/replica-manager.js';
import { produceConfig } from './produce/produce-config.js';
import { ReplicationManager } from './replication/replication-manager.js';
import { HandlerRegistry } from './registry.js';
import { logConfigForTopic } from './topics/topic-log-config.js';
import { TopicManager } from './topics/topic-manager.js';

export class Broker {
  readonly handlers = new HandlerRegistry(HANDLERS);
  /** Consumer groups: the coordinator and __consumer_offsets. */
  readonly groups = new GroupService(this);
  /** Leaders, followers and ISR of the partitions the controller assigned here. */
  readonly replication: ReplicationManager;

  constructor(
    readonly config: BrokerConfig,
    readonly log: Logger,
    readonly clusterId: string,
    readonly logs: LogManager,
    readonly replicas: ReplicaManager,
    readonly topics: TopicManager,
  ) {
    this.replication = new ReplicationManager({
      config,
      log,
      replicas,
      now: () => this.now(),
      minInsyncReplicas: (p) => produceConfig(config, topics.get(p.topic)?.configs ?? {}, p.log.config).minInsyncReplicas,
      onElection: (partition, epoch) => void this.groups.onElection(partition, epoch),
      onResignation: (partition, epoch) => this.groups.onResignation(partition, epoch),
    });
  }

  get brokerId(): number {
    return this.config.brokerId;
  }

  /** Wall-clock milliseconds; the one place handlers read the time. */
  now(): number {
    return Date.now();
  }

  /** Broker ids clients see in Metadata; just this one until the cluster issue. */
  liveBrokers(): { nodeId: number; host: string; port: number }[] {
    const { host, port } = this.config.advertised;
    return [{ nodeId: this.brokerId, host, port }];
  }
}

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
  const store = new DeletionReportingTopicStore(new FileTopicStore(config.dataDir));
  const logs = await LogManager.open({
    dirs: [config.dataDir],
    configFor: (topic) => logConfigForTopic(config, store.get(topic)?.configs ?? {}),
    logger: log,
    retentionCheckIntervalMs: config.values['log.retention.check.interval.ms'],
    flushCheckIntervalMs: config.values['log.flush.scheduler.interval.ms'],
    cleaner: cleanerConfigOf(config),
  });
  try {
    const { clusterId } = await loadOrCreateMetaProperties(config.dataDir, config.brokerId);
    const replicas = new ReplicaManager(logs, config.brokerId, log);
    await replicas.load(store);
    const topics = new TopicManager(store, replicas, config, log, () => [config.brokerId]);
    const broker = new Broker(config, log, clusterId, logs, replicas, topics);
    store.onPartitionsDeleted((partitions) => broker.groups.partitionsDeleted(partitions));
    const server = new TcpServer({
      host: config.listener.host === '' ? '0.0.0.0' : config.listener.host,
      port: config.listener.port,
      maxConnections: config.values['max.connections'],
      maxConnectionsPerAddress: config.values['max.connections.per.ip'],
      maxFrameBytes: config.values['socket.request.max.bytes'],
      requestBudget: new ByteBudget(unlimitedIfNegative(config.values['queued.max.request.bytes'])),
      timeouts: {
        idleMs: Math.max(0, config.values['connections.max.idle.ms']),
        frameMs: Math.max(0, config.values['socket.request.read.timeout.ms']),
      },
      log,
      accept: (socket, frames) => serveKafkaConnection(socket, frames, broker),
    });
    const port = await server.listen();
    // Listening on port 0 picks a free port (tests do); advertise the one actually bound.
    if (config.advertised.port === 0) config.advertised = { ...config.advertised, port };
    broker.groups.start();
    log.info(
      { listener: `${config.listener.name}://${config.listener.host}:${port}`, advertised: config.advertised, dataDir: config.dataDir, clusterId, brokerId: config.brokerId },
      'kafka broker listening',
    );
    return {
      broker,
      port,
      async stop() {
        await broker.replication.stop();
        await broker.groups.stop();
        await server.close();
        await logs.close();
      },
    };
  } catch (err) {
    await logs.close();
    throw err;
  }
}
