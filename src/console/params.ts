// Validation of the console API's query parameters and JSON bodies: every value a handler uses passes
// through one of these, which throw a 400 naming the parameter instead of letting NaN or a 10 MB
// string reach the cluster.
import { badRequest } from './api-error.js';

/** Longest string parameter (a topic name is at most 249 characters, a znode path a few hundred). */
export const STRING_PARAM_CHARS_MAX = 4096;

export type Query = URLSearchParams;

export function str(q: Query, name: string, fallback?: string): string {
  const raw = q.get(name);
  if (raw === null) {
    if (fallback !== undefined) return fallback;
    throw badRequest(`parameter ${name} is required`);
  }
  if (raw.length > STRING_PARAM_CHARS_MAX) throw badRequest(`parameter ${name} is longer than ${STRING_PARAM_CHARS_MAX} characters`);
  return raw;
}

/** An integer in [min, max]; `fallback` when absent. */
export function int(q: Query, name: string, min: number, max: number, fallback?: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') {
    if (fallback !== undefined) return fallback;
    throw badRequest(`parameter ${name} is required`);
  }
  return intValue(raw, name, min, max);
}

export function intValue(raw: unknown, name: string, min: number, max: number): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw badRequest(`${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)?.slice(0, 40)}`);
  return n;
}

export function oneOf<T extends string>(q: Query, name: string, values: readonly T[], fallback: T): T {
  const raw = q.get(name) ?? fallback;
  if (!(values as readonly string[]).includes(raw)) throw badRequest(`parameter ${name} must be one of ${values.join(', ')}`);
  return raw as T;
}

/** A Kafka topic name as Kafka accepts one (Topic.validate): the path segment is checked before any request. */
export function topicName(raw: string): string {
  if (raw.length === 0 || raw.length > 249 || !/^[a-zA-Z0-9._-]+$/.test(raw) || raw === '.' || raw === '..') throw badRequest(`not a valid topic name: ${JSON.stringify(raw.slice(0, 300))}`);
  return raw;
}

/** A config name as Kafka spells them (lower case, dots); the broker says whether it knows it. */
export function configName(raw: string): string {
  if (!/^[a-z0-9._-]{1,255}$/.test(raw)) throw badRequest(`not a config name: ${JSON.stringify(raw.slice(0, 300))}`);
  return raw;
}

/** A group id: any non-empty string Kafka would take, bounded. */
export function groupId(raw: string): string {
  if (raw.length === 0 || raw.length > 1024) throw badRequest('a group id must have 1 to 1024 characters');
  return raw;
}

/** An absolute znode path as ZooKeeper's PathUtils.validatePath accepts it. */
export function znodePath(raw: string): string {
  const bad = (why: string) => badRequest(`not a valid znode path ${JSON.stringify(raw.slice(0, 300))}: ${why}`);
  if (!raw.startsWith('/')) throw bad('must start with /');
  if (raw.length > STRING_PARAM_CHARS_MAX) throw bad(`longer than ${STRING_PARAM_CHARS_MAX}`);
  if (raw === '/') return raw;
  if (raw.endsWith('/')) throw bad('must not end with /');
  for (const part of raw.slice(1).split('/')) {
    if (part === '') throw bad('empty segment');
    if (part === '.' || part === '..') throw bad('relative segment');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\ud800-\uf8ff\ufff0-\uffff]/.test(raw)) throw bad('invalid character');
  return raw;
}

/** The JSON object of a request body. */
export function jsonObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('the body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('the body must be a JSON object');
  return value as Record<string, unknown>;
}

export function field(o: Record<string, unknown>, name: string, maxLength: number, optional = false): string | null {
  const v = o[name];
  if (v === undefined || v === null) {
    if (optional) return null;
    throw badRequest(`field ${name} is required`);
  }
  if (typeof v !== 'string') throw badRequest(`field ${name} must be a string`);
  if (Buffer.byteLength(v) > maxLength) throw badRequest(`field ${name} is longer than ${maxLength} bytes`);
  return v;
}
