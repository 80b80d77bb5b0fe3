// The internal topic a coordinator keeps its state in (__consumer_offsets for groups,
// __transaction_state for transactions): created on first need, as Kafka's auto topic creation makes
// it when the first FindCoordinator for its kind of key arrives, and opened once it exists (alone: once
// all its partitions are open; in a cluster partitions open as the controller names this broker their
// replica, and load as it becomes their leader).
import type { Logger } from '../../logger.js';
import type { ConsumerOffsetsTopics } from '../groups/consumer-offsets-topic.js';
import type { TopicRecord } from '../metadata/topic-store.js';
import type { ReplicaManager } from '../partitions/replica-manager.js';

/** absent: not created yet; creating: under way; open: served; stopped: the broker is shutting down. */
export type TopicLifecycle = 'absent' | 'creating' | 'open' | 'stopped';

/** The broker's parts the topic's life needs. */
export interface InternalTopicHost {
  /** No zookeeper.connect: the broker opens every partition of a topic itself. */
  readonly alone: boolean;
  readonly topics: ConsumerOffsetsTopics;
  readonly replicas: Pick<ReplicaManager, 'partitionsOf'>;
  readonly log: Logger;
}

export interface InternalTopicContext {
  readonly name: string;
  readonly host: InternalTopicHost;
  /** Creates the topic durably with its partitions open. */
  create(): Promise<TopicRecord>;
  /** The topic is there: the coordinator starts (the lifecycle is already open). */
  opened(): void;
}

export class InternalTopic {
  lifecycle: TopicLifecycle = 'absent';
  /** Creating the topic, while under way: stop() waits for it. */
  private preparing: Promise<void> | undefined;

  constructor(private readonly ctx: InternalTopicContext) {}

  /** Opens the topic if it exists; whether it exists. */
  openIfPresent(): boolean {
    const { name, host } = this.ctx;
    const record = host.topics.get(name);
    const open = host.replicas.partitionsOf(name)?.length ?? 0;
    if (!record || (host.alone && open < record.replicas.length)) return record !== undefined;
    this.lifecycle = 'open';
    this.ctx.opened();
    return true;
  }

  /**
   * This broker was elected leader of one of the topic's partitions; whether the topic is open. A broker
   * that no request of the coordinator's kind has reached yet has not opened the topic: it opens it now,
   * or the election goes unheard and the partition is not served here (a cluster test's transactional
   * id stayed NOT_COORDINATOR on its new leader after the old one left, 1 run in 10).
   */
  openOnElection(): boolean {
    if (this.lifecycle === 'absent') this.openIfPresent();
    return this.lifecycle === 'open';
  }

  /** Creates the topic if it does not exist yet, then opens it. */
  ensure(): void {
    if (this.lifecycle !== 'absent' || this.openIfPresent()) return;
    const { ctx } = this;
    this.lifecycle = 'creating';
    this.preparing = ctx.create().then(
      (record) => {
        ctx.host.log.info({ partitions: record.replicas.length }, `created ${ctx.name}`);
        if (this.lifecycle !== 'creating') return;
        this.lifecycle = 'open';
        ctx.opened();
      },
      (err: unknown) => {
        // Clients keep hearing COORDINATOR_NOT_AVAILABLE; their next request tries again.
        ctx.host.log.error({ err }, `could not create ${ctx.name}`);
        if (this.lifecycle === 'creating') this.lifecycle = 'absent';
      },
    );
  }

  /** Settles once a creation under way is done; the topic is not opened afterwards. */
  async stop(): Promise<void> {
    this.lifecycle = 'stopped';
    await this.preparing;
  }
}

/** How a coordinator's compacted state topic is made (__transaction_state, __share_group_state). */
export interface StateTopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  minIsr: number;
  segmentBytes: number;
}

/**
 * Creates a coordinator's state topic with its replication factor capped by the live brokers (Kafka
 * refuses instead; a single broker could then never use the coordinator), min.insync.replicas capped by
 * that factor, and Kafka's overrides: compacted (each key's latest record is kept, tombstones drop in
 * time) with the topic's own segment size. Settles once durable and open.
 */
export function createStateTopic(topics: ConsumerOffsetsTopics, spec: StateTopicSpec, liveBrokers: number): Promise<TopicRecord> {
  const replicationFactor = Math.min(spec.replicationFactor, Math.max(liveBrokers, 1));
  return topics.create({
    name: spec.name,
    numPartitions: spec.partitions,
    replicationFactor,
    configs: {
      'cleanup.policy': 'compact',
      'segment.bytes': String(spec.segmentBytes),
      'min.insync.replicas': String(Math.min(spec.minIsr, replicationFactor)),
    },
  });
}
