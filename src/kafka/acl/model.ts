// Kafka's ACL model: what an access control entry names, by the codes the wire carries (Kafka's
// ResourceType, PatternType, AclOperation, AclPermissionType) and the names AclAuthorizer writes into
// ZooKeeper. A binding is a resource pattern with one entry: who, from where, may or may not do what.

/** org.apache.kafka.common.resource.ResourceType codes. */
export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType];

/** org.apache.kafka.common.resource.PatternType codes; MATCH and ANY only in filters. */
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export type PatternType = (typeof PatternType)[keyof typeof PatternType];

/** org.apache.kafka.common.acl.AclOperation codes; ANY only in filters. */
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
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
export type AclOperation = (typeof AclOperation)[keyof typeof AclOperation];

/** org.apache.kafka.common.acl.AclPermissionType codes; ANY only in filters. */
export const PermissionType = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;
export type PermissionType = (typeof PermissionType)[keyof typeof PermissionType];

/** The resource name every literal binding of a type also covers (ResourcePattern.WILDCARD_RESOURCE). */
export const WILDCARD_RESOURCE = '*';
/** The principal and host that match everyone (AclEntry.WildcardPrincipalString, WildcardHost). */
export const WILDCARD_PRINCIPAL = 'User:*';
export const WILDCARD_HOST = '*';
/** The one name the CLUSTER resource has. */
export const CLUSTER_NAME = 'kafka-cluster';

/** The resource types a binding may name (a filter may also say ANY). */
export type ConcreteResourceType = typeof ResourceType.TOPIC | typeof ResourceType.GROUP | typeof ResourceType.CLUSTER | typeof ResourceType.TRANSACTIONAL_ID | typeof ResourceType.DELEGATION_TOKEN;
export type ConcretePatternType = typeof PatternType.LITERAL | typeof PatternType.PREFIXED;

export interface ResourcePattern {
  readonly resourceType: ConcreteResourceType;
  readonly name: string;
  readonly patternType: ConcretePatternType;
}

export interface AccessControlEntry {
  /** "User:alice", or "User:*". */
  readonly principal: string;
  /** An address, or "*". */
  readonly host: string;
  readonly operation: AclOperation;
  readonly permission: typeof PermissionType.ALLOW | typeof PermissionType.DENY;
}

export interface AclBinding {
  readonly pattern: ResourcePattern;
  readonly entry: AccessControlEntry;
}

/** A DescribeAcls/DeleteAcls filter: null strings and the ANY codes match everything. */
export interface AclBindingFilter {
  readonly resourceType: number;
  readonly name: string | null;
  readonly patternType: number;
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: number;
  readonly permission: number;
}

/** The operations each resource type supports (Kafka's AclEntry.supportedOperations). */
export const SUPPORTED_OPERATIONS: Readonly<Record<ConcreteResourceType, readonly AclOperation[]>> = {
  [ResourceType.TOPIC]: [AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
  [ResourceType.GROUP]: [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE],
  [ResourceType.CLUSTER]: [
    AclOperation.CREATE,
    AclOperation.CLUSTER_ACTION,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
    AclOperation.IDEMPOTENT_WRITE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE,
  ],
  [ResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE],
  [ResourceType.DELEGATION_TOKEN]: [AclOperation.DESCRIBE],
};

/** The names AclAuthorizer writes in znode paths and JSON (Kafka's SecurityUtils / ResourceType.toString). */
export const RESOURCE_TYPE_NAMES: Readonly<Record<ConcreteResourceType, string>> = {
  [ResourceType.TOPIC]: 'Topic',
  [ResourceType.GROUP]: 'Group',
  [ResourceType.CLUSTER]: 'Cluster',
  [ResourceType.TRANSACTIONAL_ID]: 'TransactionalId',
  [ResourceType.DELEGATION_TOKEN]: 'DelegationToken',
};

export const OPERATION_NAMES: Readonly<Partial<Record<AclOperation, string>>> = {
  [AclOperation.ALL]: 'All',
  [AclOperation.READ]: 'Read',
  [AclOperation.WRITE]: 'Write',
  [AclOperation.CREATE]: 'Create',
  [AclOperation.DELETE]: 'Delete',
  [AclOperation.ALTER]: 'Alter',
  [AclOperation.DESCRIBE]: 'Describe',
  [AclOperation.CLUSTER_ACTION]: 'ClusterAction',
  [AclOperation.DESCRIBE_CONFIGS]: 'DescribeConfigs',
  [AclOperation.ALTER_CONFIGS]: 'AlterConfigs',
  [AclOperation.IDEMPOTENT_WRITE]: 'IdempotentWrite',
};

export const PERMISSION_NAMES = { [PermissionType.ALLOW]: 'Allow', [PermissionType.DENY]: 'Deny' } as const;

export function isConcreteResourceType(code: number): code is ConcreteResourceType {
  return Object.hasOwn(RESOURCE_TYPE_NAMES, code);
}

/** A binding's key for sets and maps: equal bindings, equal keys. */
export function bindingKey({ pattern, entry }: AclBinding): string {
  return JSON.stringify([pattern.resourceType, pattern.patternType, pattern.name, entry.principal, entry.host, entry.operation, entry.permission]);
}
