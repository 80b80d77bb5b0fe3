// The `skein` command line on commander: the servers (start, kafka, zookeeper, dev-cluster) and the
// client commands (`skein <noun> <verb>`: topic, produce, consume, group, cluster, acl, user, zk, perf). Commander does
// the parsing, --help and --version; this file wires the commands and turns every failure into one line
// and an exit code.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { createLogger, defaultLogFormat, LOG_FORMATS, type LogFormat } from '../logger.js';
import { withExamples } from './client-options.js';
import type { ServerCommand } from './command.js';
import { registerAclCommands } from './commands/acl.js';
import { registerClusterCommands } from './commands/cluster.js';
import { registerConfigCommands } from './commands/config.js';
import { registerConsumeCommand } from './commands/consume.js';
import { registerGroupCommands } from './commands/group.js';
import { registerPerfCommands } from './commands/perf.js';
import { registerProduceCommand } from './commands/produce.js';
import { registerTopicCommands } from './commands/topic.js';
import { registerUserCommands } from './commands/user.js';
import { registerQuotaCommands } from './commands/quota.js';
import { registerClientMetricsCommands } from './commands/client-metrics.js';
import { registerZkCommands } from './commands/zk.js';
import { devClusterCommand } from './dev-cluster-command.js';
import { failureOf } from './failure.js';
import { kafkaCommand } from './kafka-command.js';
import { startCommand } from './start-command.js';
import { zookeeperCommand } from './zookeeper-command.js';

/** The version in Skein's package.json, found upwards from this file (it runs from src/ in tests, dist/src/ installed). */
export function skeinVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'skein' && pkg.version) return pkg.version;
    } catch {
      // No package.json here: look further up.
    }
    const up = dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

/** `skein topic create` for that command: how messages name it. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function addServerCommand<O>(program: Command, server: ServerCommand<O>): void {
  const command = program.command(server.name).description(server.summary);
  server.declare(command);
  command.addOption(
    new Option('--log-format <format>', 'log as JSON lines, or as readable lines (default: readable on a terminal, JSON otherwise)')
      .choices(LOG_FORMATS)
      .env('SKEIN_LOG_FORMAT'),
  );
  withExamples(command, server.examples);
  command.action(async (options: O & { logFormat?: LogFormat }) => {
    const logFormat = options.logFormat ?? defaultLogFormat();
    const log = createLogger(undefined, logFormat);
    const running = await server.run(options, log, logFormat);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      running.stop().then(
        () => {
          log.info('stopped');
          log.flush();
          process.exit(0);
        },
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

/** Every command, parsing only (tests parse with it); errors come back as CommanderError through exitOverride. */
export function buildProgram(): Command {
  const program = new Command('skein')
    .description('Kafka- and ZooKeeper-compatible broker, and a client for both')
    .version(skeinVersion(), '-V, --version', 'print the version')
    .option('--debug', 'on failure, print the stack trace too')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .showSuggestionAfterError(true);
  program.commandsGroup('Servers:');
  for (const server of [startCommand, kafkaCommand, zookeeperCommand, devClusterCommand] as ServerCommand<never>[]) addServerCommand(program, server);
  registerConfigCommands(program);
  program.commandsGroup('Kafka clients (any Kafka: Skein or Apache):');
  registerTopicCommands(program);
  registerProduceCommand(program);
  registerConsumeCommand(program);
  registerGroupCommands(program);
  registerClusterCommands(program);
  registerAclCommands(program);
  registerUserCommands(program);
  registerQuotaCommands(program);
  registerClientMetricsCommands(program);
  program.commandsGroup('ZooKeeper client (any ZooKeeper):');
  registerZkCommands(program);
  program.commandsGroup('Load tests:');
  registerPerfCommands(program);
  withExamples(program, [
    ['skein start', 'a whole node on 127.0.0.1: ZooKeeper :2181, Kafka :9092'],
    ['skein topic create orders --partitions 6', 'a topic'],
    ['seq 10 | skein produce orders', 'ten records, one per line'],
    ['skein consume orders --num 10', 'read them back'],
    ['skein group describe billing', "a group's members and lag"],
    ['skein zk ls -R /', 'the znode tree'],
  ]);
  return program;
}

/** Commander's own errors (unknown option, missing argument) as one line naming the command. */
export function oneLineCommanderErrors(command: Command): void {
  command.configureOutput({
    outputError: (text, write) => {
      const message = text.replace(/^error: /, '').trim();
      write(`${commandPath(command)}: ${message} (see ${commandPath(command)} --help)\n`);
    },
  });
  for (const sub of command.commands) oneLineCommanderErrors(sub);
}

/** Runs the command line `argv` (without node and the script); sets process.exitCode on failure. */
export async function runCli(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  oneLineCommanderErrors(program);
  let running: Command = program;
  program.hook('preAction', (_root, action) => {
    running = action;
  });
  // `skein consume ... | head` closes the pipe early: that ends the command, it is not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  try {
    // Plain `skein` is a request for help, not a mistake.
    await program.parseAsync(argv.length === 0 ? ['--help'] : [...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with 0; a usage mistake (already printed in one line) with 2.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const failure = failureOf(err);
    const debug = program.opts<{ debug?: boolean }>().debug === true;
    process.stderr.write(`${commandPath(running)}: ${failure.message}\n`);
    if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = failure.exitCode;
  }
}
