// The coordinator's inputs and outputs. Field names are the camelCase of Kafka's JSON message specs, so
// the API handlers map decoded requests in and responses out with little more than a spread. Version
// differences are the handlers' concern: requests arrive in the newest shape (LeaveGroup as a batch,
// OffsetFetch as a list of groups), with Kafka's defaults for fields an older version lacks.

export interface JoinGroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  /** -1 (JoinGroup v0) means "same as the session timeout", as Kafka reads it. */
  rebalanceTimeoutMs: number;
  /** '' for a member joining for the first time. */
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: JoinGroupProtocol[];
  reason?: string | null;
}

/** Who sent a JoinGroup: taken from the request header and the connection, not the body. */
export interface JoinGroupClient {
  clientId: string;
  clientHost: string;
  /** v4+ gets MEMBER_ID_REQUIRED on a first join; v9+ may be told to skip the assignment. */
  apiVersion: number;
}

export interface JoinGroupResponseMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResponse {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  /** null on errors; before v7 the field is not nullable and the handler sends '' (as Kafka does). */
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  members: JoinGroupResponseMember[];
}

export interface SyncGroupAssignment {
  memberId: string;
  assignment: Buffer;
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** null before v5. From v5 Kafka's handler refuses a request without it (INCONSISTENT_GROUP_PROTOCOL). */
  protocolType: string | null;
  /** null before v5; required from v5, like protocolType. */
  protocolName: string | null;
  assignments: SyncGroupAssignment[];
}

export interface SyncGroupResponse {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  errorCode: number;
}

export interface LeaveGroupMember {
  /** '' with a groupInstanceId removes that static member, whatever its member id (admin removal). */
  memberId: string;
  groupInstanceId: string | null;
  reason?: string | null;
}

export interface LeaveGroupRequest {
  groupId: string;
  /** LeaveGroup v0-2 carries one memberId: the handler passes it as a one-member list. */
  members: LeaveGroupMember[];
}

export interface LeaveGroupMemberResponse {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}

export interface LeaveGroupResponse {
  errorCode: number;
  /** For v0-2 the handler reports the first member error as the top-level error, as Kafka does. */
  members: LeaveGroupMemberResponse[];
}

export interface OffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: number;
  /** -1 when unknown or before v6. */
  committedLeaderEpoch: number;
  /** v1 only; -1 means "now". */
  commitTimestamp: number;
  committedMetadata: string | null;
}

export interface OffsetCommitRequestTopic {
  name: string;
  partitions: OffsetCommitRequestPartition[];
}

export interface OffsetCommitRequest {
  groupId: string;
  /** -1 for commits outside group management (v0, or a consumer using assign()). */
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  /** v2-4 only; -1 means the broker's offsets.retention.minutes. */
  retentionTimeMs: number;
  topics: OffsetCommitRequestTopic[];
  /** The request's version where it changes an answer (v9+: GROUP_ID_NOT_FOUND); absent, an older one. */
  apiVersion?: number;
}

export interface OffsetCommitResponsePartition {
  partitionIndex: number;
  errorCode: number;
}

export interface OffsetCommitResponseTopic {
  name: string;
  partitions: OffsetCommitResponsePartition[];
}

export interface OffsetCommitResponse {
  topics: OffsetCommitResponseTopic[];
}

/** TxnOffsetCommit: a transactional producer's offsets, pending until its transaction's marker. */
export interface TxnOffsetCommitRequest {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  /** -1 (before v3, or a producer outside the group's generation) skips the generation check. */
  generationId: number;
  /** '' (before v3) skips the member check. */
  memberId: string;
  groupInstanceId: string | null;
  topics: Array<{
    name: string;
    partitions: Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }>;
  }>;
}

export interface OffsetFetchRequestTopic {
  name: string;
  partitionIndexes: number[];
}

export interface OffsetFetchRequestGroup {
  groupId: string;
  /** null asks for every partition the group has committed. */
  topics: OffsetFetchRequestTopic[] | null;
}

export interface OffsetFetchRequest {
  /** OffsetFetch v0-7 carries one group: the handler passes it as a one-group list. */
  groups: OffsetFetchRequestGroup[];
  requireStable: boolean;
}

