// The effective configuration `skein config show` prints: every key of a schema with the value that wins
// and where it came from (the default, a file line, an environment variable, --override), keys the schema
// does not know included, secrets masked.
import type { SourcedLine } from './layers.js';
import { numberString, type Schema } from './schema.js';

export interface EffectiveSetting {
  key: string;
  /** The text that wins, or null for a key unset and without a default. */
  value: string | null;
  /** `default`, or the winning entry's source. */
  source: string;
  /** False for keys the schema does not know (the server warns about them and ignores them). */
  known: boolean;
}

export const MASK = '[hidden]';

/**
 * Keys whose values are secrets: every *password* key (ssl.key.password, sasl.*.password), JAAS configs
 * (they embed passwords), PEM private keys given inline (ssl.keystore.key) and ZooKeeper's super digest
 * (a crackable hash of the super user's password).
 */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase();
  return k.includes('password') || k.endsWith('sasl.jaas.config') || k.endsWith('ssl.keystore.key') || k.endsWith('superdigest');
}

/** A default as a properties file would spell it. */
function defaultText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'number') return numberString(value);
  return String(value);
}

/**
 * Schema keys in schema order, then the other keys in the order they were set; `isKnown` accepts keys a
 * schema cannot list (zoo.cfg's server.N).
 */
export function effectiveSettings(schema: Schema, lines: readonly SourcedLine[], isKnown: (key: string) => boolean = () => false): EffectiveSetting[] {
  const winner = new Map<string, SourcedLine>();
  for (const line of lines) winner.set(line.key, line);
  const settings: EffectiveSetting[] = Object.entries(schema).map(([key, def]) => {
    const set = winner.get(key);
    return set ? { key, value: set.value.trim(), source: set.source, known: true } : { key, value: defaultText(def.default), source: 'default', known: true };
  });
  for (const [key, set] of winner) if (!Object.hasOwn(schema, key)) settings.push({ key, value: set.value.trim(), source: set.source, known: isKnown(key) });
  // A key the schema types PASSWORD is a secret whatever its name (Kafka's ConfigDef rule).
  const secret = (key: string) => isSecretKey(key) || (Object.hasOwn(schema, key) && schema[key]!.type === 'PASSWORD');
  return settings.map((s) => (s.value !== null && s.value !== '' && secret(s.key) ? { ...s, value: MASK } : s));
}
