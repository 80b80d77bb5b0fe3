// `skein quota set|list|delete`: client quotas, the job of `kafka-configs.sh --entity-type users|clients|ips
// --alter --add-config producer_byte_rate=...` (AlterClientQuotas and DescribeClientQuotas). An entity is
// --user, --client-id, both, or --ip; the name <default> is the type's default entity, as Kafka's tools
// and its ZooKeeper paths write it.
import { InvalidArgumentError, type Command } from 'commander';
import { describeQuotas, alterQuotas, type EntityQuotas } from '../../kafka/client/quota-admin.js';
import { DEFAULT_NAME, QUOTA_KEY_NAMES, type QuotaEntity } from '../../kafka/quotas/quota-entity.js';
import { UsageError } from '../args.js';
import { withExamples, withKafkaConnection, type KafkaConnectOptions } from '../client-options.js';
import { formatOption, printResult, renderTable, type OutputFormat } from '../output.js';
import { SECURITY_NOTE } from './acl.js';
import { withAdmin } from './connect.js';

interface EntityOptions {
  user?: string;
  clientId?: string;
  ip?: string;
}
type Options = KafkaConnectOptions & EntityOptions & { format: OutputFormat };

const nameOf = (raw: string | undefined): string | null | undefined => (raw === undefined ? undefined : raw === DEFAULT_NAME ? null : raw);

function entityOfOptions(o: EntityOptions): QuotaEntity {
  const entity: QuotaEntity = {};
  if (o.user !== undefined) entity.user = nameOf(o.user);
  if (o.clientId !== undefined) entity.clientId = nameOf(o.clientId);
  if (o.ip !== undefined) entity.ip = nameOf(o.ip);
  return entity;
}

/** `key=value`, repeatable: a quota to set. */
function parseQuota(raw: string, previous: Record<string, number> = {}): Record<string, number> {
  const at = raw.indexOf('=');
  const key = raw.slice(0, at);
  const value = Number(raw.slice(at + 1));
  if (at <= 0 || raw.slice(at + 1).trim() === '' || !Number.isFinite(value)) throw new InvalidArgumentError(`"${raw}" is not key=number (keys: ${QUOTA_KEY_NAMES.join(', ')})`);
  return { ...previous, [key]: value };
}

const shown = (name: string | null | undefined): string => (name === undefined ? '' : (name ?? DEFAULT_NAME));

function printQuotas(format: OutputFormat, entries: readonly EntityQuotas[]): void {
  printResult(format, entries, () =>
    renderTable(
      ['user', 'client-id', 'ip', 'quota', 'value'],
      entries.flatMap((e) => Object.entries(e.quotas).map(([key, value]) => [shown(e.entity.user), shown(e.entity.clientId), shown(e.entity.ip), key, value])),
    ),
  );
}

export function registerQuotaCommands(program: Command): void {
  const quota = program.command('quota').description('client quotas (byte rates, request percentage, connection rate) per user, client id or ip: set, list, delete');
  withExamples(quota, [
    ['skein quota set --client-id app producer_byte_rate=1048576', 'app may produce 1 MiB/s'],
    ['skein quota set --user "<default>" consumer_byte_rate=5242880', 'every user (without its own) 5 MiB/s of fetches'],
    ['skein quota list', 'every quota'],
    ['skein quota delete --client-id app', "all of app's quotas"],
  ]);
  const withEntityFlags = (command: Command) =>
    withKafkaConnection(
      command
        .option('--user <name>', 'the user (the principal name; <default>: every user without its own)')
        .option('--client-id <id>', 'the client id (<default>: every client id without its own)')
        .option('--ip <address>', 'an ip address, for connection_creation_rate (<default>: every address)')
        .addOption(formatOption()),
    ).addHelpText('after', `\n${SECURITY_NOTE}\n`);
  const needEntity = (o: EntityOptions): QuotaEntity => {
    if (o.user === undefined && o.clientId === undefined && o.ip === undefined) throw new UsageError('name the entity: --user, --client-id (or both), or --ip');
    return entityOfOptions(o);
  };

  withExamples(
    withEntityFlags(
      quota
        .command('set')
        .description(`set quotas of an entity, key=value each (${QUOTA_KEY_NAMES.join(', ')}); others it has are kept`)
        .argument('<quotas...>', 'key=value'),
    ),
    [
      ['skein quota set --user alice --client-id app producer_byte_rate=1048576 consumer_byte_rate=2097152', 'alice with app'],
      ['skein quota set --ip 10.0.0.7 connection_creation_rate=10', 'new connections per second from one address'],
    ],
  ).action(async (quotas: string[], o: Options) => {
    const entity = needEntity(o);
    const set = quotas.reduce<Record<string, number>>((acc, q) => parseQuota(q, acc), {});
    await withAdmin(o, async (admin) => {
      await alterQuotas(admin, entity, set);
      printQuotas(o.format, [{ entity, quotas: set }]);
    });
  });

  withExamples(withEntityFlags(quota.command('list').alias('ls').description('quotas of the entities matching the flags given (none: every entity)')), [
    ['skein quota list', 'every quota'],
    ['skein quota list --user alice --format json', "alice's own, for a script"],
  ]).action(async (o: Options) => {
    await withAdmin(o, async (admin) => printQuotas(o.format, await describeQuotas(admin, entityOfOptions(o))));
  });

  withExamples(
    withEntityFlags(
      quota
        .command('delete')
        .alias('rm')
        .description('remove quotas of an entity (the keys named, or all it has) and print what was removed')
        .argument('[keys...]'),
    ),
    [
      ['skein quota delete --client-id app', 'every quota of app'],
      ['skein quota delete --user alice producer_byte_rate', 'only that one'],
    ],
  ).action(async (keys: string[], o: Options) => {
    const entity = needEntity(o);
    await withAdmin(o, async (admin) => {
      const strict = JSON.stringify(entity);
      const current = (await describeQuotas(admin, entity)).find((e) => JSON.stringify(e.entity) === strict)?.quotas ?? {};
      const removing = keys.length > 0 ? keys : Object.keys(current);
      if (removing.length > 0) await alterQuotas(admin, entity, {}, removing);
      printQuotas(o.format, [{ entity, quotas: Object.fromEntries(removing.filter((k) => k in current).map((k) => [k, current[k]!])) }]);
    });
  });
}
