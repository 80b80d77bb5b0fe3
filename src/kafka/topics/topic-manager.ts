// Creating, deleting, growing and reconfiguring topics: the checks Kafka makes (names, counts,
// replication factor, assignments, configs), then the durable topic record, then the partition logs.
// CreateTopics, DeleteTopics, CreatePartitions, the config APIs and auto-creation all come through here.
import { randomBytes } from 'node:crypto';
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import type { Logger } from '../../logger.js';
import type { BrokerConfig } from '../broker-config.js';
import { topicConfigProblem } from '../metadata/topic-config.js';
import { collisionKey, topicNameProblem } from '../metadata/topic-name.js';
import type { TopicRecord, TopicStore } from '../metadata/topic-store.js';
import type { ReplicaManager } from '../partitions/replica-manager.js';

/** Partitions one topic may have. Each partition holds open files, so an absurd count is refused. */
export const MAX_PARTITIONS_PER_TOPIC = 10_000;

export interface NewTopic {
  name: string;
  /** -1 takes num.partitions (CreateTopics v4+). */
  numPartitions: number;
  /** -1 takes default.replication.factor. */
  replicationFactor: number;
  /** Explicit replica lists per partition; overrides the two counts when non-empty. */
  assignments?: { partitionIndex: number; brokerIds: number[] }[];
  configs?: Record<string, string | null>;
}

function fail(code: number, message: string): never {
  throw new KafkaProtocolError(code, message);
}

export class TopicManager {
  /** Auto-creations under way, so concurrent requests naming one new topic create it once. */
  private readonly autoCreating = new Map<string, Promise<TopicRecord>>();

  constructor(
    private readonly store: TopicStore,
    private readonly replicas: ReplicaManager,
    private readonly cfg: BrokerConfig,
    private readonly log: Logger,
    /** Broker ids a replica may be placed on; on a single node, just this one. */
    private readonly liveBrokers: () => number[],
  ) {}

  list(): TopicRecord[] {
    return this.store.list();
  }

  get(name: string): TopicRecord | undefined {
    return this.store.get(name);
  }

  getById(topicId: string): TopicRecord | undefined {
    return this.store.list().find((t) => t.topicId === topicId);
  }

  /**
   * Checks a new topic as Kafka does and returns its record; throws KafkaProtocolError with the
   * code CreateTopics reports. Nothing is changed (CreateTopics validateOnly stops here).
   */
  validateNew(t: NewTopic): TopicRecord {
    const nameProblem = topicNameProblem(t.name);
    if (nameProblem) fail(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem);
    if (this.store.get(t.name)) fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
    const collides = this.store.list().find((o) => collisionKey(o.name) === collisionKey(t.name));
    if (collides) {
      fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${t.name}' collides with existing topic '${collides.name}' ('.' and '_' are alike)`);
    }
    const configs: Record<string, string> = {};
    for (const [key, value] of Object.entries(t.configs ?? {})) {
      const problem = topicConfigProblem(key, value);
      if (problem) fail(ErrorCode.INVALID_CONFIG, problem);
      if (value !== null) configs[key] = value;
    }
    const replicas =
      t.assignments && t.assignments.length > 0 ? this.checkAssignments(t) : this.placeReplicas(t.numPartitions, t.replicationFactor, 0);
    return { name: t.name, topicId: randomBytes(16).toString('hex'), replicas, configs };
  }

  /** Creates a topic durably and opens its partitions. */
  async create(t: NewTopic): Promise<TopicRecord> {
    const record = this.validateNew(t);
    const persisted = this.store.create(record);
    await Promise.all([persisted, this.replicas.openTopic(record)]);
    this.log.info({ topic: record.name, partitions: record.replicas.length, configs: record.configs }, 'topic created');
    return record;
  }

  /**
   * Metadata and Produce name topics that may not exist; with auto.create.topics.enable Kafka creates
   * them with the broker's defaults. Returns undefined when it will not (disabled or an invalid name).
   */
  async autoCreate(name: string): Promise<TopicRecord | undefined> {
    const existing = this.store.get(name);
    if (existing) return existing;
    if (!this.cfg.values['auto.create.topics.enable'] || topicNameProblem(name)) return undefined;
    const pending = this.autoCreating.get(name);
    if (pending) return pending;
    const creation = this.create({ name, numPartitions: -1, replicationFactor: -1 }).finally(() => this.autoCreating.delete(name));
    this.autoCreating.set(name, creation);
    return creation;
  }

  async delete(name: string): Promise<void> {
    if (!this.cfg.values['delete.topic.enable']) fail(ErrorCode.TOPIC_DELETION_DISABLED, 'delete.topic.enable is false');
    if (!this.store.get(name)) fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
    const persisted = this.store.delete(name);
    await Promise.all([persisted, this.replicas.deleteTopic(name)]);
    this.log.info({ topic: name }, 'topic deleted');
  }

