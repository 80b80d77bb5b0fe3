// A client-metrics subscription: KIP-714's CLIENT_METRICS config resource, named, with three keys,
// validated as Kafka's ClientMetricsConfigs validates them (same checks, order, error codes and
// messages) and described as Kafka's DescribeConfigs shows them. Pure: no I/O.
//
//   metrics      metric name prefixes the matching clients are asked for; `*` all; empty (the default) none
//   interval.ms  how often they push, 100 ms to 1 h (default 5 min)
//   match        selector=regex pairs, all of which a client must match (in full); none matches every client
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { compileRegex } from '../groups/consumer/group-state.js';
import type { ConfigDescription } from '../metadata/config-description.js';
import { ConfigSource } from '../metadata/config-synonyms.js';

export const METRICS = 'metrics';
export const INTERVAL_MS = 'interval.ms';
export const MATCH = 'match';

/** Kafka's metric selector meaning every metric. */
export const ALL_METRICS = '*';
const INTERVAL_MS_DEFAULT = 300_000;
const INTERVAL_MS_MIN = 100;
const INTERVAL_MS_MAX = 3_600_000;
/**
 * Longest match regex accepted. Kafka has no bound (it compiles with RE2/J, linear in the input);
 * JavaScript's engine backtracks, so the RE2-safe subset is taken (compileRegex), its length bounded, and
 * the shapes whose backtracking is exponential refused (repeatsAmbiguously).
 */
export const MATCH_PATTERN_LENGTH_MAX = 1_000;

/** Whether a quantifier that repeats more than once (*, +, {n,}, {n,m} with m > 1) starts at `i`. */
function repeatsAt(source: string, i: number): boolean {
  const c = source[i];
  if (c === '*' || c === '+') return true;
  const braces = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 24));
  if (!braces) return false;
  const max = braces[2] === undefined ? Number(braces[1]) : braces[3] === '' ? Infinity : Number(braces[3]);
  return max > 1;
}

/**
 * Whether a group that repeats holds a quantifier or an alternation: (a+)+, (a|ab)*, (x*y)+ - the
 * patterns a backtracking engine can take exponential time on (a long client id). RE2 has no such
 * cost; here they are refused rather than left to hurt the broker.
 */
export function repeatsAmbiguously(source: string): boolean {
  // Per open group: whether it holds a quantifier or an alternation.
  const open: boolean[] = [];
  const mark = () => {
    if (open.length > 0) open[open.length - 1] = true;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') {
      // A class is one character: skip to its end (a ']' first in the class is literal).
      i += source[i + 1] === '^' ? 2 : 1;
      if (source[i] === ']') i++;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
    } else if (c === '(') {
      open.push(false);
      if (source[i + 1] === '?') i += 2;
    } else if (c === ')') {
      const holds = open.pop() ?? false;
      const repeats = repeatsAt(source, i + 1);
      if (holds && repeats) return true;
      if (holds || repeats || source[i + 1] === '?') mark();
    } else if (c === '|' || c === '?' || repeatsAt(source, i)) mark();
  }
  return false;
}

/** What a client is matched on (Kafka's ClientMetricsInstanceMetadata), by Kafka's selector names. */
const MATCH_SELECTORS = ['client_instance_id', 'client_id', 'client_software_name', 'client_software_version', 'client_source_address', 'client_source_port'] as const;
type MatchSelector = (typeof MATCH_SELECTORS)[number];

/** A client's value for each selector; null where it has none (no client id), which no pattern matches. */
export type ClientAttributes = Readonly<Record<MatchSelector, string | null>>;

export interface ClientMetricsSubscription {
  readonly name: string;
  readonly metrics: readonly string[];
  readonly intervalMs: number;
  readonly match: ReadonlyMap<MatchSelector, RegExp>;
}

/** DescribeConfigs' ConfigType ids of the three keys (LIST, INT). */
const CONFIG_TYPE = { LIST: 7, INT: 3 } as const;

const KEYS: Readonly<Record<string, { type: keyof typeof CONFIG_TYPE; default: string; doc: string }>> = {
  [METRICS]: { type: 'LIST', default: '', doc: 'Telemetry metric name prefix list' },
  [INTERVAL_MS]: { type: 'INT', default: String(INTERVAL_MS_DEFAULT), doc: 'Metrics push interval in milliseconds' },
  [MATCH]: { type: 'LIST', default: '', doc: 'Client match criteria' },
};

const fail = (code: number, message: string): never => {
  throw new KafkaProtocolError(code, message);
};

/** Kafka's LIST parsing: trimmed, empty is no items, else split at commas with the blanks around them. */
function listValue(value: string): string[] {
  const trimmed = value.trim();
  return trimmed === '' ? [] : trimmed.split(/\s*,\s*/);
}

/** Kafka's INT parsing (Integer.parseInt of the trimmed value). */
function intValue(key: string, value: string): number {
  const trimmed = value.trim();
  const n = /^[+-]?\d{1,10}$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) fail(ErrorCode.INVALID_CONFIG, `Invalid value ${value} for configuration ${key}: Not a number of type INT`);
  return n;
}

