// `skein client-metrics set|list|delete`: KIP-714's client-metrics subscriptions, the job of Kafka's
// `kafka-client-metrics.sh --alter|--list|--delete` (IncrementalAlterConfigs, DescribeConfigs and
// ListConfigResources on config resources of type 16). A subscription names the metric prefixes the
// clients it matches push, and how often; see docs/telemetry.md.
import type { Command } from 'commander';
import { ResourceType, type KafkaAdmin } from '../../kafka/client/admin.js';
import { INTERVAL_MS, MATCH, METRICS } from '../../kafka/telemetry/client-metrics-config.js';
import { UsageError } from '../args.js';
import { withExamples, withKafkaConnection, type KafkaConnectOptions } from '../client-options.js';
import { formatOption, printResult, renderTable, type OutputFormat } from '../output.js';
import { withAdmin } from './connect.js';

type Options = KafkaConnectOptions & { format: OutputFormat };
type SetOptions = Options & { metrics?: string; interval?: string; match?: string };

interface Subscription {
  name: string;
  metrics: string;
  intervalMs: string;
  match: string;
}

async function describe(admin: KafkaAdmin, name: string): Promise<Subscription> {
  const configs = await admin.describeConfigs(ResourceType.CLIENT_METRICS, name);
  const value = (key: string) => configs.find((c) => c.name === key)?.value ?? '';
  return { name, metrics: value(METRICS), intervalMs: value(INTERVAL_MS), match: value(MATCH) };
}

function printSubscriptions(format: OutputFormat, subscriptions: readonly Subscription[]): void {
  printResult(format, subscriptions, () =>
    renderTable(
      ['name', 'metrics', 'interval.ms', 'match'],
      subscriptions.map((s) => [s.name, s.metrics, s.intervalMs, s.match]),
    ),
  );
}

export function registerClientMetricsCommands(program: Command): void {
  const clientMetrics = program.command('client-metrics').description('client-metrics subscriptions (KIP-714): which metrics matching clients push, how often');
  withExamples(clientMetrics, [
    ["skein client-metrics set all --metrics '*' --interval 60000", 'every client pushes everything each minute'],
    ['skein client-metrics list', 'every subscription'],
    ['skein client-metrics delete all', 'clients stop pushing what it asked for'],
  ]);

  withExamples(
    withKafkaConnection(
      clientMetrics
        .command('set')
        .description('create or change a subscription; keys not given are kept')
        .argument('<name>')
        .option('--metrics <prefixes>', "metric name prefixes, comma-separated; '*' every metric; '' none")
        .option('--interval <ms>', 'how often matching clients push (100 to 3600000)')
        .option('--match <selectors>', "selector=regex pairs, comma-separated, all to match (client_id, client_software_name, client_software_version, client_source_address, client_source_port, client_instance_id); '' every client")
        .addOption(formatOption()),
    ),
    [
      ["skein client-metrics set orders --metrics org.apache.kafka.producer. --interval 10000 --match 'client_id=orders-.*'", "the orders service's producer metrics every 10 s"],
    ],
  ).action(async (name: string, o: SetOptions) => {
    const set = [
      [METRICS, o.metrics],
      [INTERVAL_MS, o.interval],
      [MATCH, o.match],
    ].flatMap(([key, value]) => (value === undefined ? [] : [{ name: key!, value }]));
    if (set.length === 0) throw new UsageError('give --metrics, --interval or --match');
    await withAdmin(o, async (admin) => {
      await admin.alterConfigs(ResourceType.CLIENT_METRICS, name, set, []);
      printSubscriptions(o.format, [await describe(admin, name)]);
    });
  });

  withExamples(withKafkaConnection(clientMetrics.command('list').alias('ls').description('every subscription with its keys').addOption(formatOption())), [
    ['skein client-metrics list --format json', 'for a script'],
  ]).action(async (o: Options) => {
    await withAdmin(o, async (admin) => {
      const subscriptions: Subscription[] = [];
      for (const name of await admin.clientMetricsNames()) subscriptions.push(await describe(admin, name));
      printSubscriptions(o.format, subscriptions);
    });
  });

  withExamples(withKafkaConnection(clientMetrics.command('delete').alias('rm').description('remove a subscription (all its keys)').argument('<name>').addOption(formatOption())), [
    ['skein client-metrics delete orders', 'prints what it was'],
  ]).action(async (name: string, o: Options) => {
    await withAdmin(o, async (admin) => {
      const before = await describe(admin, name);
      await admin.alterConfigs(ResourceType.CLIENT_METRICS, name, [], [METRICS, INTERVAL_MS, MATCH]);
      printSubscriptions(o.format, [before]);
    });
  });
}
