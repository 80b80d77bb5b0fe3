// Failed SASL authentications per client address, so one address cannot try passwords at full speed:
// past MAX_FAILURES_PER_ADDRESS failures within FAILURE_WINDOW_MS, its attempts are refused unchecked
// until the window has passed. Kafka has no such limit (only connection.failed.authentication.delay.ms);
// the issue asks for one. The table itself is bounded (MAX_TRACKED_ADDRESSES), oldest entries going first.

export const MAX_FAILURES_PER_ADDRESS = 10;
export const FAILURE_WINDOW_MS = 60_000;
export const MAX_TRACKED_ADDRESSES = 10_000;

interface Window {
  startedAt: number;
  failures: number;
}

export class AuthFailureLimit {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether attempts from `address` are refused without being checked. */
  blocked(address: string): boolean {
    const w = this.current(address);
    return w !== undefined && w.failures >= MAX_FAILURES_PER_ADDRESS;
  }

  /** Counts one failed authentication from `address`. */
  record(address: string): void {
    const w = this.current(address) ?? { startedAt: this.now(), failures: 0 };
    w.failures++;
    // Re-inserted so the Map's order is least recently failed first, the order eviction follows.
    this.windows.delete(address);
    this.windows.set(address, w);
    if (this.windows.size > MAX_TRACKED_ADDRESSES) this.windows.delete(this.windows.keys().next().value!);
  }

  private current(address: string): Window | undefined {
    const w = this.windows.get(address);
    if (w && this.now() - w.startedAt >= FAILURE_WINDOW_MS) {
      this.windows.delete(address);
      return undefined;
    }
    return w;
  }
}
