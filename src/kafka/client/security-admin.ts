// The admin client's security requests: ACLs (CreateAcls 30, DescribeAcls 29, DeleteAcls 31) and SCRAM
// credentials (DescribeUserScramCredentials 50, AlterUserScramCredentials 51), sent to the controller as
// Kafka's AdminClient sends them in a ZooKeeper-mode cluster. The ACL shapes are the broker's own model
// (src/kafka/acl/model.ts), so the CLI and the authorizer name bindings the same way. A password never
// leaves this process: a credential travels as Kafka's AdminClient sends it, salt and salted password.
import { randomBytes } from 'node:crypto';
import { ApiKey } from '../../../protocol/kafka/index.js';
import type { AclBinding, AclBindingFilter, ConcretePatternType, ConcreteResourceType } from '../acl/model.js';
import { MECHANISM_IDS, saltedPassword, SCRAM_MECHANISMS, type ScramMechanismName } from '../sasl/scram.js';
import { check, type KafkaAdmin } from './admin.js';

const mechanismName = (id: number): string => SCRAM_MECHANISMS.find((m) => MECHANISM_IDS[m] === id) ?? `UNKNOWN(${id})`;

/** Salt length in bytes; Kafka's AdminClient sends a random salt of about this size. */
const SALT_BYTES = 32;

function wireFilter(f: AclBindingFilter) {
  return {
    resourceTypeFilter: f.resourceType,
    resourceNameFilter: f.name,
    patternTypeFilter: f.patternType,
    principalFilter: f.principal,
    hostFilter: f.host,
    operation: f.operation,
    permissionType: f.permission,
  };
}

interface WireBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

function bindingOfWire(b: WireBinding): AclBinding {
  return {
    pattern: { resourceType: b.resourceType as ConcreteResourceType, name: b.resourceName, patternType: b.patternType as ConcretePatternType },
    entry: { principal: b.principal, host: b.host, operation: b.operation as AclBinding['entry']['operation'], permission: b.permissionType as AclBinding['entry']['permission'] },
  };
}

/** Creates every binding; the first refused one throws (the others may have been created, as in Kafka). */
export async function createAcls(admin: KafkaAdmin, bindings: readonly AclBinding[]): Promise<void> {
  const r = await admin.send(await admin.controller(), ApiKey.CreateAcls, {
    creations: bindings.map(({ pattern, entry }) => ({
      resourceType: pattern.resourceType,
      resourceName: pattern.name,
      resourcePatternType: pattern.patternType,
      principal: entry.principal,
      host: entry.host,
      operation: entry.operation,
      permissionType: entry.permission,
    })),
  });
  r.results.forEach((result, i) => check(result.errorCode, `ACL on ${bindings[i]?.pattern.name ?? '?'}`, result.errorMessage));
}

export async function describeAcls(admin: KafkaAdmin, filter: AclBindingFilter): Promise<AclBinding[]> {
  const r = await admin.send(await admin.controller(), ApiKey.DescribeAcls, wireFilter(filter));
  check(r.errorCode, 'ACLs', r.errorMessage);
  return r.resources.flatMap((res) => res.acls.map((acl) => bindingOfWire({ ...res, ...acl })));
}

/** Deletes what each filter matches; returns the bindings deleted. */
export async function deleteAcls(admin: KafkaAdmin, filters: readonly AclBindingFilter[]): Promise<AclBinding[]> {
  const r = await admin.send(await admin.controller(), ApiKey.DeleteAcls, { filters: filters.map(wireFilter) });
  return r.filterResults.flatMap((result) => {
    check(result.errorCode, 'ACLs', result.errorMessage);
    return result.matchingAcls.map((m) => {
      check(m.errorCode, `ACL on ${m.resourceName}`, m.errorMessage);
      return bindingOfWire(m);
    });
  });
}

export interface ScramUser {
  user: string;
  credentials: { mechanism: string; iterations: number }[];
}

/** The users (all when `users` is empty) and their mechanisms: Kafka never sends the credentials themselves. */
export async function describeScramUsers(admin: KafkaAdmin, users: readonly string[] = []): Promise<ScramUser[]> {
  const r = await admin.send(await admin.controller(), ApiKey.DescribeUserScramCredentials, { users: users.length === 0 ? null : users.map((name) => ({ name })) });
  check(r.errorCode, 'SCRAM users', r.errorMessage);
  return r.results.map((u) => {
    check(u.errorCode, `user ${u.user}`, u.errorMessage);
    return { user: u.user, credentials: u.credentialInfos.map((c) => ({ mechanism: mechanismName(c.mechanism), iterations: c.iterations })) };
  });
}

export interface ScramUpsertion {
  user: string;
  mechanism: ScramMechanismName;
  password: string;
  iterations: number;
}

/**
 * Sets and removes SCRAM credentials. The salted password is RFC 5802's Hi(password, salt, iterations),
 * computed here with a fresh random salt, as Kafka's AdminClient (and so kafka-configs.sh) does.
 */
export async function alterScramUsers(admin: KafkaAdmin, upsertions: readonly ScramUpsertion[], deletions: readonly { user: string; mechanism: ScramMechanismName }[] = []): Promise<void> {
  const r = await admin.send(await admin.controller(), ApiKey.AlterUserScramCredentials, {
    deletions: deletions.map((d) => ({ name: d.user, mechanism: MECHANISM_IDS[d.mechanism] })),
    upsertions: upsertions.map((u) => {
      const salt = randomBytes(SALT_BYTES);
      return { name: u.user, mechanism: MECHANISM_IDS[u.mechanism], iterations: u.iterations, salt, saltedPassword: saltedPassword(u.mechanism, u.password, salt, u.iterations) };
    }),
  });
  for (const u of r.results) check(u.errorCode, `user ${u.user}`, u.errorMessage);
}
