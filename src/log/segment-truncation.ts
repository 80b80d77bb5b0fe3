import { BatchScanner } from './batch-scan.js';
import type { Segment } from './segment.js';
import { scanTo, SCAN_READ_BYTES } from './segment-reads.js';

/**
 * Cuts `seg` before the batch holding `offset` (whole batches go), fixing its indexes and newest
 * timestamp, and makes the cut durable. Nothing happens if the segment ends before `offset`.
 * The segment must have no write in flight.
 */
export async function truncateSegment(seg: Segment, offset: number, nowMs: number): Promise<void> {
  await seg.ready;
  const scanner = new BatchScanner(seg.log, seg.writtenSize, SCAN_READ_BYTES);
  const cut = await scanTo(seg, scanner, seg.offsetIndex.lookup(offset), (b) => b.lastOffset >= offset);
  if (!cut) return;
  await cutSegment(seg, cut.position, cut.header.baseOffset, nowMs);
}

/**
 * Cuts `seg` at byte `position`, where the batch starting at offset `end` begins (everything before it
 * is whole batches on disk; whatever lies at or after it, written or torn, goes), fixing its indexes,
 * counters and newest timestamp, and makes the cut durable.
 */
export async function cutSegment(seg: Segment, position: number, end: number, nowMs: number): Promise<void> {
  seg.offsetIndex.truncateFrom(end);
  seg.timeIndex.truncateFrom(end);
  // The newest timestamp left: the last time index entry covers everything up to the last offset index
  // entry, and the batches from that entry to the cut are scanned.
  const last = seg.timeIndex.last();
  seg.maxTimestamp = last?.timestamp ?? -1;
  seg.offsetOfMaxTimestamp = last?.offset ?? seg.baseOffset;
  const from = seg.offsetIndex.entries > 0 ? seg.offsetIndex.lookup(end - 1) : 0;
  const scanner = new BatchScanner(seg.log, position, SCAN_READ_BYTES);
  await scanTo(seg, scanner, from, (b) => {
    if (b.header.maxTimestamp > seg.maxTimestamp) {
      seg.maxTimestamp = b.header.maxTimestamp;
      seg.offsetOfMaxTimestamp = b.lastOffset;
    }
    return false;
  });
  seg.size = position;
  seg.nextOffset = end;
  seg.bytesSinceIndexEntry = 0;
  if (position === 0) seg.resetTracking(nowMs);
  await seg.truncateLog(position);
  await seg.writeIndexes();
  await seg.sync(true);
}
