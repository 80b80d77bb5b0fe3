// `skein group list|describe|seek|delete`: kafka-consumer-groups' jobs. describe joins the group's
// members and their assignments with its committed offsets and the partitions' end offsets, for the lag
// per partition; seek moves an idle group's offsets (with --dry-run to see the plan first).
import { Option, type Command } from 'commander';
import type { KafkaAdmin } from '../../kafka/client/admin.js';
import { lagOf, membersOf, offsetPlan } from '../../kafka/client/group-offsets.js';
import { collect, parsePartitionList, UsageError } from '../args.js';
import { withExamples, withKafkaConnection, type KafkaConnectOptions } from '../client-options.js';
import { CommandFailure } from '../failure.js';
import { formatOption, printResult, renderSections, renderTable, type OutputFormat } from '../output.js';
import { parseTime } from './consume.js';
import { withAdmin } from './connect.js';

type Options = KafkaConnectOptions & { format: OutputFormat };

async function describe(admin: KafkaAdmin, groupId: string, o: Options): Promise<void> {
  const group = await admin.describeGroup(groupId);
  const members = membersOf(group);
  const partitions = await lagOf(admin, groupId, members);
  if (group.groupState === 'Dead' && partitions.length === 0) throw new CommandFailure(`no group ${groupId} (\`skein group list\` shows the groups)`);
  const totalLag = partitions.reduce((n, p) => n + (p.lag ?? 0), 0);
  const result = { group: groupId, state: group.groupState, protocolType: group.protocolType, protocol: group.protocolData, members, totalLag, partitions };
  printResult(o.format, result, () =>
    renderSections([
      { title: 'GROUP', body: renderTable(['group', 'state', 'protocol', 'members', 'total-lag'], [[groupId, group.groupState, group.protocolData || null, members.length, totalLag]]) },
      {
        title: 'MEMBERS',
        body: renderTable(['member-id', 'client-id', 'host', 'assignment'], members.map((m) => [m.memberId, m.clientId, m.host, m.assignment.map((a) => `${a.topic}:${a.partitions.join(',')}`).join(' ')])),
      },
      {
        title: 'PARTITIONS',
        body: renderTable(['topic', 'partition', 'current-offset', 'log-end-offset', 'lag', 'member-id'], partitions.map((p) => [p.topic, p.partition, p.currentOffset, p.logEndOffset, p.lag, p.memberId])),
      },
    ]),
  );
}

interface SeekOptions extends Options {
  to?: string;
  toTime?: number;
  topic: string[];
  partitions?: number[];
  dryRun?: boolean;
}

/** `--to`: earliest, latest, or an offset. */
function seekTarget(raw: string): number | 'earliest' | 'latest' {
  if (raw === 'earliest' || raw === 'beginning') return 'earliest';
  if (raw === 'latest' || raw === 'end') return 'latest';
  if (/^\d+$/.test(raw)) return Number(raw);
  throw new UsageError(`--to ${raw}: expected earliest, latest or an offset`);
}

async function seek(admin: KafkaAdmin, groupId: string, o: SeekOptions): Promise<void> {
  if ((o.to === undefined) === (o.toTime === undefined)) throw new UsageError('give one of --to earliest|latest|OFFSET or --to-time TIME');
  const target = o.to === undefined ? undefined : seekTarget(o.to);
  const group = await admin.describeGroup(groupId);
  // Kafka refuses commits from outside the membership of an active group; saying so first is clearer.
  if (!['Empty', 'Dead'].includes(group.groupState)) {
    throw new CommandFailure(`group ${groupId} is ${group.groupState} with ${group.members.length} member(s): stop its consumers before moving its offsets`);
  }
  const committed = await admin.committedOffsets(groupId);
  const topics = o.topic.length > 0 ? o.topic : [...new Set(committed.map((c) => c.topic))];
  if (topics.length === 0) throw new UsageError(`group ${groupId} has no committed offsets: name the topics with --topic`);
  const plan = await offsetPlan(admin, committed, topics, o.partitions, o.toTime === undefined ? target! : { time: o.toTime });
  if (!o.dryRun) await admin.commitOffsets(groupId, plan.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.newOffset })));
  printResult(o.format, { group: groupId, dryRun: Boolean(o.dryRun), offsets: plan }, () =>
    renderTable(['topic', 'partition', 'current-offset', 'new-offset'], plan.map((p) => [p.topic, p.partition, p.currentOffset, p.newOffset])) +
      (o.dryRun ? '(dry run: nothing changed; run again without --dry-run to apply)\n' : ''),
  );
}

export function registerGroupCommands(program: Command): void {
  const group = program.command('group').description("consumer groups: list, members and lag, move offsets, delete");
  withExamples(group, [
    ['skein group list', 'every group and its state'],
    ['skein group describe billing', 'members, assignments and lag per partition'],
    ['skein group seek billing --to earliest --dry-run', 'what a reset would do'],
  ]);

  withExamples(withKafkaConnection(group.command('list').alias('ls').description('list the groups of every broker').addOption(formatOption())), [['skein group list', 'groups, states and coordinators']]).action(
    async (o: Options) => {
      await withAdmin(o, async (admin) => {
        const groups = await admin.listGroups();
        printResult(o.format, groups, () => renderTable(['group', 'state', 'protocol-type', 'coordinator'], groups.map((g) => [g.groupId, g.state || null, g.protocolType || null, g.coordinator])));
      });
    },
  );

  withExamples(withKafkaConnection(group.command('describe').description("a group's state, members, assignments, committed offsets and lag per partition").argument('<group>').addOption(formatOption())), [
    ['skein group describe billing', 'as tables'],
    ['skein group describe billing --format json | jq .totalLag', 'total lag, for a script'],
  ]).action(async (groupId: string, o: Options) => {
    await withAdmin(o, (admin) => describe(admin, groupId, o));
  });

  withExamples(
    withKafkaConnection(
      group
        .command('seek')
        .description("move an idle group's committed offsets (its consumers must be stopped)")
        .argument('<group>')
        .option('--to <target>', 'earliest, latest, or an offset (clamped to the partition)')
        .addOption(new Option('--to-time <time>', 'the first offset at or after this time (ISO date or epoch ms)').argParser(parseTime))
        .option('-t, --topic <topic>', 'a topic to move (repeatable; default: every topic the group has offsets for)', collect, [])
        .option('-p, --partitions <list>', 'only these partitions, e.g. 0,2', parsePartitionList)
        .option('--dry-run', 'show the new offsets without committing them')
        .addOption(formatOption()),
    ),
    [
      ['skein group seek billing --to earliest --dry-run', 'see what rewinding would do'],
      ['skein group seek billing --to earliest', 'reprocess everything'],
      ['skein group seek billing --to-time 2026-12-03T09:00:00Z -t orders', 'replay orders since 9:00 UTC'],
    ],
  ).action(async (groupId: string, o: SeekOptions) => {
    await withAdmin(o, (admin) => seek(admin, groupId, o));
  });

  withExamples(withKafkaConnection(group.command('delete').alias('rm').description('delete idle groups and their committed offsets').argument('<group...>').addOption(formatOption())), [
    ['skein group delete billing', 'one group'],
  ]).action(async (groups: string[], o: Options) => {
    await withAdmin(o, async (admin) => {
      await admin.deleteGroups(groups);
      const rows = groups.map((g) => ({ group: g, status: 'OK' }));
      printResult(o.format, rows, () => renderTable(['group', 'status'], rows.map((r) => [r.group, r.status])));
    });
  });
}
