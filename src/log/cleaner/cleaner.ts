// One cleaning round of one compacted log (Kafka's Cleaner.doClean): map each key of the dirty section to
// its latest offset, then rewrite every segment from the log's first up to the end of what the map
// covers, in groups that together fit one segment, keeping per key only its latest record; each
// group's cleaned segment is swapped in as soon as it is written. The active segment is never touched,
// so appends go on meanwhile; segments are read in windows of half log.cleaner.io.buffer.size, and
// reads and writes are throttled to log.cleaner.io.max.bytes.per.second.
import { utimes } from 'node:fs/promises';
import { isControl } from '../../../protocol/kafka/records/batch-attributes.js';
import { readBatchHeader } from '../../../protocol/kafka/records/batch-header.js';
import { batchRecords } from '../../../protocol/kafka/records/batch-records.js';
import { writeAll } from '../../fs/write-all.js';
import { BatchScanner, type ScannedBatch } from '../batch-scan.js';
import { StorageError } from '../errors.js';
import type { CleanerView, PartitionLog } from '../partition-log.js';
import { LOG_SUFFIX, MAX_RELATIVE_OFFSET, Segment } from '../segment.js';
import { AbortedRanges } from './aborted-ranges.js';
import { filterBatch, isAbortedBatch, type FilterContext } from './batch-filter.js';
import type { CleaningPlan } from './cleanable.js';
import { segmentsIn } from './cleanable.js';
import { mapCapacity, type CleanerConfig } from './cleaner-config.js';
import { OFFSET_MAP_SLOT_BYTES, OffsetMap } from './offset-map.js';
import { CLEANED_SUFFIX } from './swap.js';
import type { Throttler } from './throttler.js';

/** The cleaning of a log stopped on purpose: the log changed, closed, or the cleaner is shutting down. */
export class CleaningAbortedError extends Error {
  override readonly name = 'CleaningAbortedError';
}

export interface CleaningStats {
  /** Where this round's dirty section started, and the first offset it leaves dirty. */
  firstDirtyOffset: number;
  endOffset: number;
  /** Keys in the offset map, and how full it got. */
  keysMapped: number;
  mapUtilization: number;
  bytesRead: number;
  bytesWritten: number;
  recordsRead: number;
  recordsKept: number;
  /** Records removed for having no key. */
  keylessRecords: number;
  segmentsReplaced: number;
  segmentsWritten: number;
}

export interface CleaningRun {
  config: CleanerConfig;
  throttler: Throttler;
  /** The round's clock (ms): tombstone horizons are set and compared with it. */
  now: number;
  /** Throws CleaningAbortedError when the round must stop (called between batches). */
  checkDone(): void;
}

/** The batches of `seg` from byte `position` on, read in windows of `windowBytes`. */
async function* batchesOf(seg: Segment, position: number, windowBytes: number): AsyncGenerator<ScannedBatch> {
  const scanner = new BatchScanner(seg.log, seg.size, windowBytes);
  for (;;) {
    const step = await scanner.at(position);
    if (step.kind === 'end') return;
    if (step.kind === 'invalid') throw new StorageError(`segment ${seg.baseOffset} in ${seg.dir} is unreadable at byte ${position}: ${step.reason}`);
    yield step.batch;
    position += step.batch.header.sizeBytes;
  }
}

/**
 * Kafka's groupSegmentsBySize: consecutive segments whose sizes add up to at most `maxBytes` and whose
 * offsets fit one segment's int32 relative offsets, each group to become one cleaned segment.
 * `endOf(i)` is the offset after segment i.
 */
export function groupSegments<S extends { baseOffset: number; size: number }>(segments: readonly S[], maxBytes: number, endOf: (i: number) => number): S[][] {
  const groups: S[][] = [];
  for (let i = 0; i < segments.length; ) {
    const group = [segments[i]!];
    let bytes = segments[i]!.size;
    let j = i + 1;
    while (j < segments.length && bytes + segments[j]!.size <= maxBytes && (segments[j]!.size === 0 || endOf(j) - 1 - group[0]!.baseOffset <= MAX_RELATIVE_OFFSET)) {
      group.push(segments[j]!);
      bytes += segments[j]!.size;
      j++;
    }
    groups.push(group);
    i = j;
  }
  return groups;
}

