// KIP-714 client telemetry, the broker's side: which metrics each client instance is asked for
// (GetTelemetrySubscriptions) and what it pushes (PushTelemetry), with Kafka's checks and error codes in
// Kafka's order. Apache Kafka answers these only with a ClientTelemetry reporter plugin configured and
// hands the payload to it unread; Skein is its own reporter: it decodes the OTLP payload and keeps the
// values for /metrics (pushed-metrics.ts).
//
// State per client instance (a bounded LRU, `clientsMax`): the subscription it was given, when it last
// asked and pushed (Kafka's throttling: one GetTelemetrySubscriptions and one push per interval), whether
// it said it was terminating. An instance silent for EXPIRY_INTERVALS push intervals (at least
// EXPIRY_MS_MIN) is forgotten with its series. The time is handed in: no clock inside.
import { randomBytes } from 'node:crypto';
import { DecodeError } from '../../../protocol/bytes.js';
import { crc32c } from '../../../protocol/checksum/crc32c.js';
import { decompress } from '../../../protocol/kafka/compression/codecs.js';
import { Compression } from '../../../protocol/kafka/records/batch-header.js';
import { ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import type { GetTelemetrySubscriptionsResponseInput, PushTelemetryRequest } from '../../../protocol/kafka/index.js';
import { decodeMetricsData, type OtlpMetric } from '../../../protocol/otlp/metrics-data.js';
import { PushedMetrics } from './pushed-metrics.js';

/** Kafka's metric selector meaning every metric. */
export const ALL_METRICS = '*';
/** An idle instance is forgotten after this many push intervals... */
export const EXPIRY_INTERVALS = 3;
/** ...and never sooner than this, so a short interval does not drop a client between two of its requests. */
export const EXPIRY_MS_MIN = 60_000;
/**
 * Largest payload after decompression. The limit Kafka applies (telemetry.max.bytes) is on the bytes sent;
 * OTLP compresses about tenfold, so 32 times that bounds what a hostile compressed payload can cost.
 */
export const DECOMPRESSION_RATIO_MAX = 32;

/**
 * Compression types accepted for pushes, in the order clients should prefer them (Kafka's order): the
 * client takes the first it supports. All four are the codecs the record batch path already has.
 */
export const ACCEPTED_COMPRESSION: readonly number[] = [Compression.Zstd, Compression.Lz4, Compression.Gzip, Compression.Snappy];

export interface TelemetrySettings {
  /** Metric name prefixes clients are asked for; ['*'] every metric, [] none. */
  readonly metrics: readonly string[];
  readonly pushIntervalMs: number;
  /** Largest push payload as sent (telemetry.max.bytes). */
  readonly maxBytes: number;
  /** Client instances tracked at most; the least recently heard one makes room. */
  readonly clientsMax: number;
  /** Series of pushed metrics kept for /metrics at most. */
  readonly seriesMax: number;
}

/** Who sent a request, for the labels of what it pushes. */
export interface TelemetryClient {
  readonly clientId: string | null;
}

interface Instance {
  readonly subscriptionId: number;
  lastGetMs: number;
  lastPushMs: number;
  lastSeenMs: number;
  terminating: boolean;
  /** The last error a request of this instance was answered with: a client fixing one may ask again at once. */
  lastError: number;
}

type Reply = Pick<GetTelemetrySubscriptionsResponseInput, 'errorCode' | 'clientInstanceId'> & Partial<GetTelemetrySubscriptionsResponseInput>;

/** A client instance id Kafka would hand out: random, never the zero or reserved ids. */
function newInstanceId(): string {
  for (;;) {
    const id = randomBytes(16).toString('hex');
    if (id !== ZERO_UUID && id !== '00000000000000000000000000000001') return id;
  }
}

export class ClientTelemetry {
  private readonly instances = new Map<string, Instance>();
  readonly pushed: PushedMetrics;

  constructor(
    private readonly settings: TelemetrySettings,
    private readonly newId: () => string = newInstanceId,
  ) {
    this.pushed = new PushedMetrics(settings.seriesMax);
  }

  /** Client instances tracked now. */
  get clients(): number {
    return this.instances.size;
  }

  /** GetTelemetrySubscriptions: the subscription of the instance, created on its first request. */
  getSubscriptions(clientInstanceId: string, now: number): Reply {
    this.expire(now);
    const id = clientInstanceId === ZERO_UUID ? this.newId() : clientInstanceId;
    const instance = this.instance(id, now);
    // Kafka's throttle: one request per push interval, except right after an error the client can fix.
    const sinceLast = now - Math.max(instance.lastGetMs, instance.lastPushMs);
    const fixing = instance.lastError === ErrorCode.UNKNOWN_SUBSCRIPTION_ID || instance.lastError === ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
    if (sinceLast < this.settings.pushIntervalMs && !fixing) {
      return { errorCode: (instance.lastError = ErrorCode.THROTTLING_QUOTA_EXCEEDED), clientInstanceId: id };
    }
    instance.lastGetMs = now;
    instance.lastError = ErrorCode.NONE;
    return {
      errorCode: ErrorCode.NONE,
      // Always the instance's id (Kafka does too): librdkafka takes whatever comes back as its id.
      clientInstanceId: id,
      subscriptionId: instance.subscriptionId,
      acceptedCompressionTypes: [...ACCEPTED_COMPRESSION],
      pushIntervalMs: this.settings.pushIntervalMs,
      telemetryMaxBytes: this.settings.maxBytes,
      // Cumulative sums map straight onto Prometheus counters; deltas would have to be added up here.
      deltaTemporality: false,
      requestedMetrics: [...this.settings.metrics],
    };
  }

  /** PushTelemetry: the error code to answer (NONE when taken). */
  push(request: PushTelemetryRequest, client: TelemetryClient, now: number): number {
    this.expire(now);
    const id = request.clientInstanceId;
    if (id === ZERO_UUID) return ErrorCode.INVALID_REQUEST;
    const instance = this.instance(id, now);
    const error = this.check(request, instance, now);
    instance.lastError = error;
    if (error !== ErrorCode.NONE) return error;
    if (request.terminating) instance.terminating = true;
    let metrics: readonly OtlpMetric[];
    try {
      const raw = decompress(request.compressionType, request.metrics, this.settings.maxBytes * DECOMPRESSION_RATIO_MAX);
      metrics = this.selected(decodeMetricsData(raw).metrics);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      // KIP-714: the broker could not decode or validate the metrics. librdkafka stops pushing on it.
      return (instance.lastError = ErrorCode.INVALID_RECORD);
    }
    this.pushed.record(id, { client_instance_id: Buffer.from(id, 'hex').toString('base64url'), client_id: client.clientId ?? '' }, metrics);
    return ErrorCode.NONE;
  }

  /** Kafka's checks of a push, in Kafka's order. */
  private check(request: PushTelemetryRequest, instance: Instance, now: number): number {
    if (instance.terminating) return ErrorCode.INVALID_REQUEST;
    // A push right after GetTelemetrySubscriptions is taken whenever it comes: clients add jitter to the
    // first interval. Afterwards one push per interval; the terminating one is always taken.
    const first = instance.lastGetMs > instance.lastPushMs;
    if (!first && now - instance.lastPushMs < this.settings.pushIntervalMs && !request.terminating) return ErrorCode.THROTTLING_QUOTA_EXCEEDED;
    instance.lastPushMs = now;
    if (request.subscriptionId !== instance.subscriptionId) return ErrorCode.UNKNOWN_SUBSCRIPTION_ID;
    if (request.compressionType !== Compression.None && !ACCEPTED_COMPRESSION.includes(request.compressionType)) return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
    if (request.metrics.length > this.settings.maxBytes) return ErrorCode.TELEMETRY_TOO_LARGE;
    return ErrorCode.NONE;
  }

  /** The metrics the subscription asked for (a client may send more than asked; those are not kept). */
  private selected(metrics: readonly OtlpMetric[]): readonly OtlpMetric[] {
    const prefixes = this.settings.metrics;
    if (prefixes.includes(ALL_METRICS)) return metrics;
    return metrics.filter((m) => prefixes.some((p) => m.name.startsWith(p)));
  }

  /** The tracked instance, created (and the least recently heard evicted at the limit) when new; marked as heard now. */
  private instance(id: string, now: number): Instance {
    let instance = this.instances.get(id);
    if (instance) this.instances.delete(id);
    else {
      if (this.instances.size >= this.settings.clientsMax) {
        const oldest = this.instances.keys().next().value!;
        this.forget(oldest);
      }
      // Never asked nor pushed: -Infinity, so the first of each is never throttled.
      instance = { subscriptionId: this.subscriptionId(id), lastGetMs: -Infinity, lastPushMs: -Infinity, lastSeenMs: now, terminating: false, lastError: ErrorCode.NONE };
    }
    instance.lastSeenMs = now;
    // Map order is recency order: re-inserted on every request, the first entry is the least recently heard.
    this.instances.set(id, instance);
    return instance;
  }

  /**
   * A subscription id that changes whenever what the instance is asked for changes and differs between
   * instances (as Kafka's does); derived, not stored, so it survives a restart or an eviction unchanged.
   */
  private subscriptionId(id: string): number {
    const { metrics, pushIntervalMs } = this.settings;
    return crc32c(Buffer.from(`${metrics.join(',')}|${pushIntervalMs}|${id}`)) | 0;
  }

  /** Forgets instances silent for EXPIRY_INTERVALS push intervals, and their series. */
  expire(now: number): void {
    const idleMs = Math.max(EXPIRY_MS_MIN, EXPIRY_INTERVALS * this.settings.pushIntervalMs);
    for (const [id, instance] of this.instances) {
      // Recency order: the first one still fresh means all after it are too.
      if (now - instance.lastSeenMs < idleMs) break;
      this.forget(id);
    }
  }

  private forget(id: string): void {
    this.instances.delete(id);
    this.pushed.forget(id);
  }
}
