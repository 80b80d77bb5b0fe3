// The broker's parts as API handlers see them: one narrow interface per concern, each handed only to the
// handlers that declare it (handler.ts says why they are split this way). Interfaces only: a handler and
// its unit test depend on these, never on the Broker that implements them.
import type {
  ApiVersionRange,
  LeaderAndIsrRequest,
  LeaderAndIsrResponseInput,
  StopReplicaRequest,
  StopReplicaResponseInput,
  UpdateMetadataRequest,
} from '../../protocol/kafka/index.js';
import type { PartitionLog } from '../log/partition-log.js';
import type { TopicTraffic } from '../metrics/topic-traffic.js';
import type { BrokerConfig } from './broker-config.js';
import type { ElectionOutcome, Reassignment, ReassignRefusal, TopicPartition } from './controller/controller-core.js';
import type * as Groups from './groups/api.js';
import type * as Txn from './txn/api.js';
import type { MetadataView } from './metadata/metadata-view.js';
import type { TopicRecord } from './metadata/topic-store.js';
import type { Partition } from './partitions/partition.js';
import type { ProduceConfig } from './produce/produce-config.js';
import type { NewTopic } from './topics/topic-manager.js';
import type { ScramCredentials } from './sasl/scram-credentials.js';
import type { ConsumerHeartbeatRequest, ConsumerHeartbeatResponse } from './groups/consumer/coordinator.js';
import type { DescribedConsumerGroup } from './groups/consumer/described-group.js';
import type { RequestContext } from './handler.js';
import type { AclBinding, AclBindingFilter, AclOperation, ConcreteResourceType } from './acl/model.js';
import type { ShareRequests } from './share/share-service.js';
import type { ClientTelemetry } from './telemetry/client-telemetry.js';
import type { ClientMetricsResources } from './telemetry/client-metrics-resources.js';
import type { ClientQuotas } from './quotas/client-quotas.js';
import type { ClientQuotaManager } from './quotas/quota-manager.js';

/** Wall-clock milliseconds: the one place handlers read the time, so a test can set it. */
export interface Clock {
  now(): number;
}

/**
 * The data path (Produce, Fetch, ListOffsets, DeleteRecords, OffsetForLeaderEpoch): the partitions this
 * broker hosts, with the checks Kafka's ReplicaManager makes before touching a log.
 */
export interface PartitionAccess {
  /**
   * The partition if this broker leads it, the client's leader epoch (-1: none given) is current and the
   * topic id the client named (the zero id: none) is the log's, else Kafka's error code:
   * UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, INCONSISTENT_TOPIC_ID, FENCED_LEADER_EPOCH,
   * UNKNOWN_LEADER_EPOCH.
   */
  leader(topic: string, index: number, currentLeaderEpoch?: number, topicId?: string): Partition | number;
  /** The partition if this broker hosts it in any role: a follower's fetch reaches the leader's replica state through it. */
  hosted(topic: string, index: number): Partition | undefined;
  /** The produce-path settings in force for the topic whose log this is (broker defaults under topic overrides). */
  produceConfig(topic: string, log: PartitionLog): ProduceConfig;
  /** Per-topic counts of what producers and consumers moved, for /metrics. */
  readonly traffic: TopicTraffic;
}

