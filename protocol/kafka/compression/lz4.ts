// Kafka codec 3: lz4, as the standard LZ4 frame format (magic 0x184D2204) in record batch v2.
//
// Encoding writes what Kafka's Java producer writes: independent 64 KiB blocks, no checksums, no content
// size. Java's reader rejects dependent blocks, so independence is not optional. Blocks are compressed with
// lz4js.
//
// Decoding is our own bounds-checked implementation of the frame and block formats: lz4js's decoder trusts
// its input (it reads and writes past the ends of its buffers without noticing), which a broker cannot.
// It accepts every option the frame format allows except preset dictionaries: linked or independent blocks,
// block and content checksums (verified), content size (checked), concatenated and skippable frames.
import { createRequire } from 'node:module';
import { DecodeError, Reader } from '../../bytes.js';
import { BoundedOutput, copyMatch } from './output-buffer.js';

const require = createRequire(import.meta.url);
const lz4js = require('lz4js') as {
  compressBound(n: number): number;
  compressBlock(src: Uint8Array, dst: Uint8Array, srcIndex: number, srcLength: number, hashTable: Uint32Array): number;
};
const xxh32 = (require('lz4js/xxh32.js') as { hash(seed: number, src: Uint8Array, at: number, len: number): number })
  .hash;

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC = 0x184d2a50;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;

const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x02;
const FLG_DICT_ID = 0x01;
const BD_BLOCK_SIZE_SHIFT = 4;
const BD_RESERVED = 0x8f;
/** Block size id 4 = 64 KiB, what Kafka's producers use. */
const BLOCK_SIZE_ID_64KB = 4;
const BLOCK_STORED_BIT = 0x80000000;

const HASH_TABLE_ENTRIES = 1 << 16;
/**
 * Uncompressed bytes per block we write. LZ4 decoders treat a sequence whose literals end within 12 bytes
 * (MFLIMIT) of their 64 KiB output buffer as the last one. lz4js may start a match closer to the end of its
 * input than that, so a full 64 KiB block could be refused; keeping blocks 12 bytes short avoids it.
 */
const BLOCK_CONTENT_BYTES = (1 << (2 * BLOCK_SIZE_ID_64KB + 8)) - 12;

function maxBlockBytes(sizeId: number): number {
  return 1 << (2 * sizeId + 8);
}

function headerChecksum(bytes: Uint8Array, at: number, len: number): number {
  return (xxh32(0, bytes, at, len) >>> 8) & 0xff;
}

