// What Kafka reports in the AuthorizedOperations fields (Metadata, DescribeGroups, DescribeCluster) when
// the client did not ask; the bit fields themselves come from the authorizer (acl/acl-service.ts).

/** The value of an AuthorizedOperations field the client did not ask for (the schema default). */
export const OPERATIONS_NOT_REQUESTED = -2147483648;
