// The authorization decision, as Kafka's AclAuthorizer makes it, over an in-memory set of bindings (the
// cache every broker keeps of ZooKeeper's ACLs). Pure: bindings in, decisions out, no I/O.
//
// A request is allowed when its principal is a super user; otherwise the bindings that apply to the
// resource are the literal ones of its name, the literal ones of "*", and the prefixed ones whose name
// begins the resource's. A DENY among them for the principal (or User:*), the host (or *) and the
// operation (or ALL) refuses, whatever allows it: deny wins. With no binding on the resource at all,
// allow.everyone.if.no.acl.found decides. Otherwise an ALLOW is needed, for the operation, ALL, or an
// operation that implies it: READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS implies
// DESCRIBE_CONFIGS.
import {
  AclOperation,
  bindingKey,
  PatternType,
  PermissionType,
  ResourceType,
  SUPPORTED_OPERATIONS,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
  type AccessControlEntry,
  type AclBinding,
  type AclBindingFilter,
  type ConcreteResourceType,
  type ResourcePattern,
} from './model.js';

/** Who asks: "User:alice" and the address the connection came from. */
export interface Requester {
  readonly principal: string;
  readonly host: string;
}

export interface AuthorizerSettings {
  /** super.users: principals every check allows ("User:admin"). */
  readonly superUsers: ReadonlySet<string>;
  /** allow.everyone.if.no.acl.found. */
  readonly allowIfNoAcl: boolean;
}

/** The operations whose ALLOW also allows `op` (Kafka's AclAuthorizer: implied operations). */
function allowingOperations(op: AclOperation): readonly AclOperation[] {
  switch (op) {
    case AclOperation.DESCRIBE:
      return [AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.ALL];
    case AclOperation.DESCRIBE_CONFIGS:
      return [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.ALL];
    default:
      return [op, AclOperation.ALL];
  }
}

function patternKey(p: ResourcePattern): string {
  return `${p.resourceType}/${p.patternType}/${p.name}`;
}

function entryApplies(e: AccessControlEntry, who: Requester): boolean {
  return (e.principal === who.principal || e.principal === WILDCARD_PRINCIPAL) && (e.host === who.host || e.host === WILDCARD_HOST);
}

/** Kafka's ResourcePatternFilter.matches. */
function patternMatches(f: AclBindingFilter, p: ResourcePattern): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== p.resourceType) return false;
  if (f.patternType !== PatternType.ANY && f.patternType !== PatternType.MATCH && f.patternType !== p.patternType) return false;
  if (f.name === null) return true;
  if (f.patternType === PatternType.ANY || f.patternType === p.patternType) return f.name === p.name;
  // MATCH: the patterns that would apply to a resource of that name.
  return p.patternType === PatternType.LITERAL ? f.name === p.name || p.name === WILDCARD_RESOURCE : f.name.startsWith(p.name);
}

/** Kafka's AccessControlEntryFilter.matches. */
function entryMatches(f: AclBindingFilter, e: AccessControlEntry): boolean {
  return (
    (f.principal === null || f.principal === e.principal) &&
    (f.host === null || f.host === e.host) &&
    (f.operation === AclOperation.ANY || f.operation === e.operation) &&
    (f.permission === PermissionType.ANY || f.permission === e.permission)
  );
}

export function filterMatches(f: AclBindingFilter, b: AclBinding): boolean {
  return patternMatches(f, b.pattern) && entryMatches(f, b.entry);
}

export class Authorizer {
  /** Each resource pattern's entries, keyed by patternKey. */
  private readonly byPattern = new Map<string, { pattern: ResourcePattern; entries: Map<string, AccessControlEntry> }>();

  constructor(readonly settings: AuthorizerSettings) {}

  /** Replaces every entry of one resource pattern (what its znode now holds; none removes it). */
  setEntries(pattern: ResourcePattern, entries: readonly AccessControlEntry[]): void {
    const key = patternKey(pattern);
    if (entries.length === 0) {
      this.byPattern.delete(key);
      return;
    }
    this.byPattern.set(key, { pattern, entries: new Map(entries.map((e) => [bindingKey({ pattern, entry: e }), e])) });
  }

