// Requests per Kafka API and how long each took, kept in flat typed arrays indexed by API key so that
// counting a request allocates nothing; /metrics turns them into Kafka's RequestMetrics shapes at scrape time.

/** API keys are below 128 in every Kafka version so far; a larger key is refused before it is timed. */
export const API_KEY_LIMIT = 128;

/** Upper bounds (ms) of the latency buckets: sub-millisecond local answers up to long-polled fetches. */
export const LATENCY_BUCKETS_MS: readonly number[] = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export class RequestMetrics {
  readonly requests = new Float64Array(API_KEY_LIMIT);
  readonly totalTimeMsSum = new Float64Array(API_KEY_LIMIT);
  /** Per API, per bucket, non-cumulative: row apiKey * (buckets + 1); the last column is +Inf. */
  readonly totalTimeMsBuckets = new Float64Array(API_KEY_LIMIT * (LATENCY_BUCKETS_MS.length + 1));

  /** One request of API `apiKey` answered `ms` after it was read. */
  record(apiKey: number, ms: number): void {
    if (apiKey < 0 || apiKey >= API_KEY_LIMIT) return;
    this.requests[apiKey]!++;
    this.totalTimeMsSum[apiKey]! += ms;
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[bucket]!) bucket++;
    this.totalTimeMsBuckets[apiKey * (LATENCY_BUCKETS_MS.length + 1) + bucket]!++;
  }
}
