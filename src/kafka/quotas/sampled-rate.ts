// A rate over sample windows and the throttle time a quota violation earns, as Kafka's client quota
// managers compute them (its metrics' SampledStat, Rate and QuotaUtils): `samples` windows of `sampleMs`
// each; a window older than all of them together is forgotten; the rate is the sum over the windows
// divided by the time they cover, counted as at least samples-1 full windows so a burst right after a
// quiet spell is not divided by a tiny span. Pure: the time is passed in, nothing reads a clock.

export interface RateWindowConfig {
  /** quota.window.num */
  samples: number;
  /** quota.window.size.seconds, in ms */
  sampleMs: number;
}

interface Sample {
  startMs: number;
  value: number;
}

export class SampledRate {
  private readonly windows: Sample[];
  private current = 0;

  constructor(
    private readonly config: RateWindowConfig,
    nowMs: number,
  ) {
    this.windows = Array.from({ length: config.samples }, () => ({ startMs: nowMs, value: 0 }));
  }

  record(value: number, nowMs: number): void {
    this.advance(nowMs);
    this.windows[this.current]!.value += value;
  }

  /** Per second, over the windows still held at `nowMs`. */
  rate(nowMs: number): number {
    this.advance(nowMs);
    let total = 0;
    for (const w of this.windows) total += w.value;
    return (total * 1000) / this.spanMs(nowMs);
  }

  /** The time the rate divides by: since the oldest window began, at least samples-1 full windows. */
  spanMs(nowMs: number): number {
    let oldest = nowMs;
    for (const w of this.windows) oldest = Math.min(oldest, w.startMs);
    const elapsed = nowMs - oldest;
    const fullWindows = Math.floor(elapsed / this.config.sampleMs);
    const minFull = this.config.samples - 1;
    return fullWindows < minFull ? elapsed + (minFull - fullWindows) * this.config.sampleMs : Math.max(elapsed, 1);
  }

  /** Moves to a fresh window when the current one is full, and forgets windows past the whole span. */
  private advance(nowMs: number): void {
    const { samples, sampleMs } = this.config;
    for (const w of this.windows) {
      if (nowMs - w.startMs >= samples * sampleMs) {
        w.startMs = nowMs;
        w.value = 0;
      }
    }
    const cur = this.windows[this.current]!;
    if (nowMs - cur.startMs >= sampleMs) {
      this.current = (this.current + 1) % samples;
      const next = this.windows[this.current]!;
      next.startMs = nowMs;
      next.value = 0;
    }
  }
}

/**
 * Kafka's throttle time for a rate over its quota: how long the client must stay quiet for the rate
 * over the same span to fall back to the quota, (rate - quota) / quota * span. 0 within the quota.
 */
export function throttleTimeMs(rate: number, quota: number, spanMs: number): number {
  if (rate <= quota) return 0;
  if (quota <= 0) return spanMs;
  return Math.round(((rate - quota) / quota) * spanMs);
}
