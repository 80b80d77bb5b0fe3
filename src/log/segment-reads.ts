// Reading batches out of one segment's file: from the offset index entry at or before an offset, walk
// batch headers to the batch wanted, then take whole batches as they are stored.
import { BatchScanner, type ScannedBatch } from './batch-scan.js';
import { StorageError } from './errors.js';
import type { Segment } from './segment.js';

/** Extra bytes read past maxBytes, so the walk from an index entry to the fetched batch usually needs no second read. */
const READ_SLACK_BYTES = 64 * 1024;
/** Window for header walks (timestamp search, truncation). */
export const SCAN_READ_BYTES = 64 * 1024;

export interface ReadResult {
  /** Whole batches as stored, back to back: views of the producers' buffers or of file reads. */
  chunks: Buffer[];
  sizeBytes: number;
  /** Base offset of the first batch returned (it may start before the fetch offset); -1 if none. */
  firstOffset: number;
  /** The offset after the last batch returned; the fetch offset if none. */
  nextOffset: number;
}

export interface TimestampAndOffset {
  offset: number;
  timestamp: number;
  /** The partition leader epoch of the batch holding the record. */
  leaderEpoch: number;
}

function unreadable(seg: Segment, position: number, reason: string): StorageError {
  return new StorageError(`segment ${seg.baseOffset} in ${seg.dir} is unreadable at byte ${position}: ${reason}`);
}

/** Walks batches from `position` to the first satisfying `stop`; undefined if the segment ends first. */
export async function scanTo(seg: Segment, scanner: BatchScanner, position: number, stop: (b: ScannedBatch) => boolean): Promise<ScannedBatch | undefined> {
  for (;;) {
    const step = await scanner.at(position);
    if (step.kind === 'end') return undefined;
    if (step.kind === 'invalid') throw unreadable(seg, position, step.reason);
    if (stop(step.batch)) return step.batch;
    position += step.batch.header.sizeBytes;
  }
}

/**
 * Whole batches of `seg`'s written bytes from the one holding `fetchOffset`, while under `maxBytes`
 * (the first even if larger, when `minOneBatch`), all ending below `upTo`. Undefined if the segment
 * holds nothing at or after `fetchOffset`.
 */
export async function readSegment(
  seg: Segment,
  fetchOffset: number,
  maxBytes: number,
  upTo: number,
  minOneBatch: boolean,
  indexIntervalBytes: number,
): Promise<ReadResult | undefined> {
  if (seg.writtenSize === 0) return undefined;
  const slack = indexIntervalBytes + READ_SLACK_BYTES;
  const scanner = new BatchScanner(seg.log, seg.writtenSize, maxBytes + slack);
  let batch = await scanTo(seg, scanner, seg.offsetIndex.lookup(fetchOffset), (b) => b.lastOffset >= fetchOffset);
  if (!batch) return undefined;
  const chunks: Buffer[] = [];
  let sizeBytes = 0;
  let firstOffset = -1;
  let nextOffset = fetchOffset;
  while (batch) {
    const { bytes, lastOffset, header, position } = batch;
    if (lastOffset >= upTo) break;
    if (sizeBytes + bytes.length > maxBytes && (chunks.length > 0 || !minOneBatch)) break;
    if (chunks.length === 0) firstOffset = header.baseOffset;
    appendChunk(chunks, bytes);
    sizeBytes += bytes.length;
    nextOffset = lastOffset + 1;
    const next = await scanner.at(position + bytes.length, Math.max(maxBytes - sizeBytes, 0) + slack);
    if (next.kind === 'invalid') throw unreadable(seg, position + bytes.length, next.reason);
    batch = next.kind === 'batch' ? next.batch : undefined;
  }
  return { chunks, sizeBytes, firstOffset, nextOffset };
}

/**
 * The first record of `seg` with timestamp >= `timestamp` and offset >= `minOffset`: the time index
 * gives the offset to start from, batch headers say which batch reaches the timestamp, and `locate`
 * picks the record inside it (or says none there qualifies).
 */
export async function searchTimestamp(
  seg: Segment,
  timestamp: number,
  minOffset: number,
  locate: (batch: ScannedBatch) => TimestampAndOffset | undefined,
): Promise<TimestampAndOffset | undefined> {
  if (seg.writtenSize === 0) return undefined;
  const scanner = new BatchScanner(seg.log, seg.writtenSize, SCAN_READ_BYTES);
  let position = seg.offsetIndex.lookup(Math.max(seg.timeIndex.lookup(timestamp), minOffset));
  for (;;) {
    const batch = await scanTo(seg, scanner, position, (b) => b.lastOffset >= minOffset && b.header.maxTimestamp >= timestamp);
    if (!batch) return undefined;
    const found = locate(batch);
    if (found) return found;
    position = batch.position + batch.header.sizeBytes;
  }
}

/** Joins `bytes` to the last chunk when it directly follows it in the same read buffer. */
function appendChunk(chunks: Buffer[], bytes: Buffer): void {
  const last = chunks[chunks.length - 1];
  if (last && last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset) {
    chunks[chunks.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + bytes.length);
  } else {
    chunks.push(bytes);
  }
}
