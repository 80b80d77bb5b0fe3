// Valid Kafka request frames of every API and version the broker serves, drawn by walking the message
// specs (the same specs the codec compiles), then mutated. Values lean towards what reaches deep code:
// the fuzz topics and group, small counts and ids, real record batches, next to arbitrary ones.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  apiSpec,
  decodeRequestFrame,
  encodeRequestFrame,
  inVersions,
  valueKey,
  ZERO_UUID,
  ApiKey,
  REQUEST_HEADER_PREFIX_BYTES,
  type FieldSpec,
  type RequestInputOf,
} from '../../protocol/kafka/index.js';
import { buildRecordBatch } from '../../protocol/kafka/records/batch-builder.js';
import { Compression } from '../../protocol/kafka/records/batch-header.js';
import type { Handler } from '../../src/kafka/handler.js';
import { mutateAll, mutationsArb, type Mutation } from './mutations.js';

/** Topics and group the fuzz frames name; the test creates them with data first. */
export const FUZZ_TOPICS = ['fuzz-a', 'fuzz-b'] as const;
export const FUZZ_GROUP = 'fuzz-group';
/** Waits a request may ask for, at most: longer ones (legal long polls) would read as hangs. */
export const MAX_REQUESTED_WAIT_MS = 1_000;
/**
 * Partitions one topic of a CreateTopics or CreatePartitions request may ask for. Each partition holds
 * three open files and the broker bounds partitions only per topic (10,000), so one request for
 * thousands exhausts the process's open-file limit and fails unrelated partitions with EMFILE. That
 * finding is reported apart; the fuzz run stays below it.
 */
const MAX_PARTITIONS_PER_REQUEST = 100;

const NAMES = [...FUZZ_TOPICS, FUZZ_GROUP, '', '__consumer_offsets', 'retention.ms', 'cleanup.policy', 'compression.type', 'segment.bytes', '1', 'range', 'consumer'];

const stringArb = fc.oneof(
  { arbitrary: fc.constantFrom(...NAMES), weight: 3 },
  { arbitrary: fc.string({ maxLength: 24 }), weight: 1 },
);

function intArb(min: number, max: number): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: fc.integer({ min: Math.max(min, -1), max: Math.min(max, 8) }), weight: 4 },
    { arbitrary: fc.constantFrom(min, max), weight: 1 },
    { arbitrary: fc.integer({ min, max }), weight: 1 },
  );
}

const int64Arb = fc.oneof(
  { arbitrary: fc.integer({ min: -2, max: 16 }), weight: 4 },
  { arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, Date.now()), weight: 1 },
  { arbitrary: fc.maxSafeInteger(), weight: 1 },
);

