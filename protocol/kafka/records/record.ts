// One record inside a v2 batch:
//   length varint (bytes that follow), attributes int8, timestampDelta varlong, offsetDelta varint,
//   key varint-length bytes (-1 = null), value varint-length bytes (-1 = null),
//   headers varint count, each (key varint-length UTF-8 string, value varint-length bytes, -1 = null).
import { DecodeError, type Reader, type Writer, varintSize } from '../../bytes.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record as stored: deltas relative to its batch. Key, value and header values are views of the batch. */
export interface EncodedRecord {
  attributes: number;
  timestampDelta: number;
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

const NULL_LENGTH = -1;

/** Reads one record, checking that its fields fill exactly the length it announces. */
export function readRecord(r: Reader): EncodedRecord {
  const length = r.varint();
  if (length < 0) throw new DecodeError(`negative record length ${length}`);
  const body = r.sub(length);
  const attributes = body.int8();
  const timestampDelta = body.varlong();
  const offsetDelta = body.varint();
  const key = readNullableBytes(body, 'key');
  const value = readNullableBytes(body, 'value');
  const headerCount = body.varint();
  if (headerCount < 0) throw new DecodeError(`negative record header count ${headerCount}`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const keyLength = body.varint();
    if (keyLength < 0) throw new DecodeError(`record header key length ${keyLength} is negative`);
    headers.push({ key: body.utf8(keyLength), value: readNullableBytes(body, 'header value') });
  }
  if (body.remaining !== 0) {
    throw new DecodeError(`record declares ${length} bytes but its fields end ${body.remaining} bytes early`);
  }
  return { attributes, timestampDelta, offsetDelta, key, value, headers };
}

function readNullableBytes(r: Reader, what: string): Buffer | null {
  const n = r.varint();
  if (n === NULL_LENGTH) return null;
  if (n < 0) throw new DecodeError(`record ${what} length ${n} is invalid`);
  return r.bytes(n);
}

function nullableBytesSize(b: Buffer | null): number {
  return b === null ? 1 : varintSize(b.length) + b.length;
}

/** Bytes of the record after its length prefix. */
function bodySize(rec: EncodedRecord): number {
  let size =
    1 +
    varintSize(rec.timestampDelta) +
    varintSize(rec.offsetDelta) +
    nullableBytesSize(rec.key) +
    nullableBytesSize(rec.value) +
    varintSize(rec.headers.length);
  for (const h of rec.headers) {
    const keyBytes = Buffer.byteLength(h.key);
    size += varintSize(keyBytes) + keyBytes + nullableBytesSize(h.value);
  }
  return size;
}

export function writeRecord(w: Writer, rec: EncodedRecord): void {
  w.varint(bodySize(rec)).int8(rec.attributes).varlong(rec.timestampDelta).varint(rec.offsetDelta);
  writeNullableBytes(w, rec.key);
  writeNullableBytes(w, rec.value);
  w.varint(rec.headers.length);
  for (const h of rec.headers) {
    w.varint(Buffer.byteLength(h.key)).utf8(h.key);
    writeNullableBytes(w, h.value);
  }
}

function writeNullableBytes(w: Writer, b: Buffer | null): void {
  if (b === null) w.varint(NULL_LENGTH);
  else w.varint(b.length).raw(b);
}
