// Kafka's sasl.kerberos.principal.to.local.rules (Hadoop's auth_to_local syntax): a Kerberos principal
// to the user name ACLs see. Rules are tried in order:
//   DEFAULT                                   the first component, when the realm is the default realm
//   RULE:[n:format](match)s/pattern/repl/g/L  for principals of n components: format with $0 = realm and
//                                              $1..$n = the components, kept when it matches `match`, then
//                                              sed-substituted (once, or every match with g), then
//                                              lower- (L) or upper-cased (U)
// A principal no rule maps is refused, as Kafka refuses it; a mapped name must not contain / or @.

export class ShortNameError extends Error {
  override readonly name = 'ShortNameError';
}

interface Rule {
  text: string;
  /** undefined for DEFAULT. */
  components?: number;
  format?: string;
  match?: RegExp;
  substitute?: { pattern: RegExp; replacement: string };
  caseTo?: 'L' | 'U';
}

// Kafka's KerberosShortNamer grammar, one rule at a time from the front of the remaining text.
const RULE = /^\s*(?:(DEFAULT)|RULE:\[(\d+):([^\]]*)\](?:\(([^)]*)\))?(?:s\/([^/]*)\/([^/]*)\/(g)?)?\/?([LU])?)\s*(?:,|$)/;

export class KerberosShortNamer {
  private constructor(
    private readonly rules: Rule[],
    private readonly defaultRealm: string,
  ) {}

  /** Parses the rules (a list as Kafka's config holds it: comma-separated, or already split). */
  static parse(rules: string | readonly string[], defaultRealm: string): KerberosShortNamer {
    let text = (typeof rules === 'string' ? rules : rules.join(',')).trim();
    const out: Rule[] = [];
    while (text.length > 0) {
      const m = RULE.exec(text);
      if (!m) throw new ShortNameError(`invalid rule: ${text.split(',')[0]}`);
      const ruleText = m[0].trim().replace(/,$/, '');
      if (m[1]) out.push({ text: ruleText });
      else {
        const regex = (source: string, flags: string) => {
          try {
            return new RegExp(source, flags);
          } catch {
            throw new ShortNameError(`invalid regular expression in rule ${ruleText}`);
          }
        };
        out.push({
          text: ruleText,
          components: Number(m[2]),
          format: m[3]!,
          match: m[4] === undefined ? undefined : regex(`^(?:${m[4]})$`, ''),
          substitute: m[5] === undefined ? undefined : { pattern: regex(m[5], m[7] ? 'g' : ''), replacement: m[6]! },
          caseTo: m[8] as 'L' | 'U' | undefined,
        });
      }
      text = text.slice(m[0].length);
    }
    if (out.length === 0) throw new ShortNameError('no rules');
    return new KerberosShortNamer(out, defaultRealm);
  }

  /** The short name of `components@realm`; ShortNameError when no rule applies. */
  shortName(components: readonly string[], realm: string): string {
    for (const rule of this.rules) {
      const name = this.apply(rule, components, realm);
      if (name === undefined) continue;
      if (/[/@]/.test(name)) throw new ShortNameError(`rule ${rule.text} maps ${components.join('/')}@${realm} to a non-simple name`);
      return name;
    }
    throw new ShortNameError(`no rule of sasl.kerberos.principal.to.local.rules applies to ${components.join('/')}@${realm}`);
  }

  private apply(rule: Rule, components: readonly string[], realm: string): string | undefined {
    if (rule.components === undefined) return realm === this.defaultRealm ? components[0] : undefined;
    if (rule.components !== components.length) return undefined;
    const params = [realm, ...components];
    let base = rule.format!.replace(/\$(\d+)/g, (all, n: string) => params[Number(n)] ?? all);
    if (rule.match && !rule.match.test(base)) return undefined;
    if (rule.substitute) base = base.replace(rule.substitute.pattern, rule.substitute.replacement);
    return rule.caseTo === 'L' ? base.toLowerCase() : rule.caseTo === 'U' ? base.toUpperCase() : base;
  }
}
