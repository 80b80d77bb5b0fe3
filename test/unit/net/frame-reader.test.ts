import { expect, test } from 'vitest';
import { ByteBudget } from '../../../src/net/byte-budget.js';
import { DIRECT_READ_BYTES, FrameReader, FramingError, GROWN_FRAME_START_BYTES, SCRATCH_BYTES, type FrameSink } from '../../../src/net/frame-reader.js';

function frame(body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeInt32BE(body.length);
  return Buffer.concat([head, body]);
}

function collect(reader: FrameReader): { frames: Buffer[]; errors: FramingError[] } {
  const out = { frames: [] as Buffer[], errors: [] as FramingError[] };
  reader.sink = { frame: (f) => out.frames.push(f), invalid: (e) => out.errors.push(e) };
  return out;
}

/** Reads `stream` the way onread does: into the buffer the reader offers, at most `step` bytes at a time. */
function readInSteps(reader: FrameReader, stream: Buffer, step: number): void {
  let at = 0;
  while (at < stream.length) {
    const into = reader.nextBuffer();
    expect(into.length).toBeGreaterThan(0);
    const n = stream.copy(into, 0, at, Math.min(stream.length, at + step));
    at += n;
    reader.received(n);
  }
}

const small = Buffer.from('hello');
const empty = Buffer.alloc(0);
const large = Buffer.alloc(3 * SCRATCH_BYTES + 17, 'x');
const nearDirect = Buffer.alloc(DIRECT_READ_BYTES - 1, 'y');
const bodies = [small, empty, large, nearDirect, Buffer.from('world!'), large.subarray(0, DIRECT_READ_BYTES)];
const stream = Buffer.concat(bodies.map(frame));

test('splits frames however the reads fall, small ones through scratch and large ones directly', () => {
  for (const step of [1, 3, 4, 5, 100, 4095, 4096, 16_384, 65_536, stream.length]) {
    const reader = new FrameReader(1 << 20);
    const got = collect(reader);
    readInSteps(reader, stream, step);
    expect(got.errors).toEqual([]);
    expect(got.frames.map((f) => f.length)).toEqual(bodies.map((b) => b.length));
    got.frames.forEach((f, i) => expect(f.equals(bodies[i]!), `step ${step} frame ${i}`).toBe(true));
  }
});

test('frames are buffers of their own: later reads into scratch do not change them', () => {
  const reader = new FrameReader(1024);
  const got = collect(reader);
  reader.push(frame(Buffer.from('first')));
  reader.push(Buffer.concat(Array.from({ length: 5000 }, (_, i) => frame(Buffer.from(`other ${i}`)))));
  expect(got.frames).toHaveLength(5001);
  expect(got.frames[0]!.toString()).toBe('first');
  expect(got.frames[4321]!.toString()).toBe('other 4320');
});

test('a large frame is read into exactly one buffer of its size', () => {
  const reader = new FrameReader(1 << 20);
  const got = collect(reader);
  const whole = frame(large);
  reader.push(whole.subarray(0, 10));
  const target = reader.nextBuffer();
  expect(target.length).toBe(large.length - 6);
  readInSteps(reader, whole.subarray(10), 1 << 20);
  expect(got.frames[0]!.equals(large)).toBe(true);
  expect(got.frames[0]!.buffer).toBe(target.buffer);
});

test('negative and oversized lengths are framing errors, and nothing follows them', () => {
  for (const [bytes, pattern] of [
    ['ffffffff', /negative/],
    ['0000000b', /exceeds the limit of 10/],
  ] as const) {
    const reader = new FrameReader(10);
    const got = collect(reader);
    reader.push(Buffer.from(bytes, 'hex'));
    reader.push(frame(Buffer.from('ok')));
    expect(got.errors).toHaveLength(1);
    expect(got.errors[0]!.message).toMatch(pattern);
    expect(got.frames).toEqual([]);
  }
});

test('the first four bytes can be claimed before they are read as a length', () => {
  const ruok = Buffer.from('ruok').readInt32BE(0);
  const seen: number[] = [];
  const frames: Buffer[] = [];
  const sink: FrameSink = { frame: (f) => frames.push(f), invalid: () => undefined, firstWord: (w) => (seen.push(w), w === ruok) };
  const claiming = new FrameReader(10);
  claiming.sink = sink;
  claiming.push(Buffer.from('ru'));
  expect(seen).toEqual([]);
  claiming.push(Buffer.from('ok'));
  expect(seen).toEqual([ruok]);
  claiming.push(frame(Buffer.from('x')));
  expect(frames).toEqual([]);

  const passing = new FrameReader(10);
  passing.sink = sink;
  passing.push(frame(Buffer.from('abc')));
  expect(frames.map(String)).toEqual(['abc']);
});

