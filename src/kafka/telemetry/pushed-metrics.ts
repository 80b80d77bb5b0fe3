// The metrics clients pushed (KIP-714), held per client instance for /metrics: the latest value of each
// series, named as Prometheus names OpenTelemetry metrics (dots to underscores, monotonic sums as
// counters ending in _total) and labelled with the client instance id, the client id and the data
// point's and resource's attributes. Bounded twice: series across all clients (seriesMax; the points of a
// push beyond it are dropped and counted) and metric families (FAMILIES_MAX), because each family becomes
// a registered metric of the scrape.
import type { Attributes, HistogramPoint, NumberPoint, OtlpMetric } from '../../../protocol/otlp/metrics-data.js';
import { Temporality } from '../../../protocol/otlp/metrics-data.js';

/** Distinct metric names across all clients: the Java client and librdkafka send a few dozen each. */
export const FAMILIES_MAX = 1_000;
/** A longer metric name is not kept: Kafka's clients' longest is about 70 characters. */
export const NAME_CHARS_MAX = 256;
/** A family's help text (the client's description and unit) is cut to this. */
export const HELP_CHARS_MAX = 1_024;
/**
 * Characters of the attribute labels of one series (names and values); attributes past it are left off.
 * With telemetry.max.series this bounds a scrape: a client's attributes are a few hundred characters.
 */
export const ATTRIBUTE_LABEL_CHARS_MAX = 1_024;

export type FamilyType = 'gauge' | 'counter' | 'histogram';

export interface Family {
  readonly name: string;
  readonly type: FamilyType;
  readonly help: string;
}

export type Labels = Readonly<Record<string, string>>;

interface NumberSeries {
  readonly labels: Labels;
  readonly value: number;
}

