// What handlers ask of authorization (services.ts Authorization): each check for the requester of a
// request, and the ACL admin APIs. Without authorizer.class.name every check allows, operations fields
// report everything a resource supports (as Kafka without an authorizer), and the ACL APIs answer
// SECURITY_DISABLED.
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import type { RequestContext } from '../handler.js';
import type { Authorization } from '../services.js';
import type { Authorizer, Requester } from './authorizer.js';
import { SUPPORTED_OPERATIONS, type AclOperation, type AclBinding, type AclBindingFilter, type ConcreteResourceType } from './model.js';
import type { ZkAclStore } from './zk-acl-store.js';

/** "127.0.0.1" from "127.0.0.1:53412" (and IPv4 from an IPv4-mapped IPv6 address, as Java prints it). */
export function hostOf(remote: string): string {
  const host = remote.slice(0, remote.lastIndexOf(':'));
  return host.startsWith('::ffff:') ? host.slice('::ffff:'.length) : host;
}

function requester(ctx: Pick<RequestContext, 'principal' | 'remote'>): Requester {
  return { principal: `${ctx.principal.type}:${ctx.principal.name}`, host: hostOf(ctx.remote) };
}

function allSupported(resourceType: ConcreteResourceType): number {
  return SUPPORTED_OPERATIONS[resourceType].reduce<number>((bits, op) => bits | (1 << op), 0);
}

export class AclService implements Authorization {
  constructor(private readonly acl: { authorizer: Authorizer; store: ZkAclStore } | undefined) {}

  get enabled(): boolean {
    return this.acl !== undefined;
  }

  authorize(ctx: Pick<RequestContext, 'principal' | 'remote'>, op: AclOperation, resourceType: ConcreteResourceType, name: string): boolean {
    return this.acl === undefined || this.acl.authorizer.authorize(requester(ctx), op, resourceType, name);
  }

  allowedOnSome(ctx: Pick<RequestContext, 'principal' | 'remote'>, op: AclOperation, resourceType: ConcreteResourceType): boolean {
    return this.acl === undefined || this.acl.authorizer.allowedOnSome(requester(ctx), op, resourceType);
  }

  authorizedOperations(ctx: Pick<RequestContext, 'principal' | 'remote'>, resourceType: ConcreteResourceType, name: string): number {
    return this.acl === undefined ? allSupported(resourceType) : this.acl.authorizer.authorizedOperations(requester(ctx), resourceType, name);
  }

  private require(): { authorizer: Authorizer; store: ZkAclStore } {
    if (this.acl === undefined) throw new KafkaProtocolError(ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker');
    return this.acl;
  }

  describe(filter: AclBindingFilter): AclBinding[] {
    return this.require().authorizer.bindings(filter);
  }

  async create(binding: AclBinding): Promise<void> {
    await this.require().store.update(binding.pattern, [binding.entry], []);
  }

  async delete(filter: AclBindingFilter): Promise<AclBinding[]> {
    const { authorizer, store } = this.require();
    const matching = authorizer.bindings(filter);
    // One conditional update per resource pattern, of the entries the filter matched there.
    const byPattern = new Map<string, AclBinding[]>();
    for (const b of matching) {
      const key = JSON.stringify(b.pattern);
      byPattern.set(key, [...(byPattern.get(key) ?? []), b]);
    }
    const deleted: AclBinding[] = [];
    for (const bindings of byPattern.values()) {
      const pattern = bindings[0]!.pattern;
      const removed = await store.update(pattern, [], bindings.map((b) => b.entry));
      deleted.push(...removed.map((entry) => ({ pattern, entry })));
    }
    return deleted;
  }
}

