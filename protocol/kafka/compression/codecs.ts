// One entry point for the record batch compression codecs, by the codec id a batch's attributes carry.
import { DecodeError } from '../../bytes.js';
import { Compression } from '../records/batch-header.js';
import { gzipCompress, gzipDecompress } from './gzip.js';
import { MAX_DECOMPRESSED_BYTES } from './limits.js';
import { lz4Compress, lz4Decompress } from './lz4.js';
import { snappyCompress, snappyDecompress } from './snappy.js';
import { initZstd, zstdCompress, zstdDecompress } from './zstd.js';

export { MAX_DECOMPRESSED_BYTES };

/** Prepares the codecs that need asynchronous set-up (zstd's WebAssembly). Call once at start; idempotent. */
export function initCompression(): Promise<void> {
  return initZstd();
}

export function isKnownCompression(id: number): id is Compression {
  return id >= Compression.None && id <= Compression.Zstd;
}

/**
 * Compresses `data` with codec `codec`; None returns `data` itself. `level` is the codec's level for
 * gzip and zstd (each codec's own default when absent); snappy and lz4 have one level here.
 */
export function compress(codec: Compression, data: Buffer, level?: number): Buffer {
  switch (codec) {
    case Compression.None:
      return data;
    case Compression.Gzip:
      return gzipCompress(data, level);
    case Compression.Snappy:
      return snappyCompress(data);
    case Compression.Lz4:
      return lz4Compress(data);
    case Compression.Zstd:
      return zstdCompress(data, level);
  }
}

/**
 * Decompresses `data` written with codec `codec` (a batch's compression id, checked here). Every failure,
 * including output beyond `maxBytes`, is a DecodeError. None returns `data` itself.
 */
export function decompress(codec: number, data: Buffer, maxBytes = MAX_DECOMPRESSED_BYTES): Buffer {
  switch (codec) {
    case Compression.None:
      return data;
    case Compression.Gzip:
      return gzipDecompress(data, maxBytes);
    case Compression.Snappy:
      return snappyDecompress(data, maxBytes);
    case Compression.Lz4:
      return lz4Decompress(data, maxBytes);
    case Compression.Zstd:
      return zstdDecompress(data, maxBytes);
    default:
      throw new DecodeError(`unknown compression codec id ${codec}`);
  }
}
