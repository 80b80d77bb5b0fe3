// The one encoder/decoder for every Kafka message. A (spec, version) pair is compiled once, on first use,
// into a tree of small closures that know which fields the version carries, which are compact, nullable
// or tagged; messages then go through those closures without looking at the spec again.
import { DecodeError, Reader, Writer } from '../bytes.js';
import { ErrorCode, KafkaProtocolError } from './errors.js';
import * as p from './primitives.js';
import {
  inVersions,
  valueKey,
  type FieldSpec,
  type MessageInput,
  type DataSpec,
  type MessageValue,
} from './spec.js';

type Struct = Record<string, unknown>;

/** How one value of one field type is read and written in one version. */
interface TypeCodec {
  read(r: Reader): unknown;
  write(w: Writer, value: unknown): void;
  /** The fewest bytes a value takes, to refuse array counts the frame cannot hold. */
  readonly minBytes: number;
}

export interface MessageCodec<S extends DataSpec = DataSpec> {
  readonly spec: S;
  readonly version: number;
  /** Compact strings/arrays and tagged fields (KIP-482) in this version. */
  readonly flexible: boolean;
  decode(r: Reader): MessageValue<S>;
  encode(w: Writer, value: MessageInput<S>): void;
}

// ---- scalars

const INT8: TypeCodec = { read: (r) => r.int8(), write: (w, v) => w.int8(v as number), minBytes: 1 };
const INT16: TypeCodec = { read: (r) => r.int16(), write: (w, v) => w.int16(v as number), minBytes: 2 };
const UINT16: TypeCodec = { read: (r) => r.uint16(), write: (w, v) => w.uint16(v as number), minBytes: 2 };
const INT32: TypeCodec = { read: (r) => r.int32(), write: (w, v) => w.int32(v as number), minBytes: 4 };
const UINT32: TypeCodec = { read: (r) => r.uint32(), write: (w, v) => w.uint32(v as number), minBytes: 4 };
const INT64: TypeCodec = { read: (r) => r.int64(), write: (w, v) => w.int64(v as number), minBytes: 8 };
const FLOAT64: TypeCodec = { read: (r) => r.float64(), write: (w, v) => w.float64(v as number), minBytes: 8 };
const BOOL: TypeCodec = { read: (r) => r.int8() !== 0, write: (w, v) => w.int8(v ? 1 : 0), minBytes: 1 };
const UUID: TypeCodec = { read: p.readUuid, write: p.writeUuid, minBytes: p.UUID_BYTES };

/** Indexed by [compact][nullable]. */
type Variants = readonly [readonly [TypeCodec, TypeCodec], readonly [TypeCodec, TypeCodec]];

const STRINGS: Variants = [
  [
    { read: p.readString, write: p.writeString, minBytes: 2 },
    { read: p.readNullableString, write: p.writeNullableString, minBytes: 2 },
  ],
  [
    { read: p.readCompactString, write: p.writeCompactString, minBytes: 1 },
    { read: p.readCompactNullableString, write: p.writeCompactNullableString, minBytes: 1 },
  ],
];

const BYTES: Variants = [
  [
    { read: p.readBytes, write: p.writeBytes, minBytes: 4 },
    { read: p.readNullableBytes, write: p.writeNullableBytes, minBytes: 4 },
  ],
  [
    { read: p.readCompactBytes, write: p.writeCompactBytes, minBytes: 1 },
    { read: p.readCompactNullableBytes, write: p.writeCompactNullableBytes, minBytes: 1 },
  ],
];

function nonNullRecords(write: (w: Writer, v: p.RecordsInput) => void): (w: Writer, v: unknown) => void {
  return (w, v) => {
    if (v === null) throw new p.EncodeError('non-nullable records are null');
    write(w, v as p.RecordsInput);
  };
}

/** Records decode to a view of the frame, like bytes, and encode from one or many stored slices. */
const RECORDS: Variants = [
  [
    { read: p.readBytes, write: nonNullRecords(p.writeRecords), minBytes: 4 },
    { read: p.readNullableBytes, write: p.writeRecords, minBytes: 4 },
  ],
  [
    { read: p.readCompactBytes, write: nonNullRecords(p.writeCompactRecords), minBytes: 1 },
    { read: p.readCompactNullableBytes, write: p.writeCompactRecords, minBytes: 1 },
  ],
];

const FIXED: Readonly<Record<string, TypeCodec>> = {
  int8: INT8,
  int16: INT16,
  uint16: UINT16,
  int32: INT32,
  uint32: UINT32,
  int64: INT64,
  float64: FLOAT64,
  bool: BOOL,
  uuid: UUID,
};

const VARIABLE: Readonly<Record<string, Variants>> = { string: STRINGS, bytes: BYTES, records: RECORDS };

