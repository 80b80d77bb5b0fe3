#!/usr/bin/env node
// The `skein` command: parses the subcommand, starts what it asks for, stops it cleanly on a signal.
import { ConfigError } from '../config/schema.js';
import { createLogger } from '../logger.js';
import { UsageError } from './args.js';
import type { Command } from './command.js';
import { devClusterCommand } from './dev-cluster-command.js';
import { kafkaCommand } from './kafka-command.js';
import { startCommand } from './start-command.js';
import { StartupFailure } from './startup-failure.js';
import { zookeeperCommand } from './zookeeper-command.js';

const commands: Command[] = [startCommand, kafkaCommand, zookeeperCommand, devClusterCommand];

function usage(): string {
  const lines = commands.map((c) => `  ${c.usage.padEnd(60)} ${c.summary}`);
  return ['usage: skein <command> [options]', '', ...lines].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const help = name === undefined || name === '--help' || name === 'help';
    (help ? process.stdout : process.stderr).write(`${usage()}\n`);
    process.exitCode = help ? 0 : 2;
    return;
  }
  let log;
  let running;
  try {
    log = createLogger();
    running = await command.run(rest, log);
  } catch (err) {
    // What the operator can fix is one line on stderr; anything else is a bug and keeps its stack.
    const exitCode = err instanceof UsageError || err instanceof ConfigError ? 2 : err instanceof StartupFailure ? 1 : undefined;
    if (exitCode === undefined) throw err;
    process.stderr.write(`skein ${command.name}: ${(err as Error).message}\n`);
    process.exitCode = exitCode;
    return;
  }
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
}

await main(process.argv.slice(2));
