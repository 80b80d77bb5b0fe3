// `skein perf produce|consume|zk`: the load tools, against any Kafka or ZooKeeper. produce and consume
// print the figures Kafka's kafka-producer-perf-test and kafka-consumer-perf-test print, in their words,
// so a run sits beside one of Apache's; zk prints zkperf's ops/s and latency percentiles per mode.
// A live line on a terminal (stderr) shows how far a run is; --format json prints the figures for scripts.
import { Option, type Command } from 'commander';
import { CONSUMER_HEADER, formatConsumerRow, runConsumerPerf, type ConsumerPerfResult } from '../../perf/consumer-perf.js';
import { formatLatency } from '../../perf/latency.js';
import { formatProducerSummary, formatProducerWindow, runProducerPerf } from '../../perf/producer-perf.js';
import { runZkLoad, ZK_LOAD_MODES, type ZkLoadMode, type ZkLoadResult } from '../../perf/zookeeper-load.js';
import { intIn, UsageError } from '../args.js';
import {
  bootstrapOf,
  withExamples,
  withKafkaConnection,
  withZooKeeperConnection,
  zooKeeperOf,
  type KafkaConnectOptions,
  type ZooKeeperConnectOptions,
} from '../client-options.js';
import { CommandFailure } from '../failure.js';
import { commandSecurityOf } from '../command-config.js';
import { formatOption, printResult, renderJson, renderTable, type OutputFormat } from '../output.js';
import { withZooKeeper } from './connect.js';
import { ACKS, COMPRESSIONS } from './produce.js';
import { Progress } from './progress.js';

const INT_MAX = 0x7fffffff;
/** Longest a zk run may be told to last per mode: an hour is a soak, more is a typo. */
const ZK_SECONDS_MAX = 3600;
/** Sessions × outstanding requests at most: each loop is a promise chain, beyond this the client is the bottleneck. */
const ZK_LOOPS_MAX = 100_000;

interface Shown {
  progress: boolean;
  format: OutputFormat;
}

/** The live line, on a terminal only and not when a script reads JSON. */
function progressFor(o: Shown, totalBytes?: number): Progress | undefined {
  return o.progress && o.format === 'table' && process.stderr.isTTY ? new Progress(process.stderr, totalBytes) : undefined;
}

interface ProduceOptions extends KafkaConnectOptions, Shown {
  numRecords: number;
  recordSize: number;
  throughput: number;
  acks: keyof typeof ACKS;
  batchSize: number;
  lingerMs: number;
  maxInFlight: number;
  compression: keyof typeof COMPRESSIONS;
  reportingInterval: number;
}

async function perfProduce(topic: string, o: ProduceOptions): Promise<void> {
  const progress = progressFor(o, o.numRecords * o.recordSize);
  const result = await runProducerPerf(
    {
      bootstrap: bootstrapOf(o),
      security: commandSecurityOf(o.commandConfig),
      topic,
      numRecords: o.numRecords,
      recordSize: o.recordSize,
      throughput: o.throughput,
      acks: ACKS[o.acks],
      batchSize: o.batchSize,
      lingerMs: o.lingerMs,
      maxInFlight: o.maxInFlight,
      compression: COMPRESSIONS[o.compression],
      reportingIntervalMs: o.reportingInterval,
    },
    {
      onProgress: (records, bytes) => progress?.update(records, bytes),
      // Kafka's periodic lines, unless the live line already says as much or a script wants only JSON.
      onWindow: (w) => {
        if (!progress && o.format === 'table') process.stdout.write(`${formatProducerWindow(w)}\n`);
      },
    },
  );
  progress?.done();
  printResult(o.format, { topic, ...result }, () => `${formatProducerSummary(result)}\n`);
  if (result.failed > 0) throw new CommandFailure(`${result.failed} of ${o.numRecords} records failed; first error: ${result.firstError}`);
}

interface ConsumeOptions extends KafkaConnectOptions, Shown {
  messages: number;
  fetchSize: number;
  maxBytes: number;
  maxWaitMs: number;
  timeout: number;
}