/** Kafka's parsing of `match` items: selector=regex each, split at '=' into exactly two parts. */
function matchPatterns(items: readonly string[]): Map<MatchSelector, RegExp> {
  const patterns = new Map<MatchSelector, RegExp>();
  for (const item of items) {
    const illegal = () => fail(ErrorCode.INVALID_CONFIG, `Illegal client matching pattern: ${item}`);
    // Java's String.split drops trailing empty parts: "client_id=" is one part, and illegal.
    const parts = item.split('=');
    while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
    if (parts.length !== 2) illegal();
    const selector = parts[0]!.trim();
    if (!(MATCH_SELECTORS as readonly string[]).includes(selector)) illegal();
    const source = parts[1]!.trim();
    const regex = source.length > MATCH_PATTERN_LENGTH_MAX || repeatsAmbiguously(source) ? null : compileRegex(source);
    if (regex === null) illegal();
    patterns.set(selector as MatchSelector, regex!);
  }
  return patterns;
}

/**
 * The subscription a resource's configs make, checked as Kafka checks them: a name (INVALID_REQUEST),
 * known keys only (INVALID_REQUEST), an int interval (INVALID_CONFIG) within 100 ms..1 h
 * (INVALID_REQUEST), match patterns that parse (INVALID_CONFIG). Throws KafkaProtocolError.
 */
export function parseSubscription(name: string, config: Readonly<Record<string, string>>): ClientMetricsSubscription {
  if (name === '') fail(ErrorCode.INVALID_REQUEST, "Subscription name can't be empty");
  for (const key of Object.keys(config)) if (!Object.hasOwn(KEYS, key)) fail(ErrorCode.INVALID_REQUEST, `Unknown client metrics configuration: ${key}`);
  const metrics = listValue(config[METRICS] ?? '');
  const intervalMs = config[INTERVAL_MS] === undefined ? INTERVAL_MS_DEFAULT : intValue(INTERVAL_MS, config[INTERVAL_MS]);
  if (intervalMs < INTERVAL_MS_MIN || intervalMs > INTERVAL_MS_MAX) {
    fail(ErrorCode.INVALID_REQUEST, `Invalid value ${intervalMs} for ${INTERVAL_MS}, interval must be between 100 and 3600000 (1 hour)`);
  }
  return { name, metrics, intervalMs, match: matchPatterns(listValue(config[MATCH] ?? '')) };
}

/** Whether a client matches every pattern of the subscription (a subscription without any matches all). */
function matches(subscription: ClientMetricsSubscription, client: ClientAttributes): boolean {
  for (const [selector, regex] of subscription.match) {
    const value = client[selector];
    if (value === null || !regex.test(value)) return false;
  }
  return true;
}

/** What a client is asked for: the union of the subscriptions it matches. */
export interface ClientSubscription {
  readonly metrics: readonly string[];
  readonly intervalMs: number;
}

/**
 * Kafka's union: every prefix of every matching subscription (just `*` when one has it), pushed at the
 * shortest of their intervals and never less often than the default. No match: nothing, at the default.
 */
export function subscriptionOf(subscriptions: Iterable<ClientMetricsSubscription>, client: ClientAttributes): ClientSubscription {
  const metrics = new Set<string>();
  let intervalMs = INTERVAL_MS_DEFAULT;
  for (const s of subscriptions) {
    if (!matches(s, client)) continue;
    for (const m of s.metrics) metrics.add(m);
    intervalMs = Math.min(intervalMs, s.intervalMs);
  }
  return { metrics: metrics.has(ALL_METRICS) ? [ALL_METRICS] : [...metrics].sort(), intervalMs };
}

/**
 * The resource's three keys as Kafka's DescribeConfigs shows them: set ones with source
 * CLIENT_METRICS_CONFIG, the rest at their defaults; lists as Kafka writes them (comma-joined).
 */
export function describeSubscription(config: Readonly<Record<string, string>>): ConfigDescription[] {
  return Object.entries(KEYS).map(([name, key]) => {
    const set = config[name];
    const value = set === undefined ? key.default : key.type === 'LIST' ? listValue(set).join(',') : String(intValue(name, set));
    const source = set === undefined ? ConfigSource.DEFAULT_CONFIG : ConfigSource.CLIENT_METRICS_CONFIG;
    return {
      name,
      value,
      source,
      readOnly: false,
      isSensitive: false,
      synonyms: set === undefined ? [] : [{ name, value, source }],
      type: CONFIG_TYPE[key.type],
      doc: key.doc,
    };
  });
}

/** IncrementalAlterConfigs' view of the keys for APPEND and SUBTRACT: lists start empty; interval.ms is no list. */
export function clientMetricsListDefault(name: string): string | null | undefined {
  const key = Object.hasOwn(KEYS, name) ? KEYS[name] : undefined;
  if (key === undefined) return undefined;
  return key.type === 'LIST' ? key.default : null;
}
