// Failures the log reports to its callers, each carrying the Kafka error code a handler puts on the wire.
import { ErrorCode } from '../../protocol/kafka/errors.js';

export abstract class LogError extends Error {
  abstract readonly errorCode: number;
}

/** A fetch or DeleteRecords offset outside [logStartOffset, logEndOffset] (or above the high watermark). */
export class OffsetOutOfRangeError extends LogError {
  override readonly name = 'OffsetOutOfRangeError';
  readonly errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;

  constructor(
    readonly offset: number,
    /** Which side was crossed: consumers reset differently for each. */
    readonly side: 'below-start' | 'above-end',
    readonly logStartOffset: number,
    readonly logEndOffset: number,
  ) {
    super(`offset ${offset} is ${side === 'below-start' ? 'below the log start' : 'above the log end'} (log holds ${logStartOffset}..${logEndOffset})`);
  }
}

/** A batch handed to append is malformed (it should have been validated before). */
export class CorruptRecordError extends LogError {
  override readonly name = 'CorruptRecordError';
  readonly errorCode = ErrorCode.CORRUPT_MESSAGE;
}

/** A batch is larger than max.message.bytes. */
export class RecordTooLargeError extends LogError {
  override readonly name = 'RecordTooLargeError';
  readonly errorCode = ErrorCode.MESSAGE_TOO_LARGE;
}

/** A batch is larger than segment.bytes, so no segment could hold it. */
export class RecordBatchTooLargeError extends LogError {
  override readonly name = 'RecordBatchTooLargeError';
  readonly errorCode = ErrorCode.RECORD_LIST_TOO_LARGE;
}

/** The disk failed under the log (or its bytes are unreadable); the log refuses further work. */
export class StorageError extends LogError {
  override readonly name = 'StorageError';
  readonly errorCode = ErrorCode.KAFKA_STORAGE_ERROR;
}

/** The log was closed or deleted; clients should refresh metadata and retry elsewhere. */
export class LogClosedError extends LogError {
  override readonly name = 'LogClosedError';
  readonly errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
}

/** Records waited on were removed by truncateTo before they became written or durable. */
export class LogTruncatedError extends LogError {
  override readonly name = 'LogTruncatedError';
  readonly errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
}

/** DeleteRecords on a log whose cleanup.policy does not include delete (Kafka refuses it likewise). */
export class PolicyViolationError extends LogError {
  override readonly name = 'PolicyViolationError';
  readonly errorCode = ErrorCode.POLICY_VIOLATION;
}