/** Kafka's header and row, then the Fetch latency in the producer's words. */
export function consumerTable(r: ConsumerPerfResult): string {
  return `${CONSUMER_HEADER}\n${formatConsumerRow(r)}\n${r.fetches} fetches, ${formatLatency(r.fetchLatency)}\n`;
}

async function perfConsume(topic: string, o: ConsumeOptions): Promise<void> {
  const progress = progressFor(o);
  const result = await runConsumerPerf(
    { bootstrap: bootstrapOf(o), security: commandSecurityOf(o.commandConfig), topic, messages: o.messages, fetchSize: o.fetchSize, maxBytes: o.maxBytes, maxWaitMs: o.maxWaitMs, timeoutMs: o.timeout },
    { onProgress: (records, bytes) => progress?.update(records, bytes) },
  );
  progress?.done();
  printResult(o.format, { topic, ...result }, () => consumerTable(result));
  if (result.dataConsumedMsgs < o.messages) {
    throw new CommandFailure(`only ${result.dataConsumedMsgs} of ${o.messages} records arrived within ${o.timeout} ms of the last progress: does ${topic} hold that many?`);
  }
}

interface ZkOptions extends ZooKeeperConnectOptions, Shown {
  sessions: number;
  outstanding: number;
  seconds: number;
  size: number;
}

/** One row per mode: zkperf's figures. */
export function zkLoadTable(results: readonly ZkLoadResult[]): string {
  return renderTable(
    ['mode', 'ops', 'ops/s', 'p50 us', 'p99 us', 'errors'],
    results.map((r) => [r.mode, r.ops, r.opsPerSec, r.p50us, r.p99us, r.errors]),
  );
}

export function parseZkModes(modes: readonly string[]): ZkLoadMode[] {
  for (const m of modes) if (!(ZK_LOAD_MODES as readonly string[]).includes(m)) throw new UsageError(`mode ${m} is not one of ${ZK_LOAD_MODES.join(', ')}`);
  return modes as ZkLoadMode[];
}

async function perfZk(modeArgs: string[], o: ZkOptions): Promise<void> {
  const modes = parseZkModes(modeArgs);
  if (o.sessions * o.outstanding > ZK_LOOPS_MAX) throw new UsageError(`--sessions × --outstanding is at most ${ZK_LOOPS_MAX}`);
  // One session first: an unreachable ensemble is then one clear line, not every load session's retries.
  await withZooKeeper(o, async () => undefined);
  const results: ZkLoadResult[] = [];
  for (const mode of modes) {
    const progress = progressFor(o);
    const total = o.seconds;
    const result = await runZkLoad(
      { connectString: zooKeeperOf(o), mode, sessions: o.sessions, outstanding: o.outstanding, seconds: o.seconds, size: o.size },
      {
        onProgress: (ops, seconds) =>
          progress?.show(() => {
            const filled = Math.min(30, Math.round((seconds / total) * 30));
            return `${mode.padEnd(6)} [${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${ops.toLocaleString('en-US')} ops  ${Math.round(ops / Math.max(seconds, 0.001)).toLocaleString('en-US')} ops/s`;
          }),
      },
    );
    progress?.done();
    results.push(result);
  }
  if (o.format === 'json') process.stdout.write(renderJson(results));
  else process.stdout.write(zkLoadTable(results));
}

function intOption(flags: string, what: string, min: number, max: number, fallback: number): Option {
  return new Option(flags, what).argParser(intIn(min, max)).default(fallback);
}

