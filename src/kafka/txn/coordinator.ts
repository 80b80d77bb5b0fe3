// The transaction coordinator as a pure state machine (Kafka's TransactionCoordinator with its
// TransactionStateManager and marker channel): requests, completed writes, marker outcomes and clock
// ticks go in; replies, __transaction_state records and WriteTxnMarkers requests come out. No I/O and no
// clock inside, so the seeded simulation drives it exactly as the broker's shell (service.ts) does.
//
// Each transactional id moves Empty -> Ongoing -> PrepareCommit|PrepareAbort -> CompleteCommit|
// CompleteAbort -> (Ongoing ...). Every move is written first and applied once durable; while one is
// under way the id has a pending state and other requests get CONCURRENT_TRANSACTIONS. After
// PrepareCommit/PrepareAbort is durable the client is answered and markers go to every partition of the
// transaction; once all are written the Complete state is written. Errors follow Kafka's decision order
// (TransactionCoordinator.scala) for transaction version 0 (no epoch bump per transaction, KIP-890 part 2).
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { partitionForGroup } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import type { TransactionLogValue } from '../../../protocol/kafka/transaction-state/records.js';
import { TimerQueue } from '../groups/timer-queue.js';
import type {
  AddPartitionsRequest,
  EndTxnRequest,
  InitProducerIdRequest,
  MarkerOutcome,
  TopicPartition,
  TransactionDescription,
  TxnOutput,
  TxnState,
} from './api.js';
import type { TxnCoordinatorConfig } from './config.js';
import {
  isEpochExhausted,
  logValueOf,
  MAX_PRODUCER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  PartitionSet,
  TxnMetadata,
  type Transit,
} from './metadata.js';

/** What happens once a write is durable (or failed). */
type After<T> =
  | { kind: 'init'; token: T }
  | { kind: 'add'; token: T }
  /** EndTxn from a client (token), a timed-out transaction (none), or InitProducerId fencing an open one. */
  | { kind: 'end'; token: T | undefined; fence: boolean }
  | { kind: 'complete' }
  | { kind: 'expire' };

interface PendingAppend<T> {
  transactionalId: string;
  logPartition: number;
  coordinatorEpoch: number;
  transit: Transit | undefined;
  after: After<T>;
}

/** Markers of one transaction still to be written. */
interface MarkerState {
  /** The id of the MarkerRequest in flight, if one is. */
  inFlight: number | undefined;
  coordinatorEpoch: number;
  committed: boolean;
  remaining: PartitionSet;
}

type TimerAction = { kind: 'timeout' | 'expire' | 'markers' | 'complete'; transactionalId: string };

/** Kafka's state names, which DescribeTransactions and ListTransactions use. */
const STATES: readonly TxnState[] = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'];

/** Marker errors after which the partition is retried: it moves or is briefly unable (Kafka's marker handler). */
const MARKER_OBSOLETE: ReadonlySet<number> = new Set([ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.TRANSACTION_COORDINATOR_FENCED]);

/** What a client is told when writing to __transaction_state failed (TransactionStateManager.appendTransactionToLog). */
function txnErrorForAppendError(appendError: number): number {
  switch (appendError) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    default:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}

export class TransactionCoordinator<T> {
  private readonly txns = new Map<string, TxnMetadata>();
  /** Loaded __transaction_state partitions and their coordinator (leader) epochs. */
  private readonly loaded = new Map<number, number>();
  private readonly appends = new Map<number, PendingAppend<T>>();
  private readonly markers = new Map<string, MarkerState>();
  /** Marker request id -> transactional id. */
  private readonly markerRequests = new Map<number, string>();
  private readonly timers = new TimerQueue<TimerAction>();
  private nextId = 1;
  private out: TxnOutput<T> = { replies: [], appends: [], markers: [] };

  constructor(readonly config: TxnCoordinatorConfig) {}

  /** The __transaction_state partition of a transactional id (Kafka's partitionFor). */
  partitionFor(transactionalId: string): number {
    return partitionForGroup(transactionalId, this.config.logPartitions);
  }

