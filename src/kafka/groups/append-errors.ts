// What a client is told when writing to __consumer_offsets failed, by the storage error of the append:
// Kafka translates log errors into coordinator errors a client knows how to react to.
import { ErrorCode } from '../../../protocol/kafka/errors.js';

const APPEND_UNAVAILABLE: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
]);
const APPEND_NOT_HERE: ReadonlySet<number> = new Set([ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.KAFKA_STORAGE_ERROR]);
const APPEND_TOO_LARGE: ReadonlySet<number> = new Set([
  ErrorCode.MESSAGE_TOO_LARGE,
  ErrorCode.RECORD_LIST_TOO_LARGE,
  ErrorCode.INVALID_FETCH_SIZE,
]);

function mapAppendError(appendError: number, tooLarge: number, timedOut: number): number {
  if (APPEND_UNAVAILABLE.has(appendError)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (APPEND_NOT_HERE.has(appendError)) return ErrorCode.NOT_COORDINATOR;
  if (APPEND_TOO_LARGE.has(appendError)) return tooLarge;
  if (appendError === ErrorCode.REQUEST_TIMED_OUT) return timedOut;
  return appendError;
}

/**
 * What a client is told when appending offset commits to __consumer_offsets failed, by the storage
 * error the append returned (Kafka: GroupMetadataManager.storeOffsets).
 */
export function commitErrorForAppendError(appendError: number): number {
  return mapAppendError(appendError, ErrorCode.INVALID_COMMIT_OFFSET_SIZE, ErrorCode.REQUEST_TIMED_OUT);
}

/**
 * What a client is told when appending group metadata failed (Kafka: GroupMetadataManager.storeGroup):
 * an oversized group record is the server's fault, and a timed-out write means "rejoin".
 */
export function groupErrorForAppendError(appendError: number): number {
  return mapAppendError(appendError, ErrorCode.UNKNOWN_SERVER_ERROR, ErrorCode.REBALANCE_IN_PROGRESS);
}

/**
 * What a KIP-848 member is told when its group's records could not be written (Kafka's coordinator
 * runtime): a write that timed out or found too few replicas means "try again", an oversized one is the
 * server's fault.
 */
export function consumerGroupErrorForAppendError(appendError: number): number {
  return mapAppendError(appendError, ErrorCode.UNKNOWN_SERVER_ERROR, ErrorCode.COORDINATOR_NOT_AVAILABLE);
}
