import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';
import { DecodeError } from '../../../../protocol/bytes.js';
import { compress, decompress, initCompression } from '../../../../protocol/kafka/compression/codecs.js';
import { Compression } from '../../../../protocol/kafka/records/batch-header.js';
import { CODEC_INPUTS, COMPRESSION_CODECS as CODECS, mixed } from '../../../fixtures/records/codec-inputs.js';
import { readFixture } from '../../../fixtures/records/manifest.js';

const require = createRequire(import.meta.url);
const snappyjs = require('snappyjs') as { compress(b: Buffer): Buffer };
const xxh32 = (require('lz4js/xxh32.js') as { hash(seed: number, b: Uint8Array, at: number, n: number): number }).hash;

beforeAll(() => initCompression());

function expectDecodeError(fn: () => unknown, message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(DecodeError);
  if (message) expect((thrown as Error).message).toMatch(message);
}

describe('round trips', () => {
  test.each(CODECS)('codec %i round-trips every input', (codec) => {
    for (const [name, input] of Object.entries(CODEC_INPUTS)) {
      expect(decompress(codec, compress(codec, input)).equals(input), name).toBe(true);
    }
  });

  test('None passes data through untouched', () => {
    const b = Buffer.from('x');
    expect(compress(Compression.None, b)).toBe(b);
    expect(decompress(Compression.None, b)).toBe(b);
  });
});

describe('forms other writers use', () => {
  const input = mixed(150_000);

  test('raw snappy, as librdkafka writes it', () => {
    expect(decompress(Compression.Snappy, snappyjs.compress(input)).equals(input)).toBe(true);
  });

  test('LZ4 with linked blocks, block and content checksums and a content size (python-lz4)', () => {
    const framed = readFixture('python-lz4-linked-150000.lz4');
    expect(framed[4]! & 0x20).toBe(0); // the block independence flag is clear: blocks are linked
    expect(decompress(Compression.Lz4, framed).equals(input)).toBe(true);
  });

  test('zstd written by a streaming compressor, with no content size (python-zstandard)', () => {
    const framed = readFixture('python-zstd-streamed-150000.zst');
    expect(framed[4]! >>> 6).toBe(0);
    expect(decompress(Compression.Zstd, framed).equals(input)).toBe(true);
  });

  test('zstd frames with every width of declared content size (python-zstandard one-shot)', () => {
    // 1-byte (single segment), 2-byte (+256), 4-byte sizes, as the size field flag says; each decoded with
    // exactly that much room.
    const sizeAndFlag = [[0, 0], [200, 0], [256, 1], [65791, 1], [65792, 2], [300_000, 2]] as const;
    for (const [size, flag] of sizeAndFlag) {
      const data = mixed(size);
      const framed = readFixture(`python-zstd-oneshot-${size}.zst`);
      expect(framed[4]! >>> 6, `size ${size}`).toBe(flag);
      expect(decompress(Compression.Zstd, framed, size).equals(data), `size ${size}`).toBe(true);
      if (size > 0) expectDecodeError(() => decompress(Compression.Zstd, framed, size - 1), /limit/);
    }
  });

  test('concatenated gzip members and LZ4 frames', () => {
    const a = Buffer.from('first ');
    const b = Buffer.from('second');
    const both = Buffer.concat([a, b]);
    expect(decompress(Compression.Gzip, Buffer.concat([gzipSync(a), gzipSync(b)])).equals(both)).toBe(true);
    const lz4 = Buffer.concat([compress(Compression.Lz4, a), compress(Compression.Lz4, b)]);
    expect(decompress(Compression.Lz4, lz4).equals(both)).toBe(true);
  });
});

describe('decompression bombs stop at the limit', () => {
  const zeros = Buffer.alloc(4 << 20);
  const limit = 1 << 20;

  test.each(CODECS)('codec %i refuses output past maxBytes', (codec) => {
    const bomb = compress(codec, zeros);
    expect(bomb.length).toBeLessThan(zeros.length / 20);
    expectDecodeError(() => decompress(codec, bomb, limit), /limit/);
    expect(decompress(codec, bomb, zeros.length).length).toBe(zeros.length);
  });

  test('a raw snappy block declaring 4 GiB is refused before anything is allocated', () => {
    expectDecodeError(() => decompress(Compression.Snappy, Buffer.from('ffffffff0f00', 'hex')), /limit/);
  });

  test('LZ4 and zstd headers declaring huge sizes are refused up front', () => {
    const lz4 = Buffer.alloc(15);
    lz4.writeUInt32LE(0x184d2204, 0);
    lz4[4] = 0x68; // version 01, independent blocks, content size present
    lz4[5] = 0x40;
    lz4.writeUInt32LE(0x100, 10); // content size 2^40, little-endian at 6..13
    lz4[14] = (xxh32(0, lz4, 4, 10) >>> 8) & 0xff;
    expectDecodeError(() => decompress(Compression.Lz4, lz4), /limit/);
    const zstd = Buffer.from('28b52ffde00000000000000001', 'hex'); // single segment, 8-byte size 2^56
    expectDecodeError(() => decompress(Compression.Zstd, zstd), /limit/);
  });

  test('a streamed zstd frame without a content size still stops at the limit', () => {
    const streamed = readFixture('python-zstd-streamed-zeros-4194304.zst');
    expect(streamed[4]! >>> 6).toBe(0);
    expectDecodeError(() => decompress(Compression.Zstd, streamed, limit));
    expect(decompress(Compression.Zstd, streamed, zeros.length).length).toBe(zeros.length);
  });
});

