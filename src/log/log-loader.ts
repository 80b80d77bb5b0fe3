// Opening a partition directory: finish or undo a cleaner swap a crash interrupted, find the segments,
// trust what the checkpoint says was fsynced, and recover the rest batch by batch (length, CRC-32C,
// offsets), cutting the log at the first bad batch. The leader epoch cache is trusted likewise below the
// recovery point and rebuilt from the batches recovery scans (from every batch if its file is unusable).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DecodeError } from '../../protocol/bytes.js';
import { BATCH_HEADER_BYTES } from '../../protocol/kafka/records/batch-header.js';
import type { Logger } from '../logger.js';
import { BatchScanner, validateStoredBatch, walkBatchHeaders, type BatchPosition } from './batch-scan.js';
import { readCheckpoint, type PartitionCheckpoint } from './checkpoint.js';
import { recoverSwaps } from './cleaner/swap.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { NO_LEADER_EPOCH_FILE, readLeaderEpochFile } from './leader-epoch-file.js';
import {
  INDEX_SUFFIX,
  LOG_SUFFIX,
  MAX_RELATIVE_OFFSET,
  parseSegmentFileName,
  Segment,
  segmentFileName,
  TIME_INDEX_SUFFIX,
  unlinkIfExists,
} from './segment.js';

/** Window for recovery scans: large reads, few syscalls. */
export const RECOVERY_READ_BYTES = 1 << 20;
/** Window for reading just the first batch of a segment. */
const FIRST_BATCH_READ_BYTES = 64 * 1024;
/** Window for walking batch headers to rebuild the leader epoch cache. */
const EPOCH_SCAN_READ_BYTES = 64 * 1024;
/** Leftovers of an interrupted atomic file replacement. */
const TEMP_SUFFIX = '.tmp';

export interface LoadedLog {
  segments: Segment[];
  logStartOffset: number;
  logEndOffset: number;
  /** Segments that were scanned batch by batch. */
  recovered: number;
  /** The cleaner's first dirty offset (the log start when unknown: everything is cleaned again). */
  firstDirtyOffset: number;
  /** Offset gaps may exist below this (see PartitionCheckpoint.compactedTo). */
  compactedTo: number;
  leaderEpochs: LeaderEpochCache;
  /** Whether the leader-epoch-checkpoint file already holds exactly `leaderEpochs`. */
  leaderEpochsStored: boolean;
}

export interface RecoveryResult {
  truncatedBytes: number;
  /** Why the scan stopped before the end of the file. */
  reason?: string;
}

/**
 * Where a batch may start after offsets up to `expected` - 1: exactly at `expected`, or further on when
 * the skipped offsets all lie below `compactedTo` (the cleaner removed whole batches there). Undefined
 * if it may, else why not.
 */
export function offsetGapProblem(expected: number, baseOffset: number, compactedTo: number): string | undefined {
  if (baseOffset === expected || (baseOffset > expected && baseOffset <= compactedTo)) return undefined;
  return `batch offset ${baseOffset} where ${expected} was expected`;
}

/**
 * Rebuilds a segment's state and indexes from its .log: every batch is checked (length within the file,
 * magic, CRC-32C, record count, offsets rising and fitting the segment, contiguous above `compactedTo`);
 * the file is cut before the first that fails. Indexes are rewritten and everything is fsynced.
 */
export async function recoverSegment(
  seg: Segment,
  indexIntervalBytes: number,
  nowMs: number,
  compactedTo = 0,
  onBatch?: (batch: BatchPosition) => void,
): Promise<RecoveryResult> {
  const fileBytes = seg.size;
  seg.resetTracking(nowMs);
  const scanner = new BatchScanner(seg.log, fileBytes, RECOVERY_READ_BYTES);
  let position = 0;
  let reason: string | undefined;
  for (;;) {
    const step = await scanner.at(position);
    if (step.kind === 'end') break;
    if (step.kind === 'invalid') {
      reason = step.reason;
      break;
    }
    const { header, bytes, lastOffset } = step.batch;
    try {
      validateStoredBatch(bytes, header);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      reason = err.message;
      break;
    }
    // baseOffset lies outside the CRC; since only compaction leaves gaps, and only below compactedTo,
    // requiring each batch to continue exactly where the previous ended elsewhere catches a corrupt one.
    const gap = offsetGapProblem(seg.nextOffset, header.baseOffset, compactedTo);
    if (gap) {
      reason = gap;
      break;
    }
    if (lastOffset - seg.baseOffset > MAX_RELATIVE_OFFSET) {
      reason = `offset ${lastOffset} does not fit a segment based at ${seg.baseOffset}`;
      break;
    }
    seg.track(position, header.sizeBytes, lastOffset, header.maxTimestamp, indexIntervalBytes);
    onBatch?.(header);
    position += header.sizeBytes;
  }
  if (position < fileBytes) await seg.truncateLog(position);
  seg.writtenSize = position;
  seg.sealTimeIndex();
  await seg.writeIndexes();
  await seg.sync(true);
  return { truncatedBytes: fileBytes - position, ...(reason !== undefined && { reason }) };
}

