// Which partition a data-path request (Produce, Fetch, ListOffsets, DeleteRecords) reaches, and the error
// code it gets instead when this broker cannot serve it: the checks Kafka's ReplicaManager makes before
// touching a log.
import { ErrorCode, KafkaProtocolError, ZERO_UUID } from '../../../protocol/kafka/index.js';
import { InvalidBatchError } from '../../../protocol/kafka/records/batch-validation.js';
import { LogError } from '../../log/errors.js';
import type { PartitionLog } from '../../log/partition-log.js';
import type { Logger } from '../../logger.js';
import type { BrokerConfig } from '../broker-config.js';
import type { Partition } from '../partitions/partition.js';
import { produceConfig, type ProduceConfig } from '../produce/produce-config.js';
import type { TopicTraffic } from '../../metrics/topic-traffic.js';
import type { PartitionAccess, TopicAdmin } from '../services.js';

/** Clients that name no leader epoch send -1: they skip the fencing check. */
export const NO_LEADER_EPOCH = -1;

/** The partitions this broker hosts, as the data-path handlers reach them. */
export class HostedPartitions implements PartitionAccess {
  constructor(
    private readonly replicas: { partition(topic: string, index: number): Partition | undefined },
    private readonly config: BrokerConfig,
    private readonly topics: Pick<TopicAdmin, 'get'>,
    private readonly cluster: { partition(topic: string, index: number): unknown },
    readonly traffic: TopicTraffic,
  ) {}

  hosted(topic: string, index: number): Partition | undefined {
    return this.replicas.partition(topic, index);
  }

  /**
   * The partition `topic`/`index` if this broker leads it and the client's view of the leader epoch is
   * current, else the Kafka error code, in the order Kafka 3.9 checks (ReplicaManager.getPartitionOrError,
   * then Partition.getLocalLog): a partition not hosted here is NOT_LEADER_OR_FOLLOWER when the cluster
   * has it (the client's metadata is stale) and UNKNOWN_TOPIC_OR_PARTITION when not; a request naming the
   * topic by an id other than the log's is for another life of the topic, INCONSISTENT_TOPIC_ID; the
   * client's epoch is checked before leadership, so a follower too answers FENCED_LEADER_EPOCH /
   * UNKNOWN_LEADER_EPOCH to an epoch older / newer than the one it was told; only then is a non-leader
   * NOT_LEADER_OR_FOLLOWER.
   */
  leader(topic: string, index: number, currentLeaderEpoch = NO_LEADER_EPOCH, topicId = ZERO_UUID): Partition | number {
    const partition = this.replicas.partition(topic, index);
    if (!partition) return this.cluster.partition(topic, index) ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (topicId !== ZERO_UUID && partition.topicId !== undefined && partition.topicId !== topicId) return ErrorCode.INCONSISTENT_TOPIC_ID;
    if (currentLeaderEpoch !== NO_LEADER_EPOCH) {
      if (currentLeaderEpoch < partition.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
      if (currentLeaderEpoch > partition.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    }
    if (partition.leaderId !== this.config.brokerId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
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