/** Topic definitions: looked up by Metadata and the offset APIs, changed by the admin APIs (Kafka's AdminManager). */
export interface TopicAdmin {
  list(): TopicRecord[];
  get(name: string): TopicRecord | undefined;
  getById(topicId: string): TopicRecord | undefined;
  /** Kafka's checks of a new topic; throws KafkaProtocolError. Nothing changes (validateOnly stops here). */
  validateNew(t: NewTopic): TopicRecord;
  /** Stores a topic validateNew returned; visible at once, settles once durable and open. */
  commitNew(record: TopicRecord): Promise<void>;
  /** Creates a topic a client named, if auto.create.topics.enable allows; undefined when it does not. */
  autoCreate(name: string): Promise<TopicRecord | undefined>;
  /** Throws TOPIC_DELETION_DISABLED unless delete.topic.enable. */
  checkDeletionEnabled(): void;
  /** DeleteTopics' checks for one topic; throws KafkaProtocolError. */
  validateDelete(name: string): void;
  /** Gone from requests at once; settles once the deletion is durable. */
  delete(name: string): Promise<void>;
  /** CreatePartitions' checks; the replica lists of the new partitions. Throws KafkaProtocolError. */
  validateNewPartitions(name: string, totalCount: number, assignments: number[][] | null): number[][];
  /** Appends partitions validateNewPartitions returned; visible at once, settles once open. */
  addPartitions(name: string, added: number[][]): Promise<void>;
  /** Checks a full set of topic config overrides; throws KafkaProtocolError. */
  validateConfigs(configs: Readonly<Record<string, string>>): void;
  /** Replaces a topic's overrides; in effect at once, settles once durable. */
  setConfigs(name: string, configs: Record<string, string>): Promise<void>;
}

/** Where a coordinator is: the broker to ask, or an error with no broker (Kafka's Node.noNode). */
export interface CoordinatorLocation {
  errorCode: number;
  /** The broker to ask; undefined with an error. */
  node: { nodeId: number; host: string; port: number } | undefined;
}

/** The group coordinator's requests: membership, offsets and group admin. */
export interface GroupRequests {
  /** FindCoordinator for one key of a key type (Kafka's CoordinatorType). */
  findCoordinator(keyType: number, key: string, listener?: string): CoordinatorLocation;
  joinGroup(request: Groups.JoinGroupRequest, client: Groups.JoinGroupClient): Promise<Groups.JoinGroupResponse>;
  syncGroup(request: Groups.SyncGroupRequest): Promise<Groups.SyncGroupResponse>;
  heartbeat(request: Groups.HeartbeatRequest): Promise<Groups.HeartbeatResponse>;
  leaveGroup(request: Groups.LeaveGroupRequest): Promise<Groups.LeaveGroupResponse>;
  offsetCommit(request: Groups.OffsetCommitRequest): Promise<Groups.OffsetCommitResponse>;
  txnOffsetCommit(request: Groups.TxnOffsetCommitRequest): Promise<Groups.OffsetCommitResponse>;
  /**
   * A transaction marker of `producerId` was written to these __consumer_offsets partitions: the
   * producer's pending transactional offsets there take effect (commit) or are dropped.
   */
  completeTransaction(producerId: number, partitions: readonly number[], commit: boolean): void;
  offsetFetch(request: Groups.OffsetFetchRequest): Promise<Groups.OffsetFetchResponse>;
  offsetDelete(request: Groups.OffsetDeleteRequest): Promise<Groups.OffsetDeleteResponse>;
  describeGroups(request: Groups.DescribeGroupsRequest): Promise<Groups.DescribeGroupsResponse>;
  listGroups(request: Groups.ListGroupsRequest): Promise<Groups.ListGroupsResponse>;
  deleteGroups(request: Groups.DeleteGroupsRequest): Promise<Groups.DeleteGroupsResponse>;
  /** ConsumerGroupHeartbeat (KIP-848): a member of a consumer group joins, heartbeats, reconciles or leaves. */
  consumerGroupHeartbeat(request: ConsumerHeartbeatRequest): Promise<ConsumerHeartbeatResponse>;
  /** ConsumerGroupDescribe (KIP-848): the consumer groups named, in order. */
  consumerGroupDescribe(groupIds: readonly string[]): Promise<DescribedConsumerGroup[]>;
}

/**
 * The transaction coordinator's requests (transactions/service.ts). Each refuses an id whose
 * __transaction_state partition this broker does not serve: NOT_COORDINATOR, or
 * COORDINATOR_LOAD_IN_PROGRESS while it loads.
 */
