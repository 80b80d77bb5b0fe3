// The transaction coordinator's settings, named and defaulted as Kafka's broker keys are.
import type { BrokerConfigValues } from '../broker-config.js';

export interface TxnCoordinatorConfig {
  /** transaction.max.timeout.ms: an InitProducerId asking for more gets INVALID_TRANSACTION_TIMEOUT. */
  maxTimeoutMs: number;
  /** transactional.id.expiration.ms: an id with no transaction open, idle this long, is forgotten. */
  idExpirationMs: number;
  /** How long a failed marker or completion write waits before it is tried again. */
  retryBackoffMs: number;
  /** Partitions of __transaction_state: a transactional id lives in abs(hashCode) % this. */
  logPartitions: number;
}

/** Kafka's retry.backoff.ms default, which its marker channel waits between sends. */
const TXN_RETRY_BACKOFF_MS = 100;

export function txnCoordinatorConfigFrom(values: BrokerConfigValues, logPartitions: number): TxnCoordinatorConfig {
  return {
    maxTimeoutMs: values['transaction.max.timeout.ms'],
    idExpirationMs: values['transactional.id.expiration.ms'],
    retryBackoffMs: TXN_RETRY_BACKOFF_MS,
    logPartitions,
  };
}