  /** The entries of exactly this pattern. */
  entriesOf(pattern: ResourcePattern): AccessControlEntry[] {
    return [...(this.byPattern.get(patternKey(pattern))?.entries.values() ?? [])];
  }

  /** Every binding a filter matches. */
  bindings(filter: AclBindingFilter): AclBinding[] {
    const out: AclBinding[] = [];
    for (const { pattern, entries } of this.byPattern.values()) {
      for (const entry of entries.values()) {
        const b = { pattern, entry };
        if (filterMatches(filter, b)) out.push(b);
      }
    }
    return out;
  }

  isSuperUser(principal: string): boolean {
    return this.settings.superUsers.has(principal);
  }

  /** The entries that apply to a resource: literal of its name and of "*", prefixed of its prefixes. */
  private applying(resourceType: ConcreteResourceType, name: string): AccessControlEntry[] {
    const out: AccessControlEntry[] = [];
    for (const { pattern, entries } of this.byPattern.values()) {
      if (pattern.resourceType !== resourceType) continue;
      const applies = pattern.patternType === PatternType.LITERAL ? pattern.name === name || pattern.name === WILDCARD_RESOURCE : name.startsWith(pattern.name);
      if (applies) out.push(...entries.values());
    }
    return out;
  }

  authorize(who: Requester, op: AclOperation, resourceType: ConcreteResourceType, name: string): boolean {
    if (this.isSuperUser(who.principal)) return true;
    const entries = this.applying(resourceType, name);
    const denied = entries.some((e) => e.permission === PermissionType.DENY && entryApplies(e, who) && (e.operation === op || e.operation === AclOperation.ALL));
    if (denied) return false;
    if (entries.length === 0) return this.settings.allowIfNoAcl;
    const allowing = allowingOperations(op);
    return entries.some((e) => e.permission === PermissionType.ALLOW && entryApplies(e, who) && (allowing as readonly number[]).includes(e.operation));
  }

  /** The AuthorizedOperations bit field of a resource for this requester (each supported operation checked). */
  authorizedOperations(who: Requester, resourceType: ConcreteResourceType, name: string): number {
    return SUPPORTED_OPERATIONS[resourceType].reduce<number>((bits, op) => (this.authorize(who, op, resourceType, name) ? bits | (1 << op) : bits), 0);
  }

  /**
   * Whether `op` is allowed on some resource of the type (Kafka's Authorizer.authorizeByResourceType, used
   * where a producer needs WRITE on any topic for idempotence, KIP-679): an ALLOW of the operation (or
   * ALL) for the requester that no DENY covers, a literal "*" DENY covering all.
   */
  allowedOnSome(who: Requester, op: AclOperation, resourceType: ConcreteResourceType): boolean {
    if (this.isSuperUser(who.principal)) return true;
    const ofType = [...this.byPattern.values()].filter(({ pattern }) => pattern.resourceType === resourceType);
    if (ofType.length === 0) return this.settings.allowIfNoAcl;
    const relevant = (e: AccessControlEntry) => entryApplies(e, who) && (e.operation === op || e.operation === AclOperation.ALL);
    const denies = ofType.filter(({ entries }) => [...entries.values()].some((e) => e.permission === PermissionType.DENY && relevant(e))).map(({ pattern }) => pattern);
    if (denies.some((p) => p.patternType === PatternType.LITERAL && p.name === WILDCARD_RESOURCE)) return false;
    const coveredByDeny = (allow: ResourcePattern) =>
      denies.some((d) => (d.patternType === PatternType.LITERAL ? d.name === allow.name : allow.name.startsWith(d.name)));
    return ofType.some(({ pattern, entries }) => [...entries.values()].some((e) => e.permission === PermissionType.ALLOW && relevant(e)) && !coveredByDeny(pattern));
  }
}
