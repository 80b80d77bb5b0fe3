// `skein acl`'s flags as kafka-acls.sh reads them: the bindings create makes, the filters list and
// delete send, and the mistakes refused before anything is sent; `skein user`'s --mechanism.
import { InvalidArgumentError } from 'commander';
import { describe, expect, test } from 'vitest';
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { UsageError } from '../../../src/cli/args.js';
import { bindingsToCreate, filtersOf, parseOperation, parsePrincipal, type AclOptions } from '../../../src/cli/commands/acl.js';
import { parseMechanism } from '../../../src/cli/commands/user.js';
import { failureOf } from '../../../src/cli/failure.js';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../../../src/kafka/acl/model.js';

const none: AclOptions = { allowPrincipal: [], denyPrincipal: [], allowHost: [], denyHost: [], operation: [], topic: [], group: [], transactionalId: [] };

describe('parsers', () => {
  test("operations in Kafka's names, any case and separator", () => {
    expect(parseOperation('Read')).toEqual([AclOperation.READ]);
    expect(parseOperation('describe-configs', [AclOperation.READ])).toEqual([AclOperation.READ, AclOperation.DESCRIBE_CONFIGS]);
    expect(parseOperation('IDEMPOTENT_WRITE')).toEqual([AclOperation.IDEMPOTENT_WRITE]);
    expect(parseOperation('all')).toEqual([AclOperation.ALL]);
    expect(() => parseOperation('any')).toThrow(InvalidArgumentError);
    expect(() => parseOperation('Fly')).toThrow(/must be one of ALL, READ, WRITE/);
  });

  test('SCRAM mechanisms, repeatable, in any case', () => {
    expect(parseMechanism('scram-sha-512', ['SCRAM-SHA-256'])).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-512']);
    expect(() => parseMechanism('PLAIN')).toThrow(/must be SCRAM-SHA-256 or SCRAM-SHA-512/);
  });

  test('principals are Type:name', () => {
    expect(parsePrincipal('User:alice')).toEqual(['User:alice']);
    expect(() => parsePrincipal('alice')).toThrow(/Type:name/);
  });
});

describe('create', () => {
  test('principals x hosts x operations on each resource; host * and operation All by default', () => {
    const bindings = bindingsToCreate({ ...none, allowPrincipal: ['User:a'], denyPrincipal: ['User:m'], denyHost: ['10.0.0.9'], operation: [AclOperation.READ, AclOperation.DESCRIBE], topic: ['t'], group: ['g'] });
    expect(bindings).toHaveLength(8);
    expect(bindings[0]).toEqual({
      pattern: { resourceType: ResourceType.TOPIC, name: 't', patternType: PatternType.LITERAL },
      entry: { principal: 'User:a', host: '*', operation: AclOperation.READ, permission: PermissionType.ALLOW },
    });
    expect(bindings.filter((b) => b.entry.permission === PermissionType.DENY).every((b) => b.entry.host === '10.0.0.9')).toBe(true);
    const all = bindingsToCreate({ ...none, allowPrincipal: ['User:*'], cluster: true, resourcePatternType: 'literal' });
    expect(all).toEqual([{ pattern: { resourceType: ResourceType.CLUSTER, name: 'kafka-cluster', patternType: PatternType.LITERAL }, entry: { principal: 'User:*', host: '*', operation: AclOperation.ALL, permission: PermissionType.ALLOW } }]);
    expect(bindingsToCreate({ ...none, allowPrincipal: ['User:a'], transactionalId: ['tx-'], operation: [AclOperation.WRITE], resourcePatternType: 'prefixed' })[0]!.pattern.patternType).toBe(PatternType.PREFIXED);
  });

  test('refused before sending: no resource, no principal, a filter-only pattern type, an operation the resource lacks', () => {
    expect(() => bindingsToCreate({ ...none, allowPrincipal: ['User:a'] })).toThrow(UsageError);
    expect(() => bindingsToCreate({ ...none, topic: ['t'] })).toThrow(/--allow-principal or --deny-principal/);
    expect(() => bindingsToCreate({ ...none, allowPrincipal: ['User:a'], topic: ['t'], resourcePatternType: 'match' })).toThrow(/literal or prefixed/);
    expect(() => bindingsToCreate({ ...none, allowPrincipal: ['User:a'], group: ['g'], operation: [AclOperation.WRITE] })).toThrow(/GROUP g has no operation WRITE \(it has READ, DESCRIBE, DELETE, ALL\)/);
  });
});

describe('list and delete filters', () => {
  test('nothing given: one filter matching everything', () => {
    expect(filtersOf(none)).toEqual([{ resourceType: ResourceType.ANY, name: null, patternType: PatternType.ANY, principal: null, host: null, permission: PermissionType.ANY, operation: AclOperation.ANY }]);
  });

  test('a named resource is literal unless said otherwise; each flag narrows', () => {
    expect(filtersOf({ ...none, topic: ['t'] })[0]).toMatchObject({ resourceType: ResourceType.TOPIC, name: 't', patternType: PatternType.LITERAL, principal: null });
    expect(filtersOf({ ...none, topic: ['t'], resourcePatternType: 'match' })[0]!.patternType).toBe(PatternType.MATCH);
    const f = filtersOf({ ...none, group: ['g'], principal: ['User:x'], allowPrincipal: ['User:a'], allowHost: ['h1', 'h2'], operation: [AclOperation.READ] });
    expect(f.map((x) => [x.principal, x.host, x.permission, x.operation])).toEqual([
      ['User:x', null, PermissionType.ANY, AclOperation.READ],
      ['User:a', 'h1', PermissionType.ALLOW, AclOperation.READ],
      ['User:a', 'h2', PermissionType.ALLOW, AclOperation.READ],
    ]);
  });
});

test('a broker without an authorizer: one line saying what to set', () => {
  const f = failureOf(new KafkaProtocolError(ErrorCode.SECURITY_DISABLED, 'ACLs: No Authorizer is configured on the broker'));
  expect(f).toEqual({ message: 'ACLs: No Authorizer is configured on the broker (SECURITY_DISABLED); the broker has no authorizer: set authorizer.class.name (docs/acls.md)', exitCode: 1 });
});
