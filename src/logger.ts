import { pino, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { ConfigError } from './config/schema.js';

export type { Logger };

const LEVELS = [...Object.keys(pino.levels.values), 'silent'];

/** JSON lines for machines and log shippers, or one readable line per entry for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/** Pretty on a terminal, JSON lines when stdout is a pipe or a file (what a log collector reads). */
export function defaultLogFormat(): LogFormat {
  return process.stdout.isTTY ? 'pretty' : 'json';
}

/**
 * The options of the pretty form: level names, local wall-clock time, the message and then its fields
 * on the same line (one entry stays one line, so `grep` still finds "skein node started" with its ports).
 */
function prettyOptions(colorize: boolean): pinoPretty.PrettyOptions {
  return { colorize, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true, sync: true };
}

/** Renders one JSON log line as the pretty form does (dev-cluster shows its children's logs this way). */
export function prettyLine(colorize = Boolean(process.stdout.isTTY)): (jsonLine: string) => string {
  const format = pinoPretty.prettyFactory(prettyOptions(colorize));
  return (line) => {
    try {
      return format(JSON.parse(line) as object);
    } catch {
      // Not a log entry (a child's stray output): shown as it came.
      return `${line}\n`;
    }
  };
}

/** The process-wide structured logger; SKEIN_LOG_LEVEL overrides the level (silent in tests). */
export function createLogger(level = process.env.SKEIN_LOG_LEVEL ?? 'info', format: LogFormat = 'json'): Logger {
  if (!LEVELS.includes(level)) throw new ConfigError(`SKEIN_LOG_LEVEL=${level}: not a log level (${LEVELS.join(', ')})`);
  const options = { level, base: { pid: process.pid } };
  if (format === 'json') return pino(options);
  return pino(options, pinoPretty.build(prettyOptions(Boolean(process.stdout.isTTY))));
}
