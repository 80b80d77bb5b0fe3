// One transactional id as the coordinator holds it (Kafka's TransactionMetadata), and the transitions
// that lead from one persisted state to the next (its prepare* methods). A transition is computed first,
// written to __transaction_state, and applied only once durable; until then the id has a pending state
// and other requests for it get CONCURRENT_TRANSACTIONS.
import type { TransactionLogValue } from '../../../protocol/kafka/transaction-state/records.js';
import type { TopicPartition, TxnState } from './api.js';

export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
/** Java's Short.MAX_VALUE: the epoch field is an int16. */
export const MAX_PRODUCER_EPOCH = 32767;

/**
 * Kafka's TransactionMetadata.isEpochExhausted: a client never gets the top two epochs, so the
 * coordinator can always bump once more to fence it; past this point the producer gets a new id.
 */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= MAX_PRODUCER_EPOCH - 1;
}

/** The partitions of a transaction, by topic; iteration order is insertion order. */
export class PartitionSet {
  private readonly byTopic = new Map<string, Set<number>>();

  constructor(partitions: readonly TopicPartition[] = []) {
    for (const p of partitions) this.add(p);
  }

  add(p: TopicPartition): void {
    let set = this.byTopic.get(p.topic);
    if (!set) this.byTopic.set(p.topic, (set = new Set()));
    set.add(p.partition);
  }

  delete(p: TopicPartition): void {
    const set = this.byTopic.get(p.topic);
    set?.delete(p.partition);
    if (set?.size === 0) this.byTopic.delete(p.topic);
  }

  has(p: TopicPartition): boolean {
    return this.byTopic.get(p.topic)?.has(p.partition) ?? false;
  }

  get size(): number {
    let n = 0;
    for (const set of this.byTopic.values()) n += set.size;
    return n;
  }

  list(): TopicPartition[] {
    return [...this.byTopic].flatMap(([topic, set]) => [...set].map((partition) => ({ topic, partition })));
  }

  byTopicList(): { topic: string; partitionIds: number[] }[] {
    return [...this.byTopic].map(([topic, set]) => ({ topic, partitionIds: [...set] }));
  }
}

/** What a transition writes and, once durable, installs. */
export interface Transit {
  state: TxnState;
  producerId: number;
  previousProducerId: number;
  producerEpoch: number;
  lastProducerEpoch: number;
  timeoutMs: number;
  partitions: TopicPartition[];
  startMs: number;
  lastUpdateMs: number;
}

export class TxnMetadata {
  producerId: number;
  /** The producer id before the last rotation (epoch exhaustion), for KIP-360 retries across it. */
  previousProducerId: number;
  producerEpoch: number;
  /** The epoch before the last InitProducerId bump: a retried InitProducerId names it. */
  lastProducerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  partitions: PartitionSet;
  /** -1 when no transaction is open. */
  startMs: number;
  lastUpdateMs: number;
  /** The state a transition under way leads to. */
  pending: TxnState | undefined;
  /** An epoch fence failed to persist: the next fence reuses the bumped epoch instead of bumping again. */
  hasFailedEpochFence = false;

  constructor(
    readonly transactionalId: string,
    /** The __transaction_state partition that holds this id. */
    readonly logPartition: number,
    value: TransactionLogValue,
  ) {
    this.producerId = value.producerId;
    this.previousProducerId = value.previousProducerId;
    this.producerEpoch = value.producerEpoch;
    // Kafka's log keeps no last epoch: after a load a retried InitProducerId is fenced, as in Kafka.
    this.lastProducerEpoch = NO_PRODUCER_EPOCH;
    this.timeoutMs = value.transactionTimeoutMs;
    this.state = value.status;
    this.partitions = new PartitionSet(value.partitions.flatMap((t) => t.partitionIds.map((partition) => ({ topic: t.topic, partition }))));
    this.startMs = value.startTimestampMs;
    this.lastUpdateMs = value.lastUpdateTimestampMs;
  }

  /** A new transactional id: Empty, a fresh producer id, no epoch yet (the first InitProducerId makes it 0). */
  static created(transactionalId: string, logPartition: number, producerId: number, timeoutMs: number, nowMs: number): TxnMetadata {
    return new TxnMetadata(transactionalId, logPartition, {
      producerId,
      previousProducerId: NO_PRODUCER_ID,
      producerEpoch: NO_PRODUCER_EPOCH,
      transactionTimeoutMs: timeoutMs,
      status: 'Empty',
      partitions: [],
      lastUpdateTimestampMs: nowMs,
      startTimestampMs: -1,
    });
  }

