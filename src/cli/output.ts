// How client commands print results: an aligned table for people (the default), JSON for scripts.
// Everything a command prints goes through here so both forms always carry the same facts.
import { Option } from 'commander';

export type OutputFormat = 'table' | 'json';

/** `--format table|json`, for commands that print a result. */
export function formatOption(): Option {
  return new Option('--format <format>', 'output as an aligned table or as JSON for scripts').choices(['table', 'json']).default('table');
}

export type Cell = string | number | bigint | boolean | null | undefined;

function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '-';
  return String(cell);
}

/**
 * Columns padded to their widest cell, numbers (and the - of a missing one) right-aligned, headers in capitals as kafka-topics and
 * rpk print them. No row: just the headers, so a script's `tail -n +2` still works.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const texts = rows.map((row) => headers.map((_, i) => cellText(row[i])));
  const isNumber = (c: Cell) => typeof c === 'number' || typeof c === 'bigint';
  const numeric = headers.map((_, i) => rows.some((row) => isNumber(row[i])) && rows.every((row) => isNumber(row[i]) || row[i] === null || row[i] === undefined));
  const widths = headers.map((h, i) => Math.max(h.length, ...texts.map((t) => t[i]!.length)));
  const line = (cells: readonly string[], header: boolean) =>
    cells
      .map((c, i) => (numeric[i] && !header ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase()), true), ...texts.map((t) => line(t, false))].join('\n') + '\n';
}

/** Renders several titled tables one after another (describe's partitions, then configs). */
export function renderSections(sections: readonly { title: string; body: string }[]): string {
  return sections.map((s) => `${s.title}\n${s.body}`).join('\n');
}

/** JSON with bigints as numbers when they fit and strings otherwise (zxids and session ids are 64-bit). */
export function renderJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
      return v;
    }) + '\n'
  );
}

/** Writes a result in the chosen format: `json` is the value itself, `table` what `table()` renders. */
export function printResult(format: OutputFormat, json: unknown, table: () => string): void {
  process.stdout.write(format === 'json' ? renderJson(json) : table());
}
