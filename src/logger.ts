import { pino, type Logger } from 'pino';
import { ConfigError } from './config/schema.js';

export type { Logger };

const LEVELS = [...Object.keys(pino.levels.values), 'silent'];

/** The process-wide structured logger; SKEIN_LOG_LEVEL overrides the level (silent in tests). */
export function createLogger(level = process.env.SKEIN_LOG_LEVEL ?? 'info'): Logger {
  if (!LEVELS.includes(level)) throw new ConfigError(`SKEIN_LOG_LEVEL=${level}: not a log level (${LEVELS.join(', ')})`);
  return pino({ level, base: { pid: process.pid } });
}
