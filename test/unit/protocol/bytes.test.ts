import { describe, expect, test } from 'vitest';
import { DecodeError, Reader, Writer, uvarintSize, varintSize } from '../../../protocol/bytes.js';

describe('Reader', () => {
  test('reads big-endian integers and refuses to run past the end', () => {
    const r = new Reader(Buffer.from([0xff, 0x01, 0x02, 0x00, 0x00, 0x00, 0x05]));
    expect(r.int8()).toBe(-1);
    expect(r.int16()).toBe(0x0102);
    expect(r.int32()).toBe(5);
    expect(() => r.int8()).toThrow(DecodeError);
  });

  test('int64 round-trips exact values and saturates sentinels', () => {
    for (const v of [0, -1, -2, 1, 2 ** 40 + 7, -(2 ** 45) - 3, Number.MAX_SAFE_INTEGER]) {
      expect(new Reader(new Writer().int64(v).toBuffer()).int64()).toBe(v);
    }
    const max = new Writer().int64(Number.MAX_VALUE).toBuffer();
    expect(max.toString('hex')).toBe('7fffffffffffffff');
    const min = new Writer().int64(-Number.MAX_VALUE).toBuffer();
    expect(min.toString('hex')).toBe('8000000000000000');
  });

  test('varints match the protobuf zigzag encoding', () => {
    const cases: Array<[number, string]> = [
      [0, '00'],
      [-1, '01'],
      [1, '02'],
      [-64, '7f'],
      [64, '8001'],
      [2147483647, 'feffffff0f'],
      [-2147483648, 'ffffffff0f'],
    ];
    for (const [v, hex] of cases) {
      const buf = new Writer().varint(v).toBuffer();
      expect(buf.toString('hex')).toBe(hex);
      expect(buf.length).toBe(varintSize(v));
      expect(new Reader(buf).varint()).toBe(v);
    }
    expect(uvarintSize(300)).toBe(2);
    expect(new Reader(Buffer.from('ac02', 'hex')).uvarint()).toBe(300);
  });

  test('varlong covers 64-bit timestamps', () => {
    for (const v of [1_700_000_000_000, -1_700_000_000_000, 0]) {
      expect(new Reader(new Writer().varlong(v).toBuffer()).varlong()).toBe(v);
    }
  });

  test('overlong varints are malformed', () => {
    expect(() => new Reader(Buffer.from('ffffffffff01', 'hex')).uvarint()).toThrow(DecodeError);
    expect(() => new Reader(Buffer.from('ffffffff1f', 'hex')).uvarint()).toThrow(DecodeError);
    expect(() => new Reader(Buffer.from('80', 'hex')).uvarint()).toThrow(DecodeError);
  });

  test('sub readers are windows that cannot read past their end', () => {
    const r = new Reader(Buffer.from([1, 2, 3, 4]));
    const s = r.sub(2);
    expect(s.uint8()).toBe(1);
    expect(s.uint8()).toBe(2);
    expect(() => s.uint8()).toThrow(DecodeError);
    expect(r.uint8()).toBe(3);
    expect(() => r.bytes(5)).toThrow(DecodeError);
    expect(() => r.bytes(-1)).toThrow(DecodeError);
  });
});

describe('Writer', () => {
  test('keeps large buffers by reference and small ones by copy', () => {
    const big = Buffer.alloc(4096, 7);
    const w = new Writer(8).int32(1).raw(big).int16(2).raw(Buffer.from([9]));
    const chunks = w.chunksOut();
    expect(chunks).toContain(big);
    const all = Buffer.concat(chunks);
    expect(all.length).toBe(4 + 4096 + 2 + 1);
    expect(all.readInt32BE(0)).toBe(1);
    expect(all.readInt16BE(4100)).toBe(2);
    expect(all[4102]).toBe(9);
  });

  test('reserved int32 fields are filled in later, across chunk boundaries', () => {
    const w = new Writer(4);
    const setSize = w.reserveInt32();
    for (let i = 0; i < 10_000; i++) w.uint8(i & 0xff);
    setSize(10_000);
    const buf = w.toBuffer();
    expect(buf.readInt32BE(0)).toBe(10_000);
    expect(buf.length).toBe(10_004);
    expect(buf[4 + 9_999]).toBe(9_999 & 0xff);
  });
});
