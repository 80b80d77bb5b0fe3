// The WebAssembly CRC-32C agrees with the table-driven JavaScript one (crc-32) on every length and
// alignment, across its input window, and on the standard check value.
import { createRequire } from 'node:module';
import { expect, test } from 'vitest';
import { crc32c } from '../../../../protocol/checksum/crc32c.js';
import { crc32cWasm } from '../../../../protocol/checksum/crc32c-wasm.js';

const require = createRequire(import.meta.url);
const reference = require('crc-32/crc32c') as { buf(data: Uint8Array): number };

function bytes(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    b[i] = x >>> 16;
  }
  return b;
}

test('the CRC-32C check value of "123456789" is 0xE3069283', () => {
  expect(crc32cWasm(Buffer.from('123456789'))).toBe(0xe3069283);
  expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  expect(crc32cWasm(Buffer.alloc(0))).toBe(0);
});

test('every length from 0 to 600 at every alignment matches the JavaScript tables', () => {
  const data = bytes(700, 7);
  for (let offset = 0; offset < 4; offset++) {
    for (let n = 0; n <= 600; n++) {
      const slice = data.subarray(offset, offset + n);
      expect(crc32cWasm(slice)).toBe(reference.buf(slice) >>> 0);
    }
  }
});

test('inputs larger than the copy window (1 MiB) chain across pieces', () => {
  for (const n of [(1 << 20) - 1, 1 << 20, (1 << 20) + 17, 3 * (1 << 20) + 5]) {
    const data = bytes(n, n);
    expect(crc32c(data)).toBe(reference.buf(data) >>> 0);
  }
});