export interface TransactionRequests {
  /** FindCoordinator key type 1; creates __transaction_state on first need. */
  findCoordinator(transactionalId: string, listener?: string): CoordinatorLocation;
  initProducerId(request: Txn.InitProducerIdRequest): Promise<Txn.InitProducerIdResponse>;
  /** AddPartitionsToTxn, and AddOffsetsToTxn as the group's __consumer_offsets partition: the error code. */
  addPartitions(request: Txn.AddPartitionsRequest): Promise<number>;
  /** AddPartitionsToTxn v4+ verifyOnly: one error for all partitions, or each partition's. */
  verifyPartitions(request: Txn.AddPartitionsRequest): number | Txn.MarkerOutcome[];
  endTxn(request: Txn.EndTxnRequest): Promise<number>;
  describe(transactionalId: string): { errorCode: number; transaction: Txn.TransactionDescription | undefined };
  list(stateFilters: readonly string[], producerIdFilters: readonly number[], durationFilterMs: number): { errorCode: number; unknownStateFilters: string[]; transactions: Txn.TransactionDescription[] };
}

/** The controller naming this broker leader or follower of partitions, or telling it to stop being one. */
export interface ReplicaRoles {
  leaderAndIsr(request: LeaderAndIsrRequest, version: number): Promise<LeaderAndIsrResponseInput>;
  stopReplica(request: StopReplicaRequest): Promise<StopReplicaResponseInput>;
}

/** The controller's picture of the cluster arriving (UpdateMetadata), with the epochs that fence stale senders. */
export interface MetadataUpdates {
  /** This broker's registration: an UpdateMetadata for an earlier one is stale. */
  readonly brokerEpoch: number;
  /** The controller epoch of the last accepted update: an older controller is stale. */
  readonly controllerEpoch: number;
  update(request: UpdateMetadataRequest): void;
}

/** What clients and brokers ask of the controller; this broker answers only while it is the active one. */
export interface ControllerRequests {
  readonly isActive: boolean;
  controlledShutdown(brokerId: number, brokerEpoch: number): Promise<{ errorCode: 'ok' | 'notController' | 'staleBrokerEpoch'; remaining: TopicPartition[] }>;
  /** undefined when this broker is not the active controller. */
  electLeaders(type: 'preferred' | 'unclean', which: readonly TopicPartition[] | 'all'): Promise<(TopicPartition & { outcome: ElectionOutcome })[] | undefined>;
  /** AlterPartitionReassignments: each partition's refusal (undefined: accepted); undefined when not the active controller. */
  reassign(asked: readonly (TopicPartition & { replicas: readonly number[] | null })[]): Promise<(TopicPartition & { refusal: ReassignRefusal | undefined })[] | undefined>;
  /** ListPartitionReassignments; undefined when not the active controller. */
  reassignments(which: readonly TopicPartition[] | 'all'): Promise<Reassignment[] | undefined>;
}

/** Producer ids for InitProducerId: unique in the cluster, never reused (producers/producer-ids.ts). */
export interface ProducerIds {
  next(): Promise<number>;
}

/** One directory of log.dirs as DescribeLogDirs reports it. */
export interface LogDirDescription {
  /** The absolute path. */
  path: string;
  /** NONE, or KAFKA_STORAGE_ERROR when the directory cannot be read. */
  errorCode: number;
  /** The size of the volume the directory is on and the bytes usable there; -1 when unknown. */
  totalBytes: number;
  usableBytes: number;
  partitions: { topic: string; partition: number; sizeBytes: number; offsetLag: number }[];
}

/** The log directories and the partition logs in them (partitions/log-dirs.ts). */
export interface LogDirs {
  describe(which: readonly TopicPartition[] | 'all'): Promise<LogDirDescription[]>;
}

/** The API versions this broker serves, for ApiVersions: the handler registry itself. */
export interface SupportedApis {
  supported(): ApiVersionRange[];
}

/** Who a request speaks for: its connection's principal and address. */
export type Asker = Pick<RequestContext, 'principal' | 'remote'>;

