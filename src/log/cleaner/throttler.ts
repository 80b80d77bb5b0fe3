// Keeps the cleaner's disk traffic under log.cleaner.io.max.bytes.per.second on average, as Kafka's
// Throttler does: bytes are counted, and once per check interval, if the rate since the last check is
// too high, the cleaner sleeps long enough to bring it back down.

/** How often the rate is checked (Kafka's cleaner uses 300 ms). */
export const THROTTLE_CHECK_INTERVAL_MS = 300;

export class Throttler {
  private periodStart: number;
  private observed = 0;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly clock: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.periodStart = clock();
  }

  /** Counts `bytes` of I/O; resolves after a pause if the rate is above the limit. */
  async maybeThrottle(bytes: number): Promise<void> {
    if (!Number.isFinite(this.bytesPerSecond) || this.bytesPerSecond >= Number.MAX_VALUE) return;
    this.observed += bytes;
    const elapsed = this.clock() - this.periodStart;
    if (elapsed < THROTTLE_CHECK_INTERVAL_MS) return;
    const wanted = (this.observed * 1000) / this.bytesPerSecond;
    if (wanted > elapsed) await this.sleep(wanted - elapsed);
    this.periodStart = this.clock();
    this.observed = 0;
  }
}
