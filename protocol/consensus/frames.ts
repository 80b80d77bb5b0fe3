// Frames between ensemble servers. Every frame is
//
//   length  uint32  bytes after this field (crc + kind + body)
//   crc     uint32  CRC-32C of kind + body
//   kind    uint8   0 hello, 1..9 a consensus message type, 10.. a ZooKeeper shell message (forwarded
//                   writes, session touches, syncs; messages.ts PeerShellMessage)
//   body
//
// big-endian throughout. A connection opens with one hello from each side (magic, protocol version,
// sender and intended receiver ids, configuration version); every later frame is a message.
// Terms are uint32 (a term is a zxid's epoch, 32 bits by definition); indexes are uint64 and must be
// exact in a JS number (below 2^53), anything larger is refused rather than rounded; an entry's
// (term, counter) travels as its zxid, one uint64. Entry indexes are not sent: an append's entries are
// consecutive from prevIndex + 1. Server ids are uint32 and never 0.
import { DecodeError, Reader, Writer } from '../bytes.js';
import { crc32c } from '../checksum/crc32c.js';
import type { PeerEntry, PeerHello, PeerMembership, PeerSnapshot, PeerWireMessage } from './messages.js';

/** "SKNR": a Skein ensemble peer. Anything else on the quorum port is not one. */
export const PEER_MAGIC = 0x534b_4e52;
/** 2: heartbeats carry a read round. 3: forwardRefused says whether its sender was not leading. */
export const PEER_PROTOCOL_VERSION = 3;
/** The length and CRC fields. */
export const FRAME_HEADER_BYTES = 8;
/** Frame bytes after the length field the decoder accepts unless told otherwise: a whole snapshot must fit. */
export const PEER_FRAME_BYTES_MAX = 64 * 1024 * 1024;

export type PeerFrame = { readonly kind: 'hello'; readonly hello: PeerHello } | { readonly kind: 'message'; readonly message: PeerWireMessage };

const KINDS = ['hello', 'preVote', 'vote', 'preVoteResponse', 'voteResponse', 'append', 'appendResponse', 'heartbeat', 'heartbeatResponse', 'snapshot',
  'forward', 'forwardRefused', 'touch', 'syncRequest', 'syncReply', 'timeoutNow'] as const;
type MessageType = PeerWireMessage['type'];
const KIND_OF = new Map<string, number>(KINDS.map((k, i) => [k, i]));

const TWO_32 = 0x1_0000_0000;
const HAS_DATA = 1;
const HAS_MEMBERSHIP = 2;
/** Bytes an entry takes at least (zxid + flags), so a count can be checked against the bytes present. */
const ENTRY_BYTES_MIN = 9;

export function encodeFrame(frame: PeerFrame): Buffer {
  // The header is filled in once the body is whole: one buffer per frame rather than three.
  const w = new Writer().uint32(0).uint32(0);
  if (frame.kind === 'hello') {
    const h = frame.hello;
    w.uint8(0).uint32(PEER_MAGIC).uint16(h.version).uint32(h.from).uint32(h.to);
    u64big(w, h.configVersion);
  } else {
    writeMessage(w, frame.message);
  }
  const out = w.toBuffer();
  out.writeUInt32BE(out.length - 4, 0);
  out.writeUInt32BE(crc32c(out.subarray(FRAME_HEADER_BYTES)), 4);
  return out;
}

