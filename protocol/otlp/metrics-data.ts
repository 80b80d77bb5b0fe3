// OpenTelemetry's MetricsData protobuf (opentelemetry/proto/metrics/v1/metrics.proto), decoded into the
// metrics a KIP-714 client pushes: gauges, sums and histograms with their data points and attributes,
// each carrying its resource's attributes. Exponential histograms and summaries are counted and skipped
// (neither the Java client nor librdkafka sends them). Pure and bounded: a payload with more data points,
// attributes or buckets than the limits below is refused as a whole (DecodeError), as is any malformed byte.
import { DecodeError } from '../bytes.js';
import { ProtoReader, WireType, type FieldTag } from './protobuf.js';

/** Data points one payload may hold: a client pushes tens to hundreds; more is not a client's telemetry. */
export const DATA_POINTS_MAX = 20_000;
/** Attributes on one resource or data point. */
export const ATTRIBUTES_MAX = 64;
/** Buckets of one histogram data point. */
export const BUCKETS_MAX = 1_000;

/** OTLP's AggregationTemporality. */
export const Temporality = { Unspecified: 0, Delta: 1, Cumulative: 2 } as const;

export type Attributes = Readonly<Record<string, string>>;

export interface NumberPoint {
  readonly attributes: Attributes;
  readonly value: number;
  readonly timeUnixNano: bigint;
}

export interface HistogramPoint {
  readonly attributes: Attributes;
  readonly count: number;
  readonly sum: number;
  /** Per-bucket (not cumulative) counts; one more than bounds, the last above the highest bound. */
  readonly bucketCounts: readonly number[];
  readonly bounds: readonly number[];
  readonly timeUnixNano: bigint;
}

interface MetricBase {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly resource: Attributes;
}

export type OtlpMetric =
  | (MetricBase & { readonly kind: 'gauge'; readonly points: readonly NumberPoint[] })
  | (MetricBase & { readonly kind: 'sum'; readonly monotonic: boolean; readonly temporality: number; readonly points: readonly NumberPoint[] })
  | (MetricBase & { readonly kind: 'histogram'; readonly temporality: number; readonly points: readonly HistogramPoint[] });

export interface MetricsData {
  readonly metrics: readonly OtlpMetric[];
  /** Metrics of kinds decoded as skipped (exponential histograms, summaries). */
  readonly skipped: number;
}

/** Counts data points across the payload against DATA_POINTS_MAX. */
class Budget {
  points = 0;
  skipped = 0;
  point(): void {
    if (++this.points > DATA_POINTS_MAX) throw new DecodeError(`OTLP payload has more than ${DATA_POINTS_MAX} data points`);
  }
}

function fields(r: ProtoReader, each: (tag: FieldTag) => void): void {
  while (!r.done) each(r.tag());
}

/** AnyValue as text; arrays and key-value lists (never sent by Kafka clients) are left out (undefined). */
function anyValue(r: ProtoReader): string | undefined {
  let value: string | undefined;
  fields(r, (tag) => {
    switch (tag.field) {
      case 1:
        ProtoReader.expect(tag, WireType.Len);
        value = r.string();
        return;
      case 2:
        ProtoReader.expect(tag, WireType.Varint);
        value = String(r.bool());
        return;
      case 3:
        ProtoReader.expect(tag, WireType.Varint);
        value = BigInt.asIntN(64, r.varintBig()).toString();
        return;
      case 4:
        ProtoReader.expect(tag, WireType.Fixed64);
        value = String(r.double());
        return;
      case 7:
        ProtoReader.expect(tag, WireType.Len);
        value = r.bytes().toString('base64');
        return;
      default:
        r.skip(tag.wireType);
    }
  });
  return value;
}

