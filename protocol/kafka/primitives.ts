// Kafka's wire primitives on top of the shared Reader/Writer: strings, bytes, arrays and uuids in their
// classic (int16/int32 length) and compact (KIP-482: unsigned varint of length + 1) forms, and the
// tagged-fields section that ends every structure in a flexible version.
//
// Decoding checks every length against the bytes that remain before it allocates or slices anything,
// so a hostile length can cost at most the frame it arrived in.
import { DecodeError, type Reader, type Writer } from '../bytes.js';

/** Kafka refuses strings longer than Short.MAX_VALUE bytes, in both the classic and the compact form. */
export const MAX_STRING_BYTES = 0x7fff;
/**
 * Upper bound on any array's element count, whatever the frame size. Counts are also checked against
 * the remaining bytes times the smallest encoding of one element, which is the tighter bound in practice.
 */
export const MAX_ARRAY_ELEMENTS = 1 << 24;
export const UUID_BYTES = 16;
/** Uuids travel as 16 bytes and are handled as 32 lowercase hex digits. */
export const ZERO_UUID = '00000000000000000000000000000000';

/** A value that cannot be written in the requested version (too long, null where null is not allowed). */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
}

// ---- lengths

/** Classic int16 string length: -1 means null. */
function stringLength(r: Reader): number {
  const n = r.int16();
  if (n < -1) throw new DecodeError(`negative string length ${n}`);
  return n;
}

/** Compact length: uvarint of length + 1, 0 meaning null; returns -1 for null. */
export function readCompactLength(r: Reader): number {
  return r.uvarint() - 1;
}

function checkStringLength(r: Reader, n: number): void {
  if (n > MAX_STRING_BYTES) throw new DecodeError(`string of ${n} bytes exceeds ${MAX_STRING_BYTES}`);
  r.need(n);
}

/**
 * Refuses a count that the remaining bytes cannot hold, before any element is read. Even elements that
 * encode to nothing (a struct with no fields in this version) may not outnumber the bytes left.
 */
export function checkArrayCount(r: Reader, count: number, minElementBytes: number): void {
  if (count > MAX_ARRAY_ELEMENTS) throw new DecodeError(`array of ${count} elements exceeds ${MAX_ARRAY_ELEMENTS}`);
  if (count * Math.max(1, minElementBytes) > r.remaining) {
    throw new DecodeError(`array of ${count} elements cannot fit in ${r.remaining} remaining bytes`);
  }
}

// ---- strings

/** The string of length `n` (already read), or null for -1 where null is allowed. */
function stringBody(r: Reader, n: number, nullable: boolean): string | null {
  if (n < 0) {
    if (nullable) return null;
    throw new DecodeError('non-nullable string is null');
  }
  checkStringLength(r, n);
  return r.utf8(n);
}

export function readString(r: Reader): string {
  return stringBody(r, stringLength(r), false)!;
}

export function readNullableString(r: Reader): string | null {
  return stringBody(r, stringLength(r), true);
}

export function readCompactString(r: Reader): string {
  return stringBody(r, readCompactLength(r), false)!;
}

export function readCompactNullableString(r: Reader): string | null {
  return stringBody(r, readCompactLength(r), true);
}

function byteLengthOf(s: string): number {
  const n = Buffer.byteLength(s, 'utf8');
  if (n > MAX_STRING_BYTES) throw new EncodeError(`string of ${n} bytes exceeds ${MAX_STRING_BYTES}`);
  return n;
}

export function writeString(w: Writer, s: string): void {
  if (s === null) throw new EncodeError('non-nullable string is null');
  w.int16(byteLengthOf(s)).utf8(s);
}

export function writeNullableString(w: Writer, s: string | null): void {
  if (s === null) w.int16(-1);
  else w.int16(byteLengthOf(s)).utf8(s);
}

export function writeCompactString(w: Writer, s: string): void {
  if (s === null) throw new EncodeError('non-nullable string is null');
  w.uvarint(byteLengthOf(s) + 1).utf8(s);
}

export function writeCompactNullableString(w: Writer, s: string | null): void {
  if (s === null) w.uvarint(0);
  else w.uvarint(byteLengthOf(s) + 1).utf8(s);
}

// ---- bytes (views into the frame, never copies)

function bytesLength(r: Reader): number {
  const n = r.int32();
  if (n < -1) throw new DecodeError(`negative bytes length ${n}`);
  return n;
}

