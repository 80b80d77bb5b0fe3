// JAAS login configuration, as Java's ConfigFile (a file of sections) and Kafka's JaasConfig (one login
// module entry in sasl.jaas.config) read it:
//   Section { class.Name flag key=value key="value" ...; another.Class flag ...; };
// with `//`, `/* */` and `#` comments and StreamTokenizer's backslash escapes in quoted values. ZooKeeper's
// server reads its DIGEST-MD5 users from the `Server` section (DigestLoginModule's user_<name>="<password>"
// options), Kafka's PLAIN users from PlainLoginModule's. Errors name the line and what was expected, never
// an option's value (a password).

export class JaasError extends Error {
  override readonly name = 'JaasError';
}

export type LoginFlag = 'required' | 'requisite' | 'sufficient' | 'optional';

export interface LoginModule {
  readonly className: string;
  readonly flag: LoginFlag;
  readonly options: ReadonlyMap<string, string>;
}

export interface JaasSection {
  readonly name: string;
  readonly modules: readonly LoginModule[];
}

/** Options per module and sections per file are bounded so a hostile file cannot make the parser hoard memory. */
const MAX_ENTRIES = 10_000;

const FLAGS = new Set<string>(['required', 'requisite', 'sufficient', 'optional']);
/** StreamTokenizer's escapes in quoted strings; any other escaped character stands for itself. */
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

interface Token {
  /** A word, a quoted string, or one of { } ; = */
  readonly text: string;
  readonly quoted: boolean;
  readonly line: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '#' || text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new JaasError(`line ${line}: comment not closed`);
      for (let j = i; j < end; j++) if (text[j] === '\n') line++;
      i = end + 2;
    } else if ('{};='.includes(c)) {
      tokens.push({ text: c, quoted: false, line });
      i++;
    } else if (c === '"' || c === "'") {
      const start = line;
      let value = '';
      i++;
      while (i < text.length && text[i] !== c) {
        const escaped = text[i] === '\\' && i + 1 < text.length;
        if (escaped) i++;
        if (text[i] === '\n') line++;
        value += escaped ? (ESCAPES[text[i]!] ?? text[i]) : text[i];
        i++;
      }
      if (i >= text.length) throw new JaasError(`line ${start}: quoted value not closed`);
      i++;
      tokens.push({ text: value, quoted: true, line: start });
    } else {
      let word = '';
      while (i < text.length && !/\s/.test(text[i]!) && !'{};="\''.includes(text[i]!)) word += text[i++];
      tokens.push({ text: word, quoted: false, line });
    }
    if (tokens.length > MAX_ENTRIES * 4) throw new JaasError(`more than ${MAX_ENTRIES * 4} tokens`);
  }
  return tokens;
}

class Cursor {
  private i = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  get done(): boolean {
    return this.i >= this.tokens.length;
  }

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  next(what: string): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new JaasError(`unexpected end of file: expected ${what}`);
    return t;
  }

  expect(symbol: string): void {
    const t = this.next(`"${symbol}"`);
    if (t.quoted || t.text !== symbol) throw new JaasError(`line ${t.line}: expected "${symbol}"`);
  }

  word(what: string): Token {
    const t = this.next(what);
    if (t.quoted || '{};='.includes(t.text)) throw new JaasError(`line ${t.line}: expected ${what}`);
    return t;
  }
}

function readModules(c: Cursor): LoginModule[] {
  const modules: LoginModule[] = [];
  while (!c.done && c.peek()!.text !== '}') {
    const className = c.word('a login module class name').text;
    const flagToken = c.word('a control flag (required, requisite, sufficient or optional)');
    const flag = flagToken.text.toLowerCase();
    if (!FLAGS.has(flag)) throw new JaasError(`line ${flagToken.line}: expected a control flag (required, requisite, sufficient or optional) after ${className}`);
    const options = new Map<string, string>();
    for (;;) {
      const t = c.next('an option or ";"');
      if (!t.quoted && t.text === ';') break;
      if (t.quoted || '{}='.includes(t.text)) throw new JaasError(`line ${t.line}: expected an option name or ";" in ${className}`);
      c.expect('=');
      options.set(t.text, c.next(`the value of ${t.text}`).text);
      if (options.size > MAX_ENTRIES) throw new JaasError(`${className}: more than ${MAX_ENTRIES} options`);
    }
    modules.push({ className, flag: flag as LoginFlag, options });
  }
  return modules;
}

/** Every section of a JAAS file. Throws JaasError on malformed text. */
export function parseJaasFile(text: string): JaasSection[] {
  const c = new Cursor(tokenize(text));
  const sections: JaasSection[] = [];
  while (!c.done) {
    const name = c.word('a section name').text;
    c.expect('{');
    const modules = readModules(c);
    c.expect('}');
    c.expect(';');
    sections.push({ name, modules });
    if (sections.length > MAX_ENTRIES) throw new JaasError(`more than ${MAX_ENTRIES} sections`);
  }
  return sections;
}

/**
 * The one login module entry of Kafka's sasl.jaas.config (`Class flag key=value ...;`), as Kafka takes it:
 * a second entry is an error. Throws JaasError.
 */
export function parseLoginModuleEntry(text: string): LoginModule {
  const c = new Cursor(tokenize(text));
  const modules = readModules(c);
  if (!c.done) throw new JaasError(`line ${c.peek()!.line}: expected a login module class name`);
  if (modules.length !== 1) throw new JaasError(modules.length === 0 ? 'expected a login module class name' : 'sasl.jaas.config must hold exactly one login module');
  return modules[0]!;
}

/**
 * Users and passwords of `user_<name>="<password>"` options (ZooKeeper's DigestLoginModule, Kafka's
 * PlainLoginModule), from the modules whose class is `className`.
 */
export function usersOf(modules: readonly LoginModule[], className: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const m of modules) {
    if (m.className !== className) continue;
    for (const [key, value] of m.options) if (key.startsWith('user_')) users.set(key.slice('user_'.length), value);
  }
  return users;
}
