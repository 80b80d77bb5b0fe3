// The transaction coordinator's I/O shell, shaped as the group coordinator's: it owns the pure
// TransactionCoordinator and gives it a clock (one timer at its next deadline), a log (appends to
// __transaction_state, reported once durable), producer ids, a marker channel and replies. It also owns
// the coordinator's life: __transaction_state is created on first need (FindCoordinator for a
// transactional id), and each of its partitions is read back when this broker becomes its leader and
// forgotten when it stops, so the coordinator moves with partition leadership in a cluster.
import { partitionForGroup } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { encodeTransactionLogKey, encodeTransactionLogValue, type TransactionLogValue } from '../../../protocol/kafka/transaction-state/records.js';
import type { Logger } from '../../logger.js';
import type { BrokerConfig } from '../broker-config.js';
import { DeadlineTimer } from '../coordination/deadline-timer.js';
import { InternalTopic, type TopicLifecycle } from '../coordination/internal-topic.js';
import { PartitionOwnership } from '../coordination/partition-ownership.js';
import { loadConsumerOffsets } from '../groups/consumer-offsets-loader.js';
import type { ConsumerOffsetsTopics } from '../groups/consumer-offsets-topic.js';
import { ConsumerOffsetsWriter } from '../groups/consumer-offsets-writer.js';
import type { MetadataView } from '../metadata/metadata-view.js';
import type { ReplicaManager } from '../partitions/replica-manager.js';
import type { CoordinatorLocation, ProducerIds, TransactionRequests } from '../services.js';
import type {
  AddPartitionsRequest,
  EndTxnRequest,
  InitProducerIdRequest,
  InitProducerIdResponse,
  MarkerOutcome,
  MarkerRequest,
  TransactionDescription,
  TxnOutput,
} from './api.js';
import { txnCoordinatorConfigFrom } from './config.js';
import { TransactionCoordinator } from './coordinator.js';
import { createTransactionStateTopic, TRANSACTION_STATE_TOPIC, TransactionStateReplay } from './transaction-state-topic.js';

/** Writes WriteTxnMarkers to partition leaders; never rejects: a failure is each partition's error code. */
export interface MarkerChannel {
  send(request: MarkerRequest): Promise<MarkerOutcome[]>;
  close(): void;
}

/** The parts of its broker the transaction service uses. */
export interface TxnServiceBroker {
  readonly config: BrokerConfig;
  readonly log: Logger;
  /** No zookeeper.connect: the broker opens every partition of a topic itself. */
  readonly alone: boolean;
  readonly topics: ConsumerOffsetsTopics;
  readonly metadata: MetadataView;
  readonly replicas: Pick<ReplicaManager, 'partition' | 'partitionsOf'>;
  readonly producerIds: ProducerIds;
  readonly markers: MarkerChannel;
  now(): number;
}

/** A request waiting for the coordinator's reply. */
interface PendingReply {
  resolve(reply: { errorCode: number; response?: InitProducerIdResponse }): void;
}

export class TransactionService implements TransactionRequests {
  private readonly topic: InternalTopic;
  private coordinator: TransactionCoordinator<PendingReply> | undefined;
  private writer: ConsumerOffsetsWriter | undefined;
  private readonly ownership = new PartitionOwnership<Map<string, TransactionLogValue>>({
    load: (partition) => this.readPartition(partition),
    loaded: (partition, epoch, entries) => this.absorb((c, now) => c.partitionLoaded(now, partition, epoch, entries), 'loading a partition'),
    unloaded: (partition) => this.absorb((c) => c.partitionUnloaded(partition), 'unloading a partition'),
    loadFailed: (partition, epoch, err) =>
      this.broker.log.error({ err, partition, epoch }, 'could not load a __transaction_state partition; its transactional ids are not served here'),
  });
  private readonly timer = new DeadlineTimer(
    () => this.broker.now(),
    () => {
      if (this.lifecycle === 'open') this.absorb((c, now) => c.tick(now), 'a clock tick');
    },
  );
  private readonly pending = new Set<PendingReply>();

  /** The broker's parts are read from start() on, never during construction. */
  constructor(private readonly broker: TxnServiceBroker) {
    this.topic = new InternalTopic({
      name: TRANSACTION_STATE_TOPIC,
      host: broker,
      create: () => createTransactionStateTopic(broker.topics, broker.config.values, broker.metadata.liveBrokers().length),
      opened: () => this.open(),
    });
  }

  private get lifecycle(): TopicLifecycle {
    return this.topic.lifecycle;
  }

