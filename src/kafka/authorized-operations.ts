// What Kafka reports in the AuthorizedOperations fields (Metadata, DescribeGroups): a bit field of ACL
// operation codes. Skein has no authorizer, and Kafka without one reports every operation the resource
// type supports (AclEntry.supportedOperations), so these are constants.

/** Kafka's AclOperation codes. */
const AclOperation = {
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
} as const;

function bitField(...operations: number[]): number {
  return operations.reduce((bits, op) => bits | (1 << op), 0);
}

const { READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE } = AclOperation;

export const TOPIC_AUTHORIZED_OPERATIONS = bitField(READ, WRITE, CREATE, DESCRIBE, DELETE, ALTER, DESCRIBE_CONFIGS, ALTER_CONFIGS);
export const GROUP_AUTHORIZED_OPERATIONS = bitField(READ, DESCRIBE, DELETE);
export const CLUSTER_AUTHORIZED_OPERATIONS = bitField(CREATE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, ALTER, DESCRIBE);

/** The value of an AuthorizedOperations field the client did not ask for (the schema default). */
export const OPERATIONS_NOT_REQUESTED = -2147483648;