function scalarCodec(type: string, flexible: boolean, nullable: boolean, where: string): TypeCodec {
  const fixed = FIXED[type];
  if (fixed) {
    if (nullable) throw new Error(`${where}: ${type} cannot be nullable`);
    return fixed;
  }
  const variants = VARIABLE[type];
  if (!variants) throw new Error(`${where}: unknown type ${type}`);
  return variants[flexible ? 1 : 0][nullable ? 1 : 0];
}

// ---- defaults

const EMPTY_BYTES = Buffer.alloc(0);

const SCALAR_DEFAULTS: Readonly<Record<string, unknown>> = {
  int8: 0,
  int16: 0,
  uint16: 0,
  int32: 0,
  uint32: 0,
  int64: 0,
  float64: 0,
  bool: false,
  uuid: p.ZERO_UUID,
  string: '',
  bytes: EMPTY_BYTES,
  records: null,
};

/**
 * Kafka's default for a field: its spec "default" if given, else zero, false, '', the zero uuid, empty
 * bytes, null records, an empty array, or a struct of defaults. Arrays and structs are made fresh on
 * every call, since a handler may fill in what it was given.
 */
function defaultMaker(field: FieldSpec): () => unknown {
  if (field.default !== undefined) {
    const value = field.default;
    return () => value;
  }
  if (field.type.startsWith('[]')) return () => [];
  const fields = field.fields;
  if (fields) {
    const makers = fields.map((f) => [valueKey(f.name), defaultMaker(f)] as const);
    return () => {
      const o: Struct = {};
      for (const [key, make] of makers) o[key] = make();
      return o;
    };
  }
  if (!(field.type in SCALAR_DEFAULTS)) throw new Error(`${field.name}: unknown type ${field.type}`);
  const value = SCALAR_DEFAULTS[field.type];
  return () => value;
}

// ---- arrays

function arrayCodec(element: TypeCodec, flexible: boolean, nullable: boolean): TypeCodec {
  const readCount = flexible ? p.readCompactArrayCount : p.readArrayCount;
  const elementBytes = element.minBytes;
  return {
    minBytes: flexible ? 1 : 4,
    read(r) {
      const n = readCount(r, elementBytes);
      if (n < 0) {
        if (nullable) return null;
        throw new DecodeError('non-nullable array is null');
      }
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(element.read(r));
      return out;
    },
    write(w, value) {
      if (value === null) {
        if (!nullable) throw new p.EncodeError('non-nullable array is null');
        if (flexible) w.uvarint(0);
        else w.int32(-1);
        return;
      }
      const items = value as readonly unknown[];
      if (flexible) w.uvarint(items.length + 1);
      else w.int32(items.length);
      for (const item of items) element.write(w, item);
    },
  };
}

// ---- structs

interface TaggedField {
  readonly tag: number;
  readonly key: string;
  readonly codec: TypeCodec;
  /** A scalar default, compared directly so the common case encodes nothing extra. */
  readonly defaultValue: unknown;
  /** The default's encoding: a value encoding the same is left out, as Kafka does. */
  readonly defaultBytes: Buffer;
}

function encodeAlone(codec: TypeCodec, value: unknown): Buffer {
  const w = new Writer(64);
  codec.write(w, value);
  return w.toBuffer();
}

function readTaggedFields(r: Reader, o: Struct, byTag: ReadonlyMap<number, TaggedField>): void {
  const count = p.readTaggedFieldCount(r);
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    const field = byTag.get(tag);
    if (!field) {
      r.skip(size);
      continue;
    }
    const sub = r.sub(size);
    o[field.key] = field.codec.read(sub);
    if (sub.remaining !== 0) throw new DecodeError(`tagged field ${tag} has ${sub.remaining} bytes left over`);
  }
}

function writeTaggedFields(w: Writer, o: Struct, tagged: readonly TaggedField[]): void {
  const present: Array<[number, Buffer]> = [];
  for (const f of tagged) {
    const value = o[f.key];
    if (value === undefined || value === f.defaultValue) continue;
    const bytes = encodeAlone(f.codec, value);
    if (!bytes.equals(f.defaultBytes)) present.push([f.tag, bytes]);
  }
  w.uvarint(present.length);
  for (const [tag, bytes] of present) w.uvarint(tag).uvarint(bytes.length).raw(bytes);
}

type FieldRead = (r: Reader, o: Struct) => void;
type FieldWrite = (w: Writer, o: Struct) => void;

