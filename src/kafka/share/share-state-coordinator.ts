// The share coordinator (KIP-932): keeps share-partitions' durable state in the internal topic
// __share_group_state, replicated like __consumer_offsets, so the state survives the broker that led a
// partition. A share-partition's key ("groupId:topicId:partition") hashes to one partition of the topic;
// the leader of that partition is the key's coordinator. It reads its partitions back when it becomes
// their leader (the latest ShareSnapshot per key wins) and forgets them when it stops, so the
// coordinator moves with leadership as the group and transaction coordinators do. Partition leaders
// ask it through ReadShareGroupState (84) and WriteShareGroupState (85).
//
// Why a write replaces the whole state: Skein's share-partition leaders always send their complete
// snapshot (Kafka's may send only changed batches, which its coordinator merges and records as
// ShareUpdate deltas); each write becomes one ShareSnapshot record, answered once the ISR has it.
// The fencing rules (leader and state epochs) are pure, in share-state-rules.ts.
import { DecodeError } from '../../../protocol/bytes.js';
import {
  ErrorCode,
  type DeleteShareGroupStateRequest,
  type DeleteShareGroupStateResponseInput,
  type ReadShareGroupStateRequest,
  type ReadShareGroupStateResponseInput,
  type WriteShareGroupStateRequest,
  type WriteShareGroupStateResponseInput,
} from '../../../protocol/kafka/index.js';
import { buildRecordBatch } from '../../../protocol/kafka/records/batch-builder.js';
import type { BatchRecord } from '../../../protocol/kafka/records/batch-records.js';
import {
  decodeShareSnapshotValue,
  decodeShareStateKey,
  encodeShareSnapshotKey,
  encodeShareSnapshotValue,
  SHARE_GROUP_STATE_TOPIC,
  shareStatePartition,
} from '../../../protocol/kafka/share-group-state/records.js';
import { LogError } from '../../log/errors.js';
import type { BrokerConfig } from '../broker-config.js';
import { createStateTopic, InternalTopic, type InternalTopicHost } from '../coordination/internal-topic.js';
import { PartitionOwnership } from '../coordination/partition-ownership.js';
import { loadConsumerOffsets } from '../groups/consumer-offsets-loader.js';
import type { MetadataView } from '../metadata/metadata-view.js';
import { appendAcksAll } from '../partitions/durable-append.js';
import type { ReplicaManager } from '../partitions/replica-manager.js';
import { DeliveryState } from './share-partition.js';
import { admitRead, admitWrite, type StoredShareState } from './share-state-rules.js';

/** The parts of its broker the share coordinator uses: its state topic's host, the config, the brokers, the clock. */
export interface ShareStateCoordinatorBroker extends InternalTopicHost {
  readonly config: BrokerConfig;
  readonly metadata: MetadataView;
  readonly replicas: Pick<ReplicaManager, 'partition' | 'partitionsOf'>;
  now(): number;
}

type ReadPartition = NonNullable<NonNullable<ReadShareGroupStateResponseInput['results']>[number]['partitions']>[number];
type WritePartition = WriteShareGroupStateRequest['topics'][number]['partitions'][number];

/**
 * The share-partition states one share coordinator holds in memory at most, counted in state batches
 * (a state costs one unit plus one per batch; each state's batches are bounded by
 * group.share.partition.max.record.locks): about 100 MB. Writes that would go beyond are refused with
 * GROUP_MAX_SIZE_REACHED, as share-partitions beyond group.share.max.groups are on the leaders, so
 * whatever keys a sender makes up, memory stays bounded.
 */
export const MAX_SHARE_STATE_UNITS = 1_000_000;

function unitsOf(state: StoredShareState | undefined): number {
  return state ? 1 + state.stateBatches.length : 0;
}

function keyOf(groupId: string, topicId: string, partition: number): string {
  return `${groupId}\0${topicId}\0${partition}`;
}

/** Every share-partition a Read-, Write- or DeleteShareGroupState names, answered with one error (and `extra` fields, for a Read's state). */
export function refusedStates<E extends object>(topics: ReadonlyArray<{ topicId: string; partitions: ReadonlyArray<{ partition: number }> }>, errorCode: number, extra: E): { results: Array<{ topicId: string; partitions: Array<{ partition: number; errorCode: number; errorMessage: null } & E> }> } {
  return { results: topics.map((t) => ({ topicId: t.topicId, partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode, errorMessage: null, ...extra })) })) };
}

export class ShareStateCoordinator {
  private readonly topic: InternalTopic;
  /** The states of the __share_group_state partitions this broker leads, by partition, then by key. */
  private readonly states = new Map<number, Map<string, StoredShareState>>();
  /** What the states hold, in MAX_SHARE_STATE_UNITS' units. */
  private units = 0;
  private readonly ownership = new PartitionOwnership<Map<string, StoredShareState>>({
    load: (partition) => this.readPartition(partition),
    loaded: (partition, _epoch, state) => {
      this.states.set(partition, state);
      for (const s of state.values()) this.units += unitsOf(s);
    },
    unloaded: (partition) => {
      for (const s of this.states.get(partition)?.values() ?? []) this.units -= unitsOf(s);
      this.states.delete(partition);
    },
    loadFailed: (partition, epoch, err) => this.broker.log.error({ err, partition, epoch }, `could not load a ${SHARE_GROUP_STATE_TOPIC} partition; its share-partitions are not served here`),
  });

