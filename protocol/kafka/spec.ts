// Kafka messages described as data, in the shape of Apache Kafka's message JSON
// (clients/src/main/resources/common/message/*.json), and the TypeScript value types derived from them.
//
// Field names stay as Kafka spells them (PascalCase); values use the camelCase form, which is Kafka's
// name with its first letter lowered (`PartitionIndex` -> `partitionIndex`). One value type serves every
// version of a message: fields a version lacks decode to their default and are ignored when encoding.

/** Kafka's version ranges: "3", "0-7", "9+" or "none". */
export type VersionRange = string;

export type ScalarType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'uuid'
  | 'records';

export interface FieldSpec {
  readonly name: string;
  /** A ScalarType, `[]` + a ScalarType, `[]StructName` or `StructName` (the struct's `fields` inline). */
  readonly type: string;
  readonly versions: VersionRange;
  readonly nullableVersions?: VersionRange;
  readonly taggedVersions?: VersionRange;
  readonly tag?: number;
  /** Kafka's "default", already parsed; otherwise 0, false, '', the zero uuid, [] or a default struct. */
  readonly default?: number | boolean | string | null;
  readonly fields?: readonly FieldSpec[];
}

/**
 * A structure with versions: Kafka's "data" JSON (the records coordinators write to their internal
 * topics) and, with an API key, every request and response.
 */
export interface DataSpec {
  readonly name: string;
  readonly validVersions: VersionRange;
  readonly flexibleVersions: VersionRange;
  readonly fields: readonly FieldSpec[];
}

export interface MessageSpec extends DataSpec {
  readonly apiKey: number;
  readonly type: 'request' | 'response';
}

/** Whether `version` lies in a Kafka version range. */
export function inVersions(range: VersionRange | undefined, version: number): boolean {
  if (range === undefined || range === 'none') return false;
  const plus = range.endsWith('+');
  const body = plus ? range.slice(0, -1) : range;
  const dash = body.indexOf('-');
  const low = Number(dash < 0 ? body : body.slice(0, dash));
  const high = plus ? Infinity : Number(dash < 0 ? body : body.slice(dash + 1));
  if (!Number.isInteger(low) || (!plus && !Number.isInteger(high))) throw new Error(`bad version range "${range}"`);
  return version >= low && version <= high;
}

/** The lowest and highest version of a bounded range such as validVersions. */
export function versionBounds(range: VersionRange): { min: number; max: number } {
  const dash = range.indexOf('-');
  const min = Number(dash < 0 ? range : range.slice(0, dash));
  const max = Number(dash < 0 ? range : range.slice(dash + 1));
  if (!Number.isInteger(min) || !Number.isInteger(max) || min > max) throw new Error(`bad version range "${range}"`);
  return { min, max };
}

/** The value key of a Kafka field name. */
export function valueKey(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

// ---- value types derived from a spec

type Fields<F> = F extends { readonly fields: infer Fs extends readonly FieldSpec[] } ? Fs : never;
type NullIfNullable<F> = F extends { readonly nullableVersions: string } ? null : never;

type ScalarValue<T extends string, Records> = T extends 'bool'
  ? boolean
  : T extends 'string' | 'uuid'
    ? string
    : T extends 'bytes'
      ? Buffer
      : T extends 'records'
        ? Records
        : number;

type DecodedField<F extends FieldSpec> = F['type'] extends `[]${infer E}`
  ? (F extends { readonly fields: readonly FieldSpec[] } ? StructValue<Fields<F>> : ScalarValue<E, Buffer>)[]
    | NullIfNullable<F>
  : F extends { readonly fields: readonly FieldSpec[] }
    ? StructValue<Fields<F>> | NullIfNullable<F>
    : ScalarValue<F['type'], Buffer> | NullIfNullable<F>;

type InputField<F extends FieldSpec> = F['type'] extends `[]${infer E}`
  ?
      | readonly (F extends { readonly fields: readonly FieldSpec[] }
          ? StructInput<Fields<F>>
          : ScalarValue<E, Uint8Array | readonly Uint8Array[]>)[]
      | NullIfNullable<F>
  : F extends { readonly fields: readonly FieldSpec[] }
    ? StructInput<Fields<F>> | NullIfNullable<F>
    : ScalarValue<F['type'], Uint8Array | readonly Uint8Array[]> | NullIfNullable<F>;

/** A decoded structure: every field present, records as a view of the frame (or null). */
export type StructValue<Fs extends readonly FieldSpec[]> = {
  [F in Fs[number] as Uncapitalize<F['name']>]: DecodedField<F>;
};

/**
 * A structure to encode: any field may be left out and takes its default, records may be several
 * stored batch slices. A decoded value is always a valid input.
 */
export type StructInput<Fs extends readonly FieldSpec[]> = {
  [F in Fs[number] as Uncapitalize<F['name']>]?: InputField<F>;
};

/** The value a message decodes to. */
export type MessageValue<S extends DataSpec> = StructValue<S['fields']>;
/** What the encoder accepts for a message. */
export type MessageInput<S extends DataSpec> = StructInput<S['fields']>;
