// `skein topic create|list|describe|delete|alter-config|add-partitions|trim-prefix`: kafka-topics,
// kafka-configs and kafka-delete-records in one noun, over the wire to any Kafka.
import { Option, type Command } from 'commander';
import { KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { ResourceType, type KafkaAdmin, type TopicInfo } from '../../kafka/client/admin.js';
import { collect, collectKeyValue, intIn, parsePartitionList, UsageError } from '../args.js';
import { withExamples, withKafkaConnection, type KafkaConnectOptions } from '../client-options.js';
import { formatOption, printResult, renderSections, renderTable, type OutputFormat } from '../output.js';
import { withAdmin } from './connect.js';

type Options = KafkaConnectOptions & { format: OutputFormat };

/** DescribeConfigs' ConfigSource ids, as kafka-configs prints them. */
const CONFIG_SOURCES: Record<number, string> = {
  0: 'UNKNOWN',
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
  7: 'CLIENT_METRICS_CONFIG',
};

export function configSourceName(source: number): string {
  return CONFIG_SOURCES[source] ?? String(source);
}

const INT32_MAX = 0x7fffffff;

/** Runs one change per topic and prints each topic's outcome; then fails with the first error, if any. */
async function perTopic(format: OutputFormat, names: readonly string[], change: (name: string) => Promise<void>): Promise<void> {
  const results: { topic: string; status: string }[] = [];
  const errors: KafkaProtocolError[] = [];
  for (const name of names) {
    try {
      await change(name);
      results.push({ topic: name, status: 'OK' });
    } catch (err) {
      if (!(err instanceof KafkaProtocolError)) throw err;
      results.push({ topic: name, status: err.errorName });
      errors.push(err);
    }
  }
  printResult(format, results, () => renderTable(['topic', 'status'], results.map((r) => [r.topic, r.status])));
  if (errors.length > 0) throw errors[0];
}

/**
 * `sizes`: partition → broker → bytes on disk (DescribeLogDirs). A partition's size is its leader's
 * replica's, what a consumer reads from; each replica's is in `replicaSizes`. null where a broker did not say.
 */
function describeTopic(topic: TopicInfo, offsets: Map<number, { earliest: number; latest: number }>, sizes: Map<number, Map<number, number>>) {
  return {
    name: topic.name,
    internal: topic.isInternal,
    partitions: topic.partitions.map((p) => ({
      partition: p.partition,
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicas: p.replicas,
      isr: p.isr,
      offline: p.offline,
      logStartOffset: offsets.get(p.partition)?.earliest ?? null,
      highWatermark: offsets.get(p.partition)?.latest ?? null,
      sizeBytes: sizes.get(p.partition)?.get(p.leader) ?? null,
      replicaSizes: Object.fromEntries(sizes.get(p.partition) ?? []),
    })),
  };
}

async function describe(admin: KafkaAdmin, name: string, format: OutputFormat): Promise<void> {
  const topic = await admin.topic(name);
  const [offsets, configs, sizes] = await Promise.all([admin.partitionOffsets(topic), admin.describeConfigs(ResourceType.TOPIC, name), admin.replicaSizes(topic)]);
  const described = describeTopic(topic, new Map(offsets.map((o) => [o.partition, o])), sizes);
  const configRows = configs.map((c) => ({ name: c.name, value: c.sensitive ? null : c.value, source: configSourceName(c.source), readOnly: c.readOnly }));
  printResult(format, { ...described, configs: configRows }, () =>
    renderSections([
      {
        title: 'SUMMARY',
        body: renderTable(['name', 'internal', 'partitions', 'replicas'], [[name, topic.isInternal, topic.partitions.length, topic.partitions[0]?.replicas.length ?? 0]]),
      },
      {
        title: 'PARTITIONS',
        body: renderTable(
          ['partition', 'leader', 'epoch', 'replicas', 'isr', 'offline', 'log-start', 'high-watermark', 'records', 'size-bytes'],
          described.partitions.map((p) => [
            p.partition,
            p.leader,
            p.leaderEpoch,
            p.replicas.join(','),
            p.isr.join(','),
            p.offline.join(',') || '-',
            p.logStartOffset,
            p.highWatermark,
            p.highWatermark === null || p.logStartOffset === null ? null : p.highWatermark - p.logStartOffset,
            p.sizeBytes,
          ]),
        ),
      },
      { title: 'CONFIGS', body: renderTable(['key', 'value', 'source'], configRows.map((c) => [c.name, c.value ?? '(sensitive)', c.source])) },
    ]),
  );
}

/** `--offset` of trim-prefix: a number, or `end` for the high watermark (Kafka's -1). */
function trimOffset(raw: string): number {
  if (raw === 'end') return -1;
  return intIn(0, Number.MAX_SAFE_INTEGER)(raw);
}

export function registerTopicCommands(program: Command): void {
  const topic = program.command('topic').description('create, list, describe, change and delete topics');
  withExamples(topic, [
    ['skein topic create orders --partitions 6 --replication-factor 3', 'create a topic'],
    ['skein topic list', 'the topics, their partitions and replicas'],
    ['skein topic describe orders', 'leaders, ISR, offsets and configs'],
  ]);

  withExamples(
    withKafkaConnection(
      topic
        .command('create')
        .description('create topics')
        .argument('<topic...>', 'names of the topics')
        .addOption(new Option('-p, --partitions <n>', 'partitions').argParser(intIn(1, INT32_MAX)).default(-1, "the broker's num.partitions"))
        .addOption(new Option('-r, --replication-factor <n>', 'replicas of each partition').argParser(intIn(1, 0x7fff)).default(-1, "the broker's default.replication.factor"))
        .option('-c, --config <key=value>', 'a topic config such as retention.ms=86400000 (repeatable)', collectKeyValue, [])
        .addOption(formatOption()),
    ),
    [
      ['skein topic create orders', 'with the broker\'s defaults'],
      ['skein topic create orders -p 6 -r 3 -c cleanup.policy=compact -c retention.ms=-1', 'six partitions on three brokers, compacted, kept forever'],
    ],
  ).action(async (names: string[], o: Options & { partitions: number; replicationFactor: number; config: { name: string; value: string }[] }) => {
    await withAdmin(o, (admin) => perTopic(o.format, names, (name) => admin.createTopic(name, o.partitions, o.replicationFactor, o.config)));
  });

  withExamples(
    withKafkaConnection(
      topic
        .command('list')
        .alias('ls')
        .description('list topics')
        .option('-i, --internal', 'include internal topics (__consumer_offsets)')
        .addOption(formatOption()),
    ),
    [
      ['skein topic list', 'the topics'],
      ['skein topic list --format json | jq -r ".[].name"', 'just their names, for a script'],
    ],
  ).action(async (o: Options & { internal?: boolean }) => {
    await withAdmin(o, async (admin) => {
      const topics = (await admin.metadata(null)).topics.filter((t) => o.internal || !t.isInternal);
      const rows = topics.map((t) => ({ name: t.name, partitions: t.partitions.length, replicas: t.partitions[0]?.replicas.length ?? 0, internal: t.isInternal }));
      printResult(o.format, rows, () => renderTable(['name', 'partitions', 'replicas'], rows.map((r) => [r.name, r.partitions, r.replicas])));
    });
  });

  withExamples(withKafkaConnection(topic.command('describe').description('show a topic: partitions, leaders, replicas, ISR, offsets, sizes on disk and configs with their sources').argument('<topic>').addOption(formatOption())), [
    ['skein topic describe orders', 'as tables'],
    ['skein topic describe orders --format json', 'as JSON'],
  ]).action(async (name: string, o: Options) => {
    await withAdmin(o, (admin) => describe(admin, name, o.format));
  });

  withExamples(withKafkaConnection(topic.command('delete').alias('rm').description('delete topics and all their records').argument('<topic...>').addOption(formatOption())), [
    ['skein topic delete orders', 'delete one'],
    ['skein topic delete a b c', 'delete several'],
  ]).action(async (names: string[], o: Options) => {
    await withAdmin(o, (admin) => perTopic(o.format, names, (name) => admin.deleteTopics([name])));
  });

  withExamples(
    withKafkaConnection(
      topic
        .command('alter-config')
        .description("set or remove (back to the default) a topic's configs")
        .argument('<topic>')
        .option('--set <key=value>', 'set a config (repeatable)', collectKeyValue, [])
        .option('--delete <key>', 'remove a config, so the broker default applies (repeatable)', collect, [])
        .addOption(formatOption()),
    ),
    [
      ['skein topic alter-config orders --set retention.ms=3600000', 'keep records an hour'],
      ['skein topic alter-config orders --delete retention.ms', 'back to the broker default'],
    ],
  ).action(async (name: string, o: Options & { set: { name: string; value: string }[]; delete: string[] }) => {
    if (o.set.length === 0 && o.delete.length === 0) throw new UsageError('nothing to change: give --set key=value or --delete key');
    await withAdmin(o, (admin) => perTopic(o.format, [name], (t) => admin.alterTopicConfigs(t, o.set, o.delete)));
  });

  withExamples(
    withKafkaConnection(
      topic
        .command('add-partitions')
        .description('add partitions to a topic (keys may then map to other partitions)')
        .argument('<topic>')
        .requiredOption('-n, --num <n>', 'how many partitions to add', intIn(1, INT32_MAX))
        .addOption(formatOption()),
    ),
    [['skein topic add-partitions orders --num 3', 'three more partitions']],
  ).action(async (name: string, o: Options & { num: number }) => {
    await withAdmin(o, async (admin) => {
      const current = (await admin.topic(name)).partitions.length;
      await perTopic(o.format, [name], (t) => admin.addPartitions(t, current + o.num));
    });
  });

  withExamples(
    withKafkaConnection(
      topic
        .command('trim-prefix')
        .description('delete the records before an offset (DeleteRecords): the partition then starts there')
        .argument('<topic>')
        .requiredOption('-o, --offset <offset>', 'the first offset to keep, or "end" to empty the partitions', trimOffset)
        .option('-p, --partitions <list>', 'partitions to trim, e.g. 0,2 (default: all)', parsePartitionList)
        .addOption(formatOption()),
    ),
    [
      ['skein topic trim-prefix orders --offset 1000 --partitions 0', 'partition 0 starts at offset 1000'],
      ['skein topic trim-prefix orders --offset end', 'empty every partition'],
    ],
  ).action(async (name: string, o: Options & { offset: number; partitions?: number[] }) => {
    await withAdmin(o, async (admin) => {
      const t = await admin.topic(name);
      const partitions = o.partitions ?? t.partitions.map((p) => p.partition);
      const starts = await admin.deleteRecords(t, new Map(partitions.map((p) => [p, o.offset])));
      const rows = [...starts].sort(([a], [b]) => a - b).map(([partition, logStartOffset]) => ({ topic: name, partition, logStartOffset }));
      printResult(o.format, rows, () => renderTable(['topic', 'partition', 'log-start'], rows.map((r) => [r.topic, r.partition, r.logStartOffset])));
    });
  });
}