const recordBatchArb = fc
  .record({
    records: fc.array(
      fc.record({
        key: fc.option(fc.uint8Array({ maxLength: 16 }).map(Buffer.from), { nil: null }),
        value: fc.option(
          fc.oneof(
            { arbitrary: fc.uint8Array({ maxLength: 64 }).map(Buffer.from), weight: 19 },
            // Now and then a batch too large for the frame reader's scratch buffer.
            { arbitrary: fc.integer({ min: 4096, max: 40_000 }).map((n) => Buffer.alloc(n, n & 0xff)), weight: 1 },
          ),
          { nil: null },
        ),
        headers: fc.array(
          fc.record({ key: fc.string({ maxLength: 8 }), value: fc.option(fc.uint8Array({ maxLength: 8 }).map(Buffer.from), { nil: null }) }),
          { maxLength: 2 },
        ),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    compression: fc.constantFrom(Compression.None, Compression.None, Compression.Gzip, Compression.Snappy, Compression.Lz4),
    producerId: fc.constantFrom(-1, 0, 1),
    baseSequence: fc.constantFrom(-1, 0, 5),
  })
  .map(({ records, compression, producerId, baseSequence }) =>
    buildRecordBatch(records, { compression, producerId, producerEpoch: producerId < 0 ? -1 : 0, baseSequence, baseTimestamp: Date.now() }),
  );

const uuidArb = fc.oneof(fc.constant(ZERO_UUID), fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex')));

function scalarArb(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return intArb(-0x80, 0x7f);
    case 'int16':
      return intArb(-0x8000, 0x7fff);
    case 'uint16':
      return intArb(0, 0xffff);
    case 'int32':
      return intArb(-0x8000_0000, 0x7fff_ffff);
    case 'uint32':
      return intArb(0, 0xffff_ffff);
    case 'int64':
      return int64Arb;
    case 'float64':
      return fc.double();
    case 'string':
      return stringArb;
    case 'uuid':
      return uuidArb;
    case 'bytes':
      return fc.uint8Array({ maxLength: 32 }).map(Buffer.from);
    case 'records':
      return fc.oneof({ arbitrary: recordBatchArb, weight: 4 }, { arbitrary: fc.uint8Array({ maxLength: 64 }).map(Buffer.from), weight: 1 });
    default:
      throw new Error(`no arbitrary for ${type}`);
  }
}

function fieldArb(field: FieldSpec, version: number): fc.Arbitrary<unknown> {
  let arb: fc.Arbitrary<unknown>;
  if (field.type.startsWith('[]')) {
    const element = field.fields ? structArb(field.fields, version) : scalarArb(field.type.slice(2));
    arb = fc.array(element, { maxLength: 3 });
  } else if (field.fields) {
    arb = structArb(field.fields, version);
  } else {
    arb = scalarArb(field.type);
  }
  return inVersions(field.nullableVersions, version) ? fc.option(arb, { nil: null, freq: 6 }) : arb;
}

function structArb(fields: readonly FieldSpec[], version: number): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of fields) if (inVersions(f.versions, version)) model[valueKey(f.name)] = fieldArb(f, version);
  return fc.record(model);
}

/** A request of `apiKey` v`version` with drawn values, encoded as a frame (no size prefix). */
function requestFrameArb(apiKey: ApiKey, version: number): fc.Arbitrary<Buffer> {
  return fc
    .tuple(structArb(apiSpec(apiKey).request.fields, version), fc.option(stringArb, { nil: null }), fc.nat())
    .map(([body, clientId, correlationId]) =>
      Buffer.concat(
        encodeRequestFrame({ apiKey, apiVersion: version, correlationId, clientId }, body as RequestInputOf<typeof apiKey>),
      ),
    );
}

export interface FuzzFrame {
  /** The API and version it was drawn for, or the capture it came from (its header may now say otherwise). */
  drawnAs: string;
  frame: Buffer;
}

/** A header mutation: another API key or version, known or not. */
const headerArb = fc.record({
  apiKey: fc.option(fc.oneof(fc.constantFrom(...Object.values(ApiKey)), fc.integer({ min: -0x8000, max: 0x7fff })), { freq: 2 }),
  apiVersion: fc.option(fc.oneof(fc.integer({ min: -1, max: 20 }), fc.integer({ min: -0x8000, max: 0x7fff })), { freq: 2 }),
});


/** Request frames real clients sent (test/fixtures/kafka/captured), as a second source of valid frames. */
const CAPTURED: readonly FuzzFrame[] = ['librdkafka.json', 'kafka-python.json', 'platformatic-kafka.json'].flatMap((name) => {
  const fixture = JSON.parse(readFileSync(new URL(`../fixtures/kafka/captured/${name}`, import.meta.url), 'utf8')) as {
    frames: { api: string; apiVersion: number; frame: string }[];
  };
  return fixture.frames.map((f) => ({ drawnAs: `${name} ${f.api} v${f.apiVersion}`, frame: Buffer.from(f.frame, 'hex') }));
});

/** A valid frame of a served API and version with drawn values. */
function drawnFrameArb(handlers: readonly Handler[]): fc.Arbitrary<FuzzFrame> {
  const versions = handlers.flatMap((h) =>
    Array.from({ length: h.maxVersion - h.minVersion + 1 }, (_, i) => [h.apiKey, h.minVersion + i] as const),
  );
  return fc
    .constantFrom(...versions)
    .chain(([apiKey, version]) => requestFrameArb(apiKey, version).map((frame) => ({ drawnAs: `${apiKey} v${version}`, frame })));
}

/**
 * A valid frame (drawn for a served API and version, or one a real client sent), with mutations of what
 * follows the API key, version and correlation id; one time in ten the API key or version changes too.
 */
export function kafkaFrameArb(handlers: readonly Handler[]): fc.Arbitrary<FuzzFrame> {
  return fc
    .record({
      valid: fc.oneof({ arbitrary: drawnFrameArb(handlers), weight: 4 }, { arbitrary: fc.constantFrom(...CAPTURED), weight: 1 }),
      mutations: mutationsArb,
      header: fc.oneof({ arbitrary: fc.constant(null), weight: 9 }, { arbitrary: headerArb, weight: 1 }),
    })
    .map(({ valid, mutations, header }) => ({
      drawnAs: valid.drawnAs,
      frame: withHeader(mutateAll(valid.frame, mutations as Mutation[], REQUEST_HEADER_PREFIX_BYTES), header),
    }))
    .filter((f) => !leftOut(f.frame));
}

function withHeader(frame: Buffer, header: { apiKey: number | null; apiVersion: number | null } | null): Buffer {
  if (!header || frame.length < 4) return frame;
  const out = Buffer.from(frame);
  if (header.apiKey !== null) out.writeInt16BE(header.apiKey, 0);
  if (header.apiVersion !== null) out.writeInt16BE(header.apiVersion, 2);
  return out;
}

/**
 * Whether the broker, reading the frame, may legally take long (a long poll, a join), would create
 * more partitions than the run allows, or would set a client quota (which legally holds back every
 * request after it). The fuzz test leaves such frames out.
 */
function leftOut(frame: Buffer): boolean {
  let request;
  try {
    request = decodeRequestFrame(frame);
  } catch {
    return false;
  }
  switch (request.apiKey) {
    case ApiKey.Fetch:
    case ApiKey.ShareFetch:
      return request.body.maxWaitMs > MAX_REQUESTED_WAIT_MS;
    case ApiKey.JoinGroup: {
      const { rebalanceTimeoutMs, sessionTimeoutMs } = request.body;
      return rebalanceTimeoutMs > MAX_REQUESTED_WAIT_MS || sessionTimeoutMs > MAX_REQUESTED_WAIT_MS;
    }
    case ApiKey.CreateTopics:
      return request.body.topics.some((t) => Math.max(t.numPartitions, t.assignments.length) > MAX_PARTITIONS_PER_REQUEST);
    case ApiKey.CreatePartitions:
      return request.body.topics.some((t) => t.count > MAX_PARTITIONS_PER_REQUEST);
    case ApiKey.AlterClientQuotas:
      return !request.body.validateOnly && request.body.entries.some((e) => e.ops.some((op) => !op.remove));
    default:
      return false;
  }
}

/** Whether the broker may leave this frame unanswered: Produce with acks=0, as it reads it. */
export function mayGoUnanswered(frame: Buffer): boolean {
  try {
    const request = decodeRequestFrame(frame);
    return request.apiKey === ApiKey.Produce && request.body.acks === 0;
  } catch {
    return false;
  }
}
