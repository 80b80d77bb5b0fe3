// The partition's small state file: log start offset, recovery point (everything below it is fsynced,
// indexes included, so recovery need not scan it), whether the log was closed cleanly, and the log
// cleaner's progress (Kafka keeps that in cleaner-offset-checkpoint). Replaced atomically; a CRC-32C
// guards against a torn or foreign file, which then reads as absent.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { readInt64, writeInt64 } from '../../protocol/bytes.js';
import { crc32c } from '../../protocol/checksum/crc32c.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { readAt } from './batch-scan.js';

export const CHECKPOINT_FILE = 'partition.checkpoint';
const MAGIC = 0x534b4350; // "SKCP"
/** Version 1 predates compaction: its logs have no offset gaps and no cleaner progress. */
const V1 = 1;
const VERSION = 2;
const CLEAN_FLAG = 1;
const V1_BODY_BYTES = 4 + 2 + 2 + 8 * 5;
const BODY_BYTES = V1_BODY_BYTES + 8 * 2;
const FILE_BYTES = BODY_BYTES + 4;

export interface PartitionCheckpoint {
  logStartOffset: number;
  recoveryPoint: number;
  /** Written by close() after everything was fsynced; the fields below are then exact. */
  clean: boolean;
  logEndOffset: number;
  activeSegmentBase: number;
  activeSegmentBytes: number;
  /** The log cleaner's first dirty offset: records below it were compacted at least once. */
  firstDirtyOffset: number;
  /**
   * Compaction may have left offset gaps below this (whole batches removed), so recovery accepts a batch
   * that skips offsets only if it starts at or below it. Persisted before any such gap reaches the disk.
   */
  compactedTo: number;
}

export function encodeCheckpoint(cp: PartitionCheckpoint): Buffer {
  const buf = Buffer.alloc(FILE_BYTES);
  buf.writeUInt32BE(MAGIC, 0);
  buf.writeInt16BE(VERSION, 4);
  buf.writeInt16BE(cp.clean ? CLEAN_FLAG : 0, 6);
  writeInt64(buf, 8, cp.logStartOffset);
  writeInt64(buf, 16, cp.recoveryPoint);
  writeInt64(buf, 24, cp.logEndOffset);
  writeInt64(buf, 32, cp.activeSegmentBase);
  writeInt64(buf, 40, cp.activeSegmentBytes);
  writeInt64(buf, 48, cp.firstDirtyOffset);
  writeInt64(buf, 56, cp.compactedTo);
  buf.writeUInt32BE(crc32c(buf.subarray(0, BODY_BYTES)), BODY_BYTES);
  return buf;
}

/** The checkpoint in `bytes`, or why it cannot be used. */
export function decodeCheckpoint(bytes: Buffer): PartitionCheckpoint | string {
  if (bytes.length < 8) return `checkpoint is ${bytes.length} bytes, too short for a header`;
  if (bytes.readUInt32BE(0) !== MAGIC) return 'checkpoint has a foreign magic number';
  const version = bytes.readInt16BE(4);
  if (version !== VERSION && version !== V1) return `checkpoint version ${version} is not ${V1} or ${VERSION}`;
  const bodyBytes = version === V1 ? V1_BODY_BYTES : BODY_BYTES;
  if (bytes.length !== bodyBytes + 4) return `checkpoint is ${bytes.length} bytes, expected ${bodyBytes + 4}`;
  if (crc32c(bytes.subarray(0, bodyBytes)) !== bytes.readUInt32BE(bodyBytes)) return 'checkpoint CRC mismatch';
  const cp: PartitionCheckpoint = {
    clean: (bytes.readInt16BE(6) & CLEAN_FLAG) !== 0,
    logStartOffset: readInt64(bytes, 8),
    recoveryPoint: readInt64(bytes, 16),
    logEndOffset: readInt64(bytes, 24),
    activeSegmentBase: readInt64(bytes, 32),
    activeSegmentBytes: readInt64(bytes, 40),
    firstDirtyOffset: version === V1 ? 0 : readInt64(bytes, 48),
    compactedTo: version === V1 ? 0 : readInt64(bytes, 56),
  };
  for (const [k, v] of Object.entries(cp)) {
    if (typeof v === 'number' && (v < 0 || !Number.isSafeInteger(v))) return `checkpoint ${k} ${v} is out of range`;
  }
  return cp;
}

/** The first `length` bytes of a small state file (fewer if it is shorter), or undefined if there is none. */
export async function readFileHead(path: string, length: number): Promise<Buffer | undefined> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return await readAt(file, 0, length);
  } finally {
    await file.close();
  }
}

/** The partition's checkpoint, or a reason it is absent or unusable. */
export async function readCheckpoint(dir: string): Promise<PartitionCheckpoint | string> {
  // One byte more than a checkpoint holds, so an oversized file is noticed without reading it all.
  const bytes = await readFileHead(join(dir, CHECKPOINT_FILE), FILE_BYTES + 1);
  return bytes ? decodeCheckpoint(bytes) : 'no checkpoint file';
}

export function writeCheckpoint(dir: string, cp: PartitionCheckpoint): Promise<void> {
  return writeFileAtomic(join(dir, CHECKPOINT_FILE), encodeCheckpoint(cp));
}
