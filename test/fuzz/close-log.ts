// A server logger for fuzz runs that counts the connections the server says it closed and why, so the
// property can check that every close it saw was logged with a reason.
import { pino, type Logger } from 'pino';

export interface CloseLog {
  log: Logger;
  /** "closing connection: <reason>" lines so far. */
  readonly closes: number;
  /** How often each reason was logged. */
  readonly reasons: ReadonlyMap<string, number>;
  /** The errors behind "request handling failed" closes: faults of the server, not of the frame. */
  readonly faults: ReadonlyMap<string, number>;
}

export function closeLog(): CloseLog {
  const reasons = new Map<string, number>();
  const faults = new Map<string, number>();
  let closes = 0;
  const stream = {
    write(line: string) {
      const { msg, err, stack } = JSON.parse(line) as { msg?: string; err?: unknown; stack?: string };
      if (!msg?.startsWith('closing connection: ')) return;
      closes++;
      const reason = msg.slice('closing connection: '.length);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      if (reason === 'request handling failed') {
        // The message, and where it was thrown from in the server (a handler or the encoder it called).
        const where = stack?.split('\n').find((l) => l.includes('/src/'))?.trim() ?? '';
        const message = typeof err === 'string' ? err : JSON.stringify(err);
        // Details in parentheses (which partitions, which values) would make every fault its own key.
        const fault = `${message.replace(/ \(.*\)/, '')} ${where}`;
        faults.set(fault, (faults.get(fault) ?? 0) + 1);
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