function compileStruct(fields: readonly FieldSpec[], version: number, flexible: boolean, where: string): TypeCodec {
  const reads: FieldRead[] = [];
  const writes: FieldWrite[] = [];
  const tagged: TaggedField[] = [];
  let minBytes = flexible ? 1 : 0;

  for (const field of fields) {
    const key = valueKey(field.name);
    const makeDefault = defaultMaker(field);
    if (!inVersions(field.versions, version)) {
      reads.push((_r, o) => (o[key] = makeDefault()));
      continue;
    }
    const codec = fieldCodec(field, version, flexible, `${where}.${field.name}`);
    if (flexible && inVersions(field.taggedVersions, version)) {
      if (field.tag === undefined) throw new Error(`${where}.${field.name}: tagged without a tag number`);
      // Set in field order like the others, so every decoded object has the same shape.
      reads.push((_r, o) => (o[key] = makeDefault()));
      const defaultValue = makeDefault();
      tagged.push({ tag: field.tag, key, codec, defaultValue, defaultBytes: encodeAlone(codec, defaultValue) });
      continue;
    }
    minBytes += codec.minBytes;
    reads.push((r, o) => (o[key] = codec.read(r)));
    const omitted = makeDefault();
    writes.push((w, o) => {
      const value = o[key];
      codec.write(w, value === undefined ? omitted : value);
    });
  }
  tagged.sort((a, b) => a.tag - b.tag);
  const byTag = new Map(tagged.map((f) => [f.tag, f]));
  const nReads = reads.length;

  return {
    minBytes,
    read(r) {
      const o: Struct = {};
      for (let i = 0; i < nReads; i++) reads[i]!(r, o);
      if (flexible) readTaggedFields(r, o, byTag);
      return o;
    },
    write(w, value) {
      if (typeof value !== 'object' || value === null) throw new p.EncodeError(`${where} must be an object`);
      const o = value as Struct;
      for (const write of writes) write(w, o);
      if (!flexible) return;
      if (tagged.length === 0) w.uvarint(0);
      else writeTaggedFields(w, o, tagged);
    },
  };
}

/** Kafka writes a nullable struct behind one int8: -1 for null, 1 for a struct that follows. */
function nullableStructCodec(struct: TypeCodec): TypeCodec {
  return {
    minBytes: 1,
    read(r) {
      const marker = r.int8();
      if (marker < 0) return null;
      return struct.read(r);
    },
    write(w, value) {
      if (value === null) {
        w.int8(-1);
        return;
      }
      w.int8(1);
      struct.write(w, value);
    },
  };
}

function fieldCodec(field: FieldSpec, version: number, flexible: boolean, where: string): TypeCodec {
  const nullable = inVersions(field.nullableVersions, version);
  if (field.type.startsWith('[]')) {
    const element = field.fields
      ? compileStruct(field.fields, version, flexible, where)
      : scalarCodec(field.type.slice(2), flexible, false, where);
    return arrayCodec(element, flexible, nullable);
  }
  if (field.fields) {
    const struct = compileStruct(field.fields, version, flexible, where);
    return nullable ? nullableStructCodec(struct) : struct;
  }
  return scalarCodec(field.type, flexible, nullable, where);
}

// ---- messages

const compiled = new WeakMap<DataSpec, Array<MessageCodec | undefined>>();

/** The codec for one version of a message, compiled on first use. Unknown versions are UNSUPPORTED_VERSION. */
export function messageCodec<S extends DataSpec>(spec: S, version: number): MessageCodec<S> {
  let byVersion = compiled.get(spec);
  if (!byVersion) {
    byVersion = [];
    compiled.set(spec, byVersion);
  }
  const hit = byVersion[version];
  if (hit) return hit as MessageCodec<S>;
  if (!Number.isInteger(version) || !inVersions(spec.validVersions, version)) {
    throw new KafkaProtocolError(ErrorCode.UNSUPPORTED_VERSION, `${spec.name} v${version} is not supported`);
  }
  const flexible = isFlexible(spec, version);
  const body = compileStruct(spec.fields, version, flexible, `${spec.name} v${version}`);
  const codec: MessageCodec<S> = {
    spec,
    version,
    flexible,
    decode: (r) => body.read(r) as MessageValue<S>,
    encode: (w, value) => body.write(w, value),
  };
  byVersion[version] = codec as MessageCodec;
  return codec;
}

/** Whether the message carries compact fields and tagged sections in `version`. */
export function isFlexible(spec: DataSpec, version: number): boolean {
  return inVersions(spec.flexibleVersions, version);
}

/** Encodes a whole message to chunks (large byte fields and records by reference). */
export function encodeMessage<S extends DataSpec>(spec: S, version: number, value: MessageInput<S>): Buffer[] {
  const w = new Writer();
  messageCodec(spec, version).encode(w, value);
  return w.chunksOut();
}

/** Decodes a buffer that holds exactly one message; trailing bytes are malformed. */
export function decodeMessage<S extends DataSpec>(spec: S, version: number, buf: Buffer): MessageValue<S> {
  const r = new Reader(buf);
  const value = messageCodec(spec, version).decode(r);
  if (r.remaining !== 0) throw new DecodeError(`${spec.name} v${version} has ${r.remaining} trailing bytes`);
  return value;
}
