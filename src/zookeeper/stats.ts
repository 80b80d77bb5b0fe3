// Server-wide counters the four-letter words and mntr report: packets and request latency.
import type { ClientConnection } from './connection.js';

export class ServerStats {
  received = 0;
  /** Packets sent on connections that have closed; live ones count their own. */
  private sentByClosed = 0;
  private latencyCount = 0;
  private latencyTotal = 0;
  minLatency = 0;
  maxLatency = 0;

  /** A request answered `ms` after it arrived. */
  replied(ms: number): void {
    if (this.latencyCount === 0 || ms < this.minLatency) this.minLatency = ms;
    if (ms > this.maxLatency) this.maxLatency = ms;
    this.latencyTotal += ms;
    this.latencyCount++;
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
