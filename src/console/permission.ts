// The one place the console decides what a request may read or change. Without security on the node,
// the only rule is the `console.read.only` setting. With it (console-auth.ts), every API call is checked
// against the broker's authorizer for the request's principal with the operation Kafka would check for
// the same read or write, before the console's own connection (a super user, like the brokers') asks the
// cluster: the console cannot show or change what its user could not through a Kafka client.
import { AclOperation, CLUSTER_NAME, ResourceType, type ConcreteResourceType } from '../kafka/acl/model.js';
import type { Requester } from '../kafka/acl/authorizer.js';
import { forbidden } from './api-error.js';
import type { ConsoleSecurity } from './console-auth.js';

export interface ConsolePermissions {
  readonly readOnly: boolean;
  /** Set when the node's Kafka side is secured: requests are authenticated and authorized. */
  readonly security?: ConsoleSecurity | undefined;
}

/** One check: an operation on a resource, as an ACL names them. */
export interface Access {
  readonly op: AclOperation;
  readonly type: ConcreteResourceType;
  readonly name: string;
}

export const topicAccess = (op: AclOperation, name: string): Access => ({ op, type: ResourceType.TOPIC, name });
export const groupAccess = (op: AclOperation, name: string): Access => ({ op, type: ResourceType.GROUP, name });
export const CLUSTER_DESCRIBE: Access = { op: AclOperation.DESCRIBE, type: ResourceType.CLUSTER, name: CLUSTER_NAME };

/** Throws 403 unless writes are allowed; `what` says what was refused. */
export function checkWrite(permissions: ConsolePermissions, what: string): void {
  if (permissions.readOnly) throw forbidden(`the console is read-only (console.read.only=true): cannot ${what}`);
}

/** Whether the requester may do `access` (always, without an authorizer or without security). */
export function allowed(permissions: ConsolePermissions, who: Requester | undefined, access: Access): boolean {
  const authorizer = permissions.security?.authorizer;
  return who === undefined || authorizer === undefined || authorizer.authorize(who, access.op, access.type, access.name);
}

const OPERATION_NAMES = new Map(Object.entries(AclOperation).map(([name, code]) => [code, name]));
const TYPE_NAMES = new Map(Object.entries(ResourceType).map(([name, code]) => [code, name]));

/** Throws 403 naming the first check the requester fails. */
export function checkAccess(permissions: ConsolePermissions, who: Requester | undefined, ...accesses: Access[]): void {
  for (const a of accesses) {
    if (!allowed(permissions, who, a)) throw forbidden(`${who!.principal} may not ${OPERATION_NAMES.get(a.op)} ${TYPE_NAMES.get(a.type)} ${a.name}`);
  }
}

/**
 * ZooKeeper holds the cluster's own state (ACLs, credentials, topic assignments) beneath any Kafka ACL:
 * with an authorizer, only its super users see or change it through the console.
 */
export function checkZooKeeper(permissions: ConsolePermissions, who: Requester | undefined): void {
  if (!mayUseZooKeeper(permissions, who)) throw forbidden(`${who!.principal} is not a super user: ZooKeeper pages are for super.users when the console requires a login`);
}

export function mayUseZooKeeper(permissions: ConsolePermissions, who: Requester | undefined): boolean {
  const authorizer = permissions.security?.authorizer;
  return who === undefined || authorizer === undefined || authorizer.isSuperUser(who.principal);
}
