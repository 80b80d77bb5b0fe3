// Kafka codec 4: zstd, through @bokuweb/zstd-wasm (libzstd compiled to WebAssembly).
//
// The library sizes its output from the frame header's content size and trusts it, so the header is read
// here first: a declared size over the limit is refused before anything is allocated. Frames without a
// content size (Java's ZstdOutputStream and other streaming compressors write those) are decoded into a
// buffer of a guessed size, then once more at the full limit if the guess was too small.
import { createRequire } from 'node:module';
import { DecodeError } from '../../bytes.js';

const require = createRequire(import.meta.url);
const zstd = require('@bokuweb/zstd-wasm') as {
  init(): Promise<void>;
  compress(data: Uint8Array, level?: number): Uint8Array;
  decompress(data: Uint8Array, options?: { defaultHeapSize?: number }): Uint8Array;
};

const FRAME_MAGIC = 0xfd2fb528;
const FRAME_HEADER_MIN_BYTES = 6;
/** Window sizes libzstd accepts on a 32-bit target such as WebAssembly; larger ones fail its header parse. */
const WINDOW_LOG_MIN = 10;
const WINDOW_LOG_MAX = 30;
/** The level Kafka's producer uses by default. */
const DEFAULT_LEVEL = 3;
/** First output guess for frames of unknown size, as a multiple of the compressed size. */
const UNKNOWN_SIZE_RATIO_GUESS = 8;
const UNKNOWN_SIZE_MIN_GUESS_BYTES = 64 * 1024;

let ready: Promise<void> | undefined;
let initialized = false;

/** Loads the WebAssembly module; idempotent. zstd calls before it resolves throw. */
export function initZstd(): Promise<void> {
  ready ??= zstd.init().then(() => {
    initialized = true;
  });
  return ready;
}

function ensureInitialized(): void {
  if (!initialized) throw new Error('zstd used before initCompression() completed');
}

export function zstdCompress(data: Buffer, level = DEFAULT_LEVEL): Buffer {
  ensureInitialized();
  const out = zstd.compress(data, level);
  return Buffer.from(out.buffer, out.byteOffset, out.length);
}

export function zstdDecompress(data: Buffer, maxBytes: number): Buffer {
  ensureInitialized();
  const contentSize = frameContentSize(data);
  if (contentSize > maxBytes) {
    throw new DecodeError(`zstd frame declares ${contentSize} bytes, over the limit of ${maxBytes}`);
  }
  if (contentSize >= 0) return run(data, contentSize);
  const guess = Math.min(maxBytes, Math.max(UNKNOWN_SIZE_MIN_GUESS_BYTES, data.length * UNKNOWN_SIZE_RATIO_GUESS));
  try {
    return run(data, guess);
  } catch (err) {
    if (guess === maxBytes) throw err;
    return run(data, maxBytes);
  }
}

/** Decodes with `capacity` bytes of room; the library fails rather than write past it. */
function run(data: Buffer, capacity: number): Buffer {
  let out: Uint8Array;
  try {
    out = zstd.decompress(data, { defaultHeapSize: capacity });
  } catch (err) {
    throw new DecodeError(`corrupt zstd data (or over ${capacity} bytes): ${(err as Error).message}`);
  }
  return Buffer.from(out.buffer, out.byteOffset, out.length);
}

/**
 * The content size the first frame's header declares, or -1 when it declares none. Throws DecodeError for
 * anything but a well-formed zstd frame header, so the library never sees input it would mis-size.
 */
function frameContentSize(data: Buffer): number {
  if (data.length < FRAME_HEADER_MIN_BYTES || data.readUInt32LE(0) !== FRAME_MAGIC) {
    throw new DecodeError('not a zstd frame');
  }
  const descriptor = data[4]!;
  if (descriptor & 0x08) throw new DecodeError('zstd frame header has its reserved bit set');
  const sizeFlag = descriptor >>> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  const dictIdBytes = [0, 1, 2, 4][descriptor & 0x03]!;
  const sizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][sizeFlag]!;
  const at = 5 + (singleSegment ? 0 : 1) + dictIdBytes;
  if (data.length < at + sizeBytes) throw new DecodeError('zstd frame header is truncated');
  if (!singleSegment && WINDOW_LOG_MIN + (data[5]! >>> 3) > WINDOW_LOG_MAX) {
    throw new DecodeError('zstd frame window is too large');
  }
  switch (sizeBytes) {
    case 0:
      return -1;
    case 1:
      return data[at]!;
    case 2:
      return data.readUInt16LE(at) + 256;
    case 4:
      return data.readUInt32LE(at);
    default:
      return data.readUInt32LE(at + 4) * 0x1_0000_0000 + data.readUInt32LE(at);
  }
}
