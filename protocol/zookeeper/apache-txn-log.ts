// Apache ZooKeeper's transaction log file (version-2/log.<first zxid>), as FileTxnLog writes it. Pure:
// each call looks at bytes already read, so a caller can read a 64 MiB preallocated file a chunk at a time.
//
//   FileHeader   int magic "ZKLG", int version (2), long dbid
//   records      long Adler-32 of the entry, buffer entry (int length, bytes), byte 'B' (end of record)
//   padding      zeros: files are preallocated, and a zero length is where the records end
//
// An entry is a TxnHeader, the transaction's record and, from 3.6, a TxnDigest (int version, long digest);
// Skein's own transactions use the same jute records, so protocol/zookeeper/txn.ts reads the first two.
import { adler32 } from '../checksum/adler32.js';
import { ApacheFormatError, FILE_FORMAT_VERSION } from './apache-snapshot.js';

export const LOG_MAGIC = 0x5a4b4c47; // "ZKLG"
export const LOG_HEADER_BYTES = 16;
const END_OF_RECORD = 0x42; // 'B'

export function decodeLogHeader(bytes: Buffer): { dbid: bigint } {
  if (bytes.length < LOG_HEADER_BYTES) throw new ApacheFormatError('transaction log header is cut short', 0);
  const magic = bytes.readInt32BE(0);
  if (magic !== LOG_MAGIC) throw new ApacheFormatError(`not a ZooKeeper transaction log (magic ${(magic >>> 0).toString(16)})`, 0);
  const version = bytes.readInt32BE(4);
  if (version !== FILE_FORMAT_VERSION) throw new ApacheFormatError(`transaction log format version ${version}, expected ${FILE_FORMAT_VERSION}`, 4);
  return { dbid: bytes.readBigInt64BE(8) };
}

export type LogStep =
  /** A whole record whose checksum holds: `entry` is a view into the bytes given. */
  | { kind: 'record'; entry: Buffer; next: number }
  /** The zero length that ends the records. */
  | { kind: 'end' }
  /** More bytes are needed to tell: at least `until` bytes from the start of the buffer. */
  | { kind: 'more'; until: number }
  /** The record has no end-of-record byte: a write cut off by a crash, which Apache reads as the end. */
  | { kind: 'partial' };

/**
 * The record at `pos` of `bytes` (which start at file offset 0). `atEof` says nothing follows `bytes`.
 * Throws ApacheFormatError on a checksum mismatch, a negative or oversized length, or a file that ends
 * inside a record.
 */
export function nextLogRecord(bytes: Buffer, pos: number, atEof: boolean, entryBytesMax: number): LogStep {
  const need = (until: number): LogStep => {
    if (!atEof) return { kind: 'more', until };
    // Apache's preallocation pads with zeros; a file ending before even the length is a copy cut short,
    // unless what is there is all zeros (a file of its own size that was never padded).
    if (bytes.subarray(pos).every((b) => b === 0)) return { kind: 'end' };
    throw new ApacheFormatError(`the file ends inside a record (${bytes.length - pos} bytes of it)`, pos);
  };
  if (pos + 12 > bytes.length) return need(pos + 12);
  const length = bytes.readInt32BE(pos + 8);
  if (length === 0) return { kind: 'end' };
  if (length < 0 || length > entryBytesMax) throw new ApacheFormatError(`record length ${length} is out of range`, pos + 8);
  const end = pos + 12 + length + 1;
  if (end > bytes.length) return need(end);
  const entry = bytes.subarray(pos + 12, pos + 12 + length);
  if (bytes[end - 1] !== END_OF_RECORD) return { kind: 'partial' };
  const stored = bytes.readBigInt64BE(pos);
  const actual = adler32(entry);
  if (stored !== BigInt(actual)) {
    throw new ApacheFormatError(`record checksum ${stored.toString(16)} does not match its data's ${actual.toString(16)}`, pos);
  }
  return { kind: 'record', entry, next: end };
}
