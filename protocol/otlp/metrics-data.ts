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

/** Any wire type: a repeated number may come packed (one length-delimited run) or one value per tag. */
const ANY_WIRE = -1;
const { Varint: VARINT, Fixed64: FIXED64, Len: LEN } = WireType;

/** Per field number: the wire type the schema gives it (or ANY_WIRE) and how to read it. */
type FieldReaders = Readonly<Record<number, readonly [wireType: number, read: (r: ProtoReader, tag: FieldTag) => void]>>;

/** Reads a message's fields in whatever order they come; unknown fields are skipped, as protobuf requires. */
function message(r: ProtoReader, readers: FieldReaders): void {
  while (!r.done) {
    const tag = r.tag();
    const reader = readers[tag.field];
    if (!reader) {
      r.skip(tag.wireType);
      continue;
    }
    if (reader[0] !== ANY_WIRE) ProtoReader.expect(tag, reader[0]);
    reader[1](r, tag);
  }
}

/** AnyValue as text; arrays and key-value lists (never sent by Kafka clients) are left out (undefined). */
function anyValue(r: ProtoReader): string | undefined {
  let value: string | undefined;
  message(r, {
    1: [LEN, (x) => (value = x.string())],
    2: [VARINT, (x) => (value = String(x.bool()))],
    3: [VARINT, (x) => (value = BigInt.asIntN(64, x.varintBig()).toString())],
    4: [FIXED64, (x) => (value = String(x.double()))],
    7: [LEN, (x) => (value = x.bytes().toString('base64'))],
  });
  return value;
}

/** A repeated KeyValue field, read into `into`. */
function attributesInto(into: Record<string, string>): readonly [number, (r: ProtoReader) => void] {
  return [
    LEN,
    (r) => {
      let key = '';
      let value: string | undefined;
      message(r.sub(), { 1: [LEN, (x) => (key = x.string())], 2: [LEN, (x) => (value = anyValue(x.sub()))] });
      if (value === undefined) return;
      if (!(key in into) && Object.keys(into).length >= ATTRIBUTES_MAX) throw new DecodeError(`more than ${ATTRIBUTES_MAX} attributes`);
      into[key] = value;
    },
  ];
}

function numberPoint(r: ProtoReader): NumberPoint {
  const attributes: Record<string, string> = {};
  let value = 0;
  let timeUnixNano = 0n;
  message(r, {
    7: attributesInto(attributes),
    3: [FIXED64, (x) => (timeUnixNano = x.fixed64())],
    4: [FIXED64, (x) => (value = x.double())],
    6: [FIXED64, (x) => (value = x.sfixed64())],
  });
  return { attributes, value, timeUnixNano };
}

/** A repeated fixed64 or double field of at most `max` values, packed or not. */
function repeated64(out: number[], max: number, read: (r: ProtoReader) => number): readonly [number, (r: ProtoReader, tag: FieldTag) => void] {
  const push = (v: number) => {
    if (out.length >= max) throw new DecodeError(`histogram has more than ${BUCKETS_MAX} buckets`);
    out.push(v);
  };
  return [
    ANY_WIRE,
    (r, tag) => {
      if (tag.wireType === LEN) {
        const run = r.sub();
        while (!run.done) push(read(run));
      } else {
        ProtoReader.expect(tag, FIXED64);
        push(read(r));
      }
    },
  ];
}

function histogramPoint(r: ProtoReader): HistogramPoint {
  const attributes: Record<string, string> = {};
  const bucketCounts: number[] = [];
  const bounds: number[] = [];
  let count = 0;
  let sum = 0;
  let timeUnixNano = 0n;
  message(r, {
    9: attributesInto(attributes),
    3: [FIXED64, (x) => (timeUnixNano = x.fixed64())],
    4: [FIXED64, (x) => (count = Number(x.fixed64()))],
    5: [FIXED64, (x) => (sum = x.double())],
    6: repeated64(bucketCounts, BUCKETS_MAX, (x) => Number(x.fixed64())),
    7: repeated64(bounds, BUCKETS_MAX - 1, (x) => x.double()),
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
  message(r, {
    1: [
      LEN,
      (x) => {
        budget.point();
        out.push(point(x.sub()));
      },
    ],
    2: [VARINT, (x) => (temporality = x.uint32())],
    3: [VARINT, (x) => (monotonic = x.bool())],
  });
  return { points: out, temporality, monotonic };
}

/** A metric's data without its name, description, unit and resource (each kind's own fields). */
type MetricData = OtlpMetric extends infer M ? (M extends OtlpMetric ? Omit<M, keyof MetricBase> : never) : never;

function metric(r: ProtoReader, resource: Attributes, budget: Budget): OtlpMetric | undefined {
  let name = '';
  let description = '';
  let unit = '';
  let data: MetricData | undefined;
  let skipped = false;
  // Exponential histograms and summaries: read past, counted.
  const skipKind = (x: ProtoReader) => {
    x.sub();
    skipped = true;
  };
  message(r, {
    1: [LEN, (x) => (name = x.string())],
    2: [LEN, (x) => (description = x.string())],
    3: [LEN, (x) => (unit = x.string())],
    5: [LEN, (x) => (data = { kind: 'gauge', points: points(x.sub(), budget, numberPoint).points })],
    7: [
      LEN,
      (x) => {
        const s = points(x.sub(), budget, numberPoint);
        data = { kind: 'sum', points: s.points, temporality: s.temporality, monotonic: s.monotonic };
      },
    ],
    9: [
      LEN,
      (x) => {
        const h = points(x.sub(), budget, histogramPoint);
        data = { kind: 'histogram', points: h.points, temporality: h.temporality };
      },
    ],
    10: [LEN, skipKind],
    11: [LEN, skipKind],
  });
  if (data === undefined) {
    if (skipped) budget.skipped++;
    return undefined;
  }
  // Name, description and unit may follow the data on the wire: attached once the whole metric is read.
  return { ...(data as MetricData), name, description, unit, resource };
}

function resourceMetrics(r: ProtoReader, budget: Budget, out: OtlpMetric[]): void {
  // The resource may come after its scope metrics on the wire: collect both, then attach.
  const resource: Record<string, string> = {};
  const scopes: ProtoReader[] = [];
  message(r, {
    1: [LEN, (x) => message(x.sub(), { 1: attributesInto(resource) })],
    2: [LEN, (x) => scopes.push(x.sub())],
  });
  for (const scope of scopes) {
    message(scope, {
      2: [
        LEN,
        (x) => {
          const m = metric(x.sub(), resource, budget);
          if (m) out.push(m);
        },
      ],
    });
  }
}

/** Decodes an (uncompressed) OTLP MetricsData; throws DecodeError on malformed input or beyond the limits. */
export function decodeMetricsData(payload: Buffer): MetricsData {
  const budget = new Budget();
  const metrics: OtlpMetric[] = [];
  message(new ProtoReader(payload), { 1: [LEN, (x) => resourceMetrics(x.sub(), budget, metrics)] });
  return { metrics, skipped: budget.skipped };
}
