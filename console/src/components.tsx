// Small pieces every page uses: loading data with its error shown, a confirmation step for changes,
// and a live time-series chart (uPlot).
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Shown } from './format';

/** Samples a page keeps for its chart: as many as the node remembers per stream. */
const SAMPLES_KEPT = 150;
/** A live stream the node refused is asked for again after this long (a few requests a minute per page). */
const REOPEN_MS = 10_000;

/** Loads `load()` whenever `deps` change; `reload` loads again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: string | undefined; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setError(undefined);
    load().then(
      (d) => live && (setData(d), setError(undefined)),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { data, error, reload: () => setN((x) => x + 1) };
}

export function Problem({ message }: { message: string | undefined }) {
  return message ? (
    <p class="problem" role="alert">
      {message}
    </p>
  ) : null;
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  const id = `h-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** A button that asks first: the change runs only after the second, explicit click. */
export function ConfirmButton({ label, confirm, onConfirm, disabled }: { label: string; confirm: string; onConfirm: () => void; disabled?: boolean }) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <span class="confirm" role="group" aria-label="confirm">
      <span>{confirm}</span>
      <button
        type="button"
        class="danger"
        autoFocus
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Yes, {label.toLowerCase()}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

export interface Series {
  label: string;
  color: string;
}

/** A line chart of `x` (seconds) against each series; redrawn when the data changes. */
export function Chart({ title, series, x, ys, format }: { title: string; series: Series[]; x: number[]; ys: (number | null)[][]; format?: (v: number) => string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const shape = series.map((s) => s.label).join('\0');
  useEffect(() => {
    if (!box.current) return;
    const opts: uPlot.Options = {
      width: Math.min(box.current.clientWidth || 600, 1100),
      height: 220,
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, value: (_u: uPlot, v: number | null) => (v === null ? '–' : format ? format(v) : String(Math.round(v))) }))],
      axes: [{}, { values: (_u: uPlot, vals: number[]) => vals.map((v) => (format ? format(v) : String(v))), size: 70 }],
      scales: { y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] } },
    };
    plot.current = new uPlot(opts, [x, ...ys] as uPlot.AlignedData, box.current);
    return () => plot.current?.destroy();
  }, [shape]);
  useEffect(() => {
    plot.current?.setData([x, ...ys] as uPlot.AlignedData);
  }, [x, ys]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title}: ${series.map((s, i) => `${s.label} ${ys[i]?.[ys[i]!.length - 1] ?? 'no data'}`).join(', ')}`} />
    </figure>
  );
}

/**
 * A live stream of samples (server-sent events): the node's history when it opens (again after a
 * reconnect), then one sample per interval. `latest` is the newest good sample; `error` says why the
 * newest failed or why the stream is down.
 */
export function useLive<T extends { t: number; error?: string }>(params: string): { samples: T[]; latest: T | undefined; error: string | undefined } {
  const [samples, setSamples] = useState<T[]>([]);
  const [error, setError] = useState<string>();
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    setSamples([]);
    const source = new EventSource(`/api/events?${params}`);
    source.addEventListener('history', (e) => {
      const h = JSON.parse((e as MessageEvent<string>).data) as T[];
      setSamples(h);
      setError(h[h.length - 1]?.error);
    });
    source.addEventListener('sample', (e) => {
      const s = JSON.parse((e as MessageEvent<string>).data) as T;
      setSamples((old) => [...old.slice(1 - SAMPLES_KEPT), s]);
      setError(s.error);
    });
    // EventSource reconnects by itself after a dropped stream; one answered with an error (429: too many
    // pages; a proxy's 502 while the node restarts) it gives up, so the page opens a new one a while later.
    let again: ReturnType<typeof setTimeout> | undefined;
    source.onerror = () => {
      if (source.readyState !== EventSource.CLOSED) return setError('the node cannot be reached: live updates stopped, and resume when it is back');
      setError('live updates refused (too many console pages open on this node, or it is restarting): trying again');
      again = setTimeout(() => setAttempt((n) => n + 1), REOPEN_MS);
    };
    return () => (clearTimeout(again), source.close());
  }, [params, attempt]);
  const good = samples.filter((s) => !s.error);
  return { samples: good, latest: good[good.length - 1], error };
}

/** Buttons choosing how bytes are shown, the detected choice pressed until the user picks another. */
export function FormatToggle({ label, shown, set, note }: { label: string; shown: Shown; set: (s: Shown) => void; note: string }) {
  return (
    <div class="as" role="radiogroup" aria-label={`show ${label} as`}>
      {(['text', 'json', 'hex'] as const).map((k) => (
        <button type="button" role="radio" aria-checked={shown === k} class={shown === k ? 'on' : ''} onClick={() => set(k)}>
          {k}
        </button>
      ))}
      <span>{note}</span>
    </div>
  );
}

/** Earlier/later buttons for a paged list; nothing when it fits one page. */
export function Pager({ page, pages, setPage, label = 'pages' }: { page: number; pages: number; setPage: (p: number) => void; label?: string }) {
  if (pages <= 1) return null;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
        ← Previous
      </button>
      {/* Announced when it changes: a screen reader hears which page the buttons brought. */}
      <span aria-live="polite">
        page {page + 1} of {pages}
      </span>
      <button type="button" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
        Next →
      </button>
    </nav>
  );
}

/**
 * One page of `items` and the pager for them: long lists (3,000 partitions, 1,000 members) render a page
 * of rows, not all, so the page stays quick to draw and to update live. The page is kept when the items
 * change (a live sample) and pulled back when the list shrinks.
 */
export function usePaged<T>(items: readonly T[], size: number, label: string): { shown: readonly T[]; pager: ComponentChildren } {
  const [page, setPage] = useState(0);
  const pages = Math.ceil(items.length / size);
  const at = Math.min(page, Math.max(0, pages - 1));
  return { shown: items.slice(at * size, (at + 1) * size), pager: <Pager page={at} pages={pages} setPage={setPage} label={label} /> };
}

/** A table's column headings. */
export function Head({ cols }: { cols: string[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c) => (
          <th scope="col">{c}</th>
        ))}
      </tr>
    </thead>
  );
}
