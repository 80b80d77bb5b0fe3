// What a broker tells clients about the cluster: the live brokers, the controller, and each partition's
// leader, leader epoch, replicas, ISR and offline replicas. Metadata, FindCoordinator and
// DescribeCluster answer from it. Alone (no zookeeper.connect) the broker is the whole cluster and the
// view is its own partitions; in a cluster it is what the controller last sent in UpdateMetadata
// (Kafka's ZooKeeper-mode MetadataCache), the same on every broker.
import type { UpdateMetadataRequest } from '../../../protocol/kafka/index.js';
import type { Partition } from '../partitions/partition.js';

export interface BrokerNode {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionView {
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface MetadataView {
  /**
   * The live brokers as clients of `listener` reach them (Kafka answers each listener with the endpoints
   * of its own name; a broker without one is left out). Unset: the inter-broker listener, which is how
   * brokers reach each other.
   */
  liveBrokers(listener?: string): BrokerNode[];
  /** The controller's id, or -1 while none is known. */
  controllerId(): number;
  partition(topic: string, index: number): PartitionView | undefined;
}

/** A single broker: it leads every partition it has open and is the controller. */
export class LocalMetadata implements MetadataView {
  constructor(
    private readonly nodeId: number,
    /** What a listener advertises (read at each call: a listener on port 0 learns its port when it listens). */
    private readonly advertised: (listener: string) => { host: string; port: number } | undefined,
    private readonly interBrokerListener: string,
    private readonly rack: string | null,
    private readonly local: (topic: string, index: number) => Partition | undefined,
  ) {}

  liveBrokers(listener = this.interBrokerListener): BrokerNode[] {
    const endpoint = this.advertised(listener);
    return endpoint ? [{ nodeId: this.nodeId, host: endpoint.host, port: endpoint.port, rack: this.rack }] : [];
  }

  controllerId(): number {
    return this.nodeId;
  }

  partition(topic: string, index: number): PartitionView | undefined {
    const p = this.local(topic, index);
    if (!p) return undefined;
    return { leader: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr, offlineReplicas: [] };
  }
}

type PartitionState = UpdateMetadataRequest['topicStates'][number]['partitionStates'][number];

type LiveBroker = UpdateMetadataRequest['liveBrokers'][number];

/** The partition states and brokers the controller sent; the listener named is the inter-broker one. */
export class MetadataCache implements MetadataView {
  private brokers: readonly LiveBroker[] = [];
  private controller = -1;
  private readonly partitions = new Map<string, Map<number, PartitionView>>();
  /** The controller epoch of the last accepted UpdateMetadata: older controllers are refused. */
  controllerEpoch = -1;

  constructor(private readonly listener: string) {}

  liveBrokers(listener = this.listener): BrokerNode[] {
    return this.brokers
      .map((b) => {
        // A broker without this listener is not reachable by its clients (Kafka's LISTENER_NOT_FOUND).
        const endpoint = b.endpoints.find((e) => e.listener === listener);
        return endpoint ? { nodeId: b.id, host: endpoint.host, port: endpoint.port, rack: b.rack } : undefined;
      })
      .filter((b) => b !== undefined)
      .sort((a, b) => a.nodeId - b.nodeId);
  }

  controllerId(): number {
    return this.controller;
  }

  partition(topic: string, index: number): PartitionView | undefined {
    return this.partitions.get(topic)?.get(index);
  }

  /** Applies an UpdateMetadata the handler accepted (its controller epoch checked). */
  update(request: UpdateMetadataRequest): void {
    this.controller = request.controllerId;
    this.controllerEpoch = request.controllerEpoch;
    this.brokers = request.liveBrokers;
    const states: (PartitionState & { topic: string })[] = [
      ...request.ungroupedPartitionStates.map((s) => ({ ...s, topic: s.topicName })),
      ...request.topicStates.flatMap((t) => t.partitionStates.map((s) => ({ ...s, topic: t.topicName }))),
    ];
    for (const s of states) {
      let byIndex = this.partitions.get(s.topic);
      if (!byIndex) this.partitions.set(s.topic, (byIndex = new Map()));
      byIndex.set(s.partitionIndex, {
        leader: s.leader,
        leaderEpoch: s.leaderEpoch,
        replicas: [...s.replicas],
        isr: [...s.isr],
        offlineReplicas: [...s.offlineReplicas],
      });
    }
  }

  /** A deleted topic's partitions leave the cache (the controller's later updates no longer name them). */
  forgetTopic(topic: string): void {
    this.partitions.delete(topic);
  }
}
