// In-process brokers replicating partitions, with the TEST as the controller: it creates topics on each
// broker, sends LeaderAndIsr / StopReplica over the wire, and keeps each partition's state as the
// partition state znode would (a version-checked ISR write, like Kafka's ZooKeeper mode).
import { rmSync } from 'node:fs';
import { ApiKey, ErrorCode, type LeaderAndIsrResponse } from '../../protocol/kafka/index.js';
import type { IsrChangeResult } from '../../src/consensus/partition-replication.js';
import { KafkaConnection } from '../../src/kafka/client/connection.js';
import type { IsrUpdate, IsrWriter } from '../../src/kafka/replication/isr-writer.js';
import { startTestBroker, type TestBroker } from './kafka-broker.js';

export interface ZnodeState {
  leader: number;
  leaderEpoch: number;
  isr: number[];
  controllerEpoch: number;
  /** The znode's version: Kafka's partition epoch. */
  version: number;
}

/** The partition state znodes, as the leaders' conditional ISR writes see them. */
export class MemoryIsrWriter implements IsrWriter {
  readonly states = new Map<string, ZnodeState>();
  /** Every ISR change written, in order, for tests to look at. */
  readonly log: { topic: string; partition: number; isr: number[] }[] = [];
  /** While false, writes fail as a lost ZooKeeper connection would. */
  reachable = true;

  key(topic: string, partition: number): string {
    return `${topic}-${partition}`;
  }

  write(topic: string, partition: number, update: IsrUpdate, partitionEpoch: number): Promise<IsrChangeResult> {
    if (!this.reachable) return Promise.reject(new Error('zookeeper unreachable'));
    const current = this.states.get(this.key(topic, partition));
    if (!current || current.version !== partitionEpoch) return Promise.resolve({ ok: false, errorCode: ErrorCode.INVALID_UPDATE_VERSION });
    const next = { ...current, leader: update.leader, leaderEpoch: update.leaderEpoch, isr: [...update.isr], controllerEpoch: update.controllerEpoch, version: current.version + 1 };
    this.states.set(this.key(topic, partition), next);
    this.log.push({ topic, partition, isr: [...update.isr] });
    return Promise.resolve({ ok: true, leaderEpoch: next.leaderEpoch, isr: next.isr, partitionEpoch: next.version });
  }
}

export interface ClusterBroker {
  id: number;
  broker: TestBroker;
  conn: KafkaConnection;
  stopped?: boolean;
}

export class ReplicationCluster {
  readonly zk = new MemoryIsrWriter();
  controllerEpoch = 1;
  private readonly settings: Record<string, string>;

  private constructor(
    readonly brokers: ClusterBroker[],
    settings: Record<string, string>,
  ) {
    this.settings = settings;
  }

  static async start(n: number, settings: Record<string, string> = {}): Promise<ReplicationCluster> {
    const common = {
      'replica.lag.time.max.ms': '2000',
      'replica.fetch.wait.max.ms': '200',
      'replica.fetch.backoff.ms': '100',
      ...settings,
    };
    const brokers: ClusterBroker[] = [];
    for (let id = 1; id <= n; id++) brokers.push(await startMember(id, { ...common, 'broker.id': String(id) }));
    const cluster = new ReplicationCluster(brokers, common);
    for (const b of brokers) b.broker.broker.replication.useIsrWriter(cluster.zk);
    return cluster;
  }

  node(id: number): ClusterBroker {
    const b = this.brokers.find((x) => x.id === id);
    if (!b) throw new Error(`no broker ${id}`);
    return b;
  }

  /** Creates `topic` on every broker (each one's topic store), as the controller's znode would make it known. */
  async createTopic(topic: string, partitions = 1, configs: Record<string, string> = {}): Promise<void> {
    for (const b of this.brokers) await b.broker.broker.topics.create({ name: topic, numPartitions: partitions, replicationFactor: 1, configs });
  }

  /**
   * The controller's decision for one partition: written to the "znode" (a new version) and sent as
   * LeaderAndIsr to every replica. Returns each replica's partition error code.
   */
  async elect(topic: string, partition: number, s: { leader: number; leaderEpoch: number; isr: number[]; replicas: number[] }, to = s.replicas): Promise<Map<number, number>> {
    const key = this.zk.key(topic, partition);
    const version = (this.zk.states.get(key)?.version ?? -1) + 1;
    this.zk.states.set(key, { leader: s.leader, leaderEpoch: s.leaderEpoch, isr: [...s.isr], controllerEpoch: this.controllerEpoch, version });
    const errors = new Map<number, number>();
    for (const id of to) {
      const res = await this.leaderAndIsr(id, topic, partition, { ...s, partitionEpoch: version });
      errors.set(id, res.errorCode !== ErrorCode.NONE ? res.errorCode : (res.topics[0]?.partitionErrors[0]?.errorCode ?? -1));
    }
    return errors;
  }

  /** One LeaderAndIsr v5 to broker `id`, naming every broker as a live leader. */
  leaderAndIsr(
    id: number,
    topic: string,
    partition: number,
    s: { leader: number; leaderEpoch: number; isr: number[]; replicas: number[]; partitionEpoch: number },
    controllerEpoch = this.controllerEpoch,
  ): Promise<LeaderAndIsrResponse> {
    return this.node(id).conn.send(ApiKey.LeaderAndIsr, 5, {
      controllerId: 1,
      controllerEpoch,
      brokerEpoch: -1,
      type: 0,
      topicStates: [
        {
          topicName: topic,
          // Each broker created the topic itself (createTopic), under an id of its own.
          topicId: this.node(id).broker.broker.topics.get(topic)!.topicId,
          partitionStates: [{ partitionIndex: partition, controllerEpoch, leader: s.leader, leaderEpoch: s.leaderEpoch, isr: s.isr, partitionEpoch: s.partitionEpoch, replicas: s.replicas, addingReplicas: [], removingReplicas: [], isNew: false }],
        },
      ],
      liveLeaders: this.brokers.map((b) => ({ brokerId: b.id, hostName: '127.0.0.1', port: b.broker.port })),
    });
  }

  znode(topic: string, partition: number): ZnodeState | undefined {
    return this.zk.states.get(this.zk.key(topic, partition));
  }

  /** Stops broker `id` (as a crash would not: its logs close cleanly) and keeps its data dir. */
  async stopBroker(id: number): Promise<void> {
    const b = this.node(id);
    b.conn.close();
    b.stopped = true;
    await b.broker.stop();
  }

  /** Starts broker `id` again on its data dir and port. */
  async restartBroker(id: number): Promise<void> {
    const b = this.node(id);
    const again = await startMember(id, { ...this.settings, 'broker.id': String(id), listeners: `PLAINTEXT://127.0.0.1:${b.broker.port}` }, b.broker.dataDir);
    again.broker.broker.replication.useIsrWriter(this.zk);
    Object.assign(b, again, { stopped: false });
  }

  async close(): Promise<void> {
    for (const b of this.brokers) {
      b.conn.close();
      if (b.stopped) rmSync(b.broker.dataDir, { recursive: true, force: true });
      else await b.broker.close();
    }
  }
}

async function startMember(id: number, settings: Record<string, string>, dataDir?: string): Promise<ClusterBroker> {
  const broker = await startTestBroker(settings, dataDir);
  const conn = await KafkaConnection.connect(broker.bootstrap);
  return { id, broker, conn };
}
