// The internal topic __transaction_state: created on first need (the first FindCoordinator for a
// transactional id), as Kafka's auto topic creation makes it, and read back per partition on leadership.
import type { BrokerConfigValues } from '../broker-config.js';
import { createStateTopic } from '../coordination/internal-topic.js';
import type { ConsumerOffsetsTopics } from '../groups/consumer-offsets-topic.js';
import type { TopicRecord } from '../metadata/topic-store.js';
import type { BatchRecord } from '../../../protocol/kafka/records/batch-records.js';
import { DecodeError } from '../../../protocol/bytes.js';
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  type TransactionLogValue,
} from '../../../protocol/kafka/transaction-state/records.js';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

/** Creates __transaction_state with the transaction.state.log.* settings (see createStateTopic). */
export function createTransactionStateTopic(topics: ConsumerOffsetsTopics, values: BrokerConfigValues, liveBrokers: number): Promise<TopicRecord> {
  return createStateTopic(
    topics,
    {
      name: TRANSACTION_STATE_TOPIC,
      partitions: values['transaction.state.log.num.partitions'],
      replicationFactor: values['transaction.state.log.replication.factor'],
      minIsr: values['transaction.state.log.min.isr'],
      segmentBytes: values['transaction.state.log.segment.bytes'],
    },
    liveBrokers,
  );
}

/** Rebuilds each transactional id's latest state from a partition's records, the last one winning. */
export class TransactionStateReplay {
  readonly entries = new Map<string, TransactionLogValue>();
  /** Records whose key or value could not be decoded, left out. */
  malformed = 0;

  apply(record: BatchRecord): void {
    if (!record.key) {
      this.malformed++;
      return;
    }
    try {
      const transactionalId = decodeTransactionLogKey(record.key);
      if (record.value === null) this.entries.delete(transactionalId);
      else this.entries.set(transactionalId, decodeTransactionLogValue(record.value));
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      this.malformed++;
    }
  }
}
