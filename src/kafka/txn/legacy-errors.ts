// Error codes older clients understand. PRODUCER_FENCED (KIP-588) is newer than the transactional APIs;
// a request at a version before it hears INVALID_PRODUCER_EPOCH instead, as KafkaApis maps it.
import { ErrorCode } from '../../../protocol/kafka/errors.js';

export function fencedForVersion(errorCode: number, apiVersion: number, firstVersionWithFenced: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < firstVersionWithFenced ? ErrorCode.INVALID_PRODUCER_EPOCH : errorCode;
}
