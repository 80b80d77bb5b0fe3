// The authorization decision as Kafka's AclAuthorizer makes it: literal, wildcard and prefixed patterns,
// principal and host wildcards, deny winning, implied operations, super users, the no-ACL default, the
// bit fields, the "on some resource" check, and the filters of DescribeAcls/DeleteAcls.
import { expect, test } from 'vitest';
import { Authorizer, type Requester } from '../../../../src/kafka/acl/authorizer.js';
import { bindingOf, filterProblem } from '../../../../src/kafka/acl/acl-requests.js';
import { AclOperation as Op, PatternType, PermissionType, ResourceType, type AccessControlEntry, type AclBindingFilter, type ResourcePattern } from '../../../../src/kafka/acl/model.js';

const alice: Requester = { principal: 'User:alice', host: '10.0.0.1' };
const bob: Requester = { principal: 'User:bob', host: '10.0.0.2' };
const topic = (name: string, patternType: 2 | 3 | 4 = PatternType.LITERAL): ResourcePattern => ({ resourceType: ResourceType.TOPIC, name, patternType: patternType as 3 | 4 });
const allow = (principal: string, operation: Op, host = '*'): AccessControlEntry => ({ principal, host, operation, permission: PermissionType.ALLOW });
const deny = (principal: string, operation: Op, host = '*'): AccessControlEntry => ({ principal, host, operation, permission: PermissionType.DENY });

function authorizer(allowIfNoAcl = false): Authorizer {
  return new Authorizer({ superUsers: new Set(['User:admin']), allowIfNoAcl });
}

test('literal, wildcard and prefixed patterns apply to the names they cover', () => {
  const a = authorizer();
  a.setEntries(topic('orders'), [allow('User:alice', Op.READ)]);
  a.setEntries(topic('*'), [allow('User:bob', Op.WRITE)]);
  a.setEntries(topic('logs-', PatternType.PREFIXED), [allow('User:alice', Op.WRITE)]);
  expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(true);
  expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders2')).toBe(false);
  expect(a.authorize(bob, Op.WRITE, ResourceType.TOPIC, 'anything')).toBe(true);
  expect(a.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'logs-app')).toBe(true);
  expect(a.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'log')).toBe(false);
  // A topic ACL says nothing about a group of the same name.
  expect(a.authorize(alice, Op.READ, ResourceType.GROUP, 'orders')).toBe(false);
});

test('deny wins over allow, by principal wildcard and host; hosts must match', () => {
  const a = authorizer();
  a.setEntries(topic('orders'), [allow('User:*', Op.ALL), deny('User:bob', Op.WRITE), deny('User:*', Op.READ, '10.0.0.1')]);
  expect(a.authorize(bob, Op.READ, ResourceType.TOPIC, 'orders')).toBe(true);
  expect(a.authorize(bob, Op.WRITE, ResourceType.TOPIC, 'orders')).toBe(false);
  expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
  expect(a.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'orders')).toBe(true);
  a.setEntries(topic('hosted'), [allow('User:alice', Op.READ, '10.0.0.9')]);
  expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'hosted')).toBe(false);
  // A prefixed DENY ALL covers every operation under it.
  a.setEntries(topic('ord', PatternType.PREFIXED), [deny('User:bob', Op.ALL)]);
  expect(a.authorize(bob, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
});

test('READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS; nothing else is implied', () => {
  const a = authorizer();
  for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER]) {
    a.setEntries(topic('t'), [allow('User:alice', op)]);
    expect(a.authorize(alice, Op.DESCRIBE, ResourceType.TOPIC, 't'), String(op)).toBe(true);
  }
  a.setEntries(topic('t'), [allow('User:alice', Op.ALTER_CONFIGS)]);
  expect(a.authorize(alice, Op.DESCRIBE_CONFIGS, ResourceType.TOPIC, 't')).toBe(true);
  expect(a.authorize(alice, Op.DESCRIBE, ResourceType.TOPIC, 't')).toBe(false);
  a.setEntries(topic('t'), [allow('User:alice', Op.DESCRIBE)]);
  expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 't')).toBe(false);
  // A DENY of READ does not deny the DESCRIBE that another ALLOW gives.
  a.setEntries(topic('t'), [allow('User:alice', Op.WRITE), deny('User:alice', Op.READ)]);
  expect(a.authorize(alice, Op.DESCRIBE, ResourceType.TOPIC, 't')).toBe(true);
});

