// Which part of a compacted log a cleaning would cover and whether it is worth it, with the rules of
// Kafka's LogCleanerManager and LogToClean: the dirty section runs from the first dirty offset (the end
// of the last cleaning) to the first uncleanable offset, which is the active segment at the latest,
// never past the high watermark (the last stable offset) or the recovery point, and never into a
// segment with records younger than min.compaction.lag.ms. A log is cleaned when its dirty share of
// bytes exceeds min.cleanable.dirty.ratio, or when it holds dirty records older than
// max.compaction.lag.ms; the dirtiest such log goes first.
import type { LogConfig } from '../log-config.js';

/** What planning needs of a segment (Segment has it). */
export interface SegmentInfo {
  readonly baseOffset: number;
  readonly size: number;
  /** Newest timestamp held (or the file's mtime without one). */
  readonly largestTimestamp: number;
  /** The first batch's max timestamp; undefined while empty. */
  readonly rollingTimestamp: number | undefined;
}

export interface LogState {
  /** Oldest first; the last is the active segment. */
  segments: readonly SegmentInfo[];
  config: LogConfig;
  logStartOffset: number;
  logEndOffset: number;
  /** The first dirty offset last recorded. */
  firstDirtyOffset: number;
  /** Nothing at or past it may be cleaned (high watermark, recovery point). */
  cleanableEnd: number;
}

export interface CleaningPlan {
  /** Where the dirty section starts (the recorded one, or the log start if that is no longer valid). */
  firstDirtyOffset: number;
  /** A segment base: the segments from the one holding firstDirtyOffset up to here are cleanable. */
  firstUncleanableOffset: number;
  cleanBytes: number;
  cleanableBytes: number;
  cleanableRatio: number;
  /** Dirty records older than max.compaction.lag.ms wait: clean whatever the ratio. */
  needCompactionNow: boolean;
}

/**
 * Kafka's logSegments(from, to): the segment holding `from` (the last based at or below it, if any)
 * and every later one based below `to`.
 */
export function segmentsIn<S extends SegmentInfo>(segments: readonly S[], from: number, to: number): S[] {
  let start = 0;
  for (let i = 0; i < segments.length && segments[i]!.baseOffset <= from; i++) start = i;
  const out: S[] = [];
  for (let i = start; i < segments.length && segments[i]!.baseOffset < to; i++) out.push(segments[i]!);
  return out;
}

function bytesOf(segments: readonly SegmentInfo[]): number {
  let total = 0;
  for (const s of segments) total += s.size;
  return total;
}

/** The dirty section of `log` at `now` and how dirty it is. */
export function planCleaning(log: LogState, now: number): CleaningPlan {
  const { segments, config } = log;
  const active = segments[segments.length - 1]!;
  const recorded = log.firstDirtyOffset;
  // A first dirty offset outside the log (after truncation or retention) means: clean it all again.
  const firstDirtyOffset = recorded < log.logStartOffset || recorded > log.logEndOffset ? log.logStartOffset : recorded;
  const nonActiveDirty = segmentsIn(segments, firstDirtyOffset, active.baseOffset);

  let uncleanable = Math.min(log.cleanableEnd, active.baseOffset);
  const minLag = Math.max(config.minCompactionLagMs, 0);
  if (minLag > 0) {
    const young = nonActiveDirty.find((s) => s.largestTimestamp > now - minLag);
    if (young) uncleanable = Math.min(uncleanable, young.baseOffset);
  }
  uncleanable = Math.max(firstDirtyOffset, uncleanable);
  // The cleanable section ends where the segment holding the uncleanable offset begins.
  const firstUncleanableOffset = segmentsIn(segments, uncleanable, active.baseOffset)[0]?.baseOffset ?? active.baseOffset;

  const cleanBytes = bytesOf(segmentsIn(segments, -1, firstDirtyOffset));
  const cleanableBytes = bytesOf(segmentsIn(segments, Math.min(firstDirtyOffset, firstUncleanableOffset), firstUncleanableOffset));
  const total = cleanBytes + cleanableBytes;

  let earliestDirty = Number.POSITIVE_INFINITY;
  for (const s of nonActiveDirty) if (s.rollingTimestamp !== undefined && s.rollingTimestamp > 0) earliestDirty = Math.min(earliestDirty, s.rollingTimestamp);
  const cleanUntil = now - Math.max(config.maxCompactionLagMs, 0);

  return {
    firstDirtyOffset,
    firstUncleanableOffset,
    cleanBytes,
    cleanableBytes,
    cleanableRatio: total > 0 ? cleanableBytes / total : 0,
    needCompactionNow: earliestDirty < cleanUntil,
  };
}

/** Whether a plan is worth carrying out (Kafka's filter before picking the filthiest log). */
export function worthCleaning(plan: CleaningPlan, config: LogConfig): boolean {
  if (plan.cleanBytes + plan.cleanableBytes === 0) return false;
  return (plan.needCompactionNow && plan.cleanableBytes > 0) || plan.cleanableRatio > config.minCleanableDirtyRatio;
}