function keyValue(r: ProtoReader, into: Record<string, string>): void {
  let key = '';
  let value: string | undefined;
  fields(r, (tag) => {
    if (tag.field === 1) {
      ProtoReader.expect(tag, WireType.Len);
      key = r.string();
    } else if (tag.field === 2) {
      ProtoReader.expect(tag, WireType.Len);
      value = anyValue(r.sub());
    } else r.skip(tag.wireType);
  });
  if (value === undefined) return;
  if (!(key in into) && Object.keys(into).length >= ATTRIBUTES_MAX) throw new DecodeError(`more than ${ATTRIBUTES_MAX} attributes`);
  into[key] = value;
}

function numberPoint(r: ProtoReader): NumberPoint {
  const attributes: Record<string, string> = {};
  let value = 0;
  let timeUnixNano = 0n;
  fields(r, (tag) => {
    switch (tag.field) {
      case 7:
        ProtoReader.expect(tag, WireType.Len);
        keyValue(r.sub(), attributes);
        return;
      case 3:
        ProtoReader.expect(tag, WireType.Fixed64);
        timeUnixNano = r.fixed64();
        return;
      case 4:
        ProtoReader.expect(tag, WireType.Fixed64);
        value = r.double();
        return;
      case 6:
        ProtoReader.expect(tag, WireType.Fixed64);
        value = r.sfixed64();
        return;
      default:
        r.skip(tag.wireType);
    }
  });
  return { attributes, value, timeUnixNano };
}

/** A repeated fixed64 or double: packed (one length-delimited run) or one value per tag, as protobuf allows. */
function repeated64(r: ProtoReader, tag: FieldTag, out: number[], max: number, read: (r: ProtoReader) => number): void {
  const push = (v: number) => {
    if (out.length >= max) throw new DecodeError(`histogram has more than ${BUCKETS_MAX} buckets`);
    out.push(v);
  };
  if (tag.wireType === WireType.Len) {
    const run = r.sub();
    while (!run.done) push(read(run));
  } else {
    ProtoReader.expect(tag, WireType.Fixed64);
    push(read(r));
  }
}

function histogramPoint(r: ProtoReader): HistogramPoint {
  const attributes: Record<string, string> = {};
  const bucketCounts: number[] = [];
  const bounds: number[] = [];
  let count = 0;
  let sum = 0;
  let timeUnixNano = 0n;
  fields(r, (tag) => {
    switch (tag.field) {
      case 9:
        ProtoReader.expect(tag, WireType.Len);
        keyValue(r.sub(), attributes);
        return;
      case 3:
        ProtoReader.expect(tag, WireType.Fixed64);
        timeUnixNano = r.fixed64();
        return;
      case 4:
        ProtoReader.expect(tag, WireType.Fixed64);
        count = Number(r.fixed64());
        return;
      case 5:
        ProtoReader.expect(tag, WireType.Fixed64);
        sum = r.double();
        return;
      case 6:
        repeated64(r, tag, bucketCounts, BUCKETS_MAX, (x) => Number(x.fixed64()));
        return;
      case 7:
        repeated64(r, tag, bounds, BUCKETS_MAX - 1, (x) => x.double());
        return;
      default:
        r.skip(tag.wireType);
    }
  });
  // OTLP: bucket_counts is empty or has exactly one more entry than explicit_bounds.
  if (bucketCounts.length !== 0 && bucketCounts.length !== bounds.length + 1) {
    throw new DecodeError(`histogram has ${bucketCounts.length} bucket counts for ${bounds.length} bounds`);
  }
  return { attributes, count, sum, bucketCounts, bounds, timeUnixNano };
}

/** Gauge, Sum and Histogram share a shape: repeated points in field 1, temporality 2, (Sum) monotonic 3. */
function points<P>(r: ProtoReader, budget: Budget, point: (r: ProtoReader) => P): { points: P[]; temporality: number; monotonic: boolean } {
  const out: P[] = [];
  let temporality: number = Temporality.Unspecified;
  let monotonic = false;
  fields(r, (tag) => {
    if (tag.field === 1) {
      ProtoReader.expect(tag, WireType.Len);
      budget.point();
      out.push(point(r.sub()));
    } else if (tag.field === 2) {
      ProtoReader.expect(tag, WireType.Varint);
      temporality = r.uint32();
    } else if (tag.field === 3) {
      ProtoReader.expect(tag, WireType.Varint);
      monotonic = r.bool();
    } else r.skip(tag.wireType);
  });
  return { points: out, temporality, monotonic };
}

