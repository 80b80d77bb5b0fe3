// The fixture manifests written by test/fixtures/records/*.py, and the same description of decoded records.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BatchRecord } from '../../../../protocol/kafka/records/batch-records.js';

export const FIXTURES = new URL('../../../fixtures/records/', import.meta.url);
/** Debian's python3, which has the kafka-python and codec packages (not a pyenv one on PATH). */
export const PYTHON = '/usr/bin/python3';

const INLINE_MAX = 256;

export type Described = { hex: string } | { length: number; sha256: string } | null;

export interface DescribedRecord {
  offsetDelta: number;
  timestamp: number;
  key: Described;
  value: Described;
  headers: Array<[string, Described]>;
}

export interface Manifest<Entry> {
  client: string;
  baseTimestamp: number;
  records: DescribedRecord[];
  batches: Entry[];
}

export function readManifest<Entry>(name: string): Manifest<Entry> {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Manifest<Entry>;
}

export function readFixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

export function describeBytes(b: Buffer | null): Described {
  if (b === null) return null;
  if (b.length <= INLINE_MAX) return { hex: b.toString('hex') };
  return { length: b.length, sha256: createHash('sha256').update(b).digest('hex') };
}

export function describeRecord(r: BatchRecord): DescribedRecord {
  return {
    offsetDelta: r.offsetDelta,
    timestamp: r.timestamp,
    key: describeBytes(r.key),
    value: describeBytes(r.value),
    headers: r.headers.map((h) => [h.key, describeBytes(h.value)]),
  };
}
