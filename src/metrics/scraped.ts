// A metric whose samples are computed when Prometheus scrapes, registered in a prom-client Registry.
// prom-client's own Counter/Histogram hash a label object on every inc/observe, which allocates on the
// request path; Skein keeps hot counters in plain fields and typed arrays instead and hands prom-client
// only the finished samples, which its Registry formats (names, escaping, content type) like its own.
import type { Metric, Registry } from 'prom-client';

export type Labels = Readonly<Record<string, string | number>>;

export interface Sample {
  readonly value: number;
  readonly labels?: Labels;
  /** A histogram's series: name_bucket, name_sum, name_count. */
  readonly metricName?: string;
}

export interface ScrapedMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary';
  samples(): Sample[];
}

export function registerScraped(registry: Registry, metric: ScrapedMetric): void {
  const { name, help, type } = metric;
  // The shape Registry reads from every metric it formats (getMetricsAsString: name, help, type, get()).
  const shaped = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: () => Promise.resolve({ name, help, type, aggregator: 'sum', values: metric.samples() }),
  };
  registry.registerMetric(shaped as unknown as Metric);
}

/** A histogram's samples from non-cumulative bucket counts (the last one +Inf), their sum and count. */
export function histogramSamples(name: string, bounds: readonly number[], counts: ArrayLike<number>, offset: number, sum: number, labels: Labels): Sample[] {
  const out: Sample[] = [];
  let cumulative = 0;
  for (let i = 0; i <= bounds.length; i++) {
    cumulative += counts[offset + i]!;
    out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: i < bounds.length ? bounds[i]! : '+Inf' }, value: cumulative });
  }
  out.push({ metricName: `${name}_sum`, labels, value: sum }, { metricName: `${name}_count`, labels, value: cumulative });
  return out;
}
