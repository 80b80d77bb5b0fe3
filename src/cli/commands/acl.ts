// `skein acl create|list|delete`: kafka-acls.sh's jobs with its flag names (--allow-principal,
// --operation, --topic, --resource-pattern-type...). create makes every principal x host x operation
// binding on every resource named; list and delete take the same flags as filters, a flag not given
// matching everything, and delete prints what it removed without asking (scripts run it).
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  AclOperation,
  bindingKey,
  CLUSTER_NAME,
  PatternType,
  PermissionType,
  ResourceType,
  SUPPORTED_OPERATIONS,
  type AclBinding,
  type AclBindingFilter,
  type ConcretePatternType,
  type ConcreteResourceType,
} from '../../kafka/acl/model.js';
import { createAcls, deleteAcls, describeAcls } from '../../kafka/client/security-admin.js';
import { collect, UsageError } from '../args.js';
import { withExamples, withKafkaConnection, type KafkaConnectOptions } from '../client-options.js';
import { formatOption, printResult, renderTable, type OutputFormat } from '../output.js';
import { withAdmin } from './connect.js';

/** What --help says about credentials: the project's client speaks no SASL. */
export const SECURITY_NOTE =
  'On a SASL or SSL listener, --command-config names a Kafka client properties file (security.protocol, sasl.mechanism, ' +
  'sasl.jaas.config, ssl.truststore.location, ...), as kafka-acls.sh takes it; the principal it logs in as must be in ' +
  'super.users or allowed to ALTER/DESCRIBE the cluster.';

/** Kafka's enum name for a code (TOPIC, DESCRIBE_CONFIGS, ALLOW...), as kafka-acls.sh prints them. */
function codeName(table: Readonly<Record<string, number>>, code: number): string {
  return Object.entries(table).find(([, c]) => c === code)?.[0] ?? String(code);
}

/** `--operation`: Kafka's operation names in any case, with or without separators (Read, DescribeConfigs, describe-configs). */
export function parseOperation(raw: string, previous: readonly AclOperation[] = []): AclOperation[] {
  const wanted = raw.replace(/[-_\s]/g, '').toLowerCase();
  const found = Object.entries(AclOperation).find(([name, code]) => code > AclOperation.ANY && name.replace(/_/g, '').toLowerCase() === wanted);
  if (!found) throw new InvalidArgumentError(`must be one of ${Object.keys(AclOperation).slice(2).join(', ')}`);
  return [...previous, found[1]];
}

/** `--allow-principal User:alice`: Kafka's Type:name (the type is User for every authenticated principal). */
export function parsePrincipal(raw: string, previous: readonly string[] = []): string[] {
  if (!/^[^:]+:.+$/.test(raw)) throw new InvalidArgumentError('must be Type:name, e.g. User:alice (User:* for everyone)');
  return [...previous, raw];
}

const PATTERN_TYPES = { literal: PatternType.LITERAL, prefixed: PatternType.PREFIXED, match: PatternType.MATCH, any: PatternType.ANY } as const;

export interface AclOptions {
  allowPrincipal: string[];
  denyPrincipal: string[];
  allowHost: string[];
  denyHost: string[];
  operation: AclOperation[];
  topic: string[];
  group: string[];
  cluster?: boolean;
  transactionalId: string[];
  resourcePatternType?: keyof typeof PATTERN_TYPES;
  /** list and delete: a principal with either permission. */
  principal?: string[];
}

function namedResources(o: AclOptions): { resourceType: ConcreteResourceType; name: string }[] {
  return [
    ...o.topic.map((name) => ({ resourceType: ResourceType.TOPIC, name })),
    ...o.group.map((name) => ({ resourceType: ResourceType.GROUP, name })),
    ...(o.cluster ? [{ resourceType: ResourceType.CLUSTER, name: CLUSTER_NAME }] : []),
    ...o.transactionalId.map((name) => ({ resourceType: ResourceType.TRANSACTIONAL_ID, name })),
  ];
}

