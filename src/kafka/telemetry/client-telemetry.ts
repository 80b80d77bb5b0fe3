// KIP-714 client telemetry, the broker's side: which metrics each client instance is asked for
// (GetTelemetrySubscriptions) and what it pushes (PushTelemetry), with Kafka's checks and error codes in
// Kafka's order. Apache Kafka answers these only with a ClientTelemetry reporter plugin configured and
// hands the payload to it unread; Skein is its own reporter: it decodes the OTLP payload and keeps the
// values for /metrics (pushed-metrics.ts).
//
// What an instance is asked for is the union of the client-metrics subscriptions it matches (Kafka's
// CLIENT_METRICS config resources, client-metrics-resources.ts), computed at its first request from what
// the client said of itself then (Kafka's ClientMetricsInstanceMetadata), and again when the
// subscriptions have changed since. No subscription matches: nothing is asked for, as Kafka.
//
// State per client instance (a bounded LRU, `clientsMax`): the subscription it was given, when it last
// asked and pushed (Kafka's throttling: one GetTelemetrySubscriptions and one push per interval), whether
// it said it was terminating. An instance silent for EXPIRY_INTERVALS of its push intervals (at least
// EXPIRY_MS_MIN) is forgotten with its series. The time is handed in: no clock inside.
import { randomBytes } from 'node:crypto';
import { DecodeError } from '../../../protocol/bytes.js';
import { crc32c } from '../../../protocol/checksum/crc32c.js';
import { decompress } from '../../../protocol/kafka/compression/codecs.js';
import { Compression } from '../../../protocol/kafka/records/batch-header.js';
import { ErrorCode, ZERO_UUID } from '../../../protocol/kafka/index.js';
import type { GetTelemetrySubscriptionsResponseInput, PushTelemetryRequest } from '../../../protocol/kafka/index.js';
import { decodeMetricsData, type OtlpMetric } from '../../../protocol/otlp/metrics-data.js';
import type { ClientInformation } from '../client-information.js';
import { ALL_METRICS, type ClientAttributes, type ClientSubscription } from './client-metrics-config.js';
import { PushedMetrics } from './pushed-metrics.js';
/** An idle instance is forgotten after this many push intervals... */
export const EXPIRY_INTERVALS = 3;
/** ...and never sooner than this, so a short interval does not drop a client between two of its requests. */
export const EXPIRY_MS_MIN = 60_000;
/** Idle instances are looked for at most this often: the look walks every instance heard from over a minute ago. */
export const EXPIRY_SWEEP_MS = 1_000;
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

/** The client-metrics subscriptions (client-metrics-resources.ts), as instances are matched against them. */
export interface SubscriptionSource {
  /** Changes whenever a subscription does. */
  readonly version: number;
  subscriptionFor(client: ClientAttributes): ClientSubscription;
}

export interface TelemetrySettings {
  /** Largest push payload as sent (telemetry.max.bytes). */
  readonly maxBytes: number;
  /** Client instances tracked at most; the least recently heard one makes room. */
  readonly clientsMax: number;
  /** Series of pushed metrics kept for /metrics at most. */
  readonly seriesMax: number;
}

/** Who sent a request: what subscriptions match, and the labels of what it pushes. */
export interface TelemetryClient {
  readonly clientId: string | null;
  readonly client: ClientInformation;
}

interface Instance {
  /** What the client said of itself at its first request: Kafka matches subscriptions on it ever after. */
  readonly attributes: ClientAttributes;
  subscription: ClientSubscription;
  subscriptionId: number;
  /** The subscriptions' version the subscription was computed at. */
  version: number;
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

/** Kafka's text form of a uuid (Uuid.toString): 22 characters of base64url. */
function uuidText(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64url');
}

export class ClientTelemetry {
  private readonly instances = new Map<string, Instance>();
  private nextSweepMs = -Infinity;
  readonly pushed: PushedMetrics;

  constructor(
    private readonly settings: TelemetrySettings,
    private readonly subscriptions: SubscriptionSource,
    private readonly newId: () => string = newInstanceId,
  ) {
    this.pushed = new PushedMetrics(settings.seriesMax);
  }

  /** Client instances tracked now. */
  get clients(): number {
    return this.instances.size;
  }

  /** GetTelemetrySubscriptions: the subscription of the instance, created on its first request. */
  getSubscriptions(clientInstanceId: string, client: TelemetryClient, now: number): Reply {
    this.sweep(now);
    const id = clientInstanceId === ZERO_UUID ? this.newId() : clientInstanceId;
    const instance = this.instance(id, client, now);
    // Kafka's throttle: one request per push interval, except right after an error the client can fix.
    const sinceLast = now - Math.max(instance.lastGetMs, instance.lastPushMs);
    const fixing = instance.lastError === ErrorCode.UNKNOWN_SUBSCRIPTION_ID || instance.lastError === ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
    if (sinceLast < instance.subscription.intervalMs && !fixing) {
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
      pushIntervalMs: instance.subscription.intervalMs,
      telemetryMaxBytes: this.settings.maxBytes,
      // Cumulative sums map straight onto Prometheus counters; deltas would have to be added up here.
      deltaTemporality: false,
      requestedMetrics: [...instance.subscription.metrics],
    };
  }

