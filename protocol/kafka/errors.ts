// Every Kafka error code: wire code, name as Kafka's Errors enum spells it, whether clients retry it
// (its exception is a RetriableException in the Java client), and a default message.

type ErrorRow = readonly [code: number, name: string, retriable: boolean, message: string];

const ROWS = [
  [-1, 'UNKNOWN_SERVER_ERROR', false, 'The server hit an unexpected error while handling the request.'],
  [0, 'NONE', false, ''],
  [1, 'OFFSET_OUT_OF_RANGE', false, 'The requested offset is outside the range of offsets the server holds.'],
  [2, 'CORRUPT_MESSAGE', true, 'The message failed its checksum, is too large, or is otherwise corrupt.'],
  [3, 'UNKNOWN_TOPIC_OR_PARTITION', true, 'This server does not host the topic-partition.'],
  [4, 'INVALID_FETCH_SIZE', false, 'The requested fetch size is invalid.'],
  [5, 'LEADER_NOT_AVAILABLE', true, 'The partition has no leader right now; a leader election is under way.'],
  [6, 'NOT_LEADER_OR_FOLLOWER', true, 'This server is not the leader or a follower of the partition.'],
  [7, 'REQUEST_TIMED_OUT', true, 'The request timed out.'],
  [8, 'BROKER_NOT_AVAILABLE', false, 'The broker is not available.'],
  [9, 'REPLICA_NOT_AVAILABLE', true, 'The replica is not available for the partition.'],
  [10, 'MESSAGE_TOO_LARGE', false, 'The request holds a message larger than the server accepts.'],
  [11, 'STALE_CONTROLLER_EPOCH', false, 'The controller moved to another broker.'],
  [12, 'OFFSET_METADATA_TOO_LARGE', false, 'The offset commit metadata is too large.'],
  [13, 'NETWORK_EXCEPTION', true, 'The server disconnected before a response arrived.'],
  [14, 'COORDINATOR_LOAD_IN_PROGRESS', true, 'The coordinator is still loading and cannot serve requests yet.'],
  [15, 'COORDINATOR_NOT_AVAILABLE', true, 'The coordinator is not available.'],
  [16, 'NOT_COORDINATOR', true, 'This server is not the coordinator for the key.'],
  [17, 'INVALID_TOPIC_EXCEPTION', false, 'The request names an invalid topic.'],
  [18, 'RECORD_LIST_TOO_LARGE', false, 'The request holds a batch larger than the configured segment size.'],
  [19, 'NOT_ENOUGH_REPLICAS', true, 'Too few in-sync replicas to accept the messages.'],
  [20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', true, 'The messages were written to fewer in-sync replicas than required.'],
  [21, 'INVALID_REQUIRED_ACKS', false, 'The produce request asks for an invalid acks value.'],
  [22, 'ILLEGAL_GENERATION', false, 'The group generation id is not valid.'],
  [23, 'INCONSISTENT_GROUP_PROTOCOL', false, 'The member protocol type or protocols do not match the group.'],
  [24, 'INVALID_GROUP_ID', false, 'The group id is invalid.'],
  [25, 'UNKNOWN_MEMBER_ID', false, 'The coordinator does not know this member.'],
  [26, 'INVALID_SESSION_TIMEOUT', false, 'The session timeout is outside the range the broker allows.'],
  [27, 'REBALANCE_IN_PROGRESS', false, 'The group is rebalancing; the member must rejoin.'],
  [28, 'INVALID_COMMIT_OFFSET_SIZE', false, 'The committed offset data size is not valid.'],
  [29, 'TOPIC_AUTHORIZATION_FAILED', false, 'Not authorized to access the topic.'],
  [30, 'GROUP_AUTHORIZATION_FAILED', false, 'Not authorized to access the group.'],
  [31, 'CLUSTER_AUTHORIZATION_FAILED', false, 'Not authorized for the cluster operation.'],
  [32, 'INVALID_TIMESTAMP', false, 'The message timestamp is outside the accepted range.'],
  [33, 'UNSUPPORTED_SASL_MECHANISM', false, 'The broker does not support the SASL mechanism.'],
  [34, 'ILLEGAL_SASL_STATE', false, 'The request is not valid in the current SASL state.'],
  [35, 'UNSUPPORTED_VERSION', false, 'The broker does not support this version of the API.'],
  [36, 'TOPIC_ALREADY_EXISTS', false, 'A topic with this name already exists.'],
  [37, 'INVALID_PARTITIONS', false, 'The partition count is invalid.'],
  [38, 'INVALID_REPLICATION_FACTOR', false, 'The replication factor is below 1 or above the number of brokers.'],
  [39, 'INVALID_REPLICA_ASSIGNMENT', false, 'The replica assignment is invalid.'],
  [40, 'INVALID_CONFIG', false, 'The configuration is invalid.'],
  [41, 'NOT_CONTROLLER', true, 'This server is not the controller.'],
  [42, 'INVALID_REQUEST', false, 'The request is malformed or not valid here; see the broker log.'],
  [43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT', false, 'The message format on the broker does not support the request.'],
  [44, 'POLICY_VIOLATION', false, 'The request breaks the configured policy.'],
  [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER', false, 'The broker received an out-of-order sequence number.'],
  [46, 'DUPLICATE_SEQUENCE_NUMBER', false, 'The broker received a duplicate sequence number.'],
  [47, 'INVALID_PRODUCER_EPOCH', false, 'The producer epoch is older than the current one.'],
  [48, 'INVALID_TXN_STATE', false, 'The transactional operation is invalid in the current state.'],
  [49, 'INVALID_PRODUCER_ID_MAPPING', false, 'The producer id is not assigned to this transactional id.'],
  [50, 'INVALID_TRANSACTION_TIMEOUT', false, 'The transaction timeout exceeds the broker maximum.'],
  [51, 'CONCURRENT_TRANSACTIONS', true, 'Another operation on this transaction is still in progress.'],
  [52, 'TRANSACTION_COORDINATOR_FENCED', false, 'A newer transaction coordinator has taken over.'],
  [53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', false, 'Not authorized for the transactional id.'],
  [54, 'SECURITY_DISABLED', false, 'Security features are disabled.'],
  [55, 'OPERATION_NOT_ATTEMPTED', false, 'The broker did not attempt this operation.'],
  [56, 'KAFKA_STORAGE_ERROR', true, 'A disk error occurred while accessing the log.'],
  [57, 'LOG_DIR_NOT_FOUND', false, 'The log directory is not in the broker configuration.'],
  [58, 'SASL_AUTHENTICATION_FAILED', false, 'SASL authentication failed.'],
  [59, 'UNKNOWN_PRODUCER_ID', false, 'The broker has no metadata for this producer id.'],
  [60, 'REASSIGNMENT_IN_PROGRESS', false, 'A partition reassignment is in progress.'],
  [61, 'DELEGATION_TOKEN_AUTH_DISABLED', false, 'Delegation tokens are not enabled.'],
  [62, 'DELEGATION_TOKEN_NOT_FOUND', false, 'The delegation token was not found.'],
  [63, 'DELEGATION_TOKEN_OWNER_MISMATCH', false, 'The principal is not the owner or renewer of the token.'],
  [64, 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED', false, 'Delegation token requests are not allowed on this channel.'],
  [65, 'DELEGATION_TOKEN_AUTHORIZATION_FAILED', false, 'Delegation token authorization failed.'],
  [66, 'DELEGATION_TOKEN_EXPIRED', false, 'The delegation token has expired.'],
  [67, 'INVALID_PRINCIPAL_TYPE', false, 'The principal type is not supported.'],
  [68, 'NON_EMPTY_GROUP', false, 'The group is not empty.'],
  [69, 'GROUP_ID_NOT_FOUND', false, 'The group id does not exist.'],
  [70, 'FETCH_SESSION_ID_NOT_FOUND', true, 'The fetch session id was not found.'],
  [71, 'INVALID_FETCH_SESSION_EPOCH', true, 'The fetch session epoch is invalid.'],
  [72, 'LISTENER_NOT_FOUND', true, 'The leader has no listener matching the one the request arrived on.'],
  [73, 'TOPIC_DELETION_DISABLED', false, 'Topic deletion is disabled.'],
  [74, 'FENCED_LEADER_EPOCH', true, 'The leader epoch in the request is older than the broker\'s.'],
  [75, 'UNKNOWN_LEADER_EPOCH', true, 'The leader epoch in the request is newer than the broker\'s.'],
  [76, 'UNSUPPORTED_COMPRESSION_TYPE', false, 'The client does not support the compression type of the partition.'],
  [77, 'STALE_BROKER_EPOCH', false, 'The broker epoch has changed.'],
  [78, 'OFFSET_NOT_AVAILABLE', true, 'The high watermark has not caught up since the leader changed.'],
  [79, 'MEMBER_ID_REQUIRED', false, 'The member must rejoin with the member id it was given.'],
  [80, 'PREFERRED_LEADER_NOT_AVAILABLE', true, 'The preferred leader is not available.'],
  [81, 'GROUP_MAX_SIZE_REACHED', false, 'The consumer group has reached its maximum size.'],
  [82, 'FENCED_INSTANCE_ID', false, 'Another member with the same group instance id has fenced this one.'],
  [83, 'ELIGIBLE_LEADERS_NOT_AVAILABLE', true, 'No eligible leader is available for the partition.'],
  [84, 'ELECTION_NOT_NEEDED', true, 'The partition does not need a leader election.'],
  [85, 'NO_REASSIGNMENT_IN_PROGRESS', false, 'No partition reassignment is in progress.'],
  [86, 'GROUP_SUBSCRIBED_TO_TOPIC', false, 'The group is subscribed to the topic, so its offsets cannot be deleted.'],
  [87, 'INVALID_RECORD', false, 'The broker rejected a record that failed validation.'],
  [88, 'UNSTABLE_OFFSET_COMMIT', true, 'Unstable offsets must be resolved first.'],
  [89, 'THROTTLING_QUOTA_EXCEEDED', true, 'The throttling quota has been exceeded.'],
  [90, 'PRODUCER_FENCED', false, 'A newer producer with the same transactional id has fenced this one.'],
  [91, 'RESOURCE_NOT_FOUND', false, 'The request refers to a resource that does not exist.'],
  [92, 'DUPLICATE_RESOURCE', false, 'The request refers to the same resource twice.'],
  [93, 'UNACCEPTABLE_CREDENTIAL', false, 'The credential does not meet the acceptance criteria.'],
  [94, 'INCONSISTENT_VOTER_SET', false, 'The sender or receiver is not in the current voter set.'],
  [95, 'INVALID_UPDATE_VERSION', false, 'The update version is invalid.'],
  [96, 'FEATURE_UPDATE_FAILED', false, 'Finalized features could not be updated.'],
  [97, 'PRINCIPAL_DESERIALIZATION_FAILURE', false, 'A forwarded request principal could not be deserialized.'],
  [98, 'SNAPSHOT_NOT_FOUND', false, 'The snapshot was not found.'],
  [99, 'POSITION_OUT_OF_RANGE', false, 'The position is outside the snapshot.'],
  [100, 'UNKNOWN_TOPIC_ID', true, 'This server does not host the topic id.'],
  [101, 'DUPLICATE_BROKER_REGISTRATION', false, 'The broker id is already registered.'],
  [102, 'BROKER_ID_NOT_REGISTERED', false, 'The broker id is not registered.'],
  [103, 'INCONSISTENT_TOPIC_ID', true, 'The topic id in the request does not match the log\'s.'],
  [104, 'INCONSISTENT_CLUSTER_ID', false, 'The cluster id in the request does not match the server\'s.'],
  [105, 'TRANSACTIONAL_ID_NOT_FOUND', false, 'The transactional id was not found.'],
  [106, 'FETCH_SESSION_TOPIC_ID_ERROR', true, 'The fetch session mixes topic ids inconsistently.'],
  [107, 'INELIGIBLE_REPLICA', false, 'The new ISR holds an ineligible replica.'],
  [108, 'NEW_LEADER_ELECTED', false, 'The partition state was updated but the leader has changed.'],
  [109, 'OFFSET_MOVED_TO_TIERED_STORAGE', false, 'The offset has moved to tiered storage.'],
  [110, 'FENCED_MEMBER_EPOCH', false, 'The member epoch is fenced; the member must rejoin.'],
  [111, 'UNRELEASED_INSTANCE_ID', false, 'Another member still holds the instance id.'],
  [112, 'UNSUPPORTED_ASSIGNOR', false, 'The group does not support the assignor or its version.'],
  [113, 'STALE_MEMBER_EPOCH', false, 'The member epoch is stale.'],
  [114, 'MISMATCHED_ENDPOINT_TYPE', false, 'The request reached an endpoint of the wrong type.'],
  [115, 'UNSUPPORTED_ENDPOINT_TYPE', false, 'The endpoint type is not supported.'],
  [116, 'UNKNOWN_CONTROLLER_ID', false, 'The controller id is unknown.'],
  [117, 'UNKNOWN_SUBSCRIPTION_ID', false, 'The telemetry subscription id is unknown or outdated.'],
  [118, 'TELEMETRY_TOO_LARGE', false, 'The telemetry push is larger than the broker accepts.'],
  [119, 'INVALID_REGISTRATION', false, 'The controller considers the broker registration invalid.'],
  [120, 'TRANSACTION_ABORTABLE', false, 'The transaction failed and can be aborted to continue.'],
  [121, 'INVALID_RECORD_STATE', false, 'The record state is invalid for acknowledgement.'],
  [122, 'SHARE_SESSION_NOT_FOUND', true, 'The share session was not found.'],
  [123, 'INVALID_SHARE_SESSION_EPOCH', true, 'The share session epoch is invalid.'],
  [124, 'FENCED_STATE_EPOCH', false, 'The share group state epoch does not match.'],
  [125, 'INVALID_VOTER_KEY', false, 'The voter key does not match the receiving replica.'],
  [126, 'DUPLICATE_VOTER', false, 'The voter is already in the voter set.'],
  [127, 'VOTER_NOT_FOUND', false, 'The voter is not in the voter set.'],
  [128, 'INVALID_REGULAR_EXPRESSION', false, 'The regular expression is not valid.'],
  [133, 'SHARE_SESSION_LIMIT_REACHED', true, 'The broker holds as many share sessions as it may.'],
] as const satisfies readonly ErrorRow[];

type Row = (typeof ROWS)[number];
export type ErrorName = Row[1];

/** Error codes by name: `ErrorCode.UNKNOWN_TOPIC_OR_PARTITION === 3`. */
export const ErrorCode = Object.fromEntries(ROWS.map(([code, name]) => [name, code])) as {
  readonly [R in Row as R[1]]: R[0];
};
export type ErrorCode = Row[0];

export interface KafkaErrorInfo {
  readonly code: number;
  readonly name: string;
  readonly retriable: boolean;
  readonly message: string;
}

/** The whole table, in code order. */
export const KAFKA_ERRORS: readonly KafkaErrorInfo[] = ROWS.map(([code, name, retriable, message]) => ({
  code,
  name,
  retriable,
  message,
}));

const BY_CODE = new Map(KAFKA_ERRORS.map((e) => [e.code, e]));

/** The table entry for a code; codes newer than this table read as an unknown, non-retriable error. */
export function errorInfo(code: number): KafkaErrorInfo {
  const known = BY_CODE.get(code);
  if (known) return known;
  return { code, name: `UNKNOWN_ERROR_CODE_${code}`, retriable: false, message: `Kafka error ${code}.` };
}

/** A failure that has a Kafka error code: handlers throw it, the request layer puts the code on the wire. */
export class KafkaProtocolError extends Error {
  override readonly name = 'KafkaProtocolError';
  readonly errorName: string;
  readonly retriable: boolean;

  constructor(
    readonly code: number,
    message?: string,
  ) {
    const info = errorInfo(code);
    super(message ?? info.message);
    this.errorName = info.name;
    this.retriable = info.retriable;
  }
}