  constructor(private readonly broker: ShareStateCoordinatorBroker) {
    this.topic = new InternalTopic({
      name: SHARE_GROUP_STATE_TOPIC,
      host: broker,
      // Kafka's share.coordinator.state.topic.* settings (see createStateTopic).
      create: () => {
        const v = broker.config.values;
        const spec = {
          name: SHARE_GROUP_STATE_TOPIC,
          partitions: v['share.coordinator.state.topic.num.partitions'],
          replicationFactor: v['share.coordinator.state.topic.replication.factor'],
          minIsr: v['share.coordinator.state.topic.min.isr'],
          segmentBytes: v['share.coordinator.state.topic.segment.bytes'],
        };
        return createStateTopic(broker.topics, spec, broker.metadata.liveBrokers().length);
      },
      opened: () => this.open(),
    });
  }

  /** Begins loading __share_group_state if it exists; otherwise it is created on first need. */
  start(): void {
    if (this.topic.lifecycle === 'absent') this.topic.openIfPresent();
  }

  async stop(): Promise<void> {
    await this.topic.stop();
    await this.ownership.settled();
  }

  onElection(partition: number, epoch: number): Promise<void> {
    if (!this.topic.openOnElection()) return Promise.resolve();
    return this.ownership.onElection(partition, epoch);
  }

  onResignation(partition: number, epoch: number): void {
    if (this.topic.lifecycle !== 'open') return;
    this.ownership.onResignation(partition, epoch);
  }

  /**
   * The __share_group_state partition of a share-partition, creating the topic if it does not exist yet
   * (then undefined: the caller retries, as Kafka answers COORDINATOR_NOT_AVAILABLE meanwhile).
   */
  partitionOf(groupId: string, topicId: string, partition: number): number | undefined {
    this.topic.ensure();
    const count = this.broker.topics.get(SHARE_GROUP_STATE_TOPIC)?.replicas.length;
    return count === undefined || this.topic.lifecycle !== 'open' ? undefined : shareStatePartition(groupId, topicId, partition, count);
  }

  /** ReadShareGroupState: each share-partition's state; a start offset of -1 where none was written. */
  read(request: ReadShareGroupStateRequest): ReadShareGroupStateResponseInput {
    return {
      results: request.topics.map((t) => ({
        topicId: t.topicId,
        partitions: t.partitions.map(({ partition, leaderEpoch }): ReadPartition => {
          const none = { partition, errorMessage: null, stateEpoch: 0, startOffset: -1, stateBatches: [] };
          const found = this.stateOf(request.groupId, t.topicId, partition);
          if (typeof found === 'number') return { ...none, errorCode: found };
          const stored = found.get(keyOf(request.groupId, t.topicId, partition));
          const fenced = admitRead(stored, leaderEpoch);
          if (fenced !== ErrorCode.NONE) return { ...none, errorCode: fenced };
          return stored ? { ...none, errorCode: ErrorCode.NONE, stateEpoch: stored.stateEpoch, startOffset: stored.startOffset, stateBatches: stored.stateBatches } : { ...none, errorCode: ErrorCode.NONE };
        }),
      })),
    };
  }

  /** WriteShareGroupState: each share-partition's state made durable (in the ISR of its partition) before it is answered. */
  async write(request: WriteShareGroupStateRequest): Promise<WriteShareGroupStateResponseInput> {
    const maxOffsets = this.broker.config.values['group.share.partition.max.record.locks'];
    return {
      results: await Promise.all(
        request.topics.map(async (t) => ({
          topicId: t.topicId,
          partitions: await Promise.all(
            t.partitions.map(async (p) => {
              const errorCode = await this.writeOne(request.groupId, t.topicId, p, maxOffsets);
              return { partition: p.partition, errorCode, errorMessage: null };
            }),
          ),
        })),
      ),
    };
  }

  private async writeOne(groupId: string, topicId: string, p: WritePartition, maxOffsets: number): Promise<number> {
    const found = this.stateOf(groupId, topicId, p.partition);
    if (typeof found === 'number') return found;
    const key = keyOf(groupId, topicId, p.partition);
    const stored = found.get(key);
    const state = admitWrite(stored, p, maxOffsets);
    if (typeof state === 'number') return state;
    if (this.units - unitsOf(stored) + unitsOf(state) > MAX_SHARE_STATE_UNITS) return ErrorCode.GROUP_MAX_SIZE_REACHED;
    const value = encodeShareSnapshotValue({ snapshotEpoch: 0, stateEpoch: state.stateEpoch, leaderEpoch: state.leaderEpoch, startOffset: state.startOffset, stateBatches: state.stateBatches });
    const errorCode = await this.append(groupId, topicId, p.partition, value);
    // The state counts once durable; a later write that was answered first stays (writes of a key are one at a time).
    if (errorCode === ErrorCode.NONE && (found.get(key)?.leaderEpoch ?? -1) <= state.leaderEpoch) this.put(found, key, state);
    return errorCode;
  }

