import { pino, type Logger } from 'pino';

export type { Logger };

/** The process-wide structured logger; SKEIN_LOG_LEVEL overrides the level (silent in tests). */
export function createLogger(level = process.env.SKEIN_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { pid: process.pid } });
}
