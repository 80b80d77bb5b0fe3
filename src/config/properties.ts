// Java .properties syntax, as server.properties and zoo.cfg use it: `key=value`, `key: value` or
// `key value`; `#` and `!` comments; a trailing backslash continues a line; backslash escapes.

export interface PropertyLine {
  key: string;
  value: string;
  /** 1-based line in the file; 0 for a setting from elsewhere. */
  line: number;
  /** Where a setting not from the file came from (`env KAFKA_CFG_NUM_PARTITIONS`), for messages. */
  source?: string;
}

/** Parses properties text into entries in file order; a repeated key appears twice (the last wins). */
export function parseProperties(text: string): PropertyLine[] {
  const out: PropertyLine[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const first = i + 1;
    let logical = lines[i]!.replace(/^[ \t\f]+/, '');
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue;
    while (endsWithContinuation(logical) && i + 1 < lines.length) {
      logical = logical.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    }
    if (endsWithContinuation(logical)) logical = logical.slice(0, -1);
    const { key, rest } = splitKey(logical);
    out.push({ key: unescape(key), value: unescape(rest), line: first });
  }
  return out;
}

function endsWithContinuation(s: string): boolean {
  let slashes = 0;
  for (let j = s.length - 1; j >= 0 && s[j] === '\\'; j--) slashes++;
  return slashes % 2 === 1;
}

function splitKey(s: string): { key: string; rest: string } {
  let j = 0;
  while (j < s.length) {
    const c = s[j]!;
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    j++;
  }
  const key = s.slice(0, j);
  let k = j;
  while (k < s.length && (s[k] === ' ' || s[k] === '\t' || s[k] === '\f')) k++;
  if (k < s.length && (s[k] === '=' || s[k] === ':')) k++;
  while (k < s.length && (s[k] === ' ' || s[k] === '\t' || s[k] === '\f')) k++;
  return { key, rest: s.slice(k) };
}

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, e: string) =>
    e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (ESCAPES[e] ?? e),
  );
}
