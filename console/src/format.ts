// How values are shown: bytes and durations for people, and a record's key or value as text, pretty
// JSON or hex, whichever it looks like (or as the user picks).

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

/** Which brokers a throughput sample covers (src/console/cluster-traffic.ts). */
export interface Coverage {
  brokers: number;
  of: number;
  unreachable: number[];
}

/** "3 of 3 brokers", or "2 of 3 brokers: broker 2 unreachable": a chart never covers less than it says. */
export function coverageText(c: Coverage | null | undefined): string {
  if (!c) return 'no broker';
  const all = `${c.brokers} of ${c.of} ${c.of === 1 ? 'broker' : 'brokers'}`;
  return c.unreachable.length === 0 ? all : `${all}: ${c.unreachable.length === 1 ? 'broker' : 'brokers'} ${c.unreachable.join(', ')} unreachable`;
}

export const num = (n: number | null | undefined): string => (n === null || n === undefined ? '–' : n.toLocaleString('en'));

export function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export type Shown = 'text' | 'json' | 'hex';

function utf8(b: Uint8Array): string | null {
  try {
    const s = new TextDecoder('utf-8', { fatal: true }).decode(b);
    // Control characters other than whitespace mean binary, even when the bytes decode.
    return /[\u0000-\u0008\u000e-\u001f]/.test(s) ? null : s;
  } catch {
    return null;
  }
}

export function hex(b: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < b.length; i += 16) {
    const row = b.subarray(i, i + 16);
    const h = [...row].map((x) => x.toString(16).padStart(2, '0')).join(' ');
    const a = [...row].map((x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : '.')).join('');
    lines.push(`${i.toString(16).padStart(8, '0')}  ${h.padEnd(47)}  ${a}`);
  }
  return lines.join('\n');
}

/** What the bytes look like: JSON if they parse as an object or array, text if UTF-8, else hex. */
export function detect(b: Uint8Array): Shown {
  const s = utf8(b);
  if (s === null) return 'hex';
  const t = s.trim();
  if ((t.startsWith('{') || t.startsWith('[')) && (() => { try { JSON.parse(t); return true; } catch { return false; } })()) return 'json';
  return 'text';
}

export function render(b: Uint8Array, as: Shown): string {
  if (as === 'hex') return hex(b);
  const s = utf8(b) ?? new TextDecoder().decode(b);
  if (as === 'json') {
    try {
      return JSON.stringify(JSON.parse(s), null, 2);
    } catch {
      return s;
    }
  }
  return s;
}