function writeMessage(w: Writer, m: PeerWireMessage): void {
  w.uint8(KIND_OF.get(m.type)!).uint32(m.from).uint32(m.to).uint32(m.term);
  switch (m.type) {
    case 'preVote':
    case 'vote':
      u64(w, m.lastIndex);
      w.uint32(m.lastTerm);
      return;
    case 'preVoteResponse':
    case 'voteResponse':
      w.uint8(m.reject ? 1 : 0);
      return;
    case 'append':
      u64(w, m.prevIndex);
      w.uint32(m.prevTerm);
      u64(w, m.commit);
      w.uint32(m.entries.length);
      for (const e of m.entries) writeEntry(w, e);
      return;
    case 'appendResponse':
      u64(w, m.index);
      w.uint8(m.reject ? 1 : 0);
      u64(w, m.hintIndex);
      w.uint32(m.hintTerm);
      return;
    case 'heartbeat':
      u64(w, m.commit);
      u64(w, m.round);
      return;
    case 'heartbeatResponse':
      u64(w, m.round);
      return;
    case 'timeoutNow':
      return;
    case 'snapshot':
      writeSnapshot(w, m.snapshot);
      return;
    case 'forward':
      w.bigint64(m.sessionId).int32(m.cxid).int32(m.opType).uint16(m.auth.length);
      for (const a of m.auth) {
        str(w, a.scheme);
        str(w, a.id);
      }
      w.uint32(m.body.length).raw(m.body);
      return;
    case 'forwardRefused':
      w.bigint64(m.sessionId).int32(m.cxid).uint8(m.notLeader ? 1 : 0);
      return;
    case 'touch':
      w.uint32(m.sessionIds.length);
      for (const id of m.sessionIds) w.bigint64(id);
      return;
    case 'syncRequest':
      u64(w, m.id);
      return;
    case 'syncReply':
      u64(w, m.id);
      u64(w, m.index);
      return;
  }
}

function str(w: Writer, s: string): void {
  const b = Buffer.from(s, 'utf8');
  if (b.length > 0xffff) throw new RangeError(`a string of ${b.length} bytes does not fit a peer frame's uint16 length`);
  w.uint16(b.length).raw(b);
}

function readStr(r: Reader): string {
  return r.utf8(r.uint16());
}

/** An entry without its index (frames carry it implicitly, storage records beside it). */
export function writeEntry(w: Writer, e: PeerEntry): void {
  w.uint32(e.term).uint32(e.counter);
  w.uint8((e.data ? HAS_DATA : 0) | (e.membership ? HAS_MEMBERSHIP : 0));
  if (e.data) w.uint32(e.data.length).raw(e.data);
  if (e.membership) writeMembership(w, e.membership);
}

export function writeSnapshot(w: Writer, s: PeerSnapshot): void {
  u64(w, s.index);
  w.uint32(s.term).uint32(s.counter);
  writeMembership(w, s.membership);
  w.uint32(s.data.length).raw(s.data);
}

function writeMembership(w: Writer, m: PeerMembership): void {
  for (const ids of [m.voters, m.learners]) {
    w.uint16(ids.length);
    for (const id of ids) w.uint32(id);
  }
}

