// The metrics clients pushed (KIP-714), held per client instance for /metrics: the latest value of each
// series, named as Prometheus names OpenTelemetry metrics (dots to underscores, monotonic sums as
// counters ending in _total) and labelled with the client instance id, the client id and the data
// point's and resource's attributes. Bounded twice: series across all clients (seriesMax; a push that
// would add more keeps its known series up to date and drops the new ones) and metric families
// (FAMILIES_MAX), because each family becomes a registered metric of the scrape.
import type { Attributes, OtlpMetric } from '../../../protocol/otlp/metrics-data.js';
import { Temporality } from '../../../protocol/otlp/metrics-data.js';

/** Distinct metric names across all clients: the Java client and librdkafka send a few dozen each. */
export const FAMILIES_MAX = 1_000;

export type FamilyType = 'gauge' | 'counter' | 'histogram';

export interface Family {
  readonly name: string;
  readonly type: FamilyType;
  readonly help: string;
}

export type Labels = Readonly<Record<string, string>>;

interface NumberSeries {
  readonly labels: Labels;
  value: number;
}

interface HistogramSeries {
  readonly labels: Labels;
  bounds: readonly number[];
  /** Per bucket, not cumulative; one more than bounds. */
  counts: number[];
  sum: number;
  count: number;
}

type Series = NumberSeries | HistogramSeries;

interface ClientSeries {
  /** Family name -> series key -> series. */
  readonly byFamily: Map<string, Map<string, Series>>;
  size: number;
}

/** What one push changed: series it updated, series it added, series it dropped at the limit. */
export interface PushOutcome {
  updated: number;
  added: number;
  dropped: number;
}

/** A Prometheus metric or label name from an OpenTelemetry one: anything outside [a-zA-Z0-9_] becomes _. */
export function prometheusName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

function familyOf(m: OtlpMetric): Family {
  const base = prometheusName(m.name);
  const help = (m.description || `Pushed by clients as ${m.name}.`) + (m.unit ? ` Unit: ${m.unit}.` : '');
  if (m.kind === 'sum' && m.monotonic) return { name: base.endsWith('_total') ? base : `${base}_total`, type: 'counter', help };
  if (m.kind === 'histogram') return { name: base, type: 'histogram', help };
  return { name: base, type: 'gauge', help };
}

/** Series labels: ours first (they cannot be overridden), then the point's attributes, then the resource's. */
function labelsOf(own: Labels, point: Attributes, resource: Attributes): Labels {
  const out: Record<string, string> = { ...own };
  for (const attrs of [point, resource]) {
    for (const [k, v] of Object.entries(attrs)) {
      const name = prometheusName(k);
      if (!(name in out)) out[name] = v;
    }
  }
  return out;
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

  /** Takes one push of a client; `own` labels are the client's (client_instance_id, client_id). */
  record(clientInstanceId: string, own: Labels, metrics: readonly OtlpMetric[]): PushOutcome {
    let client = this.clients.get(clientInstanceId);
    if (!client) this.clients.set(clientInstanceId, (client = { byFamily: new Map(), size: 0 }));
    const outcome: PushOutcome = { updated: 0, added: 0, dropped: 0 };
    for (const m of metrics) {
      const family = this.family(m);
      if (!family) {
        outcome.dropped += m.points.length;
        continue;
      }
      let series = client.byFamily.get(family.name);
      if (!series) client.byFamily.set(family.name, (series = new Map()));
      for (const p of m.points) {
        const labels = labelsOf(own, p.attributes, m.resource);
        const key = seriesKey(labels);
        const known = series.get(key);
        if (!known && this.seriesCount >= this.seriesMax) {
          outcome.dropped++;
          this.droppedSeries++;
          continue;
        }
        const delta = m.kind !== 'gauge' && m.temporality === Temporality.Delta;
        if (m.kind === 'histogram') {
          const hp = p as (typeof m.points)[number];
          const prev = known as HistogramSeries | undefined;
          const sameBuckets = prev !== undefined && prev.bounds.length === hp.bounds.length && prev.bounds.every((b, i) => b === hp.bounds[i]);
          const counts = hp.bucketCounts.length > 0 ? [...hp.bucketCounts] : new Array<number>(hp.bounds.length + 1).fill(0);
          if (delta && prev && sameBuckets) {
            prev.counts = prev.counts.map((c, i) => c + counts[i]!);
            prev.sum += hp.sum;
            prev.count += hp.count;
          } else if (prev) {
            Object.assign(prev, { bounds: hp.bounds, counts, sum: hp.sum, count: hp.count });
          } else series.set(key, { labels, bounds: hp.bounds, counts, sum: hp.sum, count: hp.count });
        } else {
          const value = (p as { value: number }).value;
          const prev = known as NumberSeries | undefined;
          if (prev) prev.value = delta ? prev.value + value : value;
          else series.set(key, { labels, value });
        }
        if (known) outcome.updated++;
        else {
          outcome.added++;
          client.size++;
          this.seriesCount++;
        }
      }
    }
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

  /** The family a metric belongs to, learnt on first sight; undefined when its name is taken by another type or FAMILIES_MAX is reached. */
  private family(m: OtlpMetric): Family | undefined {
    const wanted = familyOf(m);
    const known = this.families.get(wanted.name);
    if (known) return known.type === wanted.type ? known : undefined;
    if (this.families.size >= FAMILIES_MAX) return undefined;
    this.families.set(wanted.name, wanted);
    for (const w of this.watchers) w(wanted);
    return wanted;
  }
}
