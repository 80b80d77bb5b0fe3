import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../protocol/bytes.js';
import { crc32c } from '../../../protocol/checksum/crc32c.js';
import {
  decodeFrame,
  encodeFrame,
  frameSize,
  PEER_MAGIC,
  PEER_PROTOCOL_VERSION,
  type PeerFrame,
} from '../../../protocol/consensus/frames.js';
import type { PeerEntry, PeerMembership, PeerMessage, PeerShellMessage } from '../../../protocol/consensus/messages.js';

const roundTrip = (f: PeerFrame) => decodeFrame(encodeFrame(f));
const msg = (message: PeerMessage): PeerFrame => ({ kind: 'message', message });
const base = { from: 1, to: 2, term: 7 };
/** Where a touch frame's session count sits: header 8, kind 1, from/to/term 12. */
const FRAME_COUNT_AT = 21;

/** Any throw but a DecodeError fails the test. */
function decodeOrError(buf: Buffer): PeerFrame | DecodeError {
  try {
    return decodeFrame(buf);
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err;
  }
}

describe('peer frames', () => {
  it('round-trip the hello with a 64-bit configuration version', () => {
    const hello = { version: PEER_PROTOCOL_VERSION, from: 3, to: 1, configVersion: 0xffff_ffff_0000_0001n };
    expect(roundTrip({ kind: 'hello', hello })).toEqual({ kind: 'hello', hello });
  });

  it('round-trip every consensus message, with terms up to 2^32-1 and indexes up to 2^53-1 exact', () => {
    const membership = { voters: [1, 2, 3], learners: [4] };
    const entries: PeerEntry[] = [
      { index: 2 ** 53 - 3, term: 0xffff_ffff, counter: 0xffff_fffe, data: new Uint8Array([1, 2, 3]) },
      { index: 2 ** 53 - 2, term: 0xffff_ffff, counter: 0xffff_ffff, data: null, membership },
      { index: 2 ** 53 - 1, term: 0xffff_ffff, counter: 1, data: new Uint8Array(5000).fill(9) },
    ];
    const messages: PeerMessage[] = [
      { ...base, type: 'preVote', lastIndex: 2 ** 53 - 1, lastTerm: 6 },
      { ...base, type: 'vote', lastIndex: 0, lastTerm: 0 },
      { ...base, type: 'preVoteResponse', reject: true },
      { ...base, type: 'voteResponse', reject: false },
      { ...base, term: 0xffff_ffff, type: 'append', prevIndex: 2 ** 53 - 4, prevTerm: 3, commit: 12, entries },
      { ...base, type: 'append', prevIndex: 0, prevTerm: 0, commit: 0, entries: [] },
      { ...base, type: 'appendResponse', index: 10, reject: true, hintIndex: 4, hintTerm: 2 },
      { ...base, type: 'heartbeat', commit: 99, round: 4 },
      { ...base, type: 'heartbeatResponse', round: 4 },
      { ...base, type: 'timeoutNow' },
      { ...base, type: 'snapshot', snapshot: { index: 40, term: 6, counter: 3, membership, data: new Uint8Array([7, 7]) } },
    ];
    for (const m of messages) expect(roundTrip(msg(m))).toEqual(msg(m));
  });

  it('round-trip the ZooKeeper shell messages, with 64-bit session ids exact', () => {
    const messages: PeerShellMessage[] = [
      {
        ...base,
        type: 'forward',
        sessionId: -0x7eff_ffff_ffff_fff1n,
        cxid: -2,
        opType: 1,
        auth: [{ scheme: 'ip', id: '127.0.0.1' }, { scheme: 'digest', id: 'bob:é' }],
        body: new Uint8Array([1, 2, 3]),
      },
      { ...base, type: 'forwardRefused', sessionId: 0x0100_0000_0000_0001n, cxid: 7, notLeader: false },
      { ...base, type: 'forwardRefused', sessionId: -1n, cxid: 0, notLeader: true },
      { ...base, type: 'touch', sessionIds: [1n, 2n ** 63n - 1n, -1n] },
      { ...base, type: 'touch', sessionIds: [] },
      { ...base, type: 'syncRequest', id: 2 ** 53 - 1 },
      { ...base, type: 'syncReply', id: 3, index: 99 },
    ];
    for (const message of messages) expect(roundTrip({ kind: 'message', message })).toEqual({ kind: 'message', message });
    // A count that claims more sessions than the frame holds is refused before anything is allocated.
    const touch = encodeFrame({ kind: 'message', message: { ...base, type: 'touch', sessionIds: [1n] } });
    touch.writeUInt32BE(1_000_000, FRAME_COUNT_AT);
    touch.writeUInt32BE(crc32c(touch.subarray(8)), 4);
    expect(decodeOrError(touch)).toBeInstanceOf(DecodeError);
  });

  it('copies entry payloads out of the receive buffer, into one block per append rather than one each, pinning nothing else', () => {
    const entries = [
      { index: 1, term: 7, counter: 1, data: new Uint8Array([5]) },
      { index: 2, term: 7, counter: 2, data: null },
      { index: 3, term: 7, counter: 3, data: new Uint8Array([6, 7]) },
    ];
    const buf = encodeFrame(msg({ ...base, type: 'append', prevIndex: 0, prevTerm: 0, commit: 0, entries }));
    const decoded = decodeFrame(buf);
    buf.fill(0);
    const got = decoded.kind === 'message' && decoded.message.type === 'append' ? decoded.message.entries : [];
    expect(got.map((e) => e.data)).toEqual([new Uint8Array([5]), null, new Uint8Array([6, 7])]);
    expect(got[0]!.data!.buffer).toBe(got[2]!.data!.buffer);
    // The block is the entries' part of the frame, not the receive buffer or a pool block it shares.
    expect(got[0]!.data!.buffer).not.toBe(buf.buffer);
    expect(got[0]!.data!.buffer.byteLength).toBeLessThan(buf.length - 8);
  });

  it('measure a frame from its length field and refuse impossible lengths before buffering them', () => {
    const buf = encodeFrame(msg({ ...base, type: 'heartbeatResponse', round: 4 }));
    expect(frameSize(buf.subarray(0, 3))).toBeNull();
    expect(frameSize(buf.subarray(0, 4))).toBe(buf.length);
    expect(() => frameSize(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrow(new DecodeError('frame length 4294967295 exceeds the limit of 67108864 bytes'));
    expect(() => frameSize(Buffer.from([0, 0, 0, 100]), 99)).toThrow(DecodeError);
    expect(() => frameSize(Buffer.from([0, 0, 0, 4]))).toThrow(/below the 5 bytes/);
    // An HTTP request or a ZooKeeper client on the quorum port reads as a huge length.
    expect(() => frameSize(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(DecodeError);
  });

  it('refuse truncation, a bad CRC, unknown kinds, leftovers, a wrong magic or version, id 0 and indexes past 2^53', () => {
    const good = encodeFrame(msg({ ...base, type: 'heartbeat', commit: 5, round: 0 }));
    expect(() => decodeFrame(good.subarray(0, good.length - 1))).toThrow(/does not match its length field/);
    const flipped = Buffer.from(good);
    flipped[good.length - 1]! ^= 1;
    expect(() => decodeFrame(flipped)).toThrow(/CRC/);

    // Frames built by hand with a correct CRC, so the body checks are what refuses them.
    const frame = (body: number[]) => {
      const b = Buffer.from(body);
      const crc = crc32c(b);
      const h = Buffer.alloc(8);
      h.writeUInt32BE(b.length + 4, 0);
      h.writeUInt32BE(crc, 4);
      return Buffer.concat([h, b]);
    };
    const u32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
    expect(() => decodeFrame(frame([42]))).toThrow('unknown frame kind 42');
    expect(() => decodeFrame(frame([8, ...u32(1), ...u32(2), ...u32(3), ...u32(0), ...u32(4), 0]))).toThrow('1 bytes left over after a heartbeatResponse frame');
    expect(() => decodeFrame(frame([8, ...u32(0), ...u32(2), ...u32(3), ...u32(0), ...u32(4)]))).toThrow('server id 0');
    expect(() => decodeFrame(frame([0, ...u32(0x12345678), 0, 1]))).toThrow('not a Skein peer: magic 0x12345678');
    expect(() => decodeFrame(frame([0, ...u32(PEER_MAGIC), 0, 1, ...u32(1), ...u32(2), ...u32(0), ...u32(0)]))).toThrow(
      'peer protocol version 1, this server speaks 3',
    );
    expect(() => decodeFrame(frame([7, ...u32(1), ...u32(2), ...u32(3), ...u32(0x20_0000), ...u32(0)]))).toThrow(/beyond 2\^53/);
    expect(() => decodeFrame(frame([3, ...u32(1), ...u32(2), ...u32(3), 2]))).toThrow('boolean byte 2');
    // An append claiming 2^32-1 entries in a few bytes is refused before anything is allocated.
    const append = [5, ...u32(1), ...u32(2), ...u32(3), ...u32(0), ...u32(0), ...u32(0), ...u32(0), ...u32(0), ...u32(0xffff_ffff)];
    expect(() => decodeFrame(frame(append))).toThrow(/4294967295 entries cannot fit/);
    // An entry whose payload length runs past the frame.
    expect(() => decodeFrame(frame([...append.slice(0, -4), ...u32(1), ...u32(7), ...u32(1), 1, ...u32(1000), 1, 2]))).toThrow(/need 1000 bytes/);
  });

  const id = fc.integer({ min: 1, max: 0xffff_ffff });
  const term = fc.integer({ min: 0, max: 0xffff_ffff });
  const index = fc.maxSafeInteger().map((n) => Math.abs(n));
  const membership: fc.Arbitrary<PeerMembership> = fc.record({ voters: fc.array(id, { maxLength: 7 }), learners: fc.array(id, { maxLength: 3 }) });
  const data = fc.uint8Array({ maxLength: 64 });
  const entries = (prevIndex: number) =>
    fc
      .array(fc.record({ term, counter: fc.integer({ min: 0, max: 0xffff_ffff }), data: fc.option(data), membership: fc.option(membership, { nil: undefined }) }), {
        maxLength: 5,
      })
      .map((es) =>
        es.map((e, i): PeerEntry => {
          const entry = { index: prevIndex + 1 + i, term: e.term, counter: e.counter, data: e.data };
          return e.membership ? { ...entry, membership: e.membership } : entry;
        }),
      );
  const baseArb = fc.record({ from: id, to: id, term });
  const messageArb: fc.Arbitrary<PeerMessage> = fc.oneof(
    fc.tuple(baseArb, fc.constantFrom('preVote' as const, 'vote' as const), index, term).map(([b, type, lastIndex, lastTerm]) => ({ ...b, type, lastIndex, lastTerm })),
    fc.tuple(baseArb, fc.constantFrom('preVoteResponse' as const, 'voteResponse' as const), fc.boolean()).map(([b, type, reject]) => ({ ...b, type, reject })),
    fc
      .tuple(baseArb, fc.integer({ min: 0, max: 2 ** 40 }), term, index)
      .chain(([b, prevIndex, prevTerm, commit]) => entries(prevIndex).map((es) => ({ ...b, type: 'append' as const, prevIndex, prevTerm, commit, entries: es }))),
    fc.tuple(baseArb, index, fc.boolean(), index, term).map(([b, i, reject, hintIndex, hintTerm]) => ({ ...b, type: 'appendResponse' as const, index: i, reject, hintIndex, hintTerm })),
    fc.tuple(baseArb, index, index).map(([b, commit, round]) => ({ ...b, type: 'heartbeat' as const, commit, round })),
    fc.tuple(baseArb, index).map(([b, round]) => ({ ...b, type: 'heartbeatResponse' as const, round })),
    baseArb.map((b) => ({ ...b, type: 'timeoutNow' as const })),
    fc
      .tuple(baseArb, index, term, term, membership, data)
      .map(([b, i, t, counter, m, d]) => ({ ...b, type: 'snapshot' as const, snapshot: { index: i, term: t, counter, membership: m, data: d } })),
  );

  it('round-trip any message (property)', () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        expect(roundTrip(msg(m))).toEqual(msg(m));
      }),
      { numRuns: 2000 },
    );
  });

  it('decode any mutation of a valid frame, or any bytes at all, to a frame or a DecodeError, never another throw (property)', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
    );
    fc.assert(
      fc.property(messageArb, mutation, (m, mu) => {
        const buf = Buffer.from(encodeFrame(msg(m)));
        let bad: Buffer;
        if (mu.kind === 'flip') {
          bad = buf;
          bad[mu.at % buf.length]! ^= 1 << mu.bit;
        } else if (mu.kind === 'cut') bad = buf.subarray(0, mu.at % buf.length);
        else bad = Buffer.concat([buf, mu.bytes]);
        // CRC-32C detects every single-bit error, a cut or an extension changes the length check.
        expect(decodeOrError(bad)).toBeInstanceOf(DecodeError);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        decodeOrError(Buffer.from(bytes));
      }),
      { numRuns: 2000 },
    );
  });
});