/** The bindings `skein acl create` makes: kafka-acls.sh --add's product of resources, principals, hosts and operations. */
export function bindingsToCreate(o: AclOptions): AclBinding[] {
  const resources = namedResources(o);
  if (resources.length === 0) throw new UsageError('name a resource: --topic, --group, --cluster or --transactional-id');
  if (o.allowPrincipal.length + o.denyPrincipal.length === 0) throw new UsageError('name who: --allow-principal or --deny-principal User:NAME');
  const patternType = o.resourcePatternType ?? 'literal';
  if (patternType !== 'literal' && patternType !== 'prefixed') throw new UsageError(`--resource-pattern-type ${patternType} is for list and delete; an ACL is literal or prefixed`);
  const operations = o.operation.length > 0 ? o.operation : [AclOperation.ALL];
  const entries = [
    ...o.allowPrincipal.flatMap((principal) => (o.allowHost.length > 0 ? o.allowHost : ['*']).map((host) => ({ principal, host, permission: PermissionType.ALLOW }))),
    ...o.denyPrincipal.flatMap((principal) => (o.denyHost.length > 0 ? o.denyHost : ['*']).map((host) => ({ principal, host, permission: PermissionType.DENY }))),
  ];
  return resources.flatMap(({ resourceType, name }) => {
    const supported = SUPPORTED_OPERATIONS[resourceType] as readonly number[];
    const unsupported = operations.filter((op) => op !== AclOperation.ALL && !supported.includes(op));
    if (unsupported.length > 0) {
      throw new UsageError(
        `${codeName(ResourceType, resourceType)} ${name} has no operation ${unsupported.map((op) => codeName(AclOperation, op)).join(', ')} (it has ${supported.map((op) => codeName(AclOperation, op)).join(', ')}, ALL)`,
      );
    }
    const pattern = { resourceType, name, patternType: PATTERN_TYPES[patternType] as ConcretePatternType };
    return entries.flatMap((e) => operations.map((operation) => ({ pattern, entry: { principal: e.principal, host: e.host, operation, permission: e.permission } })));
  });
}

/** The filters of list and delete: every flag given narrows them, one not given matches everything. */
export function filtersOf(o: AclOptions): AclBindingFilter[] {
  const named = namedResources(o);
  const patternType = o.resourcePatternType === undefined ? (named.length > 0 ? PatternType.LITERAL : PatternType.ANY) : PATTERN_TYPES[o.resourcePatternType];
  const resources = named.length > 0 ? named : [{ resourceType: ResourceType.ANY, name: null }];
  const hosts = (given: string[]) => (given.length > 0 ? given : [null]);
  const entries = [
    ...(o.principal ?? []).map((principal) => ({ principal, host: null as string | null, permission: PermissionType.ANY as number })),
    ...o.allowPrincipal.flatMap((principal) => hosts(o.allowHost).map((host) => ({ principal, host, permission: PermissionType.ALLOW as number }))),
    ...o.denyPrincipal.flatMap((principal) => hosts(o.denyHost).map((host) => ({ principal, host, permission: PermissionType.DENY as number }))),
  ];
  const who = entries.length > 0 ? entries : [{ principal: null, host: null, permission: PermissionType.ANY as number }];
  const operations: number[] = o.operation.length > 0 ? o.operation : [AclOperation.ANY];
  return resources.flatMap((r) => who.flatMap((e) => operations.map((operation) => ({ resourceType: r.resourceType, name: r.name, patternType, ...e, operation }))));
}

/** Bindings once each, in a stable order: by resource, then principal, then operation. */
function distinctSorted(bindings: readonly AclBinding[]): AclBinding[] {
  const byKey = new Map(bindings.map((b) => [bindingKey(b), b]));
  const sortKey = (b: AclBinding) => [b.pattern.resourceType, b.pattern.name, b.pattern.patternType, b.entry.principal, b.entry.host, b.entry.operation, b.entry.permission];
  const compare = (x: string | number, y: string | number) => (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y)));
  return [...byKey.values()].sort((a, b) => {
    const [ka, kb] = [sortKey(a), sortKey(b)];
    return ka.reduce<number>((order, x, i) => order || compare(x, kb[i]!), 0);
  });
}

function printBindings(format: OutputFormat, bindings: readonly AclBinding[]): void {
  const rows = distinctSorted(bindings).map(({ pattern, entry }) => ({
    resourceType: codeName(ResourceType, pattern.resourceType),
    resource: pattern.name,
    patternType: codeName(PatternType, pattern.patternType),
    principal: entry.principal,
    host: entry.host,
    operation: codeName(AclOperation, entry.operation),
    permission: codeName(PermissionType, entry.permission),
  }));
  printResult(format, rows, () =>
    renderTable(
      ['resource-type', 'resource', 'pattern-type', 'principal', 'host', 'operation', 'permission'],
      rows.map((r) => [r.resourceType, r.resource, r.patternType, r.principal, r.host, r.operation, r.permission]),
    ),
  );
}

type Options = AclOptions & KafkaConnectOptions & { format: OutputFormat };

