// Scrapes a /metrics endpoint and parses it with a Prometheus text-format parser independent of prom-client.
import parsePrometheusTextFormat, { type ParsedFamily, type ParsedSample } from 'parse-prometheus-text-format';

export class Scrape {
  private readonly byName: Map<string, ParsedFamily>;
  /** Every series on its own (name_bucket, name_sum, name_count too), for histograms and summaries. */
  private readonly series: Map<string, ParsedFamily>;

  constructor(readonly text: string) {
    this.byName = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
    // The parser folds a histogram's labelled children into one sample, dropping their labels, sum and
    // count; read as untyped, each of its lines is a sample with its own labels.
    const untyped = text.replace(/^# TYPE (\S+) (histogram|summary)$/gm, '# TYPE $1 untyped');
    // A new family starts at each change of name, so one name may come back several times: merged here.
    this.series = new Map();
    for (const f of parsePrometheusTextFormat(untyped)) {
      const seen = this.series.get(f.name);
      if (seen) seen.metrics.push(...f.metrics);
      else this.series.set(f.name, f);
    }
  }

  /** The value of one series of a histogram or summary (`name_count`, `name_sum`, `name_bucket` with `le`). */
  seriesValue(name: string, labels: Record<string, string>): number {
    const found = (this.series.get(name)?.metrics ?? []).filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
    if (found.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${found.length} samples`);
    return Number(found[0]!.value);
  }

  family(name: string): ParsedFamily {
    const f = this.byName.get(name);
    if (!f) throw new Error(`no metric ${name} in the scrape`);
    return f;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The samples of `name` whose labels include `labels`. */
  samples(name: string, labels: Record<string, string> = {}): ParsedSample[] {
    return this.family(name).metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  }

  /** The one value of `name` with `labels` (a gauge or counter). */
  value(name: string, labels: Record<string, string> = {}): number {
    const found = this.samples(name, labels);
    if (found.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${found.length} samples`);
    return Number(found[0]!.value);
  }

  /** The sum of `name` over the samples matching `labels`. */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.samples(name, labels).reduce((n, m) => n + Number(m.value), 0);
  }
}

export async function scrape(port: number): Promise<Scrape> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  if (!res.headers.get('content-type')?.startsWith('text/plain; version=0.0.4')) throw new Error(`content-type ${res.headers.get('content-type')}`);
  return new Scrape(await res.text());
}