/**
 * Loads the indexes of a segment recovery trusts: everything below `nextOffset` is in it and fsynced.
 * Returns why they cannot be used (missing, corrupt, inconsistent with the .log), or undefined.
 */
async function loadTrustedSegment(seg: Segment, nextOffset: number, indexesExisted: boolean, compactedTo: number): Promise<string | undefined> {
  if (!indexesExisted) return 'index files missing';
  const maxEntries = Math.floor(seg.size / BATCH_HEADER_BYTES) + 1;
  const problem =
    (await seg.offsetIndex.load(maxEntries * seg.offsetIndex.entryBytes)) ??
    (await seg.timeIndex.load(maxEntries * seg.timeIndex.entryBytes)) ??
    seg.offsetIndex.problem(seg.size, nextOffset) ??
    seg.timeIndex.problem(nextOffset);
  if (problem) return problem;
  if (seg.size > 0) {
    const first = await new BatchScanner(seg.log, seg.size, FIRST_BATCH_READ_BYTES).at(0);
    if (first.kind !== 'batch') return `first batch unreadable: ${first.kind === 'invalid' ? first.reason : 'empty'}`;
    const firstOffset = first.batch.header.baseOffset;
    const gap = offsetGapProblem(seg.baseOffset, firstOffset, compactedTo);
    if (gap || firstOffset >= nextOffset) return `first batch offset ${firstOffset} does not fit ${seg.baseOffset}..${nextOffset - 1}`;
    seg.rollingTimestamp = first.batch.header.maxTimestamp;
  } else if (offsetGapProblem(seg.baseOffset, nextOffset, compactedTo)) {
    return `empty segment cannot end at ${nextOffset}`;
  }
  seg.nextOffset = nextOffset;
  const last = seg.timeIndex.last();
  if (last) {
    seg.maxTimestamp = last.timestamp;
    seg.offsetOfMaxTimestamp = last.offset;
  }
  return undefined;
}