interface HistogramSeries {
  readonly labels: Labels;
  readonly bounds: readonly number[];
  /** Per bucket, not cumulative; one more than bounds. */
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

type Series = NumberSeries | HistogramSeries;

interface ClientSeries {
  /** Family name -> series key -> series. */
  readonly byFamily: Map<string, Map<string, Series>>;
  /** Series across its families. */
  size: number;
}

/** What one push left: the client's series kept, and points dropped (at the series limit, or a family name taken by another type). */
export interface PushOutcome {
  kept: number;
  dropped: number;
}

/** A Prometheus metric or label name from an OpenTelemetry one: anything outside [a-zA-Z0-9_] becomes _. */
export function prometheusName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

function familyOf(m: OtlpMetric): Family {
  const base = prometheusName(m.name);
  const help = ((m.description || `Pushed by clients as ${m.name}.`) + (m.unit ? ` Unit: ${m.unit}.` : '')).slice(0, HELP_CHARS_MAX);
  if (m.kind === 'sum' && m.monotonic) return { name: base.endsWith('_total') ? base : `${base}_total`, type: 'counter', help };
  if (m.kind === 'histogram') return { name: base, type: 'histogram', help };
  return { name: base, type: 'gauge', help };
}

/**
 * Series labels: ours first (they cannot be overridden), then the point's attributes (node_id), then the
 * resource's, up to ATTRIBUTE_LABEL_CHARS_MAX characters of attributes.
 */
function labelsOf(own: Labels, point: Attributes, resource: Attributes): Labels {
  const out: Record<string, string> = { ...own };
  let chars = 0;
  for (const attrs of [point, resource]) {
    for (const [k, v] of Object.entries(attrs)) {
      const name = prometheusName(k);
      if (name in out || chars + name.length + v.length > ATTRIBUTE_LABEL_CHARS_MAX) continue;
      chars += name.length + v.length;
      out[name] = v;
    }
  }
  return out;
}

/** A histogram point as a series; added to `base` (the series a delta point continues) when its buckets match. */
function histogramSeries(labels: Labels, p: HistogramPoint, base: HistogramSeries | undefined): HistogramSeries {
  const counts = p.bucketCounts.length > 0 ? [...p.bucketCounts] : new Array<number>(p.bounds.length + 1).fill(0);
  const continues = base !== undefined && base.bounds.length === p.bounds.length && base.bounds.every((b, i) => b === p.bounds[i]);
  if (!continues) return { labels, bounds: p.bounds, counts, sum: p.sum, count: p.count };
  return { labels, bounds: p.bounds, counts: counts.map((c, i) => c + base.counts[i]!), sum: p.sum + base.sum, count: p.count + base.count };
}

function seriesKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export class PushedMetrics {
  private readonly clients = new Map<string, ClientSeries>();
  private readonly families = new Map<string, Family>();
  private readonly watchers: Array<(f: Family) => void> = [];
  private seriesCount = 0;
  /** Series refused because seriesMax was reached, since start (for /metrics). */
  droppedSeries = 0;

  constructor(private readonly seriesMax: number) {}

  get series(): number {
    return this.seriesCount;
  }

  /** Calls `watch` with every family now known and with each one learnt later (the scrape registers them). */
  watchFamilies(watch: (f: Family) => void): void {
    this.watchers.push(watch);
    for (const f of this.families.values()) watch(f);
  }

  /**
   * Takes one push of a client; `own` labels are the client's (client_instance_id, client_id). The push
   * replaces the client's series: clients are asked for cumulative values, so the latest push is the
   * whole picture, and series the client stopped sending (a member id it no longer has) go with it.
   * A delta sum or histogram (a client sending deltas anyway) is added to the series it continues.
   */
  record(clientInstanceId: string, own: Labels, metrics: readonly OtlpMetric[]): PushOutcome {
    const prev = this.clients.get(clientInstanceId);
    const next: ClientSeries = { byFamily: new Map(), size: 0 };
    const room = this.seriesMax - (this.seriesCount - (prev?.size ?? 0));
    const outcome: PushOutcome = { kept: 0, dropped: 0 };
    for (const m of metrics) {
      const family = this.family(m);
      if (!family) {
        outcome.dropped += m.points.length;
        continue;
      }
      const before = prev?.byFamily.get(family.name);
      let series = next.byFamily.get(family.name);
      if (!series) next.byFamily.set(family.name, (series = new Map()));
      const delta = m.kind !== 'gauge' && m.temporality === Temporality.Delta;
      for (const p of m.points) {
        const labels = labelsOf(own, p.attributes, m.resource);
        const key = seriesKey(labels);
        const known = series.get(key) ?? before?.get(key);
        if (!series.has(key)) {
          if (next.size >= room) {
            outcome.dropped++;
            continue;
          }
          next.size++;
        }
        series.set(key, m.kind === 'histogram' ? histogramSeries(labels, p as HistogramPoint, delta ? (known as HistogramSeries | undefined) : undefined) : { labels, value: (p as NumberPoint).value + (delta && known && 'value' in known ? known.value : 0) });
      }
    }
    this.droppedSeries += outcome.dropped;
    outcome.kept = next.size;
    this.seriesCount += next.size - (prev?.size ?? 0);
    this.clients.set(clientInstanceId, next);
    return outcome;
  }

  /** A client's series go (it expired or was evicted). */
  forget(clientInstanceId: string): void {
    const client = this.clients.get(clientInstanceId);
    if (!client) return;
    this.seriesCount -= client.size;
    this.clients.delete(clientInstanceId);
  }

  /** The samples of one family across clients, in prom-client's shape (histograms as _bucket/_sum/_count). */
  samples(family: Family): Array<{ value: number; labels: Labels; metricName?: string }> {
    const out: Array<{ value: number; labels: Labels; metricName?: string }> = [];
    for (const client of this.clients.values()) {
      const series = client.byFamily.get(family.name);
      if (!series) continue;
      for (const s of series.values()) {
        if (!('counts' in s)) {
          out.push({ value: s.value, labels: s.labels });
          continue;
        }
        let cumulative = 0;
        s.counts.forEach((c, i) => {
          cumulative += c;
          out.push({ metricName: `${family.name}_bucket`, labels: { ...s.labels, le: i < s.bounds.length ? String(s.bounds[i]) : '+Inf' }, value: cumulative });
        });
        out.push({ metricName: `${family.name}_sum`, labels: s.labels, value: s.sum }, { metricName: `${family.name}_count`, labels: s.labels, value: s.count });
      }
    }
    return out;
  }

  /**
   * The family a metric belongs to, learnt on first sight; undefined when its name is too long, taken by
   * another type, or FAMILIES_MAX is reached.
   */
  private family(m: OtlpMetric): Family | undefined {
    if (m.name.length > NAME_CHARS_MAX) return undefined;
    const wanted = familyOf(m);
    const known = this.families.get(wanted.name);
    if (known) return known.type === wanted.type ? known : undefined;
    if (this.families.size >= FAMILIES_MAX) return undefined;
    this.families.set(wanted.name, wanted);
    for (const w of this.watchers) w(wanted);
    return wanted;
  }
}
