// The group coordinator's settings, named and defaulted as Kafka's broker keys are.
import type { BrokerConfigValues } from '../broker-config.js';
import type { AssignorName } from './consumer/assignors.js';
import { DEFAULT_CONSUMER_GROUP_CONFIG, type ConsumerGroupConfig } from './consumer/coordinator.js';

export interface GroupCoordinatorConfig {
  /** group.min.session.timeout.ms: a JoinGroup asking for less gets INVALID_SESSION_TIMEOUT. */
  groupMinSessionTimeoutMs: number;
  /** group.max.session.timeout.ms: a JoinGroup asking for more gets INVALID_SESSION_TIMEOUT. */
  groupMaxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms: how long the first rebalance of an empty group waits for more members. */
  groupInitialRebalanceDelayMs: number;
  /** group.max.size: members in one group at most (GROUP_MAX_SIZE_REACHED beyond). */
  groupMaxSize: number;
  /** offsets.retention.minutes, in ms: how long an empty group keeps its committed offsets. */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms: how often expired offsets are removed. */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes: longest metadata string of a commit (OFFSET_METADATA_TOO_LARGE beyond). */
  offsetMetadataMaxBytes: number;
  /** offsets.topic.num.partitions: groups are spread over this many __consumer_offsets partitions. */
  offsetsTopicNumPartitions: number;
  /**
   * How long a new member's JoinGroup may wait for the rebalance before the member is dropped; the
   * client retries if it is still there (Kafka: GroupCoordinator.NewMemberJoinTimeoutMs).
   */
  newMemberJoinTimeoutMs: number;
  /**
   * Skein's bound on one member's protocol names plus metadata, and on one member's assignment. Kafka
   * bounds them only by the request size; a group keeps every member's metadata in memory and writes
   * it into one __consumer_offsets record, so a single client must not be able to bloat it.
   */
  memberMetadataMaxBytes: number;
}

/** Kafka's offset.metadata.max.bytes default; the broker config has no key for it yet. */
export const DEFAULT_OFFSET_METADATA_MAX_BYTES = 4096;
/** Kafka's GroupCoordinator.NewMemberJoinTimeoutMs. */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;
/** 1 MiB: room for a subscription to thousands of topics, well under message.max.bytes of the group record. */
export const DEFAULT_MEMBER_METADATA_MAX_BYTES = 1024 * 1024;

export const DEFAULT_GROUP_COORDINATOR_CONFIG: Readonly<GroupCoordinatorConfig> = {
  groupMinSessionTimeoutMs: 6_000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupInitialRebalanceDelayMs: 3_000,
  groupMaxSize: 2_147_483_647,
  offsetsRetentionMs: 10_080 * 60_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: DEFAULT_OFFSET_METADATA_MAX_BYTES,
  offsetsTopicNumPartitions: 50,
  newMemberJoinTimeoutMs: NEW_MEMBER_JOIN_TIMEOUT_MS,
  memberMetadataMaxBytes: DEFAULT_MEMBER_METADATA_MAX_BYTES,
};

/** The coordinator's settings from the broker's server.properties values. */
export function groupCoordinatorConfigFrom(values: BrokerConfigValues): GroupCoordinatorConfig {
  return {
    ...DEFAULT_GROUP_COORDINATOR_CONFIG,
    groupMinSessionTimeoutMs: values['group.min.session.timeout.ms'],
    groupMaxSessionTimeoutMs: values['group.max.session.timeout.ms'],
    groupInitialRebalanceDelayMs: values['group.initial.rebalance.delay.ms'],
    groupMaxSize: values['group.max.size'],
    offsetsRetentionMs: values['offsets.retention.minutes'] * 60_000,
    offsetsRetentionCheckIntervalMs: values['offsets.retention.check.interval.ms'],
    offsetsTopicNumPartitions: values['offsets.topic.num.partitions'],
  };
}

/** The KIP-848 consumer group coordinator's settings (group.consumer.*). */
export function consumerGroupConfigFrom(values: BrokerConfigValues): ConsumerGroupConfig {
  return {
    ...DEFAULT_CONSUMER_GROUP_CONFIG,
    sessionTimeoutMs: values['group.consumer.session.timeout.ms'],
    heartbeatIntervalMs: values['group.consumer.heartbeat.interval.ms'],
    assignors: values['group.consumer.assignors'] as AssignorName[],
    maxSize: values['group.consumer.max.size'],
    migrationPolicy: values['group.consumer.migration.policy'],
    classic: {
      maxSize: values['group.max.size'],
      minSessionTimeoutMs: values['group.min.session.timeout.ms'],
      maxSessionTimeoutMs: values['group.max.session.timeout.ms'],
    },
  };
}
