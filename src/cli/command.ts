import type { Logger } from '../logger.js';

/** Something a command started; stopped on SIGTERM or SIGINT. */
export interface Running {
  stop(): Promise<void>;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  run(argv: readonly string[], log: Logger): Promise<Running>;
}