export interface OffsetFetchResponsePartition {
  partitionIndex: number;
  /** -1 when the group has no offset for the partition. */
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export interface OffsetFetchResponseTopic {
  name: string;
  partitions: OffsetFetchResponsePartition[];
}

export interface OffsetFetchResponseGroup {
  groupId: string;
  topics: OffsetFetchResponseTopic[];
  errorCode: number;
}

export interface OffsetFetchResponse {
  groups: OffsetFetchResponseGroup[];
}

export interface DescribeGroupsRequest {
  groups: string[];
}

export interface DescribedGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  /** DescribeGroups v6+: why the group is not described (a KIP-848 group is "not a classic group"). */
  errorMessage?: string | null;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribedGroupMember[];
}

export interface DescribeGroupsResponse {
  groups: DescribedGroup[];
}

export interface ListGroupsRequest {
  /** Empty lists every group; otherwise group states, compared case-insensitively. */
  statesFilter: string[];
  /** v5: empty lists both kinds; otherwise `classic` and/or `consumer`, compared case-insensitively. */
  typesFilter?: string[];
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: string;
  /** v5: `classic` or `consumer` (KIP-848). */
  groupType?: string;
}

export interface ListGroupsResponse {
  errorCode: number;
  groups: ListedGroup[];
}

export interface DeleteGroupsRequest {
  groupsNames: string[];
}

export interface DeletableGroupResult {
  groupId: string;
  errorCode: number;
}

export interface DeleteGroupsResponse {
  results: DeletableGroupResult[];
}

export interface OffsetDeleteRequestTopic {
  name: string;
  partitions: Array<{ partitionIndex: number }>;
}

export interface OffsetDeleteRequest {
  groupId: string;
  topics: OffsetDeleteRequestTopic[];
}

export interface OffsetDeleteResponseTopic {
  name: string;
  partitions: Array<{ partitionIndex: number; errorCode: number }>;
}

export interface OffsetDeleteResponse {
  errorCode: number;
  topics: OffsetDeleteResponseTopic[];
}

/** A response for the request that carried `token`, tagged with its API. */
export type Reply<T> =
  | { token: T; api: 'joinGroup'; response: JoinGroupResponse }
  | { token: T; api: 'syncGroup'; response: SyncGroupResponse }
  | { token: T; api: 'heartbeat'; response: HeartbeatResponse }
  | { token: T; api: 'leaveGroup'; response: LeaveGroupResponse }
  | { token: T; api: 'offsetCommit'; response: OffsetCommitResponse }
  | { token: T; api: 'txnOffsetCommit'; response: OffsetCommitResponse }
  | { token: T; api: 'offsetFetch'; response: OffsetFetchResponse }
  | { token: T; api: 'describeGroups'; response: DescribeGroupsResponse }
  | { token: T; api: 'listGroups'; response: ListGroupsResponse }
  | { token: T; api: 'deleteGroups'; response: DeleteGroupsResponse }
  | { token: T; api: 'offsetDelete'; response: OffsetDeleteResponse };

export type GroupApi = Reply<unknown>['api'];

/** One __consumer_offsets record: key and value as Kafka encodes them; a null value is a tombstone. */
export interface ConsumerOffsetsRecord {
  key: Buffer;
  value: Buffer | null;
}

/**
 * Records the coordinator needs written to __consumer_offsets, in one batch. The caller appends them,
 * makes them durable and then calls `appendCompleted(id)`; replies that depend on them are held until
 * then. Appends to one partition must complete in the order they were emitted.
 */
export interface AppendRequest {
  id: number;
  /** The __consumer_offsets partition of the group. */
  partition: number;
  /** CreateTime of the records. */
  timestampMs: number;
  records: ConsumerOffsetsRecord[];
  /** A transactional producer's offsets: written as its transactional batch, settled by its marker. */
  producer?: { producerId: number; producerEpoch: number };
}

/** What one input produced: replies to deliver now, and records to persist. */
export interface CoordinatorOutput<T> {
  replies: Array<Reply<T>>;
  appends: AppendRequest[];
}
