// Every request Kafka accepts gets an answer. The walk goes through every API and version the broker
// serves and sends requests built from the message specs with nulls wherever the version allows them
// (top-level and inside one-element arrays), unknown topic ids where ids are carried: the broker must
// answer each one, never close the connection because it could not encode its own response.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inVersions, KAFKA_APIS, valueKey, type ApiKey, type FieldSpec } from '../../../protocol/kafka/index.js';
import { KafkaConnection } from '../../../src/kafka/client/connection.js';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';

type Struct = Record<string, unknown>;

/** An id no topic has. */
const UNKNOWN_TOPIC_ID = '0123456789abcdef0123456789abcdef';

/** Fields whose default would make the request one that gets no answer or waits. */
const OVERRIDES: Record<string, unknown> = { acks: -1, timeoutMs: 1000, maxWaitMs: 0 };

interface Variant {
  /** Nullable arrays get one element (so the nulls inside them are reached) instead of null. */
  fillArrays: boolean;
  /** What non-nullable strings hold. */
  text: string;
}

const VARIANTS: Variant[] = [
  { fillArrays: false, text: 'nullable-walk' },
  { fillArrays: true, text: 'nullable-walk' },
  { fillArrays: true, text: '' },
];

function scalar(field: FieldSpec, type: string, variant: Variant): unknown {
  if (Object.hasOwn(OVERRIDES, valueKey(field.name))) return OVERRIDES[valueKey(field.name)];
  switch (type) {
    case 'string':
      return variant.text;
    case 'uuid':
      return UNKNOWN_TOPIC_ID;
    case 'bytes':
      return Buffer.alloc(0);
    case 'records':
      return null;
    case 'bool':
      return field.default ?? false;
    default:
      return typeof field.default === 'number' ? field.default : 0;
  }
}

/** A request struct: nullable fields (in this version) null, except arrays the variant fills. */
function sample(fields: readonly FieldSpec[], version: number, variant: Variant): Struct {
  const o: Struct = {};
  for (const f of fields) {
    if (!inVersions(f.versions, version)) continue;
    const nullable = inVersions(f.nullableVersions, version);
    const array = f.type.startsWith('[]');
    if (nullable && !(array && variant.fillArrays)) o[valueKey(f.name)] = null;
    else if (f.fields) {
      const struct = sample(f.fields, version, variant);
      o[valueKey(f.name)] = array ? [struct] : struct;
    } else if (array) o[valueKey(f.name)] = [scalar(f, f.type.slice(2), variant)];
    else o[valueKey(f.name)] = scalar(f, f.type, variant);
  }
  return o;
}

let broker: TestBroker;

beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(() => broker.close());

test('every API and version answers requests with nulls where nullable and unknown topic ids', async () => {
  const failures: string[] = [];
  let conn = await KafkaConnection.connect(broker.bootstrap, { requestTimeoutMs: 10_000 });
  for (const range of broker.broker.handlers.supported()) {
    const spec = KAFKA_APIS[range.apiKey as ApiKey].request;
    for (let version = range.minVersion; version <= range.maxVersion; version++) {
      for (const variant of VARIANTS) {
        const body = sample(spec.fields, version, variant);
        try {
          await conn.send(range.apiKey as ApiKey, version, body as never);
        } catch (err) {
          failures.push(`${spec.name} v${version} ${JSON.stringify(variant)}: ${(err as Error).message}`);
          if (conn.closed) conn = await KafkaConnection.connect(broker.bootstrap, { requestTimeoutMs: 10_000 });
        }
      }
    }
  }
  conn.close();
  expect(failures).toEqual([]);
});
