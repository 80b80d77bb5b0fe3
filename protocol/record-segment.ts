// Segment files of checksummed records, the framing shared by ZooKeeper's transaction log and the
// ensemble's Raft log: a header of 4 magic bytes and an int32 version, then records
// [int32 length][uint32 CRC-32C of payload][payload]. A zero length marks the end of the written part
// (files are zero-filled ahead of the write position). Scanning stops at the first record that is
// short, has a bad length or a bad checksum: a torn tail, for the caller to judge.
import { crc32c } from './checksum/crc32c.js';

export const SEGMENT_HEADER_BYTES = 8;
export const RECORD_OVERHEAD_BYTES = 8;

/** What identifies one kind of segment file. */
export interface SegmentFormat {
  /** 4 bytes. */
  readonly magic: Buffer;
  readonly version: number;
}

export interface SegmentScan {
  /** Each intact record's payload, in file order (views into the scanned buffer). */
  payloads: Buffer[];
  /** Offset just past each payload's record, in the same order. */
  ends: number[];
  /** Offset just past the last intact record (0 when the header is not intact). */
  end: number;
  /** Why the scan stopped before a clean end (zero length or end of file), if it did. */
  problem?: string;
}

export function segmentHeader(format: SegmentFormat): Buffer {
  const h = Buffer.alloc(SEGMENT_HEADER_BYTES);
  format.magic.copy(h, 0);
  h.writeInt32BE(format.version, 4);
  return h;
}

/** Splits a segment's bytes into intact records; stops at the first damaged one. */
export function scanSegment(buf: Buffer, format: SegmentFormat, maxRecordBytes: number): SegmentScan {
  const payloads: Buffer[] = [];
  const ends: number[] = [];
  if (buf.length < SEGMENT_HEADER_BYTES || !buf.subarray(0, 4).equals(format.magic)) {
    return { payloads, ends, end: 0, problem: 'missing or damaged segment header' };
  }
  if (buf.readInt32BE(4) !== format.version) return { payloads, ends, end: 0, problem: `unknown version ${buf.readInt32BE(4)}` };
  let pos = SEGMENT_HEADER_BYTES;
  while (pos + RECORD_OVERHEAD_BYTES <= buf.length) {
    const len = buf.readInt32BE(pos);
    if (len === 0) return { payloads, ends, end: pos };
    if (len < 0 || len > maxRecordBytes) return { payloads, ends, end: pos, problem: `bad record length ${len} at ${pos}` };
    if (pos + RECORD_OVERHEAD_BYTES + len > buf.length) return { payloads, ends, end: pos, problem: `short record at ${pos}` };
    const payload = buf.subarray(pos + RECORD_OVERHEAD_BYTES, pos + RECORD_OVERHEAD_BYTES + len);
    if (crc32c(payload) !== buf.readUInt32BE(pos + 4)) return { payloads, ends, end: pos, problem: `checksum mismatch at ${pos}` };
    payloads.push(payload);
    pos += RECORD_OVERHEAD_BYTES + len;
    ends.push(pos);
  }
  return pos === buf.length ? { payloads, ends, end: pos } : { payloads, ends, end: pos, problem: `short record at ${pos}` };
}

/** The records of `payloads`, framed back to back in one buffer. */
export function frameRecords(payloads: readonly Buffer[]): Buffer {
  const out = Buffer.allocUnsafe(payloads.reduce((n, p) => n + RECORD_OVERHEAD_BYTES + p.length, 0));
  let at = 0;
  for (const payload of payloads) {
    out.writeInt32BE(payload.length, at);
    out.writeUInt32BE(crc32c(payload), at + 4);
    payload.copy(out, at + RECORD_OVERHEAD_BYTES);
    at += RECORD_OVERHEAD_BYTES + payload.length;
  }
  return out;
}