function metric(r: ProtoReader, resource: Attributes, budget: Budget): OtlpMetric | undefined {
  let name = '';
  let description = '';
  let unit = '';
  let data: OtlpMetric | undefined;
  let skipped = false;
  fields(r, (tag) => {
    switch (tag.field) {
      case 1:
        ProtoReader.expect(tag, WireType.Len);
        name = r.string();
        return;
      case 2:
        ProtoReader.expect(tag, WireType.Len);
        description = r.string();
        return;
      case 3:
        ProtoReader.expect(tag, WireType.Len);
        unit = r.string();
        return;
      case 5: {
        ProtoReader.expect(tag, WireType.Len);
        const g = points(r.sub(), budget, numberPoint);
        data = { kind: 'gauge', name, description, unit, resource, points: g.points };
        return;
      }
      case 7: {
        ProtoReader.expect(tag, WireType.Len);
        const s = points(r.sub(), budget, numberPoint);
        data = { kind: 'sum', name, description, unit, resource, points: s.points, temporality: s.temporality, monotonic: s.monotonic };
        return;
      }
      case 9: {
        ProtoReader.expect(tag, WireType.Len);
        const h = points(r.sub(), budget, histogramPoint);
        data = { kind: 'histogram', name, description, unit, resource, points: h.points, temporality: h.temporality };
        return;
      }
      case 10:
      case 11:
        skipped = true;
        r.skip(tag.wireType);
        return;
      default:
        r.skip(tag.wireType);
    }
  });
  if (data === undefined) {
    if (skipped) budget.skipped++;
    return undefined;
  }
  // Name, description and unit may follow the data on the wire (field order is not guaranteed).
  return { ...data, name, description, unit };
}

function scopeMetrics(r: ProtoReader, resource: Attributes, budget: Budget, out: OtlpMetric[]): void {
  fields(r, (tag) => {
    if (tag.field === 2) {
      ProtoReader.expect(tag, WireType.Len);
      const m = metric(r.sub(), resource, budget);
      if (m) out.push(m);
    } else r.skip(tag.wireType);
  });
}

function resourceAttributes(r: ProtoReader, into: Record<string, string>): void {
  fields(r, (tag) => {
    if (tag.field === 1) {
      ProtoReader.expect(tag, WireType.Len);
      keyValue(r.sub(), into);
    } else r.skip(tag.wireType);
  });
}

function resourceMetrics(r: ProtoReader, budget: Budget, out: OtlpMetric[]): void {
  // The resource may come after its scope metrics on the wire: collect both, then attach.
  const resource: Record<string, string> = {};
  const scopes: ProtoReader[] = [];
  fields(r, (tag) => {
    if (tag.field === 1) {
      ProtoReader.expect(tag, WireType.Len);
      resourceAttributes(r.sub(), resource);
    } else if (tag.field === 2) {
      ProtoReader.expect(tag, WireType.Len);
      scopes.push(r.sub());
    } else r.skip(tag.wireType);
  });
  for (const s of scopes) scopeMetrics(s, resource, budget, out);
}

/** Decodes an (uncompressed) OTLP MetricsData; throws DecodeError on malformed input or beyond the limits. */
export function decodeMetricsData(payload: Buffer): MetricsData {
  const r = new ProtoReader(payload);
  const budget = new Budget();
  const metrics: OtlpMetric[] = [];
  fields(r, (tag) => {
    if (tag.field === 1) {
      ProtoReader.expect(tag, WireType.Len);
      resourceMetrics(r.sub(), budget, metrics);
    } else r.skip(tag.wireType);
  });
  return { metrics, skipped: budget.skipped };
}
