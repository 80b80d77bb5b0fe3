// Producer-state snapshots: `<20-digit offset>.snapshot` in the partition directory, named as Kafka names
// them, holding every producer's state as of that offset (the log end when it was taken, at a segment
// roll). Loading restores the newest one not past the log end and replays only the batches after it, so a
// restart does not read the whole log. Skein's own layout (Kafka's keeps only each producer's last batch;
// this keeps the last five, so retries of any of them stay deduplicated across a restart):
//   int16 version (2) | uint32 CRC-32C of what follows | int32 producer count | per producer:
//   int64 producerId | int16 epoch | int64 lastTimestamp | int64 currentTxnFirstOffset (-1: none) |
//   int32 coordinatorEpoch | int8 batch count | per batch:
//   int32 firstSeq | int32 lastSeq | int64 firstOffset | int32 lastOffset - firstOffset | int64 timestamp
//   then int32 count | per transaction closed but not yet below the high watermark:
//   int64 producerId | int64 firstOffset | int64 marker offset | int8 aborted
// The last section keeps the last stable offset where it was across a restart: such a transaction's
// records stay hidden from read_committed readers until the high watermark passes its marker, even when
// the snapshot was taken after the marker (Kafka's snapshots do not carry it).
// Version 1 (before transactions) lacks the transaction fields and is still read: its producers have no
// open transaction.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readInt64, writeInt64 } from '../../protocol/bytes.js';
import { crc32c } from '../../protocol/checksum/crc32c.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { NO_COORDINATOR_EPOCH, NO_OFFSET, RETAINED_BATCHES, type CompletedTxn, type ProducerEntry } from './producer-state.js';
import { unlinkIfExists } from './segment.js';

export const SNAPSHOT_SUFFIX = '.snapshot';
const VERSION = 2;
const VERSION_WITHOUT_TXNS = 1;
const HEADER_BYTES = 2 + 4 + 4;
const ENTRY_BYTES = 8 + 2 + 8 + 8 + 4 + 1;
const ENTRY_BYTES_WITHOUT_TXNS = 8 + 2 + 8 + 1;
const BATCH_BYTES = 4 + 4 + 8 + 4 + 8;
const UNSETTLED_BYTES = 8 + 8 + 8 + 1;
const NAME_DIGITS = 20;
/** Snapshots kept: the newest serves a restart, the one before it a truncation below the newest. */
export const SNAPSHOTS_KEPT = 2;

export function snapshotFileName(offset: number): string {
  return String(offset).padStart(NAME_DIGITS, '0') + SNAPSHOT_SUFFIX;
}

export function parseSnapshotFileName(name: string): number | undefined {
  if (!name.endsWith(SNAPSHOT_SUFFIX)) return undefined;
  const digits = name.slice(0, -SNAPSHOT_SUFFIX.length);
  if (digits.length !== NAME_DIGITS || !/^\d+$/.test(digits)) return undefined;
  const offset = Number(digits);
  return Number.isSafeInteger(offset) ? offset : undefined;
}

/** A snapshot's content: the producers, and the closed transactions the high watermark did not cover yet. */
export interface SnapshotState {
  producers: ProducerEntry[];
  unsettled: CompletedTxn[];
}

export function encodeSnapshot(entries: Iterable<ProducerEntry>, unsettled: readonly CompletedTxn[] = []): Buffer {
  const list = [...entries];
  let size = HEADER_BYTES + 4 + unsettled.length * UNSETTLED_BYTES;
  for (const e of list) size += ENTRY_BYTES + e.batches.length * BATCH_BYTES;
  const buf = Buffer.alloc(size);
  buf.writeInt16BE(VERSION, 0);
  buf.writeInt32BE(list.length, 6);
  let at = HEADER_BYTES;
  for (const e of list) {
    writeInt64(buf, at, e.producerId);
    buf.writeInt16BE(e.epoch, at + 8);
    writeInt64(buf, at + 10, e.lastTimestamp);
    writeInt64(buf, at + 18, e.currentTxnFirstOffset);
    buf.writeInt32BE(e.coordinatorEpoch, at + 26);
    buf.writeInt8(e.batches.length, at + 30);
    at += ENTRY_BYTES;
    for (const b of e.batches) {
      buf.writeInt32BE(b.firstSeq, at);
      buf.writeInt32BE(b.lastSeq, at + 4);
      writeInt64(buf, at + 8, b.firstOffset);
      buf.writeInt32BE(b.lastOffset - b.firstOffset, at + 16);
      writeInt64(buf, at + 20, b.timestamp);
      at += BATCH_BYTES;
    }
  }
  buf.writeInt32BE(unsettled.length, at);
  at += 4;
  for (const t of unsettled) {
    writeInt64(buf, at, t.producerId);
    writeInt64(buf, at + 8, t.firstOffset);
    writeInt64(buf, at + 16, t.lastOffset);
    buf.writeInt8(t.aborted ? 1 : 0, at + 24);
    at += UNSETTLED_BYTES;
  }
  buf.writeUInt32BE(crc32c(buf.subarray(6)), 2);
  return buf;
}

