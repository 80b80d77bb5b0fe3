// Which partition a data-path request (Produce, Fetch, ListOffsets, DeleteRecords) reaches, and the error
// code it gets instead when this broker cannot serve it: the checks Kafka's ReplicaManager makes before
// touching a log.
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { InvalidBatchError } from '../../../protocol/kafka/records/batch-validation.js';
import { LogError } from '../../log/errors.js';
import type { PartitionLog } from '../../log/partition-log.js';
import type { Logger } from '../../logger.js';
import type { BrokerConfig } from '../broker-config.js';
import type { Partition } from '../partitions/partition.js';
import { produceConfig, type ProduceConfig } from '../produce/produce-config.js';
import type { PartitionAccess, TopicAdmin } from '../services.js';

/** Clients that name no leader epoch send -1: they skip the fencing check. */
export const NO_LEADER_EPOCH = -1;

/** The partitions this broker hosts, as the data-path handlers reach them. */
export class HostedPartitions implements PartitionAccess {
  constructor(
    private readonly replicas: { partition(topic: string, index: number): Partition | undefined },
    private readonly config: BrokerConfig,
    private readonly topics: Pick<TopicAdmin, 'get'>,
  ) {}

  hosted(topic: string, index: number): Partition | undefined {
    return this.replicas.partition(topic, index);
  }

  leader(topic: string, index: number, currentLeaderEpoch = NO_LEADER_EPOCH): Partition | number {
    const partition = this.replicas.partition(topic, index);
    if (!partition) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (partition.leaderId !== this.config.brokerId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (currentLeaderEpoch !== NO_LEADER_EPOCH) {
      if (currentLeaderEpoch < partition.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
      if (currentLeaderEpoch > partition.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    }
    return partition;
  }

  produceConfig(topic: string, log: PartitionLog): ProduceConfig {
    return produceConfig(this.config, this.topics.get(topic)?.configs ?? {}, log.config);
  }
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
