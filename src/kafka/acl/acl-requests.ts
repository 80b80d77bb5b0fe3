// The checks Kafka makes of what CreateAcls, DescribeAcls and DeleteAcls carry, before the authorizer
// sees it (AclAuthorizer.createAcls, the requests' validate()): a binding names one concrete resource
// pattern and entry; a filter may say ANY, and MATCH for the pattern type, but never UNKNOWN.
import {
  AclOperation,
  CLUSTER_NAME,
  isConcreteResourceType,
  PatternType,
  PermissionType,
  ResourceType,
  SUPPORTED_OPERATIONS,
  type AclBinding,
  type AclBindingFilter,
} from './model.js';

export interface AclCreation {
  resourceType: number;
  resourceName: string;
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** A binding to store, or why Kafka refuses it (INVALID_REQUEST with this message). */
export function bindingOf(c: AclCreation): AclBinding | string {
  if (!isConcreteResourceType(c.resourceType)) return `Invalid resource type ${c.resourceType} for an ACL`;
  if (c.resourcePatternType !== PatternType.LITERAL && c.resourcePatternType !== PatternType.PREFIXED) return `Invalid pattern type ${c.resourcePatternType} for an ACL`;
  if (c.operation === AclOperation.ANY || c.operation === AclOperation.UNKNOWN || c.operation > AclOperation.IDEMPOTENT_WRITE) return `Invalid operation ${c.operation} for an ACL`;
  if (c.permissionType !== PermissionType.ALLOW && c.permissionType !== PermissionType.DENY) return `Invalid permission type ${c.permissionType} for an ACL`;
  if (c.resourceName === '') return 'Resource name must not be empty';
  // ZooKeeper keeps one znode per resource name: a "/" would make a path of several.
  if (c.resourceName.includes('/')) return `Resource name ${c.resourceName} must not contain "/"`;
  if (c.resourceType === ResourceType.CLUSTER && c.resourceName !== CLUSTER_NAME) return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
  if (c.operation !== AclOperation.ALL && !(SUPPORTED_OPERATIONS[c.resourceType] as readonly number[]).includes(c.operation)) {
    return `Operation ${c.operation} is not supported on resource type ${c.resourceType}`;
  }
  if (!/^[^:]+:.+$/.test(c.principal)) return `Could not parse principal ${c.principal}: it must be Type:name`;
  if (c.host === '') return 'Host must not be empty (use * for any)';
  return {
    pattern: { resourceType: c.resourceType, name: c.resourceName, patternType: c.resourcePatternType },
    entry: { principal: c.principal, host: c.host, operation: c.operation as AclOperation, permission: c.permissionType },
  };
}

/** A filter as DescribeAcls and DeleteAcls carry it on the wire. */
export interface WireAclFilter {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

export function filterOf(f: WireAclFilter): AclBindingFilter {
  return {
    resourceType: f.resourceTypeFilter,
    name: f.resourceNameFilter,
    patternType: f.patternTypeFilter,
    principal: f.principalFilter,
    host: f.hostFilter,
    operation: f.operation,
    permission: f.permissionType,
  };
}

/** Why Kafka refuses a filter (INVALID_REQUEST), or undefined. */
export function filterProblem(f: AclBindingFilter): string | undefined {
  if (f.resourceType === ResourceType.UNKNOWN || f.patternType === PatternType.UNKNOWN || f.operation === AclOperation.UNKNOWN || f.permission === PermissionType.UNKNOWN) {
    return 'Filter contain UNKNOWN elements';
  }
  if (f.resourceType > ResourceType.USER || f.patternType > PatternType.PREFIXED || f.operation > AclOperation.IDEMPOTENT_WRITE || f.permission > PermissionType.ALLOW) {
    return 'Filter contains unknown codes';
  }
  return undefined;
}