  /** DeleteShareGroupState: each share-partition's state forgotten (a tombstone, durable before it is answered). */
  async delete(request: DeleteShareGroupStateRequest): Promise<DeleteShareGroupStateResponseInput> {
    return {
      results: await Promise.all(
        request.topics.map(async (t) => ({
          topicId: t.topicId,
          partitions: await Promise.all(
            t.partitions.map(async ({ partition }) => {
              const found = this.stateOf(request.groupId, t.topicId, partition);
              const errorCode = typeof found === 'number' ? found : await this.append(request.groupId, t.topicId, partition, null);
              if (errorCode === ErrorCode.NONE && typeof found !== 'number') this.put(found, keyOf(request.groupId, t.topicId, partition), undefined);
              return { partition, errorCode, errorMessage: null };
            }),
          ),
        })),
      ),
    };
  }

  /** Appends a share-partition's snapshot (or its tombstone) in this turn, so writes of one key land in the order they arrived; NONE once the ISR has it. */
  private append(groupId: string, topicId: string, partition: number, value: Buffer | null): Promise<number> {
    const statePartition = shareStatePartition(groupId, topicId, partition, this.broker.topics.get(SHARE_GROUP_STATE_TOPIC)!.replicas.length);
    const log = this.broker.replicas.partition(SHARE_GROUP_STATE_TOPIC, statePartition);
    if (!log) return Promise.resolve(ErrorCode.NOT_COORDINATOR);
    const now = this.broker.now();
    const batch = buildRecordBatch([{ key: encodeShareSnapshotKey({ groupId, topicId, partition }), value }], { baseTimestamp: now });
    return appendAcksAll(log, batch, now, this.broker.config.values['share.coordinator.write.timeout.ms'], (err) => this.errorCodeOf(err));
  }

  private errorCodeOf(err: unknown): number {
    if (err instanceof LogError) return err.errorCode;
    this.broker.log.error({ err }, `unexpected failure writing to ${SHARE_GROUP_STATE_TOPIC}`);
    return ErrorCode.UNKNOWN_SERVER_ERROR;
  }

  /** Sets (or with undefined removes) a key's state, keeping the count of units. */
  private put(states: Map<string, StoredShareState>, key: string, state: StoredShareState | undefined): void {
    // A write that finishes after its partition was unloaded changes a map no longer held, nor counted.
    if ([...this.states.values()].includes(states)) this.units += unitsOf(state) - unitsOf(states.get(key));
    if (state) states.set(key, state);
    else states.delete(key);
  }

  /** The loaded states of the key's partition, or why it is not served here (Kafka's coordinator errors). */
  private stateOf(groupId: string, topicId: string, partition: number): Map<string, StoredShareState> | number {
    const statePartition = this.partitionOf(groupId, topicId, partition);
    if (statePartition === undefined) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const refusal = this.ownership.refusal(statePartition);
    if (refusal !== ErrorCode.NONE) return refusal;
    return this.states.get(statePartition) ?? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  }

  /** Elects this broker for every partition it leads (alone: all of them). */
  private open(): void {
    const { broker } = this;
    for (const p of broker.replicas.partitionsOf(SHARE_GROUP_STATE_TOPIC) ?? []) if (p?.leaderId === broker.config.brokerId) void this.onElection(p.index, p.leaderEpoch);
  }

  /** Reads one partition back from its log start to its end: the latest snapshot of each key. */
  private async readPartition(partition: number): Promise<Map<string, StoredShareState>> {
    const log = this.broker.replicas.partition(SHARE_GROUP_STATE_TOPIC, partition)?.log;
    if (!log) throw new Error(`${SHARE_GROUP_STATE_TOPIC} partition ${partition} is not open on this broker`);
    const states = new Map<string, StoredShareState>();
    let malformed = 0;
    const apply = (record: BatchRecord): void => {
      try {
        const key = record.key && decodeShareStateKey(record.key).snapshot;
        if (!key) return;
        const k = keyOf(key.groupId, key.topicId, key.partition);
        if (!record.value) {
          states.delete(k);
          return;
        }
        const v = decodeShareSnapshotValue(record.value);
        states.set(k, { startOffset: v.startOffset, stateEpoch: v.stateEpoch, leaderEpoch: v.leaderEpoch, stateBatches: v.stateBatches.map((b) => ({ ...b, deliveryState: b.deliveryState as DeliveryState })) });
      } catch (err) {
        if (!(err instanceof DecodeError) && !(err instanceof RangeError)) throw err;
        malformed++;
      }
    };
    const stats = await loadConsumerOffsets([log], { apply });
    const level = malformed + stats.unreadableBatches > 0 ? 'warn' : 'debug';
    this.broker.log[level]({ partition, states: states.size, records: stats.records, malformed, unreadableBatches: stats.unreadableBatches }, `loaded ${SHARE_GROUP_STATE_TOPIC} partition`);
    return states;
  }
}
