// The JAAS login module entry Kafka reads from sasl.jaas.config:
//   <LoginModuleClass> <flag> name=value name="quoted value" ...;
// tokenized as Java's StreamTokenizer does for Kafka's JaasConfig: words of letters, digits and . - _ $,
// strings in double or single quotes with backslash escapes, // and /* */ comments. Kafka takes exactly
// one module from the property, so a second one is an error here too.

export class JaasConfigError extends Error {}

export const LOGIN_MODULE_FLAGS = ['required', 'requisite', 'sufficient', 'optional'] as const;

export interface JaasEntry {
  loginModule: string;
  flag: (typeof LOGIN_MODULE_FLAGS)[number];
  /** Option values as given; they may hold passwords, so this is never logged. */
  options: ReadonlyMap<string, string>;
}

type Token = { kind: 'word' | 'string'; text: string } | { kind: 'symbol'; text: string };

const WORD = /[A-Za-z0-9._$\-]/;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '\\': '\\', '"': '"', "'": "'" };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end + 1;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new JaasConfigError('unterminated /* comment');
      i = end + 2;
    } else if (c === '"' || c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new JaasConfigError('unterminated quoted value');
        const d = text[i]!;
        if (d === c) break;
        if (d === '\\' && i + 1 < text.length) {
          const e = text[i + 1]!;
          value += ESCAPES[e] ?? e;
          i += 2;
        } else {
          value += d;
          i++;
        }
      }
      i++;
      tokens.push({ kind: 'string', text: value });
    } else if (WORD.test(c)) {
      let end = i;
      while (end < text.length && WORD.test(text[end]!)) end++;
      tokens.push({ kind: 'word', text: text.slice(i, end) });
      i = end;
    } else {
      tokens.push({ kind: 'symbol', text: c });
      i++;
    }
  }
  return tokens;
}

/**
 * Parses one sasl.jaas.config value. Errors name the position's token kind, never an option's value
 * (a value may be a password).
 */
export function parseJaasConfig(text: string): JaasEntry {
  const tokens = tokenize(text);
  let at = 0;
  const next = (): Token | undefined => tokens[at++];
  const moduleToken = next();
  if (moduleToken?.kind !== 'word') throw new JaasConfigError('expected a login module class name');
  const flagToken = next();
  const flag = LOGIN_MODULE_FLAGS.find((f) => f === flagToken?.text.toLowerCase());
  if (flagToken?.kind !== 'word' || !flag) throw new JaasConfigError(`login module ${moduleToken.text}: expected a control flag (${LOGIN_MODULE_FLAGS.join(', ')})`);
  const options = new Map<string, string>();
  for (;;) {
    const t = next();
    if (!t) throw new JaasConfigError(`login module ${moduleToken.text}: the entry must end with ";"`);
    if (t.kind === 'symbol' && t.text === ';') break;
    if (t.kind !== 'word' && t.kind !== 'string') throw new JaasConfigError(`login module ${moduleToken.text}: expected an option name`);
    const eq = next();
    if (eq?.kind !== 'symbol' || eq.text !== '=') throw new JaasConfigError(`login module ${moduleToken.text}: option ${t.text} needs "=" and a value`);
    const value = next();
    if (value?.kind !== 'word' && value?.kind !== 'string') throw new JaasConfigError(`login module ${moduleToken.text}: option ${t.text} has no value`);
    options.set(t.text, value.text);
  }
  if (at < tokens.length) throw new JaasConfigError('sasl.jaas.config must hold exactly one login module');
  return { loginModule: moduleToken.text, flag, options };
}
