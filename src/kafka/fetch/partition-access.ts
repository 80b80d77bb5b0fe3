// Which partition a data-path request (Produce, Fetch, ListOffsets, DeleteRecords) reaches, and the error
// code it gets instead when this broker cannot serve it: the checks Kafka's ReplicaManager makes before
// touching a log.
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { InvalidBatchError } from '../../../protocol/kafka/records/batch-validation.js';
import { LogError } from '../../log/errors.js';
import type { Logger } from '../../logger.js';
import type { Broker } from '../broker.js';
import type { Partition } from '../partitions/partition.js';

/** Clients that name no leader epoch send -1: they skip the fencing check. */
export const NO_LEADER_EPOCH = -1;

/**
 * The partition `topic`/`index` if this broker leads it and the client's view of the leader epoch is
 * current, else the Kafka error code: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, or
 * FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH when the client's epoch is older / newer than ours.
 */
export function leaderPartition(broker: Broker, topic: string, index: number, currentLeaderEpoch = NO_LEADER_EPOCH): Partition | number {
  const partition = broker.replicas.partition(topic, index);
  if (!partition) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (partition.leaderId !== broker.brokerId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  if (currentLeaderEpoch !== NO_LEADER_EPOCH) {
    if (currentLeaderEpoch < partition.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (currentLeaderEpoch > partition.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  }
  return partition;
}

/**
 * The error code a failure puts on the wire for one partition. Log and protocol errors carry their own;
 * anything else is a bug, logged and reported as UNKNOWN_SERVER_ERROR as Kafka does.
 */
export function errorCodeOf(err: unknown, log: Logger, context: Record<string, unknown>): number {
  if (err instanceof LogError) return err.errorCode;
  if (err instanceof KafkaProtocolError) return err.code;
  if (err instanceof InvalidBatchError) return err.code;
  log.error({ err, ...context }, 'unexpected error serving a partition');
  return ErrorCode.UNKNOWN_SERVER_ERROR;
}