  /** A transaction is open or finishing (Kafka's hasPendingTransaction). */
  get inTransaction(): boolean {
    return this.state === 'Ongoing' || this.state === 'PrepareCommit' || this.state === 'PrepareAbort';
  }

  private transit(changes: Partial<Transit> & { state: TxnState }): Transit {
    return {
      producerId: this.producerId,
      previousProducerId: this.previousProducerId,
      producerEpoch: this.producerEpoch,
      lastProducerEpoch: this.lastProducerEpoch,
      timeoutMs: this.timeoutMs,
      partitions: this.partitions.list(),
      startMs: this.startMs,
      lastUpdateMs: this.lastUpdateMs,
      ...changes,
    };
  }

  /**
   * InitProducerId on an idle id: the epoch goes up by one (Kafka's prepareIncrementProducerEpoch).
   * `expectedEpoch` is the epoch a KIP-360 producer names: the current one (bump again), the one before
   * the last bump (a retry: answered with the current epoch), else the producer is fenced (undefined).
   */
  prepareIncrementEpoch(timeoutMs: number, expectedEpoch: number | undefined, nowMs: number): Transit | undefined {
    const bumped = this.producerEpoch + 1;
    let epochs: [number, number];
    if (expectedEpoch === undefined) epochs = [bumped, NO_PRODUCER_EPOCH];
    else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === this.producerEpoch) epochs = [bumped, this.producerEpoch];
    else if (expectedEpoch === this.lastProducerEpoch) epochs = [this.producerEpoch, this.lastProducerEpoch];
    else return undefined;
    return this.transit({ state: 'Empty', producerEpoch: epochs[0], lastProducerEpoch: epochs[1], timeoutMs, partitions: [], startMs: -1, lastUpdateMs: nowMs });
  }

  /** InitProducerId when the epochs of the current producer id are used up: a new id at epoch 0. */
  prepareProducerIdRotation(newProducerId: number, timeoutMs: number, nowMs: number, recordLastEpoch: boolean): Transit {
    return this.transit({
      state: 'Empty',
      producerId: newProducerId,
      previousProducerId: this.producerId,
      producerEpoch: 0,
      lastProducerEpoch: recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH,
      timeoutMs,
      partitions: [],
      startMs: -1,
      lastUpdateMs: nowMs,
    });
  }

  /** AddPartitionsToTxn: the transaction is Ongoing with these partitions too; it starts now if it was not open. */
  prepareAddPartitions(added: readonly TopicPartition[], nowMs: number): Transit {
    const all = new PartitionSet(this.partitions.list());
    for (const p of added) all.add(p);
    const startMs = this.state === 'Ongoing' ? this.startMs : nowMs;
    return this.transit({ state: 'Ongoing', partitions: all.list(), startMs, lastUpdateMs: nowMs });
  }

  prepareAbortOrCommit(state: 'PrepareCommit' | 'PrepareAbort', nowMs: number): Transit {
    return this.transit({ state, lastUpdateMs: nowMs });
  }

  /** Every marker is written: the transaction is complete and holds no partitions. */
  prepareComplete(nowMs: number): Transit {
    return this.transit({ state: this.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort', partitions: [], lastUpdateMs: nowMs });
  }

  /** Installs a transition once it is durable. */
  complete(t: Transit): void {
    this.state = t.state;
    this.producerId = t.producerId;
    this.previousProducerId = t.previousProducerId;
    this.producerEpoch = t.producerEpoch;
    this.lastProducerEpoch = t.lastProducerEpoch;
    this.timeoutMs = t.timeoutMs;
    this.partitions = new PartitionSet(t.partitions);
    this.startMs = t.startMs;
    this.lastUpdateMs = t.lastUpdateMs;
    this.pending = undefined;
    if (t.state === 'CompleteCommit' || t.state === 'CompleteAbort') this.hasFailedEpochFence = false;
  }
}

/** The record a transition writes (Kafka's TransactionLog.valueToBytes input). */
export function logValueOf(t: Transit): TransactionLogValue {
  const byTopic = new PartitionSet(t.partitions).byTopicList();
  return {
    producerId: t.producerId,
    previousProducerId: t.previousProducerId,
    producerEpoch: t.producerEpoch,
    transactionTimeoutMs: t.timeoutMs,
    status: t.state,
    partitions: byTopic,
    lastUpdateTimestampMs: t.lastUpdateMs,
    startTimestampMs: t.startMs,
  };
}