  /**
   * Whether an InitProducerId for this id would need a new producer id: the shell allocates one (an
   * asynchronous, durable step) before handing the request in.
   */
  wantsProducerId(transactionalId: string): boolean {
    const txn = this.txns.get(transactionalId);
    return txn === undefined || isEpochExhausted(txn.producerEpoch);
  }

  /** The next time tick() has something to do. */
  nextDeadline(): number | undefined {
    return this.timers.next();
  }

  // ---- client requests

  /** InitProducerId with a transactional.id; `freshProducerId` is one allocated if wantsProducerId said so. */
  initProducerId(nowMs: number, token: T, request: InitProducerIdRequest, freshProducerId: number | undefined): TxnOutput<T> {
    const { transactionalId, transactionTimeoutMs: timeoutMs } = request;
    if (transactionalId === '') return this.fail(token, ErrorCode.INVALID_REQUEST);
    if (timeoutMs <= 0 || timeoutMs > this.config.maxTimeoutMs) return this.fail(token, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    // KIP-360: both or neither of producer id and epoch (KafkaApis refuses one without the other).
    const namesId = request.producerId !== NO_PRODUCER_ID;
    if (namesId !== (request.producerEpoch !== NO_PRODUCER_EPOCH)) return this.fail(token, ErrorCode.INVALID_REQUEST);
    const expected = namesId ? { producerId: request.producerId, epoch: request.producerEpoch } : undefined;
    let txn = this.txns.get(transactionalId);
    if (!txn) {
      if (freshProducerId === undefined) return this.fail(token, ErrorCode.CONCURRENT_TRANSACTIONS);
      txn = TxnMetadata.created(transactionalId, this.partitionFor(transactionalId), freshProducerId, timeoutMs, nowMs);
      this.txns.set(transactionalId, txn);
      freshProducerId = undefined;
    }
    if (txn.pending !== undefined) return this.fail(token, ErrorCode.CONCURRENT_TRANSACTIONS);
    const validId =
      !expected ||
      txn.producerEpoch === NO_PRODUCER_EPOCH ||
      expected.producerId === txn.producerId ||
      (expected.producerId === txn.previousProducerId && isEpochExhausted(expected.epoch));
    if (!validId) return this.fail(token, ErrorCode.PRODUCER_FENCED);
    switch (txn.state) {
      case 'PrepareCommit':
      case 'PrepareAbort':
        return this.fail(token, ErrorCode.CONCURRENT_TRANSACTIONS);
      case 'Ongoing':
        // A new producer fences the open transaction: its epoch goes up and the transaction is aborted;
        // the producer is told to retry until the abort is complete.
        this.abort(txn, nowMs, { kind: 'end', token, fence: true });
        return this.flush();
      default: {
        let transit: Transit | undefined;
        if (isEpochExhausted(txn.producerEpoch) && (!expected || expected.epoch === txn.producerEpoch)) {
          if (freshProducerId === undefined) return this.fail(token, ErrorCode.CONCURRENT_TRANSACTIONS);
          transit = txn.prepareProducerIdRotation(freshProducerId, timeoutMs, nowMs, expected !== undefined);
        } else {
          transit = txn.prepareIncrementEpoch(timeoutMs, expected?.epoch, nowMs);
          if (!transit) return this.fail(token, ErrorCode.PRODUCER_FENCED);
        }
        this.write(txn, transit, { kind: 'init', token }, nowMs);
        return this.flush();
      }
    }
  }

  /** AddPartitionsToTxn (and AddOffsetsToTxn, as the group's __consumer_offsets partition). */
  addPartitions(nowMs: number, token: T, request: AddPartitionsRequest): TxnOutput<T> {
    if (request.transactionalId === '') return this.fail(token, ErrorCode.INVALID_REQUEST);
    const txn = this.txns.get(request.transactionalId);
    const refusal = this.checkProducer(txn, request.producerId, request.producerEpoch);
    if (refusal !== ErrorCode.NONE) return this.fail(token, refusal);
    if (txn!.pending !== undefined || txn!.state === 'PrepareCommit' || txn!.state === 'PrepareAbort') {
      return this.fail(token, ErrorCode.CONCURRENT_TRANSACTIONS);
    }
    if (txn!.state === 'Ongoing' && request.partitions.every((p) => txn!.partitions.has(p))) return this.fail(token, ErrorCode.NONE);
    this.write(txn!, txn!.prepareAddPartitions(request.partitions, nowMs), { kind: 'add', token }, nowMs);
    return this.flush();
  }

  /**
   * AddPartitionsToTxn v4+ with verifyOnly (a broker asking whether partitions are in the transaction):
   * one error for all of them, or each partition's answer (NONE when in the transaction).
   */
  verifyPartitions(request: AddPartitionsRequest): number | MarkerOutcome[] {
    if (request.transactionalId === '') return ErrorCode.INVALID_REQUEST;
    const txn = this.txns.get(request.transactionalId);
    const refusal = this.checkProducer(txn, request.producerId, request.producerEpoch);
    if (refusal !== ErrorCode.NONE) return refusal;
    if (txn!.state === 'PrepareCommit' || txn!.state === 'PrepareAbort') return ErrorCode.CONCURRENT_TRANSACTIONS;
    return request.partitions.map((p) => ({ ...p, errorCode: txn!.partitions.has(p) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE }));
  }

  endTxn(nowMs: number, token: T, request: EndTxnRequest): TxnOutput<T> {
    if (request.transactionalId === '') return this.fail(token, ErrorCode.INVALID_REQUEST);
    const txn = this.txns.get(request.transactionalId);
    if (!txn || txn.producerId !== request.producerId) return this.fail(token, ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (request.producerEpoch !== txn.producerEpoch) return this.fail(token, ErrorCode.PRODUCER_FENCED);
    if (txn.pending !== undefined) return this.fail(token, ErrorCode.CONCURRENT_TRANSACTIONS);
    const commit = request.committed;
    switch (txn.state) {
      case 'Ongoing':
        this.write(txn, txn.prepareAbortOrCommit(commit ? 'PrepareCommit' : 'PrepareAbort', nowMs), { kind: 'end', token, fence: false }, nowMs);
        return this.flush();
      // A retried EndTxn whose first try went through is answered as it was; the other outcome is refused.
      case 'CompleteCommit':
        return this.fail(token, commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE);
      case 'CompleteAbort':
        return this.fail(token, commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE);
      case 'PrepareCommit':
        return this.fail(token, commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
      case 'PrepareAbort':
        return this.fail(token, commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS);
      default:
        return this.fail(token, ErrorCode.INVALID_TXN_STATE);
    }
  }

  /** DescribeTransactions for ids whose partition is loaded here: undefined for an unknown id. */
  describe(transactionalId: string): TransactionDescription | undefined {
    const txn = this.txns.get(transactionalId);
    return txn && describe(txn);
  }

  /**
   * ListTransactions over every loaded id (Kafka's listTransactionStates): filtered by state names (the
   * unknown ones returned apart), producer ids, and a minimum running time (-1: any).
   */
  list(nowMs: number, stateFilters: readonly string[], producerIdFilters: readonly number[], durationFilterMs: number): { unknownStateFilters: string[]; transactions: TransactionDescription[] } {
    const unknownStateFilters = stateFilters.filter((s) => !STATES.includes(s as TxnState));
    const states = new Set(stateFilters);
    const producerIds = new Set(producerIdFilters);
    const transactions = [...this.txns.values()]
      .filter((t) => t.state !== 'Dead')
      .filter((t) => producerIds.size === 0 || producerIds.has(t.producerId))
      .filter((t) => states.size === 0 || states.has(t.state))
      .filter((t) => durationFilterMs < 0 || nowMs - t.startMs > durationFilterMs)
      .map(describe);
    return { unknownStateFilters, transactions };
  }

  // ---- loading and unloading

  /**
   * A __transaction_state partition read back: its ids are served from now on, at `coordinatorEpoch`.
   * Transactions that were committing or aborting get their markers sent again (recovery after a crash
   * or a move); open ones time out as usual.
   */
  partitionLoaded(nowMs: number, logPartition: number, coordinatorEpoch: number, entries: ReadonlyMap<string, TransactionLogValue>): TxnOutput<T> {
    this.loaded.set(logPartition, coordinatorEpoch);
    for (const [transactionalId, value] of entries) {
      if (value.status === 'Dead') continue;
      const txn = new TxnMetadata(transactionalId, logPartition, value);
      this.txns.set(transactionalId, txn);
      if (txn.state === 'PrepareCommit' || txn.state === 'PrepareAbort') this.startMarkers(txn, nowMs);
      else this.scheduleIdle(txn);
    }
    return this.flush();
  }

  /** This broker no longer leads the partition: its ids leave memory; requests waiting on them get NOT_COORDINATOR. */
  partitionUnloaded(logPartition: number): TxnOutput<T> {
    this.loaded.delete(logPartition);
    for (const [id, append] of this.appends) {
      if (append.logPartition !== logPartition) continue;
      this.appends.delete(id);
      const token = 'token' in append.after ? append.after.token : undefined;
      if (token !== undefined) this.reply(token, ErrorCode.NOT_COORDINATOR);
    }
    for (const [transactionalId, txn] of this.txns) {
      if (txn.logPartition !== logPartition) continue;
      this.txns.delete(transactionalId);
      this.markers.delete(transactionalId);
      for (const kind of ['timeout', 'expire', 'markers', 'complete'] as const) this.timers.cancel(`${kind}:${transactionalId}`);
    }
    for (const [requestId, transactionalId] of this.markerRequests) if (!this.txns.has(transactionalId)) this.markerRequests.delete(requestId);
    return this.flush();
  }

  // ---- outcomes of the caller's work

  /** A write to __transaction_state is durable (NONE) or failed (the append's error code). */
  appendCompleted(nowMs: number, appendId: number, appendError: number): TxnOutput<T> {
    const append = this.appends.get(appendId);
    if (!append) return this.flush();
    this.appends.delete(appendId);
    const txn = this.txns.get(append.transactionalId);
    const current = txn !== undefined && this.loaded.get(append.logPartition) === append.coordinatorEpoch;
    const token = 'token' in append.after ? append.after.token : undefined;
    if (!current) {
      if (token !== undefined) this.reply(token, ErrorCode.NOT_COORDINATOR);
      return this.flush();
    }
    if (appendError !== ErrorCode.NONE) this.writeFailed(txn, append, txnErrorForAppendError(appendError), nowMs);
    else this.written(txn, append, nowMs);
    return this.flush();
  }

  /** The outcome of a MarkerRequest, per partition (a lost request: every partition with a network error). */
  markersWritten(nowMs: number, requestId: number, outcomes: readonly MarkerOutcome[]): TxnOutput<T> {
    const transactionalId = this.markerRequests.get(requestId);
    this.markerRequests.delete(requestId);
    const state = transactionalId === undefined ? undefined : this.markers.get(transactionalId);
    const txn = transactionalId === undefined ? undefined : this.txns.get(transactionalId);
    if (!state || !txn || state.inFlight !== requestId) return this.flush();
    state.inFlight = undefined;
    let retry = false;
    for (const o of outcomes) {
      if (o.errorCode === ErrorCode.NONE || o.errorCode === ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT) state.remaining.delete(o);
      else if (MARKER_OBSOLETE.has(o.errorCode)) {
        // A newer coordinator or producer epoch owns the partition: this coordinator is stale and stops.
        this.markers.delete(txn.transactionalId);
        return this.flush();
      } else retry = true;
    }
    if (state.remaining.size === 0) {
      this.markers.delete(txn.transactionalId);
      this.writeCompletion(txn, nowMs);
    } else if (retry) this.timers.schedule(`markers:${txn.transactionalId}`, nowMs + this.config.retryBackoffMs, { kind: 'markers', transactionalId: txn.transactionalId });
    else this.sendMarkers(txn);
    return this.flush();
  }

  /** Fires what is due: transaction timeouts, id expiry, retries. */
  tick(nowMs: number): TxnOutput<T> {
    for (let due = this.timers.popDue(nowMs); due; due = this.timers.popDue(nowMs)) {
      const txn = this.txns.get(due.action.transactionalId);
      if (!txn) continue;
      switch (due.action.kind) {
        case 'timeout':
          this.timeOut(txn, nowMs);
          break;
        case 'expire':
          this.expire(txn, nowMs);
          break;
        case 'markers':
          this.sendMarkers(txn);
          break;
        case 'complete':
          this.writeCompletion(txn, nowMs);
          break;
      }
    }
    return this.flush();
  }

  // ---- internals

  private checkProducer(txn: TxnMetadata | undefined, producerId: number, producerEpoch: number): number {
    if (!txn || txn.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (txn.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED;
    return ErrorCode.NONE;
  }

  /**
   * Aborts the open transaction from the coordinator's side (a timeout, or a new producer fencing it):
   * the epoch goes up so the old producer is fenced at the partitions by the abort markers (Kafka's
   * prepareFenceProducerEpoch then endTransaction(ABORT)). A fence whose write failed keeps its bump.
   */
  private abort(txn: TxnMetadata, nowMs: number, after: After<T>): void {
    const bump = !txn.hasFailedEpochFence && txn.producerEpoch < MAX_PRODUCER_EPOCH;
    if (bump) txn.producerEpoch += 1;
    txn.lastProducerEpoch = NO_PRODUCER_EPOCH;
    this.write(txn, txn.prepareAbortOrCommit('PrepareAbort', nowMs), after, nowMs);
  }

  private write(txn: TxnMetadata, transit: Transit, after: After<T>, nowMs: number): void {
    txn.pending = transit.state;
    const id = this.nextId++;
    const coordinatorEpoch = this.loaded.get(txn.logPartition) ?? -1;
    this.appends.set(id, { transactionalId: txn.transactionalId, logPartition: txn.logPartition, coordinatorEpoch, transit, after });
    this.out.appends.push({ id, partition: txn.logPartition, transactionalId: txn.transactionalId, value: logValueOf(transit), timestampMs: nowMs });
  }

  private written(txn: TxnMetadata, append: PendingAppend<T>, nowMs: number): void {
    const { after } = append;
    if (after.kind === 'expire') {
      this.txns.delete(txn.transactionalId);
      return;
    }
    txn.complete(append.transit!);
    switch (after.kind) {
      case 'init':
        this.out.replies.push({ token: after.token, api: 'initProducerId', response: { errorCode: ErrorCode.NONE, producerId: txn.producerId, producerEpoch: txn.producerEpoch } });
        this.scheduleIdle(txn);
        break;
      case 'add':
        this.reply(after.token, ErrorCode.NONE);
        this.scheduleIdle(txn);
        break;
      case 'end':
        // A fencing InitProducerId is told to retry: it gets its epoch once the abort is complete.
        if (after.token !== undefined) this.reply(after.token, after.fence ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.NONE);
        this.timers.cancel(`timeout:${txn.transactionalId}`);
        this.startMarkers(txn, nowMs);
        break;
      case 'complete':
        this.scheduleIdle(txn);
        break;
    }
  }

  private writeFailed(txn: TxnMetadata, append: PendingAppend<T>, errorCode: number, nowMs: number): void {
    const { after } = append;
    if (after.kind === 'complete') {
      // The markers are written: the completion is retried until it is durable or the partition moves.
      if (errorCode !== ErrorCode.NOT_COORDINATOR) this.timers.schedule(`complete:${txn.transactionalId}`, nowMs + this.config.retryBackoffMs, { kind: 'complete', transactionalId: txn.transactionalId });
      return;
    }
    txn.pending = undefined;
    // The coordinator's own abort bumped the epoch in memory; the next try must not bump it again.
    if (after.kind === 'end' && (after.fence || after.token === undefined)) txn.hasFailedEpochFence = true;
    if ('token' in after && after.token !== undefined) this.reply(after.token, errorCode);
    // An abort the coordinator started itself is tried again at the next timeout check; an idle id (one
    // whose first InitProducerId was never written included) keeps its expiry.
    this.scheduleIdle(txn, txn.state === 'Ongoing' ? nowMs + this.config.retryBackoffMs : undefined);
  }

  /** PrepareCommit/PrepareAbort is durable: markers go to every partition of the transaction. */
  private startMarkers(txn: TxnMetadata, nowMs: number): void {
    txn.pending = txn.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort';
    const state: MarkerState = {
      inFlight: undefined,
      coordinatorEpoch: this.loaded.get(txn.logPartition) ?? -1,
      committed: txn.state === 'PrepareCommit',
      remaining: new PartitionSet(txn.partitions.list()),
    };
    this.markers.set(txn.transactionalId, state);
    if (state.remaining.size === 0) {
      this.markers.delete(txn.transactionalId);
      this.writeCompletion(txn, nowMs);
    } else this.sendMarkers(txn);
  }

  private sendMarkers(txn: TxnMetadata): void {
    const state = this.markers.get(txn.transactionalId);
    if (!state || state.inFlight !== undefined) return;
    const id = this.nextId++;
    state.inFlight = id;
    this.markerRequests.set(id, txn.transactionalId);
    this.out.markers.push({
      id,
      transactionalId: txn.transactionalId,
      producerId: txn.producerId,
      producerEpoch: txn.producerEpoch,
      coordinatorEpoch: state.coordinatorEpoch,
      committed: state.committed,
      partitions: state.remaining.list(),
    });
  }

  private writeCompletion(txn: TxnMetadata, nowMs: number): void {
    if (txn.state !== 'PrepareCommit' && txn.state !== 'PrepareAbort') return;
    this.write(txn, txn.prepareComplete(nowMs), { kind: 'complete' }, nowMs);
  }

  /** Kafka's abortTimedOutTransactions for one id: still open past its timeout and nothing under way. */
  private timeOut(txn: TxnMetadata, nowMs: number): void {
    if (txn.state !== 'Ongoing') return;
    if (txn.pending !== undefined) {
      this.scheduleIdle(txn, nowMs + this.config.retryBackoffMs);
      return;
    }
    if (txn.startMs + txn.timeoutMs >= nowMs) {
      this.scheduleIdle(txn);
      return;
    }
    this.abort(txn, nowMs, { kind: 'end', token: undefined, fence: false });
  }

  /** Kafka's removeExpiredTransactionalIds for one id: idle past transactional.id.expiration.ms, a tombstone removes it. */
  private expire(txn: TxnMetadata, nowMs: number): void {
    if (txn.inTransaction || txn.pending !== undefined) return;
    if (txn.lastUpdateMs + this.config.idExpirationMs > nowMs) {
      this.scheduleIdle(txn);
      return;
    }
    txn.pending = 'Dead';
    const id = this.nextId++;
    this.appends.set(id, { transactionalId: txn.transactionalId, logPartition: txn.logPartition, coordinatorEpoch: this.loaded.get(txn.logPartition) ?? -1, transit: undefined, after: { kind: 'expire' } });
    this.out.appends.push({ id, partition: txn.logPartition, transactionalId: txn.transactionalId, value: null, timestampMs: nowMs });
  }

  /** The timer an id needs in its state: its transaction's timeout while open, its expiry while idle. */
  private scheduleIdle(txn: TxnMetadata, at?: number): void {
    const id = txn.transactionalId;
    if (txn.state === 'Ongoing') {
      this.timers.cancel(`expire:${id}`);
      // Kafka aborts once start + timeout is strictly in the past.
      this.timers.schedule(`timeout:${id}`, at ?? txn.startMs + txn.timeoutMs + 1, { kind: 'timeout', transactionalId: id });
    } else if (!txn.inTransaction) {
      this.timers.cancel(`timeout:${id}`);
      this.timers.schedule(`expire:${id}`, at ?? txn.lastUpdateMs + this.config.idExpirationMs, { kind: 'expire', transactionalId: id });
    }
  }

  private reply(token: T, errorCode: number): void {
    this.out.replies.push({ token, api: 'error', errorCode });
  }

  private fail(token: T, errorCode: number): TxnOutput<T> {
    this.reply(token, errorCode);
    return this.flush();
  }

  private flush(): TxnOutput<T> {
    const out = this.out;
    this.out = { replies: [], appends: [], markers: [] };
    return out;
  }
}

function describe(txn: TxnMetadata): TransactionDescription {
  return {
    transactionalId: txn.transactionalId,
    state: txn.state,
    producerId: txn.producerId,
    producerEpoch: txn.producerEpoch,
    transactionTimeoutMs: txn.timeoutMs,
    transactionStartTimeMs: txn.startMs,
    partitions: txn.partitions.list(),
  };
}
