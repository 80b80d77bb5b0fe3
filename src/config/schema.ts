// Typed config keys for properties files: each key names its parser and default, so a bad value is
// refused with a message naming the key, and unknown keys can be reported.
import type { PropertyLine } from './properties.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A value's type as Kafka's ConfigDef names it (DescribeConfigs reports it). */
export type ValueType = 'BOOLEAN' | 'STRING' | 'INT' | 'LONG' | 'DOUBLE' | 'LIST' | 'PASSWORD';

export interface KeyDef<T> {
  readonly default: T;
  readonly doc: string;
  readonly type?: ValueType;
  /** Throws Error with a reason (the caller adds the key's name). */
  parse(raw: string): T;
}

export type Schema = Record<string, KeyDef<unknown>>;
export type ConfigValues<S extends Schema> = { -readonly [K in keyof S]: S[K] extends KeyDef<infer T> ? T : never };

export function parseConfig<S extends Schema>(
  schema: S,
  entries: readonly PropertyLine[],
): { values: ConfigValues<S>; unknown: PropertyLine[] } {
  const values = {} as Record<string, unknown>;
  for (const [key, def] of Object.entries(schema)) values[key] = def.default;
  const unknown: PropertyLine[] = [];
  for (const entry of entries) {
    const def = Object.hasOwn(schema, entry.key) ? schema[entry.key] : undefined;
    if (!def) {
      unknown.push(entry);
      continue;
    }
    try {
      values[entry.key] = def.parse(entry.value.trim());
    } catch (err) {
      const where = entry.line > 0 ? ` (line ${entry.line})` : entry.source ? ` (${entry.source})` : '';
      throw new ConfigError(`${entry.key}${where}: ${(err as Error).message}`);
    }
  }
  return { values: values as ConfigValues<S>, unknown };
}

/** `key=value` command-line overrides as entries (line 0), applied after the file's. */
export function parseOverrides(overrides: readonly string[]): PropertyLine[] {
  return overrides.map((o) => {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new ConfigError(`override "${o}" is not key=value`);
    return { key: o.slice(0, eq).trim(), value: o.slice(eq + 1), line: 0 };
  });
}

interface Range {
  min?: number;
  max?: number;
}

function integer(raw: string, range: Range, bits: 32 | 64): number {
  if (!/^-?\d+$/.test(raw)) throw new Error(`expected an integer, got "${raw}"`);
  const v = Number(raw);
  const limit = bits === 32 ? 2 ** 31 : 2 ** 63;
  if (v >= limit || v < -limit) throw new Error(`${raw} does not fit in ${bits} bits`);
  if (range.min !== undefined && v < range.min) throw new Error(`${raw} is below the minimum ${range.min}`);
  if (range.max !== undefined && v > range.max) throw new Error(`${raw} is above the maximum ${range.max}`);
  return v;
}

export function int<T extends number | undefined>(doc: string, def: T, range: Range = {}): KeyDef<number | T> {
  return { doc, default: def, type: 'INT', parse: (raw) => integer(raw, range, 32) };
}

/**
 * A number as Kafka prints it. Longs past 2^53 saturate when parsed (Long.MAX_VALUE means "forever"), so
 * the saturated values are printed as the Java extremes they stand for, not as the nearest double.
 */
export function numberString(v: number): string {
  if (v >= 2 ** 63) return '9223372036854775807';
  if (v <= -(2 ** 63)) return '-9223372036854775808';
  return String(v);
}

/** A Java long; values past 2^53 (Long.MAX_VALUE as "forever") saturate without harm. */
export function long<T extends number | undefined>(doc: string, def: T, range: Range = {}): KeyDef<number | T> {
  return { doc, default: def, type: 'LONG', parse: (raw) => integer(raw, range, 64) };
}

/** A Java double: a decimal number, optionally with an exponent. */
export function double<T extends number | undefined>(doc: string, def: T, range: Range = {}): KeyDef<number | T> {
  return {
    doc,
    default: def,
    type: 'DOUBLE',
    parse(raw) {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) throw new Error(`expected a number, got "${raw}"`);
      const v = Number(raw);
      if (!Number.isFinite(v)) throw new Error(`${raw} is out of range`);
      if (range.min !== undefined && v < range.min) throw new Error(`${raw} is below the minimum ${range.min}`);
      if (range.max !== undefined && v > range.max) throw new Error(`${raw} is above the maximum ${range.max}`);
      return v;
    },
  };
}

export function bool(doc: string, def: boolean): KeyDef<boolean> {
  return {
    doc,
    default: def,
    type: 'BOOLEAN',
    parse(raw) {
      const v = raw.toLowerCase();
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw new Error(`expected true or false, got "${raw}"`);
    },
  };
}

export function str<T extends string | undefined>(doc: string, def: T): KeyDef<string | T> {
  return { doc, default: def, type: 'STRING', parse: (raw) => raw };
}

/** A secret (a password, a private key): reported as sensitive, its value never shown. Unset by default. */
export function password(doc: string): KeyDef<string | undefined> {
  return { doc, default: undefined, type: 'PASSWORD', parse: (raw) => raw };
}

/** Comma-separated; blanks dropped. */
export function list(doc: string, def: string[]): KeyDef<string[]> {
  return {
    doc,
    default: def,
    type: 'LIST',
    parse: (raw) =>
      raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
  };
}

export function oneOf<const T extends string>(doc: string, def: T, choices: readonly T[]): KeyDef<T> {
  return {
    doc,
    default: def,
    type: 'STRING',
    parse(raw) {
      if (!(choices as readonly string[]).includes(raw)) throw new Error(`expected one of ${choices.join(', ')}, got "${raw}"`);
      return raw as T;
    },
  };
}
