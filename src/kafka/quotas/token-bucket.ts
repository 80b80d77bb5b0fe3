// The token bucket the controller mutation quota is measured with (KIP-599; Kafka's TokenBucket stat):
// it holds at most a burst of quota * quota.window.num * quota.window.size.seconds tokens, refills at
// the quota per second, and each mutation takes its count of partitions out, which may take it below
// zero. A bucket below zero is over the quota until it refills to zero. Pure: the time is passed in.
import type { RateWindowConfig } from './sampled-rate.js';

export class TokenBucket {
  // Full at the start: Kafka's bucket is last refilled at time 0, so its first refill fills it to the burst.
  private tokens = Number.POSITIVE_INFINITY;
  private lastMs: number;

  constructor(
    private readonly windows: RateWindowConfig,
    nowMs: number,
  ) {
    this.lastMs = nowMs;
  }

  /** The tokens left at `nowMs` under `quota` per second; below zero when the quota is exceeded. */
  measure(quota: number, nowMs: number): number {
    this.refill(quota, nowMs);
    return this.tokens;
  }

  record(value: number, quota: number, nowMs: number): void {
    this.refill(quota, nowMs);
    this.tokens = Math.min(this.burst(quota), this.tokens - value);
  }

  private refill(quota: number, nowMs: number): void {
    // The quota is read at each call, so a changed quota changes the burst and the refill at once, as Kafka's metric config does.
    this.tokens = Math.min(this.burst(quota), this.tokens + (quota * Math.max(0, nowMs - this.lastMs)) / 1000);
    this.lastMs = Math.max(this.lastMs, nowMs);
  }

  private burst(quota: number): number {
    return (quota * this.windows.samples * this.windows.sampleMs) / 1000;
  }
}
