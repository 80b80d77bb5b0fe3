// Enforces client quotas as Kafka's ClientQuotaManager does: each request's bytes (produce: the request,
// fetch: the response) or handler time (request_percentage) is recorded against the rate of the entity
// whose quota applies, and a rate over the quota earns a throttle time the response carries. With no
// quota of a kind configured nothing is recorded: one map lookup per request. Controller mutations
// (partitions created and deleted) are measured with a token bucket instead (mutation-quota.ts).
import { BucketMutationQuota, UNBOUNDED_MUTATIONS, type MutationQuota } from './mutation-quota.js';
import { CONNECTION_CREATION_RATE, CONSUMER_BYTE_RATE, CONTROLLER_MUTATION_RATE, PRODUCER_BYTE_RATE, REQUEST_PERCENTAGE } from './quota-entity.js';
import type { QuotaTable } from './quota-table.js';
import { SampledRate, throttleTimeMs, type RateWindowConfig } from './sampled-rate.js';
import { TokenBucket } from './token-bucket.js';

export type QuotaKind = 'produce' | 'fetch' | 'request' | 'connection' | 'mutation';

const KEY_OF_KIND: Readonly<Record<QuotaKind, string>> = {
  produce: PRODUCER_BYTE_RATE,
  fetch: CONSUMER_BYTE_RATE,
  request: REQUEST_PERCENTAGE,
  connection: CONNECTION_CREATION_RATE,
  mutation: CONTROLLER_MUTATION_RATE,
};

/** Rates tracked at most; past it the least recently used is dropped (it starts again from zero if it returns). */
export const MAX_QUOTA_SENSORS = 10_000;

/** One entity's rate of one kind, and what it was throttled for /metrics. */
export interface QuotaSensor {
  readonly kind: QuotaKind;
  readonly user: string;
  readonly clientId: string;
  readonly rate: SampledRate;
  /** Mutation sensors only (else null): the bucket controller_mutation_rate is enforced on; their `rate` is only reported. */
  readonly bucket: TokenBucket | null;
  throttleTimeMsTotal: number;
  throttledResponses: number;
}

export class ClientQuotaManager {
  private readonly sensors = new Map<string, QuotaSensor>();

  constructor(
    readonly table: QuotaTable,
    private readonly windows: RateWindowConfig,
  ) {}

  /** Whether a quota of this kind is set for anyone: the callers' fast path. */
  enforces(kind: QuotaKind): boolean {
    return this.table.uses(KEY_OF_KIND[kind]);
  }

  /**
   * Records `value` (bytes, or percent-seconds of handler time) for `user` with `clientId`; the throttle
   * time in ms the rate now earns, 0 within the quota or with none.
   */
  record(kind: QuotaKind, user: string, clientId: string, value: number, nowMs: number): number {
    const match = this.table.resolve(KEY_OF_KIND[kind], user, clientId);
    if (match === undefined) return 0;
    const sensor = this.sensorOf(kind, match.user, match.clientId, nowMs);
    sensor.rate.record(value, nowMs);
    const rate = sensor.rate.rate(nowMs);
    if (rate <= match.quota) return 0;
    const spanMs = sensor.rate.spanMs(nowMs);
    // Kafka bounds the request-time throttle by one window; byte-rate throttles are as long as the rate needs.
    const throttleMs = kind === 'request' ? Math.min(throttleTimeMs(rate, match.quota, spanMs), this.windows.sampleMs) : throttleTimeMs(rate, match.quota, spanMs);
    sensor.throttleTimeMsTotal += throttleMs;
    sensor.throttledResponses++;
    return throttleMs;
  }

  /**
   * The controller mutation quota of one CreateTopics, CreatePartitions or DeleteTopics request by `user`
   * with `clientId`: strict (topics over the quota refused) or permissive (only throttled).
   */
  mutationQuota(user: string, clientId: string, strict: boolean, nowMs: number): MutationQuota {
    const match = this.table.resolve(CONTROLLER_MUTATION_RATE, user, clientId);
    if (match === undefined) return UNBOUNDED_MUTATIONS;
    const sensor = this.sensorOf('mutation', match.user, match.clientId, nowMs);
    return new BucketMutationQuota(sensor, sensor.bucket!, match.quota, strict, this.windows);
  }

  /**
   * Whether a new connection from `address` stays within its ip's connection_creation_rate quota (its own,
   * else the <default> ip's); one that would not is refused and not counted, so a client retrying in a
   * loop gets in again as soon as its admitted connections' rate allows.
   */
  admitsConnection(address: string, nowMs: number): boolean {
    if (!this.table.uses(CONNECTION_CREATION_RATE)) return true;
    const ip = address.replace(/^::ffff:/, '');
    const quota = this.table.resolveIp(CONNECTION_CREATION_RATE, ip);
    if (quota === undefined) return true;
    const sensor = this.sensorOf('connection', ip, '', nowMs);
    sensor.rate.record(1, nowMs);
    if (sensor.rate.rate(nowMs) <= quota) return true;
    sensor.rate.record(-1, nowMs);
    sensor.throttledResponses++;
    return false;
  }

  /** Takes back what record() counted for a response that is not sent as counted (a throttled fetch goes out empty). */
  unrecord(kind: QuotaKind, user: string, clientId: string, value: number, nowMs: number): void {
    const match = this.table.resolve(KEY_OF_KIND[kind], user, clientId);
    if (match !== undefined) this.sensorOf(kind, match.user, match.clientId, nowMs).rate.record(-value, nowMs);
  }

  /**
   * The most a response may carry and stay within the quota over the window (Kafka's
   * getMaxValueInQuotaWindow): a fetch asks for no more, so one response cannot earn a throttle of many windows.
   */
  maxValueInWindow(kind: QuotaKind, user: string, clientId: string): number {
    const match = this.table.resolve(KEY_OF_KIND[kind], user, clientId);
    if (match === undefined) return Number.POSITIVE_INFINITY;
    return (match.quota * this.windows.sampleMs * (this.windows.samples - 1)) / 1000;
  }

  /** The rates tracked, for /metrics. */
  all(): IterableIterator<QuotaSensor> {
    return this.sensors.values();
  }

  private sensorOf(kind: QuotaKind, user: string, clientId: string, nowMs: number): QuotaSensor {
    const id = `${kind}\u0000${user}\u0000${clientId}`;
    let sensor = this.sensors.get(id);
    if (sensor !== undefined) {
      // Re-inserted: the map's order is least recently used first.
      this.sensors.delete(id);
    } else {
      if (this.sensors.size >= MAX_QUOTA_SENSORS) this.sensors.delete(this.sensors.keys().next().value!);
      const bucket = kind === 'mutation' ? new TokenBucket(this.windows, nowMs) : null;
      sensor = { kind, user, clientId, rate: new SampledRate(this.windows, nowMs), bucket, throttleTimeMsTotal: 0, throttledResponses: 0 };
    }
    this.sensors.set(id, sensor);
    return sensor;
  }
}