describe('malformed compressed data is a DecodeError', () => {
  const input = mixed(100_000);

  test.each(CODECS)('codec %i: every truncation throws DecodeError or yields fewer bytes', (codec) => {
    const good = compress(codec, input);
    for (let cut = 0; cut < good.length; cut += Math.max(1, Math.floor(good.length / 97))) {
      try {
        const out = decompress(codec, good.subarray(0, cut));
        expect(out.length).toBeLessThan(input.length);
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError);
      }
    }
  });

  test.each(CODECS)('codec %i: flipped bytes never escape as anything but DecodeError', (codec) => {
    const good = compress(codec, input);
    for (let at = 0; at < good.length; at += Math.max(1, Math.floor(good.length / 61))) {
      const bad = Buffer.from(good);
      bad[at] = bad[at]! ^ 0x5a;
      try {
        decompress(codec, bad);
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError);
      }
    }
  });

  test('gzip and zstd garbage', () => {
    expectDecodeError(() => decompress(Compression.Gzip, Buffer.from('not gzip at all')));
    expectDecodeError(() => decompress(Compression.Zstd, Buffer.from('not zstd at all')));
    expectDecodeError(() => decompress(Compression.Zstd, Buffer.from('28b52ffd', 'hex')));
    expectDecodeError(() => decompress(Compression.Zstd, Buffer.from(`28b52ffd00f8${'00'.repeat(20)}`, 'hex')), /window/);
  });

  test('snappy input that makes snappyjs loop for billions of steps fails at once', () => {
    expectDecodeError(() => decompress(Compression.Snappy, Buffer.from([100, 0xfc, 0x00, 0x00, 0x00, 0x80])));
  });

  test('snappy copies before the start, past the declared length, or ending short', () => {
    expectDecodeError(() => decompress(Compression.Snappy, Buffer.from([10, 0x01, 0x05])), /offset/);
    expectDecodeError(() => decompress(Compression.Snappy, Buffer.from([2, 0x08, 0x61, 0x62, 0x63])), /past/);
    expectDecodeError(() => decompress(Compression.Snappy, Buffer.from([5, 0x04, 0x61, 0x62])), /declared/);
    expectDecodeError(() => decompress(Compression.Snappy, Buffer.from([4, 0x04, 0x61, 0x62, 0x09, 0x05])), /offset/);
  });

  test('xerial framing with a bad block length', () => {
    const good = compress(Compression.Snappy, input);
    const bad = Buffer.from(good);
    bad.writeInt32BE(-1, 16);
    expectDecodeError(() => decompress(Compression.Snappy, bad));
    bad.writeInt32BE(good.length, 16);
    expectDecodeError(() => decompress(Compression.Snappy, bad));
  });

  describe('LZ4 frame checks', () => {
    const good = compress(Compression.Lz4, input);
    const withByte = (at: number, value: number): Buffer => {
      const b = Buffer.from(good);
      b[at] = value;
      return b;
    };

    test('magic, version, reserved bits, dictionaries, block size id and descriptor checksum', () => {
      expectDecodeError(() => decompress(Compression.Lz4, withByte(0, 0x05)), /not an LZ4 frame/);
      expectDecodeError(() => decompress(Compression.Lz4, withByte(4, 0x20)), /version/);
      expectDecodeError(() => decompress(Compression.Lz4, withByte(4, 0x62)), /reserved/);
      expectDecodeError(() => decompress(Compression.Lz4, withByte(4, 0x61)), /dictionary/);
      expectDecodeError(() => decompress(Compression.Lz4, withByte(5, 0x30)), /block size/);
      expectDecodeError(() => decompress(Compression.Lz4, withByte(6, good[6]! ^ 1)), /checksum/);
    });

    test('a block larger than the frame allows', () => {
      const b = Buffer.from(good);
      b.writeUInt32LE(0x10001, 7);
      expectDecodeError(() => decompress(Compression.Lz4, b), /exceeds/);
    });

    test('match offsets of zero or before the block start', () => {
      // Header for independent 64 KiB blocks, then one block: token 0x10 (1 literal, match), 'a', offset.
      const header = good.subarray(0, 7);
      const frame = (offset: number): Buffer =>
        Buffer.concat([header, Buffer.from([5, 0, 0, 0, 0x10, 0x61, offset, 0, 0]), Buffer.alloc(4)]);
      expectDecodeError(() => decompress(Compression.Lz4, frame(0)), /offset 0/);
      expectDecodeError(() => decompress(Compression.Lz4, frame(2)), /offset 2/);
      expect(decompress(Compression.Lz4, frame(1)).toString()).toBe('a'.repeat(5));
    });
  });

  test('an unknown codec id', () => {
    expectDecodeError(() => decompress(5, Buffer.alloc(1)), /codec id 5/);
  });
});