export function registerPerfCommands(program: Command): void {
  const perf = program.command('perf').description('load tests: Kafka produce and consume throughput, ZooKeeper ops/s (any Kafka or ZooKeeper)');
  withExamples(
    withKafkaConnection(
      perf
        .command('produce')
        .description("send records as fast as acknowledged (or at --throughput) and print kafka-producer-perf-test's figures")
        .argument('<topic>')
        .addOption(intOption('-n, --num-records <n>', 'records to send', 1, Number.MAX_SAFE_INTEGER, 100_000))
        .addOption(intOption('-s, --record-size <bytes>', 'bytes per record value', 0, 16 * 1024 * 1024, 100))
        .addOption(intOption('-t, --throughput <records/s>', 'records per second to aim at, -1 for as fast as possible', -1, INT_MAX, -1))
        .addOption(new Option('--acks <acks>', 'acknowledgements to wait for: all, 1 (the leader) or 0 (none)').choices(Object.keys(ACKS)).default('1'))
        .addOption(intOption('--batch-size <bytes>', "a partition's batch is sent once it holds this many bytes (batch.size)", 1, 64 * 1024 * 1024, 16384))
        .addOption(intOption('--linger-ms <ms>', 'a paced batch waits this long for more records (linger.ms)', 0, 60_000, 5))
        .addOption(intOption('--max-in-flight <n>', 'Produce requests in flight per broker (max.in.flight.requests.per.connection)', 1, 1000, 5))
        .addOption(new Option('-z, --compression <codec>', 'compress batches').choices(Object.keys(COMPRESSIONS)).default('none'))
        .addOption(intOption('--reporting-interval <ms>', 'print a progress line this often when not on a terminal', 100, INT_MAX, 5000))
        .option('--no-progress', 'no live line on a terminal')
        .addOption(formatOption()),
    ),
    [
      ['skein perf produce perf -n 1000000 -s 100', 'a million 100-byte records as fast as they are acknowledged'],
      ['skein perf produce perf -n 100000 -t 10000 --acks all', 'at 10,000 records/s, waiting for every in-sync replica'],
      ['skein perf produce perf -b kafka1:9092 -z lz4 --format json', 'against another cluster, compressed, figures as JSON'],
    ],
  ).action(async (topic: string, o: ProduceOptions) => perfProduce(topic, o));

  withExamples(
    withKafkaConnection(
      perf
        .command('consume')
        .description("read a topic from its start and print kafka-consumer-perf-test's columns and Fetch latency")
        .argument('<topic>')
        .addOption(intOption('-m, --messages <n>', 'records to read', 1, Number.MAX_SAFE_INTEGER, 100_000))
        .addOption(intOption('--fetch-size <bytes>', 'bytes per partition per Fetch (max.partition.fetch.bytes)', 1, INT_MAX, 1024 * 1024))
        .addOption(intOption('--max-bytes <bytes>', 'bytes per Fetch (fetch.max.bytes)', 1, INT_MAX, 50 * 1024 * 1024))
        .addOption(intOption('--max-wait-ms <ms>', 'how long the broker may hold a Fetch for data (fetch.max.wait.ms)', 0, 60_000, 500))
        .addOption(intOption('--timeout <ms>', 'give up after this long without a new record', 1, INT_MAX, 10_000))
        .option('--no-progress', 'no live line on a terminal')
        .addOption(formatOption()),
    ),
    [
      ['skein perf produce perf -n 1000000 && skein perf consume perf -m 1000000', 'write a million records, then read them back'],
      ['skein perf consume perf -m 500000 --fetch-size 4194304 --format json', 'bigger fetches, figures as JSON'],
    ],
  ).action(async (topic: string, o: ConsumeOptions) => perfConsume(topic, o));

  withExamples(
    withZooKeeperConnection(
      perf
        .command('zk')
        .description('drive getData, setData or create+delete load and print ops/s and latency percentiles per mode')
        .argument('[modes...]', `any of ${ZK_LOAD_MODES.join(', ')} (mix: 90% get, 10% set)`, ['get', 'set', 'create'])
        .addOption(intOption('--sessions <n>', 'sessions', 1, 1000, 10))
        .addOption(intOption('--outstanding <n>', 'requests in flight per session', 1, 10_000, 8))
        .addOption(intOption('--seconds <s>', 'how long each mode runs', 1, ZK_SECONDS_MAX, 10))
        .addOption(intOption('--size <bytes>', 'bytes per znode value', 0, 1024 * 1024, 100))
        .option('--no-progress', 'no live line on a terminal')
        .addOption(formatOption()),
    ),
    [
      ['skein perf zk', 'get, set and create for 10 s each, 10 sessions × 8 requests in flight'],
      ['skein perf zk get mix --sessions 50 --outstanding 20 --seconds 30', 'heavier read load'],
      ['skein perf zk set --server zk1:2181 --format json', "another ensemble's write rate, as JSON"],
    ],
  ).action(async (modes: string[], o: ZkOptions) => perfZk(modes, o));
}
