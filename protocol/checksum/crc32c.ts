import { createRequire } from 'node:module';
import { crc32cWasm } from './crc32c-wasm.js';

// crc-32 ships CommonJS without a typed subpath export for its CRC-32C variant.
const require = createRequire(import.meta.url);
const impl = require('crc-32/crc32c') as { buf(data: Uint8Array, seed?: number): number };

/** Below this size the JavaScript tables beat the call into WebAssembly and the copy it needs. */
const WASM_MIN_BYTES = 256;

/** CRC-32C (Castagnoli) of `data`, unsigned: the checksum of Kafka record batches, and the one Skein's own files use. */
export function crc32c(data: Uint8Array): number {
  return data.length < WASM_MIN_BYTES ? impl.buf(data) >>> 0 : crc32cWasm(data);
}