  /** PushTelemetry: the error code to answer (NONE when taken). */
  push(request: PushTelemetryRequest, client: TelemetryClient, now: number): number {
    this.sweep(now);
    const id = request.clientInstanceId;
    if (id === ZERO_UUID) return ErrorCode.INVALID_REQUEST;
    const instance = this.instance(id, client, now);
    const error = this.check(request, instance, now);
    instance.lastError = error;
    if (error !== ErrorCode.NONE) return error;
    if (request.terminating) instance.terminating = true;
    let metrics: readonly OtlpMetric[];
    try {
      const raw = decompress(request.compressionType, request.metrics, this.settings.maxBytes * DECOMPRESSION_RATIO_MAX);
      metrics = selected(decodeMetricsData(raw).metrics, instance.subscription.metrics);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      // KIP-714: the broker could not decode or validate the metrics. librdkafka stops pushing on it.
      return (instance.lastError = ErrorCode.INVALID_RECORD);
    }
    this.pushed.record(id, { client_instance_id: uuidText(id), client_id: client.clientId ?? '' }, metrics);
    return ErrorCode.NONE;
  }

  /** Kafka's checks of a push, in Kafka's order. */
  private check(request: PushTelemetryRequest, instance: Instance, now: number): number {
    if (instance.terminating) return ErrorCode.INVALID_REQUEST;
    // A push right after GetTelemetrySubscriptions is taken whenever it comes: clients add jitter to the
    // first interval. Afterwards one push per interval; the terminating one is always taken.
    const first = instance.lastGetMs > instance.lastPushMs;
    if (!first && now - instance.lastPushMs < instance.subscription.intervalMs && !request.terminating) return ErrorCode.THROTTLING_QUOTA_EXCEEDED;
    instance.lastPushMs = now;
    if (request.subscriptionId !== instance.subscriptionId) return ErrorCode.UNKNOWN_SUBSCRIPTION_ID;
    if (request.compressionType !== Compression.None && !ACCEPTED_COMPRESSION.includes(request.compressionType)) return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
    if (request.metrics.length > this.settings.maxBytes) return ErrorCode.TELEMETRY_TOO_LARGE;
    return ErrorCode.NONE;
  }

  /**
   * The tracked instance, created (and the least recently heard evicted at the limit) when new, its
   * subscription computed again when the subscriptions changed since; marked as heard now.
   */
  private instance(id: string, client: TelemetryClient, now: number): Instance {
    let instance = this.instances.get(id);
    if (instance) this.instances.delete(id);
    else {
      if (this.instances.size >= this.settings.clientsMax) {
        const oldest = this.instances.keys().next().value!;
        this.forget(oldest);
      }
      const attributes = attributesOf(id, client);
      const subscription = this.subscriptions.subscriptionFor(attributes);
      // Never asked nor pushed: -Infinity, so the first of each is never throttled.
      instance = {
        attributes,
        subscription,
        subscriptionId: subscriptionId(subscription, id),
        version: this.subscriptions.version,
        lastGetMs: -Infinity,
        lastPushMs: -Infinity,
        lastSeenMs: now,
        terminating: false,
        lastError: ErrorCode.NONE,
      };
    }
    if (instance.version !== this.subscriptions.version) {
      instance.version = this.subscriptions.version;
      instance.subscription = this.subscriptions.subscriptionFor(instance.attributes);
      instance.subscriptionId = subscriptionId(instance.subscription, id);
    }
    instance.lastSeenMs = now;
    // Map order is recency order: re-inserted on every request, the first entry is the least recently heard.
    this.instances.set(id, instance);
    return instance;
  }

  /** expire(), at most once per EXPIRY_SWEEP_MS. */
  private sweep(now: number): void {
    if (now < this.nextSweepMs) return;
    this.nextSweepMs = now + EXPIRY_SWEEP_MS;
    this.expire(now);
  }

  /** Forgets instances silent for EXPIRY_INTERVALS of their push intervals (at least EXPIRY_MS_MIN), and their series. */
  expire(now: number): void {
    for (const [id, instance] of this.instances) {
      const idle = now - instance.lastSeenMs;
      // Recency order: once one was heard within the minimum, all after it were too.
      if (idle < EXPIRY_MS_MIN) break;
      if (idle >= Math.max(EXPIRY_MS_MIN, EXPIRY_INTERVALS * instance.subscription.intervalMs)) this.forget(id);
    }
  }

  private forget(id: string): void {
    this.instances.delete(id);
    this.pushed.forget(id);
  }
}

/** The metrics the subscription asked for (a client may send more than asked; those are not kept). */
function selected(metrics: readonly OtlpMetric[], prefixes: readonly string[]): readonly OtlpMetric[] {
  if (prefixes.includes(ALL_METRICS)) return metrics;
  return metrics.filter((m) => prefixes.some((p) => m.name.startsWith(p)));
}

/** What subscriptions match an instance on, by Kafka's selector names. */
function attributesOf(id: string, { clientId, client }: TelemetryClient): ClientAttributes {
  return {
    client_instance_id: uuidText(id),
    client_id: clientId,
    client_software_name: client.softwareName,
    client_software_version: client.softwareVersion,
    client_source_address: client.address,
    client_source_port: String(client.port),
  };
}

/**
 * A subscription id that changes whenever what the instance is asked for changes and differs between
 * instances (as Kafka's does); derived, not stored, so it survives a restart or an eviction unchanged.
 */
function subscriptionId({ metrics, intervalMs }: ClientSubscription, id: string): number {
  return crc32c(Buffer.from(`${metrics.join(',')}|${intervalMs}|${id}`)) | 0;
}
