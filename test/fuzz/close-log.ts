// A server logger for fuzz runs that counts the connections the server says it closed and why, so the
// property can check that every close it saw was logged with a reason, and collects the faults (a
// handler or encoder throwing) behind "request handling failed".
import { pino, type Logger } from 'pino';

export interface CloseLog {
  log: Logger;
  /** "closing connection: <reason>" lines so far. */
  readonly closes: number;
  /** How often each reason was logged. */
  readonly reasons: ReadonlyMap<string, number>;
  /** Faults of the server, not of the frame: error message and where in src/ it was thrown, by count. */
  readonly faults: ReadonlyMap<string, number>;
}

const CLOSING = 'closing connection: ';
const FAULT = 'request handling failed';

interface LogLine {
  msg?: string;
  /** A string (Kafka's close line) or pino's serialized Error (ZooKeeper's error line). */
  err?: string | { message?: string; stack?: string };
  stack?: string;
}

export function closeLog(): CloseLog {
  const reasons = new Map<string, number>();
  const faults = new Map<string, number>();
  let closes = 0;
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const stream = {
    write(text: string) {
      const { msg, err, stack } = JSON.parse(text) as LogLine;
      if (msg?.startsWith(CLOSING)) {
        closes++;
        count(reasons, msg.slice(CLOSING.length));
      }
      if ((msg === FAULT || msg === CLOSING + FAULT) && err !== undefined) {
        const message = typeof err === 'string' ? err : (err.message ?? '');
        const where = (stack ?? (typeof err === 'string' ? undefined : err.stack))?.split('\n').find((l) => l.includes('/src/'));
        // Details in parentheses (which partitions, which values) would make every fault its own key.
        count(faults, `${message.replace(/ \(.*\)/, '')} ${where?.trim() ?? ''}`);
      }
    },
  };
  return {
    log: pino({ level: 'warn' }, stream),
    get closes() {
      return closes;
    },
    reasons,
    faults,
  };
}
