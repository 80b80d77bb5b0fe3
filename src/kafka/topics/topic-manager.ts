// Creating, deleting, growing and reconfiguring topics: the checks Kafka makes (names, counts,
// replication factor, assignments, configs), then the durable topic record, then the partition logs.
// CreateTopics, DeleteTopics, CreatePartitions, the config APIs and auto-creation all come through here.
import { randomBytes } from 'node:crypto';
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { topicNameProblem } from '../../log/topic-name.js';
import type { Logger } from '../../logger.js';
import type { BrokerConfig } from '../broker-config.js';
import { effectiveTopicConfigs, topicConfigProblem } from '../metadata/topic-config.js';
import { CLUSTER_METADATA_TOPIC, collisionKey, isInternalTopic } from '../metadata/topic-name.js';
import type { TopicRecord, TopicStore } from '../metadata/topic-store.js';
import type { ReplicaManager } from '../partitions/replica-manager.js';
import { partitionLimit, readOpenFileLimit, type PartitionLimit } from './partition-limit.js';
import { PlacementError, placeReplicas, type PlacementBroker } from './replica-placement.js';

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
  /** Topic id -> name, as last read from the store; checked against the store at each use. */
  private readonly nameOfId = new Map<string, string>();
  /** The id map was read again in this turn of the event loop. */
  private idsReadThisTurn = false;
  /** The last partition open or delete per topic name, so each starts after the one before it. */
  private readonly partitionWork = new Map<string, Promise<void>>();
  /** Partitions this broker may hold: every creation that would pass it is refused before anything changes. */
  readonly partitionLimit: PartitionLimit;

  constructor(
    private readonly store: TopicStore,
    private readonly replicas: ReplicaManager,
    private readonly cfg: BrokerConfig,
    private readonly log: Logger,
    /** Brokers a replica may be placed on (with their racks); on a single node, just this one. */
    private readonly liveBrokers: () => PlacementBroker[],
    /**
     * Whether this broker opens and deletes partition logs itself, as a single node does. In a cluster
     * the controller tells each replica (LeaderAndIsr, StopReplica) once the store has the change.
     */
    private readonly localPartitions: boolean,
    /** The process's soft open-file limit; read from /proc/self/limits unless a test gives one. */
    openFileLimit: number | undefined = readOpenFileLimit(),
  ) {
    this.partitionLimit = partitionLimit(cfg.values['max.broker.partitions'], openFileLimit, cfg.values['max.connections']);
    const held = this.partitionCount();
    const fields = { partitions: held, maxPartitions: this.partitionLimit.maxPartitions, source: this.partitionLimit.source };
    if (held > this.partitionLimit.maxPartitions) log.warn(fields, 'more partitions than the limit: no partition can be added until topics are deleted');
    else log.info(fields, 'partition limit');
  }

  /** Partitions this broker is a replica of (on a single broker, every partition). */
  partitionCount(): number {
    let n = 0;
    for (const t of this.store.list()) n += this.mine(t.replicas);
    return n;
  }

  private mine(replicas: readonly number[][]): number {
    return replicas.filter((r) => r.includes(this.cfg.brokerId)).length;
  }

  /**
   * Refuses, as a create-topic policy does in Kafka, new partitions that would take this broker past its
   * partition limit (those of `replicas` it would hold). Creations become visible in the store
   * synchronously, so a request (or several) creating topics one after another is counted whole.
   */
  private checkPartitionLimit(replicas: readonly number[][]): void {
    const adding = this.mine(replicas);
    if (adding === 0) return;
    const { maxPartitions, source } = this.partitionLimit;
    const held = this.partitionCount();
    if (held + adding <= maxPartitions) return;
    fail(
      ErrorCode.POLICY_VIOLATION,
      `Adding ${adding} partitions would bring this broker to ${held + adding} partitions, above its limit of ${maxPartitions} (${source}).`,
    );
  }

  list(): TopicRecord[] {
    return this.store.list();
  }

  get(name: string): TopicRecord | undefined {
    return this.store.get(name);
  }

  /**
   * Fetch and Produce v13+ look a topic up by id in every request: the names of ids seen are kept, and a
   * name still holding that id answers at once. A miss (an unknown id, a topic re-created) reads the whole
   * list again, at most once per turn of the event loop: a request naming thousands of unknown ids costs
   * one pass over the topics, not one per id (the store cannot change within a turn).
   */
  getById(topicId: string): TopicRecord | undefined {
    const name = this.nameOfId.get(topicId);
    const hit = name === undefined ? undefined : this.store.get(name);
    if (hit?.topicId === topicId) return hit;
    if (this.idsReadThisTurn) return undefined;
    this.idsReadThisTurn = true;
    queueMicrotask(() => (this.idsReadThisTurn = false));
    this.nameOfId.clear();
    let found: TopicRecord | undefined;
    for (const t of this.store.list()) {
      this.nameOfId.set(t.topicId, t.name);
      if (t.topicId === topicId) found = t;
    }
    return found;
  }

  /**
   * Checks a new topic as Kafka does and returns its record; throws KafkaProtocolError with the
   * code CreateTopics reports. Nothing is changed (CreateTopics validateOnly stops here).
   */
  validateNew(t: NewTopic): TopicRecord {
    const nameProblem = topicNameProblem(t.name);
    if (nameProblem) fail(ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem);
    if (t.name === CLUSTER_METADATA_TOPIC) fail(ErrorCode.INVALID_REQUEST, `Creation of internal topic ${CLUSTER_METADATA_TOPIC} is prohibited.`);
    if (this.store.get(t.name)) fail(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`);
    const collides = this.store.list().find((o) => collisionKey(o.name) === collisionKey(t.name));
    if (collides) {
      fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${t.name}' collides with existing topic: ${collides.name}`);
    }
    const entries = Object.entries(t.configs ?? {});
    const nulls = entries.filter(([, value]) => value === null).map(([key]) => key);
    if (nulls.length > 0) fail(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${nulls.join(',')}`);
    const configs = Object.fromEntries(entries) as Record<string, string>;
    this.validateConfigs(configs);
    const replicas =
      t.assignments && t.assignments.length > 0 ? this.checkAssignments(t) : this.placeReplicas(t.numPartitions, t.replicationFactor, 0);
    this.checkPartitionLimit(replicas);
    return { name: t.name, topicId: randomBytes(16).toString('hex'), replicas, configs };
  }

  /** Creates a topic durably and opens its partitions. */
  async create(t: NewTopic): Promise<TopicRecord> {
    const record = this.validateNew(t);
    await this.commitNew(record);
    return record;
  }

  /**
   * Stores a topic validateNew returned and opens its partitions. The topic is visible before this
   * returns; the promise settles once it is durable and its logs are open.
   */
  async commitNew(record: TopicRecord): Promise<void> {
    const persisted = this.store.create(record);
    await Promise.all([persisted, this.localPartitions && this.afterEarlierWork(record.name, () => this.replicas.openTopic(record))]);
    this.log.info({ topic: record.name, partitions: record.replicas.length, configs: record.configs }, 'topic created');
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

  /** Throws TOPIC_DELETION_DISABLED unless delete.topic.enable; DeleteTopics asks before anything else. */
  checkDeletionEnabled(): void {
    if (!this.cfg.values['delete.topic.enable']) fail(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
  }

  /**
   * DeleteTopics' checks for one topic; throws KafkaProtocolError. Kafka's broker would delete the
   * internal topics too (only its tools refuse); Skein refuses, since the coordinators keep their state there.
   */
  validateDelete(name: string): void {
    this.checkDeletionEnabled();
    if (!this.store.get(name)) fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
    if (isInternalTopic(name)) fail(ErrorCode.INVALID_REQUEST, `Topic ${name} is a Kafka internal topic and is not allowed to be deleted.`);
  }

  /** Deletes a topic: gone from the store and from requests at once, its logs removed by the time this settles. */
  async delete(name: string): Promise<void> {
    this.validateDelete(name);
    const persisted = this.store.delete(name);
    await Promise.all([persisted, this.localPartitions && this.afterEarlierWork(name, () => this.replicas.deleteTopic(name))]);
    this.log.info({ topic: name }, 'topic deleted');
  }

  /** CreatePartitions' checks; returns the replica lists of the new partitions without changing anything. */
  validateNewPartitions(name: string, totalCount: number, assignments: number[][] | null): number[][] {
    const topic = this.store.get(name);
    if (!topic) fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
    const current = topic.replicas.length;
    if (totalCount < current) {
      fail(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${totalCount}.`);
    }
    if (totalCount === current) fail(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
    if (totalCount > MAX_PARTITIONS_PER_TOPIC) {
      fail(ErrorCode.INVALID_PARTITIONS, `${totalCount} partitions is above the limit of ${MAX_PARTITIONS_PER_TOPIC}.`);
    }
    const added = totalCount - current;
    const rf = topic.replicas[0]?.length ?? 1;
    if (assignments === null) {
      const placed = this.placeReplicas(added, rf, current);
      this.checkPartitionLimit(placed);
      return placed;
    }
    const live = new Set(this.liveBrokers().map((b) => b.id));
    const unknown = [...new Set(assignments.flat())].filter((b) => !live.has(b));
    if (unknown.length > 0) fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Unknown broker(s) in replica assignment: ${unknown.join(', ')}.`);
    if (assignments.length !== added) {
      fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Increasing the number of partitions by ${added} but ${assignments.length} assignments provided.`);
    }
    assignments.forEach((brokers, i) => this.checkReplicaList(brokers, rf, current + i));
    this.checkPartitionLimit(assignments);
    return assignments;
  }

  /** Appends partitions validateNewPartitions returned; they are visible at once, open when this settles. */
  async addPartitions(name: string, added: number[][]): Promise<void> {
    const persisted = this.store.addPartitions(name, added);
    const topic = this.store.get(name)!;
    await Promise.all([persisted, this.localPartitions && this.afterEarlierWork(name, () => this.replicas.openTopic(topic))]);
    this.log.info({ topic: name, partitions: topic.replicas.length }, 'partitions added');
  }

  /** Checks a full set of topic config overrides (CreateTopics, AlterConfigs, IncrementalAlterConfigs). */
  validateConfigs(configs: Readonly<Record<string, string>>): void {
    for (const [key, value] of Object.entries(configs)) {
      const problem = topicConfigProblem(key, value);
      if (problem) fail(ErrorCode.INVALID_CONFIG, problem);
    }
    // Kafka checks the pair as the topic would run with it, broker defaults filling what is not set.
    const effective = new Map(effectiveTopicConfigs(this.cfg, configs).map((e) => [e.name, Number(e.value)]));
    const minLag = effective.get('min.compaction.lag.ms')!;
    const maxLag = effective.get('max.compaction.lag.ms')!;
    if (maxLag < minLag) {
      fail(ErrorCode.INVALID_CONFIG, `conflict topic config setting max.compaction.lag.ms (${maxLag}) < min.compaction.lag.ms (${minLag})`);
    }
  }

  /**
   * Replaces a topic's config overrides. The store and the topic's logs see them at once (retention,
   * segment size, ...); the promise settles once they are durable.
   */
  async setConfigs(name: string, configs: Record<string, string>): Promise<void> {
    if (!this.store.get(name)) fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
    this.validateConfigs(configs);
    const persisted = this.store.setConfigs(name, configs);
    this.replicas.updateConfig(name);
    await persisted;
    this.log.info({ topic: name, configs }, 'topic configs changed');
  }

  /**
   * Runs `step` on a topic's partitions once earlier steps for that name have settled. The store changes
   * at once, but opening logs takes a while: without this, a delete pipelined behind a create could run
   * before the create's logs exist, and a topic created again under the name would find the old logs.
   */
  private afterEarlierWork(name: string, step: () => Promise<void>): Promise<void> {
    const earlier = this.partitionWork.get(name);
    const work = earlier ? earlier.then(step) : step();
    const settled = work.catch(() => undefined);
    this.partitionWork.set(name, settled);
    void settled.then(() => {
      if (this.partitionWork.get(name) === settled) this.partitionWork.delete(name);
    });
    return work;
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
      if (a.partitionIndex === assignments[i - 1]?.partitionIndex) {
        fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Found multiple manual partition assignments for partition ${a.partitionIndex}`);
      }
      if (a.partitionIndex !== i) fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions should be a consecutive 0-based integer sequence');
      this.checkReplicaList(a.brokerIds, rf, i);
      return [...a.brokerIds];
    });
  }

  /** Kafka's checks of one partition's replica list, in its order and words. */
  private checkReplicaList(brokers: number[], rf: number, partition: number): void {
    if (brokers.length === 0) fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Cannot have replication factor of 0 for partition id ${partition}.`);
    if (new Set(brokers).size !== brokers.length) {
      fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Duplicate brokers not allowed in replica assignment: ${brokers.join(', ')} for partition id ${partition}.`);
    }
    const live = new Set(this.liveBrokers().map((b) => b.id));
    const unknown = brokers.filter((b) => !live.has(b));
    if (unknown.length > 0) {
      fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes broker ${unknown[0]}, but no such broker is registered.`);
    }
    if (brokers.length !== rf) {
      fail(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Inconsistent replication factor between partitions, partition 0 has ${rf} while partition ${partition} has ${brokers.length}.`,
      );
    }
  }

  /** Kafka's placement (rack-aware when every broker has a rack) of new partitions over the live brokers. */
  private placeReplicas(requestedPartitions: number, requestedRf: number, firstIndex: number): number[][] {
    const partitions = requestedPartitions === -1 ? this.cfg.values['num.partitions'] : requestedPartitions;
    const rf = requestedRf === -1 ? this.cfg.values['default.replication.factor'] : requestedRf;
    if (partitions < 1) fail(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    if (partitions + firstIndex > MAX_PARTITIONS_PER_TOPIC) {
      fail(ErrorCode.INVALID_PARTITIONS, `${partitions} partitions is above the limit of ${MAX_PARTITIONS_PER_TOPIC}.`);
    }
    if (rf < 1) fail(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
    try {
      return placeReplicas(this.liveBrokers(), partitions, rf, firstIndex, Math.random);
    } catch (err) {
      if (err instanceof PlacementError) fail(ErrorCode.INVALID_REPLICATION_FACTOR, err.message);
      throw err;
    }
  }
}
