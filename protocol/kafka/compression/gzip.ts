// Kafka codec 1: gzip (RFC 1952), through node:zlib's synchronous calls.
import { gunzipSync, gzipSync } from 'node:zlib';
import { DecodeError } from '../../bytes.js';

/** `level` 1-9, or zlib's default when absent. */
export function gzipCompress(data: Uint8Array, level?: number): Buffer {
  return gzipSync(data, level === undefined ? {} : { level });
}

/** Inflates gzip data (concatenated members included); zlib itself stops at `maxBytes` of output. */
export function gzipDecompress(data: Uint8Array, maxBytes: number): Buffer {
  try {
    return gunzipSync(data, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DecodeError(`decompressed data exceeds the limit of ${maxBytes} bytes`);
    }
    throw new DecodeError(`corrupt gzip data: ${(err as Error).message}`);
  }
}