/**
 * Authorization (acl/acl-service.ts): the checks Kafka's KafkaApis makes through its Authorizer, and the
 * ACL admin APIs. Without authorizer.class.name every check allows.
 */
export interface Authorization {
  readonly enabled: boolean;
  authorize(asker: Asker, op: AclOperation, resourceType: ConcreteResourceType, name: string): boolean;
  /** Whether the operation is allowed on some resource of the type (Kafka's authorizeByResourceType). */
  allowedOnSome(asker: Asker, op: AclOperation, resourceType: ConcreteResourceType): boolean;
  /** The AuthorizedOperations bit field of one resource. */
  authorizedOperations(asker: Asker, resourceType: ConcreteResourceType, name: string): number;
  /** The following throw SECURITY_DISABLED without an authorizer. */
  describe(filter: AclBindingFilter): AclBinding[];
  create(binding: AclBinding): Promise<void>;
  /** The bindings removed. */
  delete(filter: AclBindingFilter): Promise<AclBinding[]>;
}

/**
 * Everything a handler may be given, by the name it declares in `uses`. Plain values (config,
 * clusterId) are services too: a handler names them like any other.
 */
/** SCRAM credentials by user, in ZooKeeper (or users.json alone); answers shaped as the wire's results. */
export type ScramCredentialAdmin = Pick<ScramCredentials, 'describe' | 'alter'>;

export interface BrokerServices {
  readonly clock: Clock;
  /** The broker's settings as started (server.properties and overrides); broker.id among them. */
  readonly config: BrokerConfig;
  readonly clusterId: string;
  /** The cluster as clients see it: live brokers, the controller, each partition's leader and replicas. */
  readonly metadata: MetadataView;
  readonly partitions: PartitionAccess;
  readonly logDirs: LogDirs;
  readonly topics: TopicAdmin;
  readonly groups: GroupRequests;
  /** Share groups (KIP-932): their membership and the share-partitions of the partitions led here. */
  readonly shares: ShareRequests;
  readonly transactions: TransactionRequests;
  readonly replication: ReplicaRoles;
  /** Absent on a broker without zookeeper.connect: there is no controller to hear from. */
  readonly metadataUpdates: MetadataUpdates | undefined;
  /** Absent on a broker without zookeeper.connect: it is the whole cluster and elects nobody. */
  readonly controller: ControllerRequests | undefined;
  readonly apiVersions: SupportedApis;
  readonly producerIds: ProducerIds;
  readonly acls: Authorization;
  /** SCRAM credentials (DescribeUserScramCredentials, AlterUserScramCredentials). */
  readonly scram: ScramCredentialAdmin;
  /** KIP-714 client telemetry: subscriptions handed out and metrics pushed. */
  readonly telemetry: TelemetryRequests;
  /** KIP-714's client-metrics subscriptions (CLIENT_METRICS config resources). */
  readonly clientMetrics: ClientMetricsAdmin;
  /** Client quotas as admins see them (DescribeClientQuotas, AlterClientQuotas). */
  readonly clientQuotas: Pick<ClientQuotas, 'describe' | 'alter'>;
  /**
   * Client quota enforcement: the rates Produce and Fetch record and the throttle times they earn, and
   * the controller mutation quota CreateTopics, CreatePartitions and DeleteTopics take partitions from.
   */
  readonly quotas: Pick<ClientQuotaManager, 'enforces' | 'record' | 'unrecord' | 'maxValueInWindow' | 'mutationQuota'>;
}

/** GetTelemetrySubscriptions and PushTelemetry (client-telemetry.ts); the time is the caller's. */
export type TelemetryRequests = Pick<ClientTelemetry, 'getSubscriptions' | 'push'>;

/** The client-metrics subscriptions as the config APIs see them (client-metrics-resources.ts). */
export type ClientMetricsAdmin = Pick<ClientMetricsResources, 'names' | 'describe' | 'change'>;

export type ServiceName = keyof BrokerServices;