test('a length prefix reserves nothing: a huge frame\'s buffer grows only as its bytes arrive', () => {
  const reader = new FrameReader(200 * 1024 * 1024);
  const got = collect(reader);
  const head = Buffer.alloc(4);
  head.writeInt32BE(100 * 1024 * 1024);
  reader.push(Buffer.concat([head, Buffer.from('abc')]));
  expect(reader.nextBuffer().length).toBeLessThanOrEqual(GROWN_FRAME_START_BYTES);

  const body = Buffer.alloc(3 * GROWN_FRAME_START_BYTES + 5);
  for (let i = 0; i < body.length; i++) body[i] = i % 251;
  const growing = new FrameReader(8 * GROWN_FRAME_START_BYTES);
  const out = collect(growing);
  readInSteps(growing, frame(body), 300_000);
  expect(out.frames).toHaveLength(1);
  expect(out.frames[0]!.equals(body)).toBe(true);
  expect(got.frames).toEqual([]);
});

test('frames take their size from a shared budget; a reader with no room stops until another gives some back', () => {
  const budget = new ByteBudget(10_000);
  const first = new FrameReader(1 << 20, budget);
  const second = new FrameReader(1 << 20, budget);
  const a = collect(first);
  const b = collect(second);
  first.push(frame(Buffer.alloc(8_000)));
  expect(a.frames).toHaveLength(1);
  expect(budget.usedBytes).toBe(8_000);

  second.push(frame(Buffer.alloc(5_000, 1)).subarray(0, 100));
  expect(second.gate.held).toBe(true);
  first.done(8_000);
  return Promise.resolve().then(() => {
    expect(second.gate.held).toBe(false);
    expect(budget.usedBytes).toBe(5_000);
    readInSteps(second, frame(Buffer.alloc(5_000, 1)).subarray(100), 1000);
    expect(b.frames).toHaveLength(1);
    expect(second.partialSince).toBeUndefined();
    second.done(5_000);
    expect(budget.usedBytes).toBe(0);
  });
});

test('pushed bytes past a frame that waits for memory are kept and read once it is granted (TLS reads by copy)', async () => {
  const budget = new ByteBudget(10_000);
  const other = new FrameReader(1 << 20, budget);
  const reader = new FrameReader(1 << 20, budget);
  collect(other);
  const got = collect(reader);
  other.push(frame(Buffer.alloc(8_000)));
  // One chunk holding a frame that does not fit yet and two more behind it, then a chunk while paused.
  reader.push(Buffer.concat([frame(Buffer.alloc(5_000, 1)), frame(Buffer.from('b')), frame(Buffer.from('c'))]));
  reader.push(frame(Buffer.from('d')));
  expect(reader.gate.held).toBe(true);
  expect(got.frames).toHaveLength(0);
  other.done(8_000);
  await Promise.resolve();
  expect(reader.gate.held).toBe(false);
  expect(got.frames.map((f) => f.length)).toEqual([5_000, 1, 1, 1]);
  expect(got.frames.slice(1).map((f) => f.toString())).toEqual(['b', 'c', 'd']);
});

test('a large frame takes its first MiB of budget at once and the rest only once that MiB has arrived', () => {
  const budget = new ByteBudget(4 * GROWN_FRAME_START_BYTES);
  const reader = new FrameReader(1 << 30, budget);
  const got = collect(reader);
  const body = Buffer.alloc(3 * GROWN_FRAME_START_BYTES, 7);
  const whole = frame(body);
  reader.push(whole.subarray(0, 1000));
  expect(budget.usedBytes).toBe(GROWN_FRAME_START_BYTES);
  expect(reader.partialSince).toBeTypeOf('number');
  readInSteps(reader, whole.subarray(1000, GROWN_FRAME_START_BYTES + 4), 65_536);
  expect(budget.usedBytes).toBe(body.length);
  readInSteps(reader, whole.subarray(GROWN_FRAME_START_BYTES + 4), 65_536);
  expect(got.frames[0]!.equals(body)).toBe(true);
  expect(reader.partialSince).toBeUndefined();
});

test('a reader stopped mid-frame gives its memory back', () => {
  const budget = new ByteBudget(1 << 20);
  const reader = new FrameReader(1 << 20, budget);
  collect(reader);
  reader.push(frame(Buffer.alloc(50_000)).subarray(0, 1000));
  expect(budget.usedBytes).toBe(50_000);
  reader.stop();
  expect(budget.usedBytes).toBe(0);
});
