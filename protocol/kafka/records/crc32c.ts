import { createRequire } from 'node:module';

// crc-32 ships CommonJS without a typed subpath export for its CRC-32C variant.
const require = createRequire(import.meta.url);
const impl = require('crc-32/crc32c') as { buf(data: Uint8Array, seed?: number): number };

/** CRC-32C (Castagnoli) of `data`, unsigned, as record batches carry it. */
export function crc32c(data: Uint8Array): number {
  return impl.buf(data) >>> 0;
}
