// The controller mutation quota of one CreateTopics, CreatePartitions or DeleteTopics request (KIP-599,
// Kafka's ControllerMutationQuotaManager): each topic's partitions created, added or deleted are taken
// from the (user, client-id)'s token bucket. From the versions whose clients retry
// THROTTLING_QUOTA_EXCEEDED (CreateTopics v6, CreatePartitions v3, DeleteTopics v5) the quota is strict:
// a topic met by a bucket already below zero is refused with that error, while a topic that fits into
// what is left, or takes the bucket below zero, goes through (a burst may overdraw the bucket once).
// Older versions are permissive: everything goes through and the response is throttled by the
// overdraft instead. Pure: the time is passed in.
import { ApiKey, errorInfo, ErrorCode } from '../../../protocol/kafka/index.js';
import type { RequestContext } from '../handler.js';
import type { ClientQuotaManager, QuotaSensor } from './quota-manager.js';
import type { RateWindowConfig } from './sampled-rate.js';
import type { TokenBucket } from './token-bucket.js';

const STRICT_SINCE: ReadonlyMap<number, number> = new Map([
  [ApiKey.CreateTopics, 6],
  [ApiKey.CreatePartitions, 3],
  [ApiKey.DeleteTopics, 5],
]);

/** Whether a request of this API version is refused topics over the quota, rather than only throttled. */
export function strictMutationQuota(apiKey: number, apiVersion: number): boolean {
  return apiVersion >= (STRICT_SINCE.get(apiKey) ?? Number.POSITIVE_INFINITY);
}

/** The mutation quota of a request to `apiKey` (CreateTopics, CreatePartitions, DeleteTopics), by its principal and client id. */
export function requestMutationQuota(
  quotas: Pick<ClientQuotaManager, 'mutationQuota'>,
  ctx: Pick<RequestContext, 'apiVersion' | 'clientId' | 'principal'>,
  apiKey: number,
  nowMs: number,
): MutationQuota {
  return quotas.mutationQuota(ctx.principal.name, ctx.clientId ?? '', strictMutationQuota(apiKey, ctx.apiVersion), nowMs);
}

/** The message Kafka gives each topic refused for the quota. */
export const THROTTLED_MESSAGE = errorInfo(ErrorCode.THROTTLING_QUOTA_EXCEEDED).message;

/** throttle_time_ms is an INT32: a bucket overdrawn by an absurd request is not waited out for longer. */
const MAX_THROTTLE_MS = 2 ** 31 - 1;

export interface MutationQuota {
  /**
   * Takes `partitions` mutations at `nowMs`; false when a strict quota refuses them (the topic is
   * answered THROTTLING_QUOTA_EXCEEDED and nothing is counted).
   */
  admit(partitions: number, nowMs: number): boolean;
  /** The throttle time the response carries at `nowMs`; call once, when answering (it is counted for /metrics). */
  responseThrottleMs(nowMs: number): number;
}

/** For requests no controller_mutation_rate applies to. */
export const UNBOUNDED_MUTATIONS: MutationQuota = {
  admit: () => true,
  responseThrottleMs: () => 0,
};

export class BucketMutationQuota implements MutationQuota {
  private throttleMs = 0;
  private throttledAtMs = 0;

  constructor(
    private readonly sensor: QuotaSensor,
    private readonly bucket: TokenBucket,
    private readonly quota: number,
    private readonly strict: boolean,
    private readonly windows: RateWindowConfig,
  ) {}

  admit(partitions: number, nowMs: number): boolean {
    const { bucket } = this;
    const { rate } = this.sensor;
    if (this.strict) {
      const before = bucket.measure(this.quota, nowMs);
      if (before < 0) {
        this.overdrawn(before, nowMs);
        return false;
      }
      bucket.record(partitions, this.quota, nowMs);
      rate.record(partitions, nowMs);
      return true;
    }
    bucket.record(partitions, this.quota, nowMs);
    rate.record(partitions, nowMs);
    const after = bucket.measure(this.quota, nowMs);
    if (after < 0) this.overdrawn(after, nowMs);
    return true;
  }

  responseThrottleMs(nowMs: number): number {
    // The time since the overdraft was measured counts: the bucket has refilled meanwhile.
    const throttleMs = Math.max(0, this.throttleMs - (nowMs - this.throttledAtMs));
    if (throttleMs > 0) {
      this.sensor.throttleTimeMsTotal += throttleMs;
      this.sensor.throttledResponses++;
    }
    return throttleMs;
  }

  /**
   * The time the bucket takes to refill to zero, as Kafka throttles: -tokens / quota seconds. A zero
   * quota never refills; its client is held for the quota's whole window, as the byte rates hold it.
   */
  private overdrawn(tokens: number, nowMs: number): void {
    const { samples, sampleMs } = this.windows;
    this.throttleMs = this.quota > 0 ? Math.min(MAX_THROTTLE_MS, Math.round((-tokens / this.quota) * 1000)) : samples * sampleMs;
    this.throttledAtMs = nowMs;
  }
}
