// Ways a valid frame body goes wrong, as fast-check values: bit flips, byte replacement, truncation,
// extension, insertion, deletion, and lengths and counts overwritten with the values decoders get wrong
// (int16/int32 lengths, unsigned varints, compact lengths). A mutation holds positions as plain numbers
// taken modulo the frame's length, so it applies to any frame and shrinks towards the frame's start.
import fc from 'fast-check';

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'extend'; bytes: Uint8Array }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'int16'; at: number; value: number }
  | { kind: 'int32'; at: number; value: number }
  | { kind: 'varint'; at: number; bytes: Uint8Array };

/** Lengths and counts at and around the edges decoders must check. */
const INT16_EDGES = [-2, -1, 0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7ffe, 0x7fff, -0x8000];
const INT32_EDGES = [-2, -1, 0, 1, 2, 0xff, 0xffff, 0x10000, 0x7fff, 0x8000, 0x00ff_ffff, 0x0100_0000, 0x7fff_ffff, -0x8000_0000];

/** Unsigned varints that are huge, overlong, unterminated or zero (compact null) and one (compact empty). */
const VARINT_EDGES: readonly number[][] = [
  [0x00],
  [0x01],
  [0x02],
  [0x7f],
  [0x80, 0x01],
  [0xff, 0xff, 0xff, 0xff, 0x07],
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
  [0x80],
  [0xff, 0xff],
];

const position = fc.nat({ max: 0xffff });
const someBytes = fc.uint8Array({ minLength: 1, maxLength: 24 });

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.nat({ max: 7 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('byte' as const), at: position, value: fc.nat({ max: 255 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: position }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('extend' as const), bytes: someBytes }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('insert' as const), at: position, bytes: someBytes }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('delete' as const), at: position, count: fc.integer({ min: 1, max: 16 }) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('int16' as const),
      at: position,
      value: fc.oneof(fc.constantFrom(...INT16_EDGES), fc.integer({ min: -0x8000, max: 0x7fff })),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('int32' as const),
      at: position,
      value: fc.oneof(fc.constantFrom(...INT32_EDGES), fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff })),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('varint' as const),
      at: position,
      bytes: fc.constantFrom(...VARINT_EDGES).map((b) => Uint8Array.from(b)),
    }),
    weight: 2,
  },
);

/**
 * `frame` with `m` applied, never touching the first `keep` bytes (a header the caller mutates its own
 * way, or not at all). Returns a new buffer.
 */
export function mutate(frame: Buffer, m: Mutation, keep = 0): Buffer {
  const span = frame.length - keep;
  const at = (n: number, room = 1) => keep + (span <= room ? 0 : n % (span - room + 1));
  switch (m.kind) {
    case 'flip': {
      if (span <= 0) return frame;
      const out = Buffer.from(frame);
      out[at(m.at)]! ^= 1 << m.bit;
      return out;
    }
    case 'byte': {
      if (span <= 0) return frame;
      const out = Buffer.from(frame);
      out[at(m.at)] = m.value;
      return out;
    }
    case 'truncate':
      return frame.subarray(0, keep + (span <= 0 ? 0 : m.at % span));
    case 'extend':
      return Buffer.concat([frame, m.bytes]);
    case 'insert': {
      const i = at(m.at, 0);
      return Buffer.concat([frame.subarray(0, i), m.bytes, frame.subarray(i)]);
    }
    case 'delete': {
      if (span <= 0) return frame;
      const i = at(m.at);
      return Buffer.concat([frame.subarray(0, i), frame.subarray(i + m.count)]);
    }
    case 'int16':
    case 'int32': {
      const size = m.kind === 'int16' ? 2 : 4;
      if (span < size) return frame;
      const out = Buffer.from(frame);
      if (size === 2) out.writeInt16BE(m.value, at(m.at, size));
      else out.writeInt32BE(m.value, at(m.at, size));
      return out;
    }
    case 'varint': {
      if (span <= 0) return frame;
      const i = at(m.at);
      // Replaces as many bytes as it has, so what follows shifts only when the frame is short.
      return Buffer.concat([frame.subarray(0, i), m.bytes, frame.subarray(Math.min(frame.length, i + m.bytes.length))]);
    }
  }
}

/** `frame` with every mutation applied in order. */
export function mutateAll(frame: Buffer, mutations: readonly Mutation[], keep = 0): Buffer {
  return mutations.reduce((f, m) => mutate(f, m, keep), frame);
}

/**
 * Up to four mutations: none (a valid frame, values drawn at random) one time in four, so requests reach
 * the handlers, not only the decoders; one, half of the time.
 */
export const mutationsArb = fc.oneof(
  { arbitrary: fc.constant([] as Mutation[]), weight: 2 },
  { arbitrary: mutationArb.map((m) => [m]), weight: 4 },
  { arbitrary: fc.array(mutationArb, { minLength: 2, maxLength: 4 }), weight: 2 },
);

/** A size prefix that disagrees with the bytes that follow it. */
export const badSizePrefixArb = fc.oneof(
  fc.constantFrom(-1, -0x8000_0000, 0x7fff_ffff, 0x0640_0001),
  fc.integer({ min: -64, max: 64 }).map((delta) => ({ delta })),
);
