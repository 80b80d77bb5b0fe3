import { expect, test } from 'vitest';
import { FrameDecoder, FramingError } from '../../../src/net/frame-decoder.js';

function frame(payload: string): Buffer {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(4);
  head.writeInt32BE(body.length);
  return Buffer.concat([head, body]);
}

test('splits frames however the stream is chunked', () => {
  const stream = Buffer.concat([frame('hello'), frame(''), frame('world!')]);
  for (let step = 1; step <= stream.length; step++) {
    const d = new FrameDecoder(1024);
    const got: string[] = [];
    for (let i = 0; i < stream.length; i += step) {
      for (const f of d.push(stream.subarray(i, i + step))) got.push(f.toString());
    }
    expect(got).toEqual(['hello', '', 'world!']);
    expect(d.buffered).toBe(0);
  }
});

test('refuses negative and oversized lengths before buffering the body', () => {
  expect(() => new FrameDecoder(10).push(Buffer.from('ffffffff', 'hex'))).toThrow(FramingError);
  expect(() => new FrameDecoder(10).push(Buffer.from('0000000b', 'hex'))).toThrow(/exceeds/);
});