  /** CreatePartitions' checks; returns the replica lists of the new partitions without changing anything. */
  validateNewPartitions(name: string, totalCount: number, assignments: number[][] | null): number[][] {
    const topic = this.store.get(name);
    if (!topic) fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
    const current = topic.replicas.length;
    if (totalCount <= current) {
      fail(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, ${totalCount} would not be an increase.`);
    }
    if (totalCount > MAX_PARTITIONS_PER_TOPIC) {
      fail(ErrorCode.INVALID_PARTITIONS, `${totalCount} partitions is above the limit of ${MAX_PARTITIONS_PER_TOPIC}.`);
    }
    const added = totalCount - current;
    const rf = topic.replicas[0]?.length ?? 1;
    if (assignments === null) return this.placeReplicas(added, rf, current);
    if (assignments.length !== added) {
      fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Increasing the number of partitions by ${added} but ${assignments.length} assignments provided.`);
    }
    for (const brokers of assignments) this.checkReplicaList(brokers, rf);
    return assignments;
  }

  async addPartitions(name: string, totalCount: number, assignments: number[][] | null): Promise<void> {
    const added = this.validateNewPartitions(name, totalCount, assignments);
    const persisted = this.store.addPartitions(name, added);
    const topic = this.store.get(name)!;
    await Promise.all([persisted, this.replicas.openTopic(topic)]);
    this.log.info({ topic: name, partitions: totalCount }, 'partitions added');
  }

  /** Checks a full replacement of a topic's config overrides (AlterConfigs, IncrementalAlterConfigs). */
  validateConfigs(configs: Readonly<Record<string, string>>): void {
    for (const [key, value] of Object.entries(configs)) {
      const problem = topicConfigProblem(key, value);
      if (problem) fail(ErrorCode.INVALID_CONFIG, problem);
    }
  }

  async setConfigs(name: string, configs: Record<string, string>): Promise<void> {
    if (!this.store.get(name)) fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
    this.validateConfigs(configs);
    const persisted = this.store.setConfigs(name, configs);
    this.replicas.updateConfig(name);
    await persisted;
    this.log.info({ topic: name, configs }, 'topic configs changed');
  }

  private checkAssignments(t: NewTopic): number[][] {
    if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
      fail(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
    }
    const assignments = [...t.assignments!].sort((a, b) => a.partitionIndex - b.partitionIndex);
    if (assignments.length > MAX_PARTITIONS_PER_TOPIC) {
      fail(ErrorCode.INVALID_PARTITIONS, `${assignments.length} partitions is above the limit of ${MAX_PARTITIONS_PER_TOPIC}.`);
    }
    const rf = assignments[0]!.brokerIds.length;
    return assignments.map((a, i) => {
      if (a.partitionIndex !== i) fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Partitions should be a consecutive 0-based integer sequence.');
      this.checkReplicaList(a.brokerIds, rf);
      return [...a.brokerIds];
    });
  }

  private checkReplicaList(brokers: number[], rf: number): void {
    const live = new Set(this.liveBrokers());
    if (brokers.length === 0) fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'A partition needs at least one replica.');
    if (brokers.length !== rf) fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'All partitions should have the same number of replicas.');
    if (new Set(brokers).size !== brokers.length) fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Duplicate brokers in replica list ${brokers.join(',')}.`);
    for (const b of brokers) if (!live.has(b)) fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Unknown broker ${b} in replica assignment.`);
  }

  /** Round-robin placement as Kafka does without racks: partition p starts at broker (start + p). */
  private placeReplicas(requestedPartitions: number, requestedRf: number, firstIndex: number): number[][] {
    const partitions = requestedPartitions === -1 ? this.cfg.values['num.partitions'] : requestedPartitions;
    const rf = requestedRf === -1 ? this.cfg.values['default.replication.factor'] : requestedRf;
    if (partitions < 1) fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    if (partitions + firstIndex > MAX_PARTITIONS_PER_TOPIC) {
      fail(ErrorCode.INVALID_PARTITIONS, `${partitions} partitions is above the limit of ${MAX_PARTITIONS_PER_TOPIC}.`);
    }
    if (rf < 1) fail(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
    const brokers = [...this.liveBrokers()].sort((a, b) => a - b);
    if (rf > brokers.length) {
      fail(ErrorCode.INVALID_REPLICATION_FACTOR, `Replication factor: ${rf} larger than available brokers: ${brokers.length}.`);
    }
    const out: number[][] = [];
    for (let p = firstIndex; p < firstIndex + partitions; p++) {
      const list: number[] = [];
      for (let r = 0; r < rf; r++) list.push(brokers[(p + r) % brokers.length]!);
      out.push(list);
    }
    return out;
  }
}