/** A log index as uint64; throws RangeError for one that is not a safe non-negative integer. */
export function u64(w: Writer, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${v} is not an index`);
  w.uint32(Math.floor(v / TWO_32)).uint32(v % TWO_32);
}

function u64big(w: Writer, v: bigint): void {
  if (v < 0n || v >= 1n << 64n) throw new RangeError(`${v} is not an unsigned 64-bit value`);
  w.uint32(Number(v >> 32n)).uint32(Number(v & 0xffff_ffffn));
}

/**
 * Bytes the first frame in `buf` takes, or null until its length field is in. Throws DecodeError for a
 * length no frame can have, before its bytes are awaited, so a garbled length cannot make the reader
 * buffer gigabytes.
 */
export function frameSize(buf: Buffer, maxFrameBytes = PEER_FRAME_BYTES_MAX): number | null {
  if (buf.length < 4) return null;
  const length = buf.readUInt32BE(0);
  if (length < 5) throw new DecodeError(`frame length ${length} is below the 5 bytes of crc and kind`);
  if (length > maxFrameBytes) throw new DecodeError(`frame length ${length} exceeds the limit of ${maxFrameBytes} bytes`);
  return 4 + length;
}

/** Decodes exactly one frame (as `frameSize` measured it). Throws DecodeError, and only that, on any fault. */
export function decodeFrame(frame: Buffer, maxFrameBytes = PEER_FRAME_BYTES_MAX): PeerFrame {
  const size = frameSize(frame, maxFrameBytes);
  if (size === null || size !== frame.length) throw new DecodeError(`frame of ${frame.length} bytes does not match its length field`);
  const body = frame.subarray(FRAME_HEADER_BYTES);
  const crc = frame.readUInt32BE(4);
  if (crc32c(body) !== crc) throw new DecodeError(`frame CRC ${crc.toString(16)} does not match its bytes (${crc32c(body).toString(16)})`);
  const r = new Reader(body);
  const kind = KINDS[r.uint8()];
  if (kind === undefined) throw new DecodeError(`unknown frame kind ${body[0]}`);
  const out: PeerFrame = kind === 'hello' ? { kind, hello: readHello(r) } : { kind: 'message', message: readMessage(r, kind) };
  if (r.remaining !== 0) throw new DecodeError(`${r.remaining} bytes left over after a ${kind} frame`);
  return out;
}

function readHello(r: Reader): PeerHello {
  const magic = r.uint32();
  if (magic !== PEER_MAGIC) throw new DecodeError(`not a Skein peer: magic 0x${magic.toString(16)}`);
  const version = r.uint16();
  if (version !== PEER_PROTOCOL_VERSION) throw new DecodeError(`peer protocol version ${version}, this server speaks ${PEER_PROTOCOL_VERSION}`);
  return { version, from: serverId(r), to: serverId(r), configVersion: readU64big(r) };
}

// Each message is one plain object literal: V8 builds `{ ...base, more }` through the runtime, about 20
// times slower and with about 1.5 kB of garbage per message, and every write crosses here at least once.
function readMessage(r: Reader, type: MessageType): PeerWireMessage {
  const from = serverId(r);
  const to = serverId(r);
  const term = r.uint32();
  switch (type) {
    case 'preVote':
    case 'vote':
      return { from, to, term, type, lastIndex: readU64(r), lastTerm: r.uint32() };
    case 'preVoteResponse':
    case 'voteResponse':
      return { from, to, term, type, reject: flag(r) };
    case 'append': {
      const prevIndex = readU64(r);
      const prevTerm = r.uint32();
      const commit = readU64(r);
      const count = r.uint32();
      if (count * ENTRY_BYTES_MIN > r.remaining) throw new DecodeError(`${count} entries cannot fit in ${r.remaining} bytes`);
      if (prevIndex + count > Number.MAX_SAFE_INTEGER) throw new DecodeError('entry index beyond 2^53');
      return { from, to, term, type, prevIndex, prevTerm, commit, entries: readOwnEntries(r, prevIndex, count) };
    }
    case 'appendResponse':
      return { from, to, term, type, index: readU64(r), reject: flag(r), hintIndex: readU64(r), hintTerm: r.uint32() };
    case 'heartbeat':
      return { from, to, term, type, commit: readU64(r), round: readU64(r) };
    case 'heartbeatResponse':
      return { from, to, term, type, round: readU64(r) };
    case 'timeoutNow':
      return { from, to, term, type };
    case 'snapshot':
      return { from, to, term, type, snapshot: readSnapshot(r) };
    case 'forward': {
      const sessionId = r.bigint64();
      const cxid = r.int32();
      const opType = r.int32();
      const n = r.uint16();
      r.need(n * 4);
      const auth = Array.from({ length: n }, () => ({ scheme: readStr(r), id: readStr(r) }));
      return { from, to, term, type, sessionId, cxid, opType, auth, body: copy(r, r.uint32()) };
    }
    case 'forwardRefused':
      return { from, to, term, type, sessionId: r.bigint64(), cxid: r.int32(), notLeader: flag(r) };
    case 'touch': {
      const n = r.uint32();
      r.need(n * 8);
      return { from, to, term, type, sessionIds: Array.from({ length: n }, () => r.bigint64()) };
    }
    case 'syncRequest':
      return { from, to, term, type, id: readU64(r) };
    case 'syncReply':
      return { from, to, term, type, id: readU64(r), index: readU64(r) };
  }
}

export function readSnapshot(r: Reader): PeerSnapshot {
  const index = readU64(r);
  const term = r.uint32();
  const counter = r.uint32();
  const membership = readMembership(r);
  return { index, term, counter, membership, data: copy(r, r.uint32()) };
}

/** `copyData` false: the data is a view into the reader's buffer (a plain Uint8Array, as a copy is), for a caller that owns that buffer. */
export function readEntry(r: Reader, index: number, copyData = true): PeerEntry {
  const term = r.uint32();
  const counter = r.uint32();
  const flags = r.uint8();
  if (flags & ~(HAS_DATA | HAS_MEMBERSHIP)) throw new DecodeError(`entry ${index} has unknown flags ${flags}`);
  const data = flags & HAS_DATA ? (copyData ? copy(r, r.uint32()) : view(r, r.uint32())) : null;
  return flags & HAS_MEMBERSHIP ? { index, term, counter, data, membership: readMembership(r) } : { index, term, counter, data };
}

function readMembership(r: Reader): PeerMembership {
  const ids = () => {
    const n = r.uint16();
    r.need(n * 4);
    return Array.from({ length: n }, () => serverId(r));
  };
  return { voters: ids(), learners: ids() };
}

/**
 * The `count` entries that fill the rest of `r`, with their data in one block of their own (the rest
 * of the frame, copied once) rather than one allocation each or views pinning the receive buffer: a
 * follower's log keeps entries until a snapshot covers them, and under load that was hundreds of
 * thousands of tiny ArrayBuffers, each a cost to every garbage collection. The log drops entries
 * oldest first, so a block goes once its last entry does (znodes keep copies of their own).
 */
function readOwnEntries(r: Reader, prevIndex: number, count: number): PeerEntry[] {
  if (count === 0) return [];
  // A fresh ArrayBuffer, not Buffer.from(): small copies of that come from Node's shared pool, and one
  // kept entry would pin its whole 8 KiB pool block with everything else carved from it.
  const own = new Reader(Buffer.from(new Uint8Array(r.bytes(r.remaining)).buffer));
  const entries: PeerEntry[] = [];
  for (let i = 1; i <= count; i++) entries.push(readEntry(own, prevIndex + i, false));
  if (own.remaining !== 0) throw new DecodeError(`${own.remaining} bytes left over after ${count} entries`);
  return entries;
}

/** The bytes copied out, so an entry the core keeps does not pin the receive buffer. */
function copy(r: Reader, n: number): Uint8Array {
  return new Uint8Array(r.bytes(n));
}

function view(r: Reader, n: number): Uint8Array {
  r.need(n);
  const v = new Uint8Array(r.buf.buffer, r.buf.byteOffset + r.pos, n);
  r.skip(n);
  return v;
}

function flag(r: Reader): boolean {
  const b = r.uint8();
  if (b > 1) throw new DecodeError(`boolean byte ${b}`);
  return b === 1;
}

function serverId(r: Reader): number {
  const id = r.uint32();
  if (id === 0) throw new DecodeError('server id 0');
  return id;
}

/** A log index written by `u64`; DecodeError for one beyond 2^53. */
export function readU64(r: Reader): number {
  const hi = r.uint32();
  const lo = r.uint32();
  if (hi >= 0x20_0000) throw new DecodeError(`index 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} is beyond 2^53`);
  return hi * TWO_32 + lo;
}

function readU64big(r: Reader): bigint {
  const hi = r.uint32();
  return (BigInt(hi) << 32n) | BigInt(r.uint32());
}