  /** For /readyz: 'loading' while a __transaction_state partition this broker leads is being read back. */
  get state(): Exclude<TopicLifecycle, 'open'> | 'loading' | 'ready' {
    if (this.lifecycle !== 'open') return this.lifecycle;
    return this.ownership.anyLoading ? 'loading' : 'ready';
  }

  /** Begins loading __transaction_state if it exists; otherwise it is created on first need. */
  start(): void {
    if (this.lifecycle === 'absent') this.topic.openIfPresent();
  }

  /** This broker leads __transaction_state partition `partition` from `epoch` (the coordinator epoch) on. */
  onElection(partition: number, epoch: number): Promise<void> {
    if (!this.topic.openOnElection()) return Promise.resolve();
    return this.ownership.onElection(partition, epoch);
  }

  onResignation(partition: number, epoch: number): void {
    if (this.lifecycle !== 'open') return;
    this.ownership.onResignation(partition, epoch);
  }

  async stop(): Promise<void> {
    this.timer.stop();
    await this.topic.stop();
    await this.ownership.settled();
    await this.writer?.close();
    this.broker.markers.close();
    for (const token of [...this.pending]) token.resolve({ errorCode: ErrorCode.NOT_COORDINATOR });
  }

  /** FindCoordinator key type 1: the leader of the id's __transaction_state partition (created on first need). */
  findCoordinator(transactionalId: string, listener?: string): CoordinatorLocation {
    this.topic.ensure();
    const unavailable = { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, node: undefined };
    if (this.lifecycle !== 'open') return unavailable;
    const count = this.partitionCount();
    const partition = count > 0 ? this.broker.metadata.partition(TRANSACTION_STATE_TOPIC, partitionForGroup(transactionalId, count)) : undefined;
    const node = partition && this.broker.metadata.liveBrokers(listener).find((b) => b.nodeId === partition.leader);
    return node ? { errorCode: ErrorCode.NONE, node } : unavailable;
  }

  async initProducerId(request: InitProducerIdRequest): Promise<InitProducerIdResponse> {
    const failed = (errorCode: number) => ({ errorCode, producerId: -1, producerEpoch: -1 });
    if (this.refusal(request.transactionalId) !== ErrorCode.NONE) return failed(this.refusal(request.transactionalId));
    let fresh: number | undefined;
    if (this.coordinator!.wantsProducerId(request.transactionalId)) {
      try {
        fresh = await this.broker.producerIds.next();
      } catch (err) {
        this.broker.log.warn({ err }, 'could not allocate a producer id');
        return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      }
    }
    // Ownership may have moved while the id was allocated.
    const refusal = this.refusal(request.transactionalId);
    if (refusal !== ErrorCode.NONE) return failed(refusal);
    const reply = await this.submit((c, now, token) => c.initProducerId(now, token, request, fresh));
    return reply.response ?? failed(reply.errorCode);
  }

  async addPartitions(request: AddPartitionsRequest): Promise<number> {
    const refusal = this.refusal(request.transactionalId);
    if (refusal !== ErrorCode.NONE) return refusal;
    return (await this.submit((c, now, token) => c.addPartitions(now, token, request))).errorCode;
  }

  verifyPartitions(request: AddPartitionsRequest): number | MarkerOutcome[] {
    const refusal = this.refusal(request.transactionalId);
    return refusal !== ErrorCode.NONE ? refusal : this.coordinator!.verifyPartitions(request);
  }

  async endTxn(request: EndTxnRequest): Promise<number> {
    const refusal = this.refusal(request.transactionalId);
    if (refusal !== ErrorCode.NONE) return refusal;
    return (await this.submit((c, now, token) => c.endTxn(now, token, request))).errorCode;
  }

  describe(transactionalId: string): { errorCode: number; transaction: TransactionDescription | undefined } {
    // An empty id is not looked up (Kafka: getTransactionState of "" fails validation as TRANSACTIONAL_ID_NOT_FOUND).
    const refusal = transactionalId === '' ? ErrorCode.TRANSACTIONAL_ID_NOT_FOUND : this.refusal(transactionalId);
    if (refusal !== ErrorCode.NONE) return { errorCode: refusal, transaction: undefined };
    const transaction = this.coordinator!.describe(transactionalId);
    return { errorCode: transaction ? ErrorCode.NONE : ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, transaction };
  }

  list(stateFilters: readonly string[], producerIdFilters: readonly number[], durationFilterMs: number): { errorCode: number; unknownStateFilters: string[]; transactions: TransactionDescription[] } {
    // Before any transaction was ever used there are none: nothing is listed and no topic is created.
    if (!this.coordinator) return { errorCode: ErrorCode.NONE, unknownStateFilters: [], transactions: [] };
    if (this.ownership.anyLoading) return { errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, unknownStateFilters: [], transactions: [] };
    return { errorCode: ErrorCode.NONE, ...this.coordinator.list(this.broker.now(), stateFilters, producerIdFilters, durationFilterMs) };
  }