class Round {
  readonly stats: CleaningStats;
  private readonly windowBytes: number;
  private readonly aborted: AbortedRanges;

  constructor(
    private readonly plog: PartitionLog,
    private readonly view: CleanerView,
    private readonly plan: CleaningPlan,
    private readonly run: CleaningRun,
  ) {
    this.windowBytes = Math.max(1, Math.floor(run.config.ioBufferBytes / 2));
    this.aborted = new AbortedRanges(view.abortedTxns);
    this.stats = {
      firstDirtyOffset: plan.firstDirtyOffset,
      endOffset: plan.firstDirtyOffset,
      keysMapped: 0,
      mapUtilization: 0,
      bytesRead: 0,
      bytesWritten: 0,
      recordsRead: 0,
      recordsKept: 0,
      keylessRecords: 0,
      segmentsReplaced: 0,
      segmentsWritten: 0,
    };
  }

  /**
   * Maps every key in the dirty section to its latest offset, until the map is full. Control batches
   * and aborted transactions' batches add no key: an aborted record must not make an older record of
   * its key obsolete. Everything here lies below the last stable offset, so every other transactional
   * record was committed.
   */
  private async buildOffsetMap(dirty: readonly Segment[]): Promise<{ map: OffsetMap; full: boolean }> {
    const { firstDirtyOffset: start, firstUncleanableOffset: end } = this.plan;
    const { config } = this.run;
    const maxSlots = Math.floor(config.dedupeBufferBytes / OFFSET_MAP_SLOT_BYTES);
    // No bigger than the dirty section could fill: each key needs an offset of its own.
    const map = new OffsetMap(Math.min(maxSlots, Math.ceil((end - start) / config.dedupeBufferLoadFactor) + 2));
    const capacity = mapCapacity(map.slots, config.dedupeBufferLoadFactor);
    for (const seg of dirty) {
      for await (const batch of batchesOf(seg, seg.offsetIndex.lookup(start), this.windowBytes)) {
        this.run.checkDone();
        this.stats.bytesRead += batch.bytes.length;
        await this.run.throttler.maybeThrottle(batch.bytes.length);
        if (batch.lastOffset < start) continue;
        const attributes = batch.header.attributes;
        if (!isControl(attributes) && !isAbortedBatch(batch.header, this.aborted)) {
          for (const record of batchRecords(batch.bytes)) {
            if (record.key === null || record.offset < start) continue;
            if (map.size >= capacity) return { map, full: true };
            map.put(record.key, record.offset);
          }
        }
        map.noteOffset(batch.lastOffset);
      }
    }
    return { map, full: false };
  }

