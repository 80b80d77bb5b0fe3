// What an ensemble server keeps on disk for its Raft log (src/zookeeper/quorum/raft-storage.ts).
//
// Log records are the payloads of segment records (protocol/record-segment.ts): a kind byte, then
//   1 entry      index uint64, then the entry as frames.ts writes it (zxid, flags, data, membership)
//   2 truncate   from uint64: entries at and after `from` written before this record are void
//   3 hardState  term uint32, vote uint32, commit uint64
//   4 snapshot   index uint64, term uint32: the snapshot file of that index is in force, entries up to
//                it are void
//   5 seal       seq uint64: ends a batch; records after the last seal were never made durable whole
// A snapshot file is "SKRS", uint16 version, uint32 CRC-32C of the rest, then the snapshot as frames.ts
// writes it (index, zxid, membership, data). Big-endian throughout.
import { DecodeError, Reader, Writer } from '../bytes.js';
import { crc32c } from '../checksum/crc32c.js';
import { readEntry, readSnapshot, readU64, u64, writeEntry, writeSnapshot } from './frames.js';
import type { PeerEntry, PeerSnapshot } from './messages.js';

export type StorageRecord =
  | { readonly kind: 'entry'; readonly entry: PeerEntry }
  | { readonly kind: 'truncate'; readonly from: number }
  | { readonly kind: 'hardState'; readonly term: number; readonly vote: number; readonly commit: number }
  | { readonly kind: 'snapshot'; readonly index: number; readonly term: number }
  | { readonly kind: 'seal'; readonly seq: number };

const KINDS = [undefined, 'entry', 'truncate', 'hardState', 'snapshot', 'seal'] as const;

const SNAPSHOT_MAGIC = 0x534b_5253; // "SKRS"
const SNAPSHOT_VERSION = 1;
const SNAPSHOT_HEADER_BYTES = 10;

export function encodeStorageRecord(rec: StorageRecord): Buffer {
  // Sized to fit, so an entry's record is one allocation rather than the Writer's default chunk.
  const w = new Writer(rec.kind === 'entry' ? recordBytesOf(rec.entry) : 32);
  w.uint8(KINDS.indexOf(rec.kind));
  switch (rec.kind) {
    case 'entry':
      u64(w, rec.entry.index);
      writeEntry(w, rec.entry);
      break;
    case 'truncate':
      u64(w, rec.from);
      break;
    case 'hardState':
      w.uint32(rec.term).uint32(rec.vote);
      u64(w, rec.commit);
      break;
    case 'snapshot':
      u64(w, rec.index);
      w.uint32(rec.term);
      break;
    case 'seal':
      u64(w, rec.seq);
      break;
  }
  return w.toBuffer();
}

function recordBytesOf(e: PeerEntry): number {
  const m = e.membership;
  return 32 + (e.data?.length ?? 0) + (m ? 4 + 4 * (m.voters.length + m.learners.length) : 0);
}

/** Decodes one record payload; throws DecodeError, and only that, on any fault. */
export function decodeStorageRecord(payload: Buffer): StorageRecord {
  const r = new Reader(payload);
  const kind = KINDS[r.uint8()];
  let rec: StorageRecord;
  switch (kind) {
    case 'entry':
      rec = { kind, entry: readEntry(r, readU64(r)) };
      break;
    case 'truncate':
      rec = { kind, from: readU64(r) };
      break;
    case 'hardState':
      rec = { kind, term: r.uint32(), vote: r.uint32(), commit: readU64(r) };
      break;
    case 'snapshot':
      rec = { kind, index: readU64(r), term: r.uint32() };
      break;
    case 'seal':
      rec = { kind, seq: readU64(r) };
      break;
    default:
      throw new DecodeError(`unknown storage record kind ${payload[0]}`);
  }
  if (r.remaining !== 0) throw new DecodeError(`${r.remaining} bytes left over after a ${kind} record`);
  return rec;
}

export function encodeSnapshotFile(s: PeerSnapshot): Buffer {
  const w = new Writer(64);
  writeSnapshot(w, s);
  const body = w.toBuffer();
  const header = Buffer.allocUnsafe(SNAPSHOT_HEADER_BYTES);
  header.writeUInt32BE(SNAPSHOT_MAGIC, 0);
  header.writeUInt16BE(SNAPSHOT_VERSION, 4);
  header.writeUInt32BE(crc32c(body), 6);
  return Buffer.concat([header, body]);
}

/** Decodes a whole snapshot file; throws DecodeError if any part of it is damaged. */
export function decodeSnapshotFile(buf: Buffer): PeerSnapshot {
  if (buf.length < SNAPSHOT_HEADER_BYTES) throw new DecodeError(`snapshot file of ${buf.length} bytes is shorter than its header`);
  if (buf.readUInt32BE(0) !== SNAPSHOT_MAGIC) throw new DecodeError('not a Raft snapshot file');
  const version = buf.readUInt16BE(4);
  if (version !== SNAPSHOT_VERSION) throw new DecodeError(`unknown snapshot file version ${version}`);
  const body = buf.subarray(SNAPSHOT_HEADER_BYTES);
  if (crc32c(body) !== buf.readUInt32BE(6)) throw new DecodeError('snapshot file checksum mismatch');
  const r = new Reader(body);
  const s = readSnapshot(r);
  if (r.remaining !== 0) throw new DecodeError(`${r.remaining} bytes left over after the snapshot`);
  return s;
}