/** Opens every segment in `dir`, recovering what the checkpoint does not vouch for. */
export async function loadLog(dir: string, indexIntervalBytes: number, log: Logger, nowMs: number): Promise<LoadedLog> {
  await recoverSwaps(dir, log);
  const names = await readdir(dir);
  const files = new Map<number, Set<string>>();
  for (const name of names) {
    if (name.endsWith(TEMP_SUFFIX)) {
      await unlinkIfExists(join(dir, name));
      continue;
    }
    const parsed = parseSegmentFileName(name);
    if (!parsed) continue;
    let set = files.get(parsed.baseOffset);
    if (!set) files.set(parsed.baseOffset, (set = new Set()));
    set.add(parsed.suffix);
  }
  const bases: number[] = [];
  for (const [base, suffixes] of files) {
    if (suffixes.has(LOG_SUFFIX)) {
      bases.push(base);
    } else {
      // Indexes whose .log is gone: a deletion interrupted after its first unlink.
      log.info({ dir, base }, 'removing index files of a deleted segment');
      for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX] as const) await unlinkIfExists(join(dir, segmentFileName(base, suffix)));
    }
  }
  bases.sort((a, b) => a - b);

  const read = await readCheckpoint(dir);
  const cp: PartitionCheckpoint | undefined = typeof read === 'string' ? undefined : read;
  if (typeof read === 'string' && bases.length > 0) log.warn({ dir, reason: read }, 'no usable checkpoint; recovering every segment');
  let logStartOffset = Math.max(cp?.logStartOffset ?? 0, bases[0] ?? 0);
  // Without a checkpoint nothing says where compaction may have left gaps: accept them anywhere (offsets
  // must still rise), rather than cut compacted segments as if corrupt.
  const compactedTo = cp ? cp.compactedTo : Number.POSITIVE_INFINITY;

  // Segments wholly below the log start: retention or DeleteRecords persisted the new start, then stopped.
  while (bases.length > 1 && bases[1]! <= logStartOffset) {
    const base = bases.shift()!;
    log.info({ dir, base, logStartOffset }, 'removing a segment below the log start offset');
    await new Segment(dir, base, nowMs).delete();
  }

  const epochFile = await readLeaderEpochFile(dir);
  // Without its file the cache is rebuilt from every batch; with it, from the batches recovery scans.
  const rebuildEpochs = typeof epochFile === 'string';
  const epochs = new LeaderEpochCache(rebuildEpochs ? [] : epochFile);
  if (rebuildEpochs && bases.length > 0 && epochFile !== NO_LEADER_EPOCH_FILE) {
    log.warn({ dir, reason: epochFile }, 'unusable leader epoch file; rebuilding it from the log');
  }
  const observe = (batch: BatchPosition): void => epochs.observeBatch(batch.partitionLeaderEpoch, batch.baseOffset);
  const loaded = (result: Omit<LoadedLog, 'leaderEpochs' | 'leaderEpochsStored'>): LoadedLog => {
    // Kafka's order: entries past the log end go, then those below the start are clamped to it.
    epochs.truncateFromEnd(result.logEndOffset);
    epochs.truncateFromStart(result.logStartOffset);
    return { ...result, leaderEpochs: epochs, leaderEpochsStored: !rebuildEpochs && epochs.version === 0 };
  };

  if (bases.length === 0) {
    const seg = Segment.create(dir, logStartOffset, nowMs);
    await seg.ready;
    epochs.clear();
    return loaded({ segments: [seg], logStartOffset, logEndOffset: logStartOffset, recovered: 0, firstDirtyOffset: logStartOffset, compactedTo: logStartOffset });
  }

  const lastBase = bases[bases.length - 1]!;
  const opened: { seg: Segment; indexesExisted: boolean }[] = [];
  for (const base of bases) opened.push(await Segment.openExisting(dir, base, nowMs));
  const lastSize = opened[opened.length - 1]!.seg.size;
  const clean = cp !== undefined && cp.clean && cp.activeSegmentBase === lastBase && cp.activeSegmentBytes === lastSize && cp.logEndOffset >= lastBase;
  const recoveryPoint = clean ? cp.logEndOffset : (cp?.recoveryPoint ?? 0);
  // Everything from the segment holding recoveryPoint - 1 on is scanned: that segment may have been
  // the active one when the recovery point was taken, with its indexes not yet fsynced.
  let recoverFrom = clean ? bases.length : 0;
  if (!clean) {
    while (recoverFrom + 1 < bases.length && bases[recoverFrom + 1]! < recoveryPoint) recoverFrom++;
  }
  // The file holds every epoch that starts below the checkpointed recovery point (the log writes it
  // before each checkpoint); what the scanned segments hold is taken from their batches instead.
  if (recoverFrom < bases.length) epochs.truncateFromEnd(bases[recoverFrom]!);

  const segments: Segment[] = [];
  let recovered = 0;
  for (let i = 0; i < opened.length; i++) {
    const { seg, indexesExisted } = opened[i]!;
    if (i < recoverFrom) {
      const nextOffset = i + 1 < bases.length ? bases[i + 1]! : cp!.logEndOffset;
      const problem = await loadTrustedSegment(seg, nextOffset, indexesExisted, compactedTo);
      if (problem === undefined) {
        if (rebuildEpochs) await walkBatchHeaders(seg.log, seg.size, EPOCH_SCAN_READ_BYTES, observe);
        if (i + 1 < opened.length) await seg.releaseIndexFiles();
        segments.push(seg);
        continue;
      }
      log.warn({ dir, base: seg.baseOffset, problem }, 'rebuilding the indexes of a segment');
    }
    const result = await recoverSegment(seg, indexIntervalBytes, nowMs, compactedTo, observe);
    recovered++;
    segments.push(seg);
    if (i + 1 < opened.length) await seg.releaseIndexFiles();
    if (result.truncatedBytes > 0) {
      log.warn({ dir, base: seg.baseOffset, truncatedBytes: result.truncatedBytes, validBytes: seg.size, reason: result.reason }, 'truncated an invalid log tail');
    }
    const next = opened[i + 1];
    const broken = result.truncatedBytes > 0 || (next !== undefined && offsetGapProblem(seg.nextOffset, next.seg.baseOffset, compactedTo) !== undefined);
    // A segment whose last batches were compacted away still spans up to the next one.
    if (!broken && next !== undefined) seg.nextOffset = next.seg.baseOffset;
    if (broken && next !== undefined && i >= recoverFrom) {
      // Anything after a torn or short segment was written after it, so never acknowledged.
      for (const later of opened.slice(i + 1)) {
        log.warn({ dir, base: later.seg.baseOffset }, 'removing a segment that follows a truncated one');
        await later.seg.delete();
      }
      break;
    }
  }

  const last = segments[segments.length - 1]!;
  // The cleaner made the last segment end in a gap (only after a truncation made a cleaned segment the
  // active one): the log still ended past it, and compactedTo, lowered by every truncation, says where.
  if (cp && last.nextOffset < compactedTo) last.nextOffset = compactedTo;
  let logEndOffset = last.nextOffset;
  if (logStartOffset > logEndOffset) {
    // Data below the persisted log start was lost with the crash; nothing readable is left.
    log.warn({ dir, logStartOffset, logEndOffset }, 'log end fell below the log start; starting empty at the log start');
    for (const seg of segments) await seg.delete();
    segments.length = 0;
    const seg = Segment.create(dir, logStartOffset, nowMs);
    await seg.ready;
    segments.push(seg);
    logEndOffset = logStartOffset;
    epochs.clear();
  }
  logStartOffset = Math.max(logStartOffset, segments[0]!.baseOffset);
  return loaded({
    segments,
    logStartOffset,
    logEndOffset,
    recovered,
    firstDirtyOffset: cp?.firstDirtyOffset ?? logStartOffset,
    // A lost checkpoint forgot where gaps are: every offset up to the end may be one from now on.
    compactedTo: cp ? Math.min(compactedTo, logEndOffset) : logEndOffset,
  });
}