test('super users bypass every check, deny included; allow.everyone.if.no.acl.found only where no ACL names the resource', () => {
  const a = authorizer(true);
  a.setEntries(topic('orders'), [deny('User:*', Op.ALL)]);
  a.setEntries(topic('mine'), [allow('User:bob', Op.READ)]);
  expect(a.authorize({ principal: 'User:admin', host: '1.1.1.1' }, Op.WRITE, ResourceType.TOPIC, 'orders')).toBe(true);
  expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'unnamed')).toBe(true);
  expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'mine')).toBe(false);
  expect(authorizer(false).authorize(alice, Op.READ, ResourceType.TOPIC, 'unnamed')).toBe(false);
});

test('authorized operations are the bit field of the supported operations allowed', () => {
  const a = authorizer();
  a.setEntries(topic('t'), [allow('User:alice', Op.READ), allow('User:alice', Op.ALTER_CONFIGS)]);
  const bits = (...ops: Op[]) => ops.reduce<number>((b, op) => b | (1 << op), 0);
  expect(a.authorizedOperations(alice, ResourceType.TOPIC, 't')).toBe(bits(Op.READ, Op.DESCRIBE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS));
  expect(a.authorizedOperations(bob, ResourceType.TOPIC, 't')).toBe(0);
});

test('WRITE on some topic: an allow not covered by a deny, and a literal * deny covers all', () => {
  const a = authorizer();
  expect(a.allowedOnSome(alice, Op.WRITE, ResourceType.TOPIC)).toBe(false);
  a.setEntries(topic('logs-', PatternType.PREFIXED), [allow('User:alice', Op.WRITE)]);
  expect(a.allowedOnSome(alice, Op.WRITE, ResourceType.TOPIC)).toBe(true);
  a.setEntries(topic('log', PatternType.PREFIXED), [deny('User:alice', Op.WRITE)]);
  expect(a.allowedOnSome(alice, Op.WRITE, ResourceType.TOPIC)).toBe(false);
  a.setEntries(topic('log', PatternType.PREFIXED), []);
  a.setEntries(topic('*'), [deny('User:*', Op.ALL)]);
  expect(a.allowedOnSome(alice, Op.WRITE, ResourceType.TOPIC)).toBe(false);
});

test('filters: MATCH finds what applies to a name, ANY what has exactly it, LITERAL/PREFIXED their own type', () => {
  const a = authorizer();
  a.setEntries(topic('orders'), [allow('User:alice', Op.READ)]);
  a.setEntries(topic('*'), [allow('User:bob', Op.READ)]);
  a.setEntries(topic('ord', PatternType.PREFIXED), [deny('User:bob', Op.WRITE)]);
  a.setEntries({ resourceType: ResourceType.GROUP, name: 'orders', patternType: PatternType.LITERAL }, [allow('User:alice', Op.READ)]);
  const f = (over: Partial<AclBindingFilter>): AclBindingFilter => ({ resourceType: ResourceType.ANY, name: null, patternType: PatternType.ANY, principal: null, host: null, operation: Op.ANY, permission: PermissionType.ANY, ...over });
  const names = (filter: AclBindingFilter) => a.bindings(filter).map((b) => `${b.pattern.resourceType}/${b.pattern.patternType}/${b.pattern.name}`).sort();
  expect(names(f({}))).toHaveLength(4);
  expect(names(f({ resourceType: ResourceType.TOPIC, name: 'orders', patternType: PatternType.MATCH }))).toEqual(['2/3/*', '2/3/orders', '2/4/ord']);
  expect(names(f({ resourceType: ResourceType.TOPIC, name: 'orders', patternType: PatternType.ANY }))).toEqual(['2/3/orders']);
  expect(names(f({ patternType: PatternType.PREFIXED }))).toEqual(['2/4/ord']);
  expect(names(f({ principal: 'User:alice', operation: Op.READ }))).toEqual(['2/3/orders', '3/3/orders']);
  expect(filterProblem(f({ operation: Op.UNKNOWN }))).toBeDefined();
  expect(filterProblem(f({ patternType: PatternType.MATCH }))).toBeUndefined();
});

test('CreateAcls refuses what Kafka refuses', () => {
  const ok = { resourceType: ResourceType.TOPIC, resourceName: 't', resourcePatternType: PatternType.LITERAL, principal: 'User:alice', host: '*', operation: Op.READ, permissionType: PermissionType.ALLOW };
  expect(typeof bindingOf(ok)).toBe('object');
  for (const bad of [
    { resourceType: ResourceType.ANY },
    { resourcePatternType: PatternType.MATCH },
    { operation: Op.ANY },
    { permissionType: PermissionType.ANY },
    { principal: 'alice' },
    { resourceType: ResourceType.CLUSTER, resourceName: 'other' },
    { resourceType: ResourceType.GROUP, operation: Op.WRITE },
    { resourceName: 'a/b' },
  ]) {
    expect(typeof bindingOf({ ...ok, ...bad }), JSON.stringify(bad)).toBe('string');
  }
});
