// The transaction coordinator's inputs and outputs. Requests arrive as the handlers decode them, in the
// newest shape; replies are the error (and, for InitProducerId, the producer id and epoch) Kafka's
// TransactionCoordinator answers with. Field names follow Kafka's message specs.
import type { TransactionLogValue, TxnStatusName } from '../../../protocol/kafka/transaction-state/records.js';

export type TxnState = TxnStatusName;

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface InitProducerIdRequest {
  transactionalId: string;
  transactionTimeoutMs: number;
  /** v3+ (KIP-360): the producer id and epoch the producer holds, -1 when it holds none. */
  producerId: number;
  producerEpoch: number;
}

export interface InitProducerIdResponse {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export interface AddPartitionsRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  partitions: TopicPartition[];
}

export interface EndTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  committed: boolean;
}

/** A transaction as DescribeTransactions and ListTransactions report it. */
export interface TransactionDescription {
  transactionalId: string;
  state: TxnState;
  producerId: number;
  producerEpoch: number;
  transactionTimeoutMs: number;
  /** -1 when no transaction is open. */
  transactionStartTimeMs: number;
  partitions: TopicPartition[];
}

/**
 * One record for __transaction_state, in the transactional id's partition. The caller appends it,
 * makes it durable (acks=all) and then calls `appendCompleted(id)`; what depends on it waits until then.
 * Appends to one partition must complete in the order they were emitted.
 */
export interface TxnAppend {
  id: number;
  partition: number;
  transactionalId: string;
  /** null: the tombstone of an expired transactional id. */
  value: TransactionLogValue | null;
  timestampMs: number;
}

/**
 * WriteTxnMarkers for one transaction: a COMMIT or ABORT control batch for each partition, written by
 * each partition's leader. The caller reports every partition's outcome with `markersWritten(id, ...)`;
 * the coordinator retries those that failed.
 */
export interface MarkerRequest {
  id: number;
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /** The __transaction_state partition's leader epoch: a partition refuses markers from an older coordinator. */
  coordinatorEpoch: number;
  committed: boolean;
  partitions: TopicPartition[];
}

export interface MarkerOutcome extends TopicPartition {
  errorCode: number;
}

export type TxnReply<T> =
  | { token: T; api: 'initProducerId'; response: InitProducerIdResponse }
  | { token: T; api: 'error'; errorCode: number };

/** What one input produced: replies to deliver now, records to persist and markers to send. */
export interface TxnOutput<T> {
  replies: Array<TxnReply<T>>;
  appends: TxnAppend[];
  markers: MarkerRequest[];
}
