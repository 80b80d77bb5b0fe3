// Latency bookkeeping for the perf commands: every sample kept (a Float64Array sized up front, so a long
// run costs one allocation and no garbage), percentiles by sorting once at the end.

/** The figures Kafka's perf tools print for a latency distribution, in milliseconds. */
export interface LatencySummary {
  avgMs: number;
  maxMs: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
}

export class LatencyRecorder {
  private readonly samples: Float64Array;
  private count = 0;
  private sum = 0;
  private max = 0;
  private windowCount = 0;
  private windowSum = 0;
  private windowMax = 0;

  /** Keeps the first `capacity` samples for percentiles; the count, average and maximum see every sample. */
  constructor(capacity: number) {
    this.samples = new Float64Array(Math.max(1, capacity));
  }

  get recorded(): number {
    return this.count;
  }

  record(latencyMs: number): void {
    if (this.count < this.samples.length) this.samples[this.count] = latencyMs;
    this.count++;
    this.sum += latencyMs;
    if (latencyMs > this.max) this.max = latencyMs;
    this.windowCount++;
    this.windowSum += latencyMs;
    if (latencyMs > this.windowMax) this.windowMax = latencyMs;
  }

  /** Average and maximum since the last call, for the periodic report. */
  takeWindow(): { count: number; avgMs: number; maxMs: number } {
    const out = { count: this.windowCount, avgMs: this.windowCount === 0 ? 0 : this.windowSum / this.windowCount, maxMs: this.windowMax };
    this.windowCount = 0;
    this.windowSum = 0;
    this.windowMax = 0;
    return out;
  }

  summary(): LatencySummary {
    const n = Math.min(this.count, this.samples.length);
    const sorted = this.samples.subarray(0, n).sort();
    const at = (q: number): number => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.floor(q * n))]!);
    return { avgMs: this.count === 0 ? 0 : this.sum / this.count, maxMs: this.max, p50: at(0.5), p95: at(0.95), p99: at(0.99), p999: at(0.999) };
  }
}

/** Kafka's latency tail: "2.10 ms avg latency, 9.00 ms max latency, 2 ms 50th, 4 ms 95th, 6 ms 99th, 9 ms 99.9th." */
export function formatLatency(s: LatencySummary): string {
  return (
    `${s.avgMs.toFixed(2)} ms avg latency, ${s.maxMs.toFixed(2)} ms max latency, ` +
    `${s.p50.toFixed(0)} ms 50th, ${s.p95.toFixed(0)} ms 95th, ${s.p99.toFixed(0)} ms 99th, ${s.p999.toFixed(0)} ms 99.9th.`
  );
}
