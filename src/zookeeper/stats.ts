// Server-wide counters the four-letter words, mntr and /metrics report: packets, request latency, fsync time.
import type { ClientConnection } from './connection.js';

/** Count and total of a duration, as a Prometheus summary's _count and _sum (no quantiles: they would need a sketch per observation). */
export class DurationSum {
  count = 0;
  totalMs = 0;
  minMs = 0;
  maxMs = 0;

  add(ms: number): void {
    if (this.count === 0 || ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    this.count++;
    this.totalMs += ms;
  }
}

export class ServerStats {
  private readonly startedAt = performance.now();
  received = 0;
  /** Packets sent on connections that have closed; live ones count their own. */
  private sentByClosed = 0;
  private latencyCount = 0;
  private latencyTotal = 0;
  minLatency = 0;
  maxLatency = 0;
  /** ZooKeeper's readlatency and updatelatency summaries. */
  readonly readLatency = new DurationSum();
  readonly updateLatency = new DurationSum();
  /** ZooKeeper's fsynctime: each sync of the transaction log. */
  readonly fsyncTime = new DurationSum();

  /** A request answered `ms` after it arrived; `write` for one that changed state. */
  replied(ms: number, write: boolean): void {
    if (this.latencyCount === 0 || ms < this.minLatency) this.minLatency = ms;
    if (ms > this.maxLatency) this.maxLatency = ms;
    this.latencyTotal += ms;
    this.latencyCount++;
    (write ? this.updateLatency : this.readLatency).add(ms);
  }

  synced(ms: number): void {
    this.fsyncTime.add(ms);
  }

  get uptimeMs(): number {
    return performance.now() - this.startedAt;
  }

  get avgLatency(): number {
    return this.latencyCount === 0 ? 0 : this.latencyTotal / this.latencyCount;
  }

  addClosed(conn: ClientConnection): void {
    this.sentByClosed += conn.packetsSent;
  }

  sent(live: Iterable<ClientConnection>): number {
    let n = this.sentByClosed;
    for (const c of live) n += c.packetsSent;
    return n;
  }
}
