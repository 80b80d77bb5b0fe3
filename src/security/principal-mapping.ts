// Kafka's ssl.principal.mapping.rules: a certificate's distinguished name (RFC 2253, most specific RDN
// first, as Java's X500Principal.getName() prints it) to a user name. Rules are tried in order; DEFAULT
// keeps the whole DN; RULE:pattern/replacement/[L|U] applies when the pattern matches the whole DN and
// then rewrites the DN as Java's replaceAll would, optionally lower- or upper-casing the result. A DN no
// rule matches is refused, as Kafka refuses the connection.
import type { X509Certificate } from 'node:crypto';

export class PrincipalMappingError extends Error {
  override readonly name = 'PrincipalMappingError';
}

type Piece = { literal: string } | { group: number };

interface Rule {
  /** undefined for DEFAULT. */
  pattern?: RegExp;
  /** The same pattern anchored at both ends: Java's matches(). */
  whole?: RegExp;
  replacement?: Piece[];
  caseTo?: 'L' | 'U';
  text: string;
}

// Kafka's grammar: DEFAULT, or RULE: then pattern and replacement, each of escaped characters or
// anything but \ and /, then an optional L or U; rules separated by commas.
const RULE = String.raw`(DEFAULT)|RULE:((?:\\.|[^\\/])*)/((?:\\.|[^\\/])*)/([LU]?).*?|(.*?)`;
const SPLITTER = new RegExp(String.raw`\s*(${RULE})\s*(?:,\s*|$)`, 'g');
const PARSER = new RegExp(`^(?:${RULE})`);

export class PrincipalMapper {
  private constructor(private readonly rules: Rule[]) {}

  /** Parses ssl.principal.mapping.rules; throws PrincipalMappingError naming a bad rule. */
  static parse(rules: string): PrincipalMapper {
    const out: Rule[] = [];
    const text = rules.trim();
    for (const split of text.matchAll(SPLITTER)) {
      const rule = split[1]!;
      const m = PARSER.exec(rule)!;
      if (m[0].length !== rule.length) throw new PrincipalMappingError(`invalid rule \`${rule}\`, unmatched: \`${rule.slice(m[0].length)}\``);
      if (m[1] !== undefined) out.push({ text: rule });
      else if (m[2] !== undefined) out.push(compile(rule, m[2], m[3]!, m[4]));
      // Otherwise the rule is empty, and ignored as Kafka ignores it.
    }
    return new PrincipalMapper(out);
  }

  /** The user name for a distinguished name. */
  nameOf(dn: string): string {
    for (const rule of this.rules) {
      const name = apply(rule, dn);
      if (name !== undefined) return name;
    }
    throw new PrincipalMappingError(`no rule of ssl.principal.mapping.rules matches ${dn}`);
  }
}

function compile(text: string, source: string, replacement: string, caseTo: string | undefined): Rule {
  let pattern: RegExp;
  try {
    // Java's leading (?i) is a flag in JavaScript.
    const insensitive = source.startsWith('(?i)');
    const body = insensitive ? source.slice(4) : source;
    pattern = new RegExp(body, insensitive ? 'gi' : 'g');
    const whole = new RegExp(`^(?:${body})$`, insensitive ? 'i' : '');
    const groups = new RegExp(`${body}|`).exec('')!.length - 1;
    return { text, pattern, whole, replacement: parseReplacement(replacement, groups, text), caseTo: caseTo === 'L' || caseTo === 'U' ? caseTo : undefined };
  } catch (err) {
    if (err instanceof PrincipalMappingError) throw err;
    throw new PrincipalMappingError(`invalid pattern in rule \`${text}\`: ${(err as Error).message}`);
  }
}

/**
 * A Java replacement string: \x is x, $n a group. As Kafka does, a reference past the pattern's groups
 * loses digits from the right while it is two digits or more, and if still too large is kept literally.
 */
function parseReplacement(replacement: string, groups: number, rule: string): Piece[] {
  const pieces: Piece[] = [];
  let literal = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === '\\') {
      if (i + 1 >= replacement.length) throw new PrincipalMappingError(`rule \`${rule}\` ends its replacement with a lone \\`);
      literal += replacement[++i];
    } else if (c === '$') {
      const digits = /^\d+/.exec(replacement.slice(i + 1))?.[0];
      if (digits === undefined) throw new PrincipalMappingError(`rule \`${rule}\`: $ in the replacement must be followed by a group number (write \\$ for a dollar sign)`);
      let ref = Number(digits[0]);
      let used = 1;
      while (used < digits.length && ref * 10 + Number(digits[used]) <= groups) ref = ref * 10 + Number(digits[used++]);
      if (ref > groups) {
        literal += `$${digits[0]}`;
        i += 1;
        continue;
      }
      if (literal) pieces.push({ literal });
      literal = '';
      pieces.push({ group: ref });
      i += used;
    } else {
      literal += c;
    }
  }
  if (literal) pieces.push({ literal });
  return pieces;
}

function apply(rule: Rule, dn: string): string | undefined {
  if (!rule.pattern) return dn;
  if (!rule.whole!.test(dn)) return undefined;
  const result = dn.replace(rule.pattern, (...args: unknown[]) => {
    const match = args as (string | undefined)[];
    return rule.replacement!.map((p) => ('literal' in p ? p.literal : (match[p.group] ?? ''))).join('');
  });
  if (rule.caseTo === 'L') return result.toLowerCase();
  if (rule.caseTo === 'U') return result.toUpperCase();
  return result;
}

/**
 * A certificate's subject as Java's X500Principal.getName() gives it (RFC 2253): Node lists the RDNs one
 * per line, least specific first, already escaped; RFC 2253 joins them with commas, most specific first.
 */
export function distinguishedName(cert: X509Certificate): string {
  return cert.subject.split('\n').reverse().join(',');
}