  /** Writes the survivors of `group` into a new segment under the .cleaned suffix, fsynced. */
  private async cleanGroup(group: readonly Segment[], ctx: FilterContext): Promise<Segment> {
    const cleaned = Segment.create(this.plog.dir, group[0]!.baseOffset, this.run.now, CLEANED_SUFFIX);
    try {
      await cleaned.ready;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async (): Promise<void> => {
        if (pendingBytes === 0) return;
        await writeAll(cleaned.log, pending, cleaned.writtenSize);
        cleaned.writtenSize += pendingBytes;
        this.stats.bytesWritten += pendingBytes;
        await this.run.throttler.maybeThrottle(pendingBytes);
        pending = [];
        pendingBytes = 0;
      };
      const indexInterval = this.view.config.indexIntervalBytes;
      for (const seg of group) {
        for await (const { header, bytes, lastOffset } of batchesOf(seg, 0, this.windowBytes)) {
          this.run.checkDone();
          this.stats.bytesRead += bytes.length;
          await this.run.throttler.maybeThrottle(bytes.length);
          const result = filterBatch(bytes, header, ctx);
          this.stats.recordsRead += result.recordsRead;
          this.stats.recordsKept += result.recordsKept;
          this.stats.keylessRecords += result.keyless;
          const out = result.bytes;
          if (!out) continue;
          const outHeader = out === bytes ? header : readBatchHeader(out);
          cleaned.track(cleaned.size, out.length, lastOffset, outHeader.maxTimestamp, indexInterval);
          pending.push(out);
          pendingBytes += out.length;
          if (pendingBytes >= this.windowBytes) await flush();
        }
      }
      await flush();
      cleaned.sealTimeIndex();
      await cleaned.writeIndexes();
      await cleaned.sync(true);
      await cleaned.releaseIndexFiles();
      // The cleaned segment keeps the age of what it replaces, for time retention (Kafka does the same).
      const modified = group[group.length - 1]!.lastModifiedMs;
      cleaned.lastModifiedMs = modified;
      await utimes(cleaned.path(LOG_SUFFIX), modified / 1000, modified / 1000);
      return cleaned;
    } catch (err) {
      await cleaned.delete().catch(() => undefined);
      throw err;
    }
  }

  /** Whether the log changed under the round (truncated, segments deleted, closed): reads then fail. */
  get logChanged(): boolean {
    return this.plog.stopped || this.plog.truncationCount !== this.view.truncations || this.view.segments.some((s) => s.deleted);
  }

  async clean(): Promise<CleaningStats> {
    try {
      return await this.cleanRound();
    } catch (err) {
      if (err instanceof CleaningAbortedError || !this.logChanged) throw err;
      throw new CleaningAbortedError(`the log in ${this.plog.dir} changed during its cleaning`, { cause: err });
    }
  }

  private async cleanRound(): Promise<CleaningStats> {
    const { segments } = this.view;
    const { firstDirtyOffset, firstUncleanableOffset } = this.plan;
    const dirty = segmentsIn(segments, firstDirtyOffset, firstUncleanableOffset);
    const { map, full } = await this.buildOffsetMap(dirty);
    // A full map covers the dirty section up to its latest offset; otherwise all of it.
    const endOffset = full ? map.latestOffset + 1 : firstUncleanableOffset;
    this.stats.endOffset = endOffset;
    this.stats.keysMapped = map.size;
    this.stats.mapUtilization = map.utilization;

    // The segments from the first: never the active one, whose base is at or past firstUncleanableOffset.
    const toClean = segmentsIn(segments, -1, endOffset);
    const endOf = (i: number): number => segments[i + 1]?.baseOffset ?? firstUncleanableOffset;
    const groups = groupSegments(toClean, this.view.config.segmentBytes, endOf);
    // Every offset gap this round may leave lies below the segment after the last one it rewrites.
    const compactedTo = endOf(toClean.length - 1);
    const ctx: FilterContext = { map, aborted: this.aborted, now: this.run.now, deleteRetentionMs: this.view.config.deleteRetentionMs };
    for (const group of groups) {
      const cleaned = await this.cleanGroup(group, ctx);
      const swapped = await this.plog.replaceSegments({ cleaned, replaced: group, truncations: this.view.truncations, compactedTo });
      if (!swapped) throw new CleaningAbortedError(`the log in ${this.plog.dir} changed during its cleaning`);
      this.stats.segmentsReplaced += group.length;
      this.stats.segmentsWritten++;
    }
    await this.plog.cleaned(endOffset, this.view.truncations);
    return this.stats;
  }
}

/**
 * Cleans `plog` as `plan` (made from `view`) says: one round, its cleaned segments swapped in one by
 * one. Throws CleaningAbortedError if the log changed under it or `run.checkDone` said stop.
 */
export function cleanLog(plog: PartitionLog, view: CleanerView, plan: CleaningPlan, run: CleaningRun): Promise<CleaningStats> {
  return new Round(plog, view, plan, run).clean();
}
