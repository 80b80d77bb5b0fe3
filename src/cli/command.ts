import type { Command as CommanderCommand } from 'commander';
import type { LogFormat, Logger } from '../logger.js';

/** Something a command started; stopped on SIGTERM or SIGINT. */
export interface Running {
  stop(): Promise<void>;
}

/** A command that runs servers until a signal: start, kafka, zookeeper, dev-cluster. */
export interface ServerCommand<O = Record<string, unknown>> {
  name: string;
  summary: string;
  /** Command lines shown under --help, each with what it does. */
  examples: readonly (readonly [string, string])[];
  /** Declares its options on the commander command. */
  declare(command: CommanderCommand): void;
  /** `logFormat` is how `log` writes (dev-cluster shows its children's logs the same way). */
  run(options: O, log: Logger, logFormat: LogFormat): Promise<Running>;
}