/** What a snapshot holds, or why it is unusable (a torn or foreign file is never trusted). */
export function decodeSnapshot(buf: Buffer): SnapshotState | string {
  if (buf.length < HEADER_BYTES) return `snapshot of ${buf.length} bytes is truncated`;
  const version = buf.readInt16BE(0);
  if (version !== VERSION && version !== VERSION_WITHOUT_TXNS) return `snapshot version ${version} is not ${VERSION}`;
  const txns = version === VERSION;
  const entryBytes = txns ? ENTRY_BYTES : ENTRY_BYTES_WITHOUT_TXNS;
  if (crc32c(buf.subarray(6)) !== buf.readUInt32BE(2)) return 'snapshot CRC mismatch';
  const count = buf.readInt32BE(6);
  const out: ProducerEntry[] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (buf.length - at < entryBytes) return 'snapshot entry is truncated';
    const batchCount = buf.readInt8(at + entryBytes - 1);
    if (batchCount < 0 || batchCount > RETAINED_BATCHES) return `snapshot entry holds ${batchCount} batches`;
    const entry: ProducerEntry = {
      producerId: readInt64(buf, at),
      epoch: buf.readInt16BE(at + 8),
      lastTimestamp: readInt64(buf, at + 10),
      batches: [],
      currentTxnFirstOffset: txns ? readInt64(buf, at + 18) : NO_OFFSET,
      coordinatorEpoch: txns ? buf.readInt32BE(at + 26) : NO_COORDINATOR_EPOCH,
    };
    at += entryBytes;
    if (buf.length - at < batchCount * BATCH_BYTES) return 'snapshot batches are truncated';
    for (let j = 0; j < batchCount; j++) {
      const firstOffset = readInt64(buf, at + 8);
      entry.batches.push({
        firstSeq: buf.readInt32BE(at),
        lastSeq: buf.readInt32BE(at + 4),
        firstOffset,
        lastOffset: firstOffset + buf.readInt32BE(at + 16),
        timestamp: readInt64(buf, at + 20),
      });
      at += BATCH_BYTES;
    }
    out.push(entry);
  }
  const unsettled: CompletedTxn[] = [];
  if (txns) {
    if (buf.length - at < 4) return 'snapshot transactions are truncated';
    const n = buf.readInt32BE(at);
    at += 4;
    if (n < 0 || buf.length - at < n * UNSETTLED_BYTES) return 'snapshot transactions are truncated';
    for (let i = 0; i < n; i++, at += UNSETTLED_BYTES) {
      unsettled.push({ producerId: readInt64(buf, at), firstOffset: readInt64(buf, at + 8), lastOffset: readInt64(buf, at + 16), aborted: buf.readInt8(at + 24) !== 0 });
    }
  }
  if (at !== buf.length) return `snapshot has ${buf.length - at} trailing bytes`;
  return { producers: out, unsettled };
}

/** Offsets of the snapshots in `dir`, ascending. */
export async function listSnapshots(dir: string): Promise<number[]> {
  const offsets: number[] = [];
  for (const name of await readdir(dir)) {
    const offset = parseSnapshotFileName(name);
    if (offset !== undefined) offsets.push(offset);
  }
  return offsets.sort((a, b) => a - b);
}

export async function readSnapshot(dir: string, offset: number): Promise<SnapshotState | string> {
  return decodeSnapshot(await readFile(join(dir, snapshotFileName(offset))));
}

/** Writes the snapshot durably (temp file, fsync, rename, directory fsync). */
export function writeSnapshot(dir: string, offset: number, encoded: Buffer): Promise<void> {
  return writeFileAtomic(join(dir, snapshotFileName(offset)), encoded);
}

export function deleteSnapshot(dir: string, offset: number): Promise<void> {
  return unlinkIfExists(join(dir, snapshotFileName(offset)));
}
