// Every version of every request and response in the registry compiles and round-trips a value that sets
// every field to something other than its default (so tagged fields go on the wire too), and again with
// every nullable field null. Real-client bytes are checked elsewhere; this reaches the versions no
// available client sends.
import { describe, expect, test } from 'vitest';
import {
  decodeMessage,
  encodeMessage,
  inVersions,
  KAFKA_APIS,
  valueKey,
  versionBounds,
  type FieldSpec,
  type MessageInput,
  type MessageSpec,
} from '../../../../protocol/kafka/index.js';

type Struct = Record<string, unknown>;

function scalar(field: FieldSpec, type: string): unknown {
  switch (type) {
    case 'bool':
      return field.default !== true;
    case 'int8':
      return 3;
    case 'int16':
      return 300;
    case 'uint16':
      return 60000;
    case 'int32':
      return 70000;
    case 'uint32':
      return 3_000_000_000;
    case 'int64':
      return 2 ** 40 + 1;
    case 'float64':
      return 1.5;
    case 'string':
      return `${field.name}-é`;
    case 'uuid':
      return '0123456789abcdef0123456789abcdef';
    case 'bytes':
    case 'records':
      return Buffer.from([1, 2, 3]);
    default:
      throw new Error(`no sample for ${type}`);
  }
}

/** A value for every field of the struct; nullable ones (in this version) null if `nulls`. */
function sample(fields: readonly FieldSpec[], version: number, nulls: boolean): Struct {
  const o: Struct = {};
  for (const f of fields) {
    if (nulls && inVersions(f.nullableVersions, version)) o[valueKey(f.name)] = null;
    else if (f.fields) {
      const struct = sample(f.fields, version, nulls);
      o[valueKey(f.name)] = f.type.startsWith('[]') ? [struct, sample(f.fields, version, nulls)] : struct;
    } else if (f.type.startsWith('[]')) {
      const element = scalar(f, f.type.slice(2));
      o[valueKey(f.name)] = [element, element];
    } else o[valueKey(f.name)] = scalar(f, f.type);
  }
  return o;
}

/** Fields the version carries came back as sent; the others are present with some default. */
function expectCarried(fields: readonly FieldSpec[], version: number, sent: Struct, got: Struct, path: string): void {
  expect(Object.keys(got)).toEqual(fields.map((f) => valueKey(f.name)));
  for (const f of fields) {
    const key = valueKey(f.name);
    if (!inVersions(f.versions, version)) continue;
    const [s, g] = [sent[key], got[key]];
    if (f.fields && s !== null) {
      const [ss, gs] = f.type.startsWith('[]') ? [s as Struct[], g as Struct[]] : [[s as Struct], [g as Struct]];
      expect(gs.length, `${path}.${key}`).toBe(ss.length);
      ss.forEach((x, i) => expectCarried(f.fields!, version, x, gs[i]!, `${path}.${key}[${i}]`));
    } else {
      expect(g, `${path}.${key}`).toEqual(s);
    }
  }
}

const cases = Object.values(KAFKA_APIS).flatMap((api) =>
  [api.request, api.response].flatMap((spec: MessageSpec) => {
    const { min, max } = versionBounds(spec.validVersions);
    return Array.from({ length: max - min + 1 }, (_, i) => [`${spec.name} v${min + i}`, spec, min + i] as const);
  }),
);

describe.each([false, true])('nullable fields null: %s', (nulls) => {
  test.each(cases)('%s', (_label, spec, version) => {
    const value = sample(spec.fields, version, nulls);
    // Built by walking the spec at run time, so its type is only known to be a struct.
    const bytes = Buffer.concat(encodeMessage(spec, version, value as MessageInput<MessageSpec>));
    const decoded = decodeMessage(spec, version, bytes);
    expectCarried(spec.fields, version, value, decoded as Struct, spec.name);
    expect(Buffer.concat(encodeMessage(spec, version, decoded)).equals(bytes)).toBe(true);
  });
});

test('the registry holds at least the versions the broker is to serve', () => {
  const needed: Record<number, [number, number]> = {
    18: [0, 3],
    3: [0, 12],
    0: [3, 9],
    1: [4, 12],
    2: [0, 7],
    19: [0, 7],
    20: [0, 6],
    37: [0, 3],
    32: [0, 4],
    33: [0, 2],
    44: [0, 1],
    21: [0, 2],
    10: [0, 4],
    11: [0, 9],
    14: [0, 5],
    12: [0, 4],
    13: [0, 5],
    8: [0, 8],
    9: [0, 8],
    15: [0, 5],
    16: [0, 4],
    42: [0, 2],
    47: [0, 0],
    22: [0, 4],
    23: [0, 4],
    43: [0, 2],
    45: [0, 0],
    46: [0, 0],
    60: [0, 1],
    24: [0, 5],
    25: [0, 4],
    26: [0, 4],
    65: [0, 0],
    66: [0, 1],
    28: [0, 3],
    61: [0, 0],
    29: [0, 3],
    30: [0, 3],
    31: [0, 3],
    68: [0, 1],
    69: [0, 1],
    // KIP-714 client telemetry; 74 lists its client-metrics subscriptions (v1, KIP-1142: config resources of any type).
    71: [0, 0],
    72: [0, 0],
    74: [0, 1],
    35: [0, 4],
    75: [0, 0],
    // KIP-932 share groups: v0 was Kafka 4.0's early access, removed in 4.1.
    76: [1, 1],
    77: [1, 1],
    78: [1, 2],
    79: [1, 2],
    90: [0, 1],
    91: [0, 0],
    92: [0, 0],
    17: [0, 1],
    36: [0, 2],
    48: [0, 1],
    49: [0, 1],
    50: [0, 0],
    51: [0, 0],
    // Inter-broker, at the versions Kafka 3.9 speaks in ZooKeeper mode.
    4: [0, 7],
    5: [0, 4],
    6: [0, 8],
    7: [0, 3],
    27: [0, 1],
    // KIP-932 share coordinator requests, between Skein brokers.
    84: [0, 0],
    85: [0, 0],
    86: [0, 0],
  };
  for (const [key, [min, max]] of Object.entries(needed)) {
    const api = KAFKA_APIS[Number(key) as keyof typeof KAFKA_APIS];
    for (const spec of [api.request, api.response]) {
      const bounds = versionBounds(spec.validVersions);
      expect(bounds.min, spec.name).toBeLessThanOrEqual(min);
      expect(bounds.max, spec.name).toBeGreaterThanOrEqual(max);
    }
  }
  expect(Object.keys(needed).length).toBe(Object.keys(KAFKA_APIS).length);
});