/** The `n` bytes (length already read) as a view, or null for -1 where null is allowed. */
function bytesBody(r: Reader, n: number, nullable: boolean): Buffer | null {
  if (n < 0) {
    if (nullable) return null;
    throw new DecodeError('non-nullable bytes are null');
  }
  return r.bytes(n);
}

export function readBytes(r: Reader): Buffer {
  return bytesBody(r, bytesLength(r), false)!;
}

export function readNullableBytes(r: Reader): Buffer | null {
  return bytesBody(r, bytesLength(r), true);
}

export function readCompactBytes(r: Reader): Buffer {
  return bytesBody(r, readCompactLength(r), false)!;
}

export function readCompactNullableBytes(r: Reader): Buffer | null {
  return bytesBody(r, readCompactLength(r), true);
}

export function writeBytes(w: Writer, b: Uint8Array): void {
  if (b === null) throw new EncodeError('non-nullable bytes are null');
  w.int32(b.length).raw(b);
}

export function writeNullableBytes(w: Writer, b: Uint8Array | null): void {
  if (b === null) w.int32(-1);
  else w.int32(b.length).raw(b);
}

export function writeCompactBytes(w: Writer, b: Uint8Array): void {
  if (b === null) throw new EncodeError('non-nullable bytes are null');
  w.uvarint(b.length + 1).raw(b);
}

export function writeCompactNullableBytes(w: Writer, b: Uint8Array | null): void {
  if (b === null) w.uvarint(0);
  else w.uvarint(b.length + 1).raw(b);
}

/**
 * Record data as it is stored: one buffer or the slices of several stored batches. They are written by
 * reference after a length prefix covering all of them, so fetched batches reach the socket uncopied.
 */
export type RecordsInput = Uint8Array | readonly Uint8Array[] | null;

function recordsLength(records: Uint8Array | readonly Uint8Array[]): number {
  if (records instanceof Uint8Array) return records.length;
  let n = 0;
  for (const b of records) n += b.length;
  return n;
}

function writeRecordsBody(w: Writer, records: Uint8Array | readonly Uint8Array[]): void {
  if (records instanceof Uint8Array) w.raw(records);
  else for (const b of records) w.raw(b);
}

export function writeRecords(w: Writer, records: RecordsInput): void {
  if (records === null) w.int32(-1);
  else {
    w.int32(recordsLength(records));
    writeRecordsBody(w, records);
  }
}

export function writeCompactRecords(w: Writer, records: RecordsInput): void {
  if (records === null) w.uvarint(0);
  else {
    w.uvarint(recordsLength(records) + 1);
    writeRecordsBody(w, records);
  }
}

// ---- uuid

export function readUuid(r: Reader): string {
  r.need(UUID_BYTES);
  const s = r.buf.toString('hex', r.pos, r.pos + UUID_BYTES);
  r.pos += UUID_BYTES;
  return s;
}

const UUID_PATTERN = /^[0-9a-fA-F]{32}$/;

export function writeUuid(w: Writer, id: string): void {
  if (typeof id !== 'string' || !UUID_PATTERN.test(id)) throw new EncodeError(`uuid must be 32 hex digits: ${id}`);
  w.raw(Buffer.from(id, 'hex'));
}

// ---- arrays

/** Classic int32 element count; -1 means null. */
export function readArrayCount(r: Reader, minElementBytes: number): number {
  const n = r.int32();
  if (n < -1) throw new DecodeError(`negative array length ${n}`);
  if (n > 0) checkArrayCount(r, n, minElementBytes);
  return n;
}

/** Compact element count (uvarint of count + 1); -1 means null. */
export function readCompactArrayCount(r: Reader, minElementBytes: number): number {
  const n = readCompactLength(r);
  if (n > 0) checkArrayCount(r, n, minElementBytes);
  return n;
}

// ---- tagged fields

/** Each tagged field takes at least a one-byte tag and a one-byte size. */
const MIN_TAGGED_FIELD_BYTES = 2;

/** The field count that opens a tagged-fields section, checked against the remaining bytes. */
export function readTaggedFieldCount(r: Reader): number {
  const count = r.uvarint();
  if (count > 0) checkArrayCount(r, count, MIN_TAGGED_FIELD_BYTES);
  return count;
}

/** Skips a tagged-fields section whose fields are all unknown to the reader. */
export function skipTaggedFields(r: Reader): void {
  const count = readTaggedFieldCount(r);
  for (let i = 0; i < count; i++) {
    r.uvarint();
    r.skip(r.uvarint());
  }
}

/** An empty tagged-fields section. */
export function writeEmptyTaggedFields(w: Writer): void {
  w.uvarint(0);
}
