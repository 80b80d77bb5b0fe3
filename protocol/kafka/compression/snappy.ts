// Kafka codec 2: snappy, in either of the two forms clients write.
//
// - raw: one snappy block (librdkafka writes this).
// - xerial framing: magic 0x82 "SNAPPY" 0, int32 version, int32 compat, then int32-length-prefixed raw
//   blocks (Java's snappy-java stream and kafka-python write this).
//
// Decoding tells them apart by the magic, which can never start a valid raw block. Encoding writes the xerial
// form: it is what Apache Kafka's own producer and broker write, so every client that reads snappy from a
// real cluster already reads it.
//
// Compression uses snappyjs. Decompression is our own: snappyjs's decoder neither bounds its output nor
// survives hostile lengths (a six-byte input can make it loop for billions of steps).
import { createRequire } from 'node:module';
import { DecodeError, Reader } from '../../bytes.js';
import { BoundedOutput, copyMatch } from './output-buffer.js';

const require = createRequire(import.meta.url);
const snappyjs = require('snappyjs') as { compress(data: Buffer): Buffer };

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
const XERIAL_VERSION = 1;
const XERIAL_COMPAT_VERSION = 1;
/** Uncompressed bytes per xerial block, the snappy-java default. */
const XERIAL_BLOCK_BYTES = 32 * 1024;

export function snappyCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER_BYTES);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(XERIAL_VERSION, 8);
  header.writeInt32BE(XERIAL_COMPAT_VERSION, 12);
  parts.push(header);
  // Even empty input gets one block: readers that detect the framing by length (kafka-python) need one.
  let at = 0;
  do {
    const block = snappyjs.compress(data.subarray(at, at + XERIAL_BLOCK_BYTES));
    const prefix = Buffer.allocUnsafe(4);
    prefix.writeInt32BE(block.length, 0);
    parts.push(prefix, block);
    at += XERIAL_BLOCK_BYTES;
  } while (at < data.length);
  return Buffer.concat(parts);
}

export function snappyDecompress(data: Buffer, maxBytes: number): Buffer {
  const out = new BoundedOutput(maxBytes);
  if (isXerial(data)) {
    const r = new Reader(data, XERIAL_HEADER_BYTES);
    while (r.remaining > 0) decodeSnappyBlock(r.bytes(r.int32()), out);
  } else {
    decodeSnappyBlock(data, out);
  }
  return out.result();
}

function isXerial(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_BYTES && data.compare(XERIAL_MAGIC, 0, 8, 0, 8) === 0;
}

/** Decodes one raw snappy block onto the end of `out`. Copies may reach back only within this block. */
function decodeSnappyBlock(src: Buffer, out: BoundedOutput): void {
  const r = new Reader(src);
  const length = r.uvarint();
  out.reserve(length);
  const dst = out.buf;
  const start = out.length;
  const end = start + length;
  let op = start;
  while (r.remaining > 0) {
    const tag = r.uint8();
    let len: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        len = tag >>> 2;
        if (len >= 60) {
          const n = len - 59;
          r.need(n);
          len = src.readUIntLE(r.pos, n);
          r.pos += n;
        }
        len += 1;
        if (op + len > end) throw new DecodeError('snappy literal runs past the declared length');
        r.bytes(len).copy(dst, op);
        op += len;
        continue;
      }
      case 1:
        len = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | r.uint8();
        break;
      case 2:
        len = (tag >>> 2) + 1;
        r.need(2);
        offset = src.readUInt16LE(r.pos);
        r.pos += 2;
        break;
      default:
        len = (tag >>> 2) + 1;
        r.need(4);
        offset = src.readUInt32LE(r.pos);
        r.pos += 4;
    }
    if (offset === 0 || offset > op - start) throw new DecodeError(`snappy copy offset ${offset} is out of range`);
    if (op + len > end) throw new DecodeError('snappy copy runs past the declared length');
    copyMatch(dst, op, offset, len);
    op += len;
  }
  if (op !== end) throw new DecodeError(`snappy block ends after ${op - start} of ${length} declared bytes`);
  out.length = end;
}