  /** The __transaction_state partition of an id, once the topic is open. */
  partitionOf(transactionalId: string): number | undefined {
    return this.coordinator?.partitionFor(transactionalId);
  }

  // ---- the coordinator's inputs and outputs

  /** Why a request for the id cannot be served here now (Kafka's getTransactionState errors); NONE when it can. */
  private refusal(transactionalId: string): number {
    if (this.lifecycle !== 'open' || !this.coordinator) return ErrorCode.NOT_COORDINATOR;
    return this.ownership.refusal(this.coordinator.partitionFor(transactionalId));
  }

  private submit(call: (c: TransactionCoordinator<PendingReply>, nowMs: number, token: PendingReply) => TxnOutput<PendingReply>): Promise<{ errorCode: number; response?: InitProducerIdResponse }> {
    return new Promise((resolve) => {
      const token: PendingReply = {
        resolve: (reply) => {
          this.pending.delete(token);
          resolve(reply);
        },
      };
      this.pending.add(token);
      if (!this.absorb((c, now) => call(c, now, token), 'a request')) token.resolve({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
    });
  }

  /** Feeds one input to the coordinator and carries out what it produced; false if the coordinator threw (a bug). */
  private absorb(input: (c: TransactionCoordinator<PendingReply>, nowMs: number) => TxnOutput<PendingReply>, what: string): boolean {
    const coordinator = this.coordinator;
    if (!coordinator) return false;
    let out: TxnOutput<PendingReply>;
    try {
      out = input(coordinator, this.broker.now());
    } catch (err) {
      this.broker.log.error({ err }, `transaction coordinator failed on ${what}`);
      return false;
    }
    for (const r of out.replies) r.token.resolve(r.api === 'initProducerId' ? { errorCode: r.response.errorCode, response: r.response } : { errorCode: r.errorCode });
    for (const a of out.appends) {
      const key = encodeTransactionLogKey(a.transactionalId);
      const value = a.value && encodeTransactionLogValue(a.value);
      this.writer!.write({ id: a.id, partition: a.partition, timestampMs: a.timestampMs, records: [{ key, value }] }, a.timestampMs);
    }
    for (const m of out.markers) {
      void this.broker.markers.send(m).then((outcomes) => this.absorb((c, now) => c.markersWritten(now, m.id, outcomes), 'marker outcomes'));
    }
    this.armTimer();
    return true;
  }

  private armTimer(): void {
    if (this.lifecycle !== 'stopped') this.timer.arm(this.coordinator?.nextDeadline());
  }

  // ---- __transaction_state: creation and loading

  private partitionCount(): number {
    return this.broker.topics.get(TRANSACTION_STATE_TOPIC)?.replicas.length ?? 0;
  }

  /** Starts the coordinator with no ids, then elects this broker for every partition it leads. */
  private open(): void {
    const { broker } = this;
    const partitions = broker.replicas.partitionsOf(TRANSACTION_STATE_TOPIC) ?? [];
    // Ids are spread over the partitions the topic has, whatever the setting says now.
    this.coordinator = new TransactionCoordinator<PendingReply>(txnCoordinatorConfigFrom(broker.config.values, this.partitionCount() || partitions.length));
    this.writer = new ConsumerOffsetsWriter(
      (index) => broker.replicas.partition(TRANSACTION_STATE_TOPIC, index),
      (appendId, errorCode) => this.absorb((c, now) => c.appendCompleted(now, appendId, errorCode), 'a completed write'),
      broker.log,
      TRANSACTION_STATE_TOPIC,
    );
    for (const p of partitions) if (p?.leaderId === broker.config.brokerId) void this.onElection(p.index, p.leaderEpoch);
  }

  private async readPartition(partition: number): Promise<Map<string, TransactionLogValue>> {
    const log = this.broker.replicas.partition(TRANSACTION_STATE_TOPIC, partition)?.log;
    if (!log) throw new Error(`__transaction_state partition ${partition} is not open on this broker`);
    const replay = new TransactionStateReplay();
    const stats = await loadConsumerOffsets([log], replay);
    const level = stats.unreadableBatches + replay.malformed > 0 ? 'warn' : 'info';
    this.broker.log[level]({ partition, ids: replay.entries.size, records: stats.records, malformed: replay.malformed, unreadableBatches: stats.unreadableBatches }, 'loaded __transaction_state partition');
    return replay.entries;
  }
}
