// The partition's small state file: log start offset, recovery point (everything below it is fsynced,
// indexes included, so recovery need not scan it), and whether the log was closed cleanly. Replaced
// atomically; a CRC-32C guards against a torn or foreign file, which then reads as absent.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { readInt64, writeInt64 } from '../../protocol/bytes.js';
import { crc32c } from '../../protocol/kafka/records/crc32c.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { readAt } from './batch-scan.js';

export const CHECKPOINT_FILE = 'partition.checkpoint';
const MAGIC = 0x534b4350; // "SKCP"
const VERSION = 1;
const CLEAN_FLAG = 1;
const BODY_BYTES = 4 + 2 + 2 + 8 * 5;
const FILE_BYTES = BODY_BYTES + 4;

export interface PartitionCheckpoint {
  logStartOffset: number;
  recoveryPoint: number;
  /** Written by close() after everything was fsynced; the fields below are then exact. */
  clean: boolean;
  logEndOffset: number;
  activeSegmentBase: number;
  activeSegmentBytes: number;
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
  buf.writeUInt32BE(crc32c(buf.subarray(0, BODY_BYTES)), BODY_BYTES);
  return buf;
}

/** The checkpoint in `bytes`, or why it cannot be used. */
export function decodeCheckpoint(bytes: Buffer): PartitionCheckpoint | string {
  if (bytes.length !== FILE_BYTES) return `checkpoint is ${bytes.length} bytes, expected ${FILE_BYTES}`;
  if (bytes.readUInt32BE(0) !== MAGIC) return 'checkpoint has a foreign magic number';
  if (bytes.readInt16BE(4) !== VERSION) return `checkpoint version ${bytes.readInt16BE(4)} is not ${VERSION}`;
  if (crc32c(bytes.subarray(0, BODY_BYTES)) !== bytes.readUInt32BE(BODY_BYTES)) return 'checkpoint CRC mismatch';
  const cp: PartitionCheckpoint = {
    clean: (bytes.readInt16BE(6) & CLEAN_FLAG) !== 0,
    logStartOffset: readInt64(bytes, 8),
    recoveryPoint: readInt64(bytes, 16),
    logEndOffset: readInt64(bytes, 24),
    activeSegmentBase: readInt64(bytes, 32),
    activeSegmentBytes: readInt64(bytes, 40),
  };
  for (const [k, v] of Object.entries(cp)) {
    if (typeof v === 'number' && (v < 0 || !Number.isSafeInteger(v))) return `checkpoint ${k} ${v} is out of range`;
  }
  return cp;
}

/** The partition's checkpoint, or a reason it is absent or unusable. */
export async function readCheckpoint(dir: string): Promise<PartitionCheckpoint | string> {
  let file;
  try {
    file = await open(join(dir, CHECKPOINT_FILE), 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'no checkpoint file';
    throw err;
  }
  try {
    // One byte more than a checkpoint holds, so an oversized file is noticed without reading it all.
    return decodeCheckpoint(await readAt(file, 0, FILE_BYTES + 1));
  } finally {
    await file.close();
  }
}

export function writeCheckpoint(dir: string, cp: PartitionCheckpoint): Promise<void> {
  return writeFileAtomic(join(dir, CHECKPOINT_FILE), encodeCheckpoint(cp));
}