/** The flags every acl verb takes: who, from where, what, on which resources. */
function withAclFlags(command: Command, filter: boolean): Command {
  const patternTypes = filter ? ['literal', 'prefixed', 'match', 'any'] : ['literal', 'prefixed'];
  command
    .option('--allow-principal <Type:name>', filter ? 'ALLOW bindings of this principal (repeatable)' : 'allow this principal, e.g. User:alice or User:* (repeatable)', parsePrincipal, [])
    .option('--deny-principal <Type:name>', filter ? 'DENY bindings of this principal (repeatable)' : 'deny this principal (repeatable; deny wins over allow)', parsePrincipal, [])
    .option('--allow-host <host>', filter ? 'only ALLOW bindings from this host (repeatable)' : 'the address the allowed principals may come from (repeatable; default *)', collect, [])
    .option('--deny-host <host>', filter ? 'only DENY bindings from this host (repeatable)' : 'the address the denied principals are denied from (repeatable; default *)', collect, [])
    .option('--operation <operation>', `Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite or All (repeatable; default ${filter ? 'any' : 'All'})`, parseOperation, [])
    .option('--topic <topic>', 'a topic (repeatable; * for every topic)', collect, [])
    .option('--group <group>', 'a consumer group (repeatable; * for every group)', collect, [])
    .option('--cluster', 'the cluster (kafka-cluster)')
    .option('--transactional-id <id>', 'a transactional id (repeatable; * for every one)', collect, [])
    .addOption(
      new Option('--resource-pattern-type <type>', filter ? 'which patterns to match (default: literal when a resource is named, any otherwise)' : 'the resource name as a literal or as a prefix (default literal)').choices(patternTypes),
    );
  if (filter) command.option('--principal <Type:name>', 'bindings of this principal, allow or deny (repeatable)', parsePrincipal);
  return withKafkaConnection(command.addOption(formatOption())).addHelpText('after', `\n${SECURITY_NOTE}\n`);
}

export function registerAclCommands(program: Command): void {
  const acl = program.command('acl').description('Kafka ACLs (the broker needs authorizer.class.name): grant, list, revoke');
  withExamples(acl, [
    ['skein acl create --allow-principal User:alice --operation Write --topic orders', 'alice may produce to orders'],
    ['skein acl list --principal User:alice', "alice's ACLs"],
    ['skein acl delete --topic orders --allow-principal User:alice', "revoke alice's on orders"],
  ]);

  withExamples(withAclFlags(acl.command('create').alias('add').description('create ACLs: each principal x host x operation on each resource named'), false), [
    ['skein acl create --allow-principal User:alice --operation Read --operation Describe --topic orders', 'alice may consume orders'],
    ['skein acl create --allow-principal User:alice --operation Read --group billing', '... in group billing'],
    ['skein acl create --allow-principal User:app --operation Write --topic app. --resource-pattern-type prefixed', 'every topic whose name starts with app.'],
    ['skein acl create --deny-principal User:mallory --deny-host 10.0.0.9 --operation All --topic "*"', 'nothing for mallory from 10.0.0.9'],
  ]).action(async (o: Options) => {
    const bindings = bindingsToCreate(o);
    await withAdmin(o, async (admin) => {
      await createAcls(admin, bindings);
      printBindings(o.format, bindings);
    });
  });

  withExamples(withAclFlags(acl.command('list').alias('ls').description('list ACLs; the flags given filter them'), true), [
    ['skein acl list', 'every ACL'],
    ['skein acl list --topic orders', 'the literal ACLs of topic orders'],
    ['skein acl list --topic orders --resource-pattern-type match', 'every ACL that applies to orders (literal, prefixed, *)'],
    ['skein acl list --principal User:alice --format json', "alice's, for a script"],
  ]).action(async (o: Options) => {
    await withAdmin(o, async (admin) => {
      const found: AclBinding[] = [];
      for (const filter of filtersOf(o)) found.push(...(await describeAcls(admin, filter)));
      printBindings(o.format, found);
    });
  });

  withExamples(withAclFlags(acl.command('delete').alias('rm').description('delete the ACLs the flags match (a resource is required) and print them; asks nothing'), true), [
    ['skein acl delete --topic orders', 'every literal ACL of topic orders'],
    ['skein acl delete --topic orders --allow-principal User:alice --operation Write', "only alice's Write"],
  ]).action(async (o: Options) => {
    // Deleting every ACL of the cluster is one flag away from a typo: a resource must be named.
    if (namedResources(o).length === 0) throw new UsageError('name the resources whose ACLs to delete: --topic, --group, --cluster or --transactional-id');
    await withAdmin(o, async (admin) => printBindings(o.format, await deleteAcls(admin, filtersOf(o))));
  });
}
