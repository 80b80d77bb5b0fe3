// Uncompressed v2 record batches for log tests, built byte by byte after Kafka's DefaultRecordBatch
// layout, and a reader for the records in what the log returns.
import { Reader, Writer } from '../../../protocol/bytes.js';
import { BATCH_HEADER_BYTES, computeBatchCrc, CRC_AT, readBatchHeader } from '../../../protocol/kafka/records/batch-header.js';

export interface TestRecord {
  value: string;
  key?: string;
  /** Absolute timestamp; defaults to the batch's base timestamp. */
  timestamp?: number;
}

export interface TestBatchOptions {
  baseTimestamp?: number;
  /** Attribute bits (compression, timestamp type...). */
  attributes?: number;
  producerId?: number;
}

function encodeRecord(r: TestRecord, offsetDelta: number, baseTimestamp: number): Buffer {
  const body = new Writer();
  body.int8(0);
  body.varlong((r.timestamp ?? baseTimestamp) - baseTimestamp);
  body.varint(offsetDelta);
  if (r.key === undefined) {
    body.varint(-1);
  } else {
    body.varint(Buffer.byteLength(r.key));
    body.utf8(r.key);
  }
  body.varint(Buffer.byteLength(r.value));
  body.utf8(r.value);
  body.varint(0);
  const bytes = body.toBuffer();
  const out = new Writer();
  out.varint(bytes.length);
  out.raw(bytes);
  return out.toBuffer();
}

/** One batch holding `records` (strings are values), base offset 0, CRC set. */
export function makeBatch(records: readonly (TestRecord | string)[], options: TestBatchOptions = {}): Buffer {
  const recs = records.map((r) => (typeof r === 'string' ? { value: r } : r));
  const baseTimestamp = options.baseTimestamp ?? recs[0]?.timestamp ?? 1_700_000_000_000;
  const maxTimestamp = Math.max(...recs.map((r) => r.timestamp ?? baseTimestamp));
  const w = new Writer();
  w.int64(0);
  const setLength = w.reserveInt32();
  w.int32(-1);
  w.int8(2);
  w.uint32(0);
  w.int16(options.attributes ?? 0);
  w.int32(recs.length - 1);
  w.int64(baseTimestamp);
  w.int64(maxTimestamp);
  w.int64(options.producerId ?? -1);
  w.int16(-1);
  w.int32(-1);
  w.int32(recs.length);
  recs.forEach((r, i) => w.raw(encodeRecord(r, i, baseTimestamp)));
  setLength(w.length - 12);
  // Its own memory (not a slice of Node's shared pool), so tests can tell buffers apart.
  const buf = Buffer.alloc(w.length);
  w.toBuffer().copy(buf);
  buf.writeUInt32BE(computeBatchCrc(buf, 0, buf.length), CRC_AT);
  return buf;
}

export interface ReadRecord {
  offset: number;
  timestamp: number;
  value: string;
  key: string | null;
}

/** Records of uncompressed batches laid back to back in `chunks`. */
export function recordsOf(chunks: readonly Buffer[]): ReadRecord[] {
  const buf = Buffer.concat(chunks);
  const out: ReadRecord[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const h = readBatchHeader(buf, pos);
    const r = new Reader(buf, pos + BATCH_HEADER_BYTES, pos + h.sizeBytes);
    for (let i = 0; i < h.recordCount; i++) {
      const len = r.varint();
      const rec = r.sub(len);
      rec.int8();
      const tsDelta = rec.varlong();
      const offsetDelta = rec.varint();
      const keyLen = rec.varint();
      const key = keyLen < 0 ? null : rec.utf8(keyLen);
      const valueLen = rec.varint();
      const value = rec.utf8(valueLen);
      const logAppendTime = (h.attributes & 0x08) !== 0;
      out.push({ offset: h.baseOffset + offsetDelta, timestamp: logAppendTime ? h.maxTimestamp : h.baseTimestamp + tsDelta, value, key });
    }
    pos += h.sizeBytes;
  }
  return out;
}

/** Base offsets of the batches in `chunks`. */
export function batchOffsetsOf(chunks: readonly Buffer[]): number[] {
  const buf = Buffer.concat(chunks);
  const out: number[] = [];
  for (let pos = 0; pos < buf.length; ) {
    const h = readBatchHeader(buf, pos);
    out.push(h.baseOffset);
    pos += h.sizeBytes;
  }
  return out;
}