export function lz4Compress(data: Buffer): Buffer {
  const header = Buffer.alloc(7);
  header.writeUInt32LE(FRAME_MAGIC, 0);
  header[4] = FLG_VERSION_01 | FLG_BLOCK_INDEPENDENCE;
  header[5] = BLOCK_SIZE_ID_64KB << BD_BLOCK_SIZE_SHIFT;
  header[6] = headerChecksum(header, 4, 2);
  const parts: Buffer[] = [header];
  const hashTable = new Uint32Array(HASH_TABLE_ENTRIES);
  const scratch = Buffer.allocUnsafe(lz4js.compressBound(BLOCK_CONTENT_BYTES));
  for (let at = 0; at < data.length; at += BLOCK_CONTENT_BYTES) {
    const chunk = data.subarray(at, at + BLOCK_CONTENT_BYTES);
    hashTable.fill(0);
    const n = lz4js.compressBlock(chunk, scratch, 0, chunk.length, hashTable);
    const word = Buffer.allocUnsafe(4);
    if (n === 0 || n >= chunk.length) {
      word.writeUInt32LE((chunk.length | BLOCK_STORED_BIT) >>> 0, 0);
      parts.push(word, chunk);
    } else {
      word.writeUInt32LE(n, 0);
      parts.push(word, Buffer.from(scratch.subarray(0, n)));
    }
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

export function lz4Decompress(data: Buffer, maxBytes: number): Buffer {
  const r = new Reader(data);
  const out = new BoundedOutput(maxBytes);
  do {
    const magic = readUInt32LE(r);
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      r.skip(readUInt32LE(r));
    } else if (magic === FRAME_MAGIC) {
      decodeFrame(r, out);
    } else {
      throw new DecodeError(`not an LZ4 frame (magic 0x${magic.toString(16)})`);
    }
  } while (r.remaining > 0);
  return out.result();
}

function readUInt32LE(r: Reader): number {
  r.need(4);
  const v = r.buf.readUInt32LE(r.pos);
  r.pos += 4;
  return v;
}

function decodeFrame(r: Reader, out: BoundedOutput): void {
  const descriptorAt = r.pos;
  const flg = r.uint8();
  const bd = r.uint8();
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01) throw new DecodeError('unsupported LZ4 frame version');
  if (flg & FLG_RESERVED || bd & BD_RESERVED) throw new DecodeError('LZ4 frame descriptor has reserved bits set');
  if (flg & FLG_DICT_ID) throw new DecodeError('LZ4 frames with a preset dictionary are not supported');
  const sizeId = bd >>> BD_BLOCK_SIZE_SHIFT;
  if (sizeId < BLOCK_SIZE_ID_64KB) throw new DecodeError(`invalid LZ4 block size id ${sizeId}`);
  const maxBlock = maxBlockBytes(sizeId);
  let contentSize = -1;
  if (flg & FLG_CONTENT_SIZE) {
    const lo = readUInt32LE(r);
    contentSize = readUInt32LE(r) * 0x1_0000_0000 + lo;
    // Checked, not reserved: a few hostile bytes should not make us allocate what they claim.
    if (contentSize > out.maxBytes - out.length) {
      throw new DecodeError(`LZ4 frame declares ${contentSize} bytes, over the limit of ${out.maxBytes}`);
    }
  }
  const checksum = r.uint8();
  if (headerChecksum(r.buf, descriptorAt, r.pos - 1 - descriptorAt) !== checksum) {
    throw new DecodeError('LZ4 frame descriptor checksum mismatch');
  }
  const frameStart = out.length;
  for (;;) {
    const word = readUInt32LE(r);
    if (word === 0) break;
    const size = (word & ~BLOCK_STORED_BIT) >>> 0;
    if (size > maxBlock) throw new DecodeError(`LZ4 block of ${size} bytes exceeds the frame's ${maxBlock}`);
    const blockAt = r.pos;
    const block = r.bytes(size);
    if (flg & FLG_BLOCK_CHECKSUM && xxh32(0, r.buf, blockAt, size) !== readUInt32LE(r)) {
      throw new DecodeError('LZ4 block checksum mismatch');
    }
    if (word & BLOCK_STORED_BIT) out.append(block);
    else decodeBlock(block, out, flg & FLG_BLOCK_INDEPENDENCE ? out.length : frameStart, maxBlock);
  }
  const produced = out.length - frameStart;
  if (flg & FLG_CONTENT_CHECKSUM && xxh32(0, out.buf, frameStart, produced) !== readUInt32LE(r)) {
    throw new DecodeError('LZ4 content checksum mismatch');
  }
  if (contentSize >= 0 && produced !== contentSize) {
    throw new DecodeError(`LZ4 frame holds ${produced} bytes but declares ${contentSize}`);
  }
}

/**
 * Decodes one compressed LZ4 block onto the end of `out`. Matches may reach back to `windowStart` (this
 * block's start when blocks are independent, the frame's start when linked).
 */
function decodeBlock(src: Buffer, out: BoundedOutput, windowStart: number, maxBlock: number): void {
  const room = Math.min(maxBlock, out.maxBytes - out.length);
  out.reserve(room);
  const dst = out.buf;
  const limit = out.length + room;
  const end = src.length;
  let ip = 0;
  let op = out.length;
  // A 4-bit length of 15 continues in bytes that each add up to 255, the last one less than 255.
  const lengthExtension = (): number => {
    let sum = 0;
    let b: number;
    do {
      if (ip >= end) throw new DecodeError('LZ4 length is truncated');
      b = src[ip++]!;
      sum += b;
    } while (b === 255);
    return sum;
  };
  for (;;) {
    if (ip >= end) throw new DecodeError('LZ4 block is truncated');
    const token = src[ip++]!;
    let literals = token >>> 4;
    if (literals === 15) literals += lengthExtension();
    if (ip + literals > end) throw new DecodeError('LZ4 literals run past the end of the block');
    if (op + literals > limit) throw overflow(out, maxBlock);
    src.copy(dst, op, ip, ip + literals);
    ip += literals;
    op += literals;
    if (ip === end) break;
    if (ip + 2 > end) throw new DecodeError('LZ4 match offset is truncated');
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op - windowStart) throw new DecodeError(`LZ4 match offset ${offset} is out of range`);
    let matchLength = token & 15;
    if (matchLength === 15) matchLength += lengthExtension();
    matchLength += 4;
    if (op + matchLength > limit) throw overflow(out, maxBlock);
    copyMatch(dst, op, offset, matchLength);
    op += matchLength;
  }
  out.length = op;
}

function overflow(out: BoundedOutput, maxBlock: number): DecodeError {
  return out.maxBytes - out.length < maxBlock
    ? new DecodeError(`decompressed data exceeds the limit of ${out.maxBytes} bytes`)
    : new DecodeError(`LZ4 block decodes to more than ${maxBlock} bytes`);
}
