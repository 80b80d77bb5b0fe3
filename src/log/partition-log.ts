// One partition's log: an append-only sequence of segments in `<dataDir>/<topic>-<partition>/`.
//
// Appends are synchronous in memory (offsets assigned, log end advanced) and reach the disk through the
// write pipeline (batched writev, group-commit fsync). Besides acks=all waiters, fsyncs come from
// Kafka's flush policy: flush.messages (unflushed records), flush.ms (LogManager's periodic check), and
// a roll (the finished segment is flushed so recovery never has to rescan it). Structural changes
// (retention, DeleteRecords, truncation, checkpoints, cleaner swaps, close) run one at a time; reads
// overlapping one start over.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DecodeError } from '../../protocol/bytes.js';
import {
  readBatchHeader,
  setBaseOffset,
  setPartitionLeaderEpoch,
  TIMESTAMP_TYPE_BIT,
  validateBatch,
  type BatchHeader,
} from '../../protocol/kafka/records/batch-header.js';
import { batchRecords } from '../../protocol/kafka/records/batch-records.js';
import { setMaxTimestamp } from '../../protocol/kafka/records/batch-timestamps.js';
import { DiskFullError, isDiskFull } from '../fs/write-all.js';
import { createLogger, type Logger } from '../logger.js';
import type { ScannedBatch } from './batch-scan.js';
import { writeCheckpoint } from './checkpoint.js';
import { commitSwap, finishSwap, setAside } from './cleaner/swap.js';
import { syncDirectory } from '../fs/dir-sync.js';
import {
  CorruptRecordError,
  LogClosedError,
  LogTruncatedError,
  OffsetOutOfRangeError,
  PolicyViolationError,
  RecordBatchTooLargeError,
  RecordTooLargeError,
  StorageError,
} from './errors.js';
import type { EpochEndOffset, EpochEntry, LeaderEpochCache } from './leader-epoch-cache.js';
import { writeLeaderEpochFile } from './leader-epoch-file.js';
import { maxSegmentMs, type LogConfig } from './log-config.js';
import { loadLog, type LoadedLog } from './log-loader.js';
import { deleteSnapshot, encodeSnapshot, listSnapshots, SNAPSHOTS_KEPT, writeSnapshot } from './producer-snapshot.js';
import { applyMarker, isProducerDataBatch, loadProducerState, type TransactionState } from './producer-state-loader.js';
import type { ProducerStateTable } from './producer-state.js';
import { appendTxnIndexEntry, persistTxnIndex, syncTxnIndexFiles, type AbortedTxn, type AbortedTxnIndex, type AbortedTxnRef, type TxnIndexFiles } from './txn-index.js';
import { readEndTxnMarkerBatch } from '../../protocol/kafka/records/control-record.js';
import { MAX_RELATIVE_OFFSET, Segment } from './segment.js';
import { readSegment, searchTimestamp, type ReadResult, type TimestampAndOffset } from './segment-reads.js';
import { cutSegment, truncateSegment } from './segment-truncation.js';
import { TailCache } from './tail-cache.js';
import { WritePipeline, type LogIoStats, type WriteCut } from './write-pipeline.js';

export type { ReadResult, TimestampAndOffset } from './segment-reads.js';
export type { LogIoStats } from './write-pipeline.js';

/** Default byte budget of the in-memory tail cache (written batches; unwritten ones are always kept). */
export const DEFAULT_TAIL_CACHE_BYTES = 1 << 20;
/**
 * Its budget for batches above the high watermark of a replicated partition (which followers are about
 * to fetch): enough for the ~2 s of a busy partition's pipelined acks=all produces a follower may trail.
 */
export const DEFAULT_REPLICA_TAIL_CACHE_BYTES = 16 << 20;
/** Reads restarted because segments were deleted or truncated underneath, before giving up. */
const MAX_READ_ATTEMPTS = 5;

export interface AppendResult {
  /** Offset of the first record appended. */
  baseOffset: number;
  /** Offset of the last record appended. */
  lastOffset: number;
  /** The broker time stamped on the batches under LogAppendTime, else -1. */
  logAppendTime: number;
  logStartOffset: number;
  recordCount: number;
  batchCount: number;
  sizeBytes: number;
}

export interface ReadOptions {
  /** Exclusive bound: only batches ending below it are returned (the high watermark for consumers). */
  upToOffset?: number;
  /** Return the first batch even if larger than maxBytes (KIP-74). Default true. */
  minOneBatch?: boolean;
}

/**
 * Finds, inside one stored batch (possibly compressed), the first record with timestamp >= `timestamp`
 * and offset >= `minOffset`. The default decodes the batch with the record codec.
 */
export type RecordLocator = (batch: Buffer, timestamp: number, minOffset: number) => { offset: number; timestamp: number } | undefined;

/** The default RecordLocator: walks the batch's records (decompressing it if need be). */
export const locateRecordInBatch: RecordLocator = (batch, timestamp, minOffset) => {
  for (const record of batchRecords(batch)) {
    if (record.timestamp >= timestamp && record.offset >= minOffset) return { offset: record.offset, timestamp: record.timestamp };
  }
  return undefined;
};

export interface PartitionLogOptions {
  config: LogConfig;
  logger?: Logger;
  /** Wall clock (ms) for flush bookkeeping and segment ages; tests inject their own. */
  clock?: () => number;
  tailCacheBytes?: number;
  /** The tail cache's budget for batches above a replicated partition's high watermark. */
  replicaTailCacheBytes?: number;
  /** How timestamp lookups pick the record inside a batch; locateRecordInBatch by default. */
  recordLocator?: RecordLocator;
  /** The high watermark follows the log end (a single replica). Default true. */
  highWatermarkFollowsLogEnd?: boolean;
  /** Called once if the disk fails under this log. */
  onFailure?: (err: Error) => void;
}

interface ParsedBatch {
  position: number;
  header: BatchHeader;
}

/** What the log cleaner plans a pass from (see cleaner/). */
export interface CleanerView {
  /** The segments when asked, oldest first; the last is the active one. */
  segments: readonly Segment[];
  config: LogConfig;
  logStartOffset: number;
  logEndOffset: number;
  /** The cleaner's first dirty offset as last recorded (it may lie outside the log after truncations). */
  firstDirtyOffset: number;
  /**
   * The cleaner rewrites only below this: the last stable offset (no open transaction, every marker
   * replicated) and the recovery point, so what it rewrites was acknowledged, settled and is on disk.
   */
  cleanableEnd: number;
  /** Changes whenever the log is truncated; a swap planned before one is refused. */
  truncations: number;
  /** The aborted transactions in the log, so a cleaning drops their records and keeps them out of its map. */
  abortedTxns: readonly AbortedTxn[];
}

/** A cleaned segment to swap in, and what its cleaning round was planned against. */
export interface SegmentSwap {
  /** Written and fsynced by the cleaner under the .cleaned suffix. */
  cleaned: Segment;
  /** Consecutive segments of the log, not the active one, that `cleaned` replaces. */
  replaced: readonly Segment[];
  /** CleanerView.truncations when the round was planned. */
  truncations: number;
  /** The end of the round's cleaned range: every offset gap the swap introduces lies below it. */
  compactedTo: number;
}

let sharedLogger: Logger | undefined;

export class PartitionLog {
  private segments: Segment[];
  private logStart: number;
  private logEnd: number;
  private hw: number;
  private readonly pipeline: WritePipeline;
  private readonly cache: TailCache;
  /** Bumped whenever segments are deleted, truncated or swapped, so reads in flight know to start over. */
  private generation = 0;
  /** Serializes structural changes: truncation, deletion, retention, checkpoints, swaps, close. */
  private exclusiveTail: Promise<unknown> = Promise.resolve();
  private truncating = false;
  private closing: Promise<void> | undefined;
  /** Set once close() finished: everything after is refused with it. */
  private closed: LogClosedError | undefined;
  private failure: StorageError | undefined;
  /** Set while batches the disk had no room for are taken back out; appends are refused with it. */
  private refusedWrite: StorageError | undefined;
  /** What the checkpoint file says, so periodic checkpoints skip unchanged logs. */
  private checkpointed: { logStart: number; recoveryPoint: number; firstDirty: number; compactedTo: number } | undefined;
  /** The cleaner's progress: records below were compacted at least once. */
  private firstDirty: number;
  /** Compaction may have left offset gaps below this; persisted before any gap reaches the disk. */
  private compactedTo: number;
  /** Counts truncations, so a cleaner swap planned before one is refused. */
  private truncations = 0;
  /** Which leader epoch starts where; kept on append, truncation and log start moves. */
  private readonly epochs: LeaderEpochCache;
  /** The epochs' version the leader-epoch-checkpoint file holds (-1: the file is stale or missing). */
  private epochsStored: number;
  private readonly hwListeners = new Set<(hw: number) => void>();
  private readonly appendListeners = new Set<(logEnd: number) => void>();
  private cfg: LogConfig;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly recordLocator: RecordLocator;
  private hwFollowsLogEnd: boolean;
  private readonly onFailure: ((err: Error) => void) | undefined;
  /** Idempotent producers' epochs and last batches, as of the log end (producer-state.ts). */
  private producerState: ProducerStateTable;
  /** The aborted transactions whose markers are in the log (txn-index.ts). */
  private aborted: AbortedTxnIndex;
  /** What the .txnindex files hold by segment base, so only what changed is written. */
  private txnIndexFiles: TxnIndexFiles;
  /** Snapshot writes in order; truncation and close wait for them. */
  private snapshotting: Promise<void> = Promise.resolve();
  /** Segments scanned batch by batch when this log was opened (0 after a clean shutdown). */
  readonly recoveredSegments: number;

  private constructor(
    readonly dir: string,
    loaded: LoadedLog,
    txns: TransactionState,
    options: PartitionLogOptions,
    log: Logger,
  ) {
    this.producerState = txns.producers;
    this.aborted = txns.aborted;
    this.txnIndexFiles = txns.txnIndexFiles;
    this.segments = loaded.segments;
    this.logStart = loaded.logStartOffset;
    this.logEnd = loaded.logEndOffset;
    this.recoveredSegments = loaded.recovered;
    this.firstDirty = loaded.firstDirtyOffset;
    this.compactedTo = loaded.compactedTo;
    this.epochs = loaded.leaderEpochs;
    this.epochsStored = loaded.leaderEpochsStored ? this.epochs.version : -1;
    const { logEndOffset } = loaded;
    this.cfg = options.config;
    this.log = log;
    this.clock = options.clock ?? Date.now;
    this.recordLocator = options.recordLocator ?? locateRecordInBatch;
    this.hwFollowsLogEnd = options.highWatermarkFollowsLogEnd ?? true;
    this.hw = this.hwFollowsLogEnd ? logEndOffset : loaded.logStartOffset;
    // Transactions the replay closed are settled once the high watermark covers their markers.
    this.producerState.onHighWatermark(this.hw);
    this.onFailure = options.onFailure;
    const tailCacheBytes = options.tailCacheBytes ?? DEFAULT_TAIL_CACHE_BYTES;
    this.cache = new TailCache(tailCacheBytes, Math.max(tailCacheBytes, options.replicaTailCacheBytes ?? DEFAULT_REPLICA_TAIL_CACHE_BYTES));
    this.pipeline = new WritePipeline(
      {
        dir,
        segments: () => this.segments,
        logEnd: () => this.logEnd,
        // A single-replica log's high watermark is its end: only a replicated one holds batches back.
        written: (offset) => this.cache.evict(offset, this.hwFollowsLogEnd ? offset : this.hw),
        failed: (err) => this.fail(err),
        diskFull: (cut, err) => this.diskFull(cut, err),
        clock: this.clock,
      },
      logEndOffset,
    );
  }

  /**
   * Opens (creating if needed) the partition log in `dir`, recovering whatever the last run did not
   * close cleanly. On return, everything in the log is fsynced and the checkpoint marks it open.
   */
  static async open(dir: string, options: PartitionLogOptions): Promise<PartitionLog> {
    const log = (options.logger ?? (sharedLogger ??= createLogger())).child({ partitionDir: dir });
    const created = await mkdir(dir, { recursive: true });
    if (created !== undefined) await syncDirectory(dirname(dir));
    const loaded = await loadLog(dir, options.config.indexIntervalBytes, log, (options.clock ?? Date.now)());
    const txns = await loadProducerState(dir, loaded.segments, loaded.logStartOffset, loaded.logEndOffset, log);
    // Recovery truncated files, deleted segments or created one: make that durable before going on.
    await syncDirectory(dir);
    const plog = new PartitionLog(dir, loaded, txns, options, log);
    plog.persistAbortedTxns();
    await plog.snapshotting;
    // From now on the files change, so the on-disk state must no longer claim a clean shutdown.
    await plog.persistCheckpoint(false);
    // One line per partition floods a start with many partitions ("partition logs loaded" sums them up);
    // a partition that needed recovery is worth a line of its own.
    log[loaded.recovered > 0 ? 'info' : 'debug'](
      { logStartOffset: plog.logStart, logEndOffset: plog.logEnd, segments: plog.segments.length, recoveredSegments: loaded.recovered },
      'partition log opened',
    );
    return plog;
  }

  get config(): LogConfig {
    return this.cfg;
  }

  /**
   * The idempotent producers' state as of the log end. A produce request checks its batch against it
   * (checkClientBatch) right before append, in the same turn: nothing can come between the two.
   */
  get producers(): ProducerStateTable {
    return this.producerState;
  }

  /** Forgets producers idle for `expirationMs` (producer.id.expiration.ms); returns how many. */
  expireProducers(now: number, expirationMs: number): number {
    return this.producerState.expire(now, expirationMs);
  }

  /** New topic configs take effect for the next append, roll, retention pass and flush check. */
  updateConfig(config: LogConfig): void {
    this.cfg = config;
  }

  get logStartOffset(): number {
    return this.logStart;
  }

  get logEndOffset(): number {
    return this.logEnd;
  }

  /** Offsets below this are fsynced. */
  get recoveryPoint(): number {
    return this.pipeline.durableOffset;
  }

  get highWatermark(): number {
    return this.hw;
  }

  /**
   * The last stable offset: read_committed readers stop below it. The high watermark, held back to the
   * first offset of any transaction still open or whose marker the high watermark does not cover yet.
   */
  get lastStableOffset(): number {
    const unstable = this.producerState.firstUnstableOffset();
    // Retention or DeleteRecords may have moved the log start past an open transaction's first offset:
    // as Kafka's maybeIncrementFirstUnstableOffset, the last stable offset is then the log start.
    return unstable !== undefined && unstable < this.hw ? Math.max(unstable, this.logStart) : this.hw;
  }

  /**
   * The aborted transactions a read_committed Fetch that read [fetchOffset, upperBound) returns: their
   * records in that range are to be dropped by the consumer.
   */
  abortedTransactions(fetchOffset: number, upperBound: number): AbortedTxnRef[] {
    return this.aborted.collect(fetchOffset, upperBound);
  }

  /** Sets the high watermark (replication drives it); clamped to [logStartOffset, logEndOffset]. */
  set highWatermark(offset: number) {
    this.advanceHighWatermark(Math.min(Math.max(offset, this.logStart), this.logEnd), true);
  }

  /** Called with the new high watermark whenever it changes (long-polling fetches wait on it). */
  onHighWatermark(listener: (hw: number) => void): () => void {
    this.hwListeners.add(listener);
    return () => this.hwListeners.delete(listener);
  }

  /**
   * Called with the new log end after every append. A follower's fetch waits on it at the leader: there
   * the high watermark moves only after followers fetch, so it cannot be what wakes them.
   */
  onAppend(listener: (logEnd: number) => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  /**
   * Whether the high watermark follows the log end (one replica: every append is committed) or
   * replication sets it. Turning it on moves the high watermark to the log end.
   */
  setHighWatermarkFollowsLogEnd(follows: boolean): void {
    this.hwFollowsLogEnd = follows;
    if (follows) this.advanceHighWatermark(this.logEnd, false);
  }

  /** Bytes on disk and queued, over all segments. */
  get sizeBytes(): number {
    let total = 0;
    for (const seg of this.segments) total += seg.size;
    return total;
  }

  get ioStats(): LogIoStats {
    return this.pipeline.stats;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, oldest first. */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  // ---- append -------------------------------------------------------------------------------------

  /**
   * Appends one validated producer batch, or several back to back, assigning offsets by rewriting each
   * baseOffset in place (and, under LogAppendTime, the timestamp and CRC). The buffer is kept as is by
   * the tail cache and the writer: the caller must not reuse it. Returns at once; waitWritten /
   * waitDurable tell when the bytes reached the OS / the disk.
   */
  append(batches: Buffer, now: number, options: { leaderEpoch?: number } = {}): AppendResult {
    this.assertWritable();
    const parsed = this.parseBatches(batches);
    const logAppendTime = this.cfg.timestampType === 'LogAppendTime' ? now : -1;
    let records = 0;
    let maxTimestamp = -1;
    for (const b of parsed) {
      records += b.header.lastOffsetDelta + 1;
      maxTimestamp = Math.max(maxTimestamp, logAppendTime >= 0 ? now : b.header.maxTimestamp);
    }
    return this.appendParsed(batches, parsed, now, records, maxTimestamp, logAppendTime, { leaderEpoch: options.leaderEpoch });
  }

  /**
   * Appends batches a leader sent this follower, byte for byte: their offsets, leader epochs and
   * timestamps stay as the leader wrote them (Kafka's appendAsFollower). The first must start at the log
   * end and each continue the one before, with a valid CRC and epochs that never go down; otherwise
   * nothing is appended (CorruptRecordError). Durability as for append: waitDurable tells when it is
   * on disk, and recovery after a crash keeps exactly the batches an fsync covered.
   */
  appendAsFollower(batches: Buffer, now: number): AppendResult {
    this.assertWritable();
    const parsed = this.parseBatches(batches);
    let next = this.logEnd;
    let epoch = this.epochs.latestEpoch ?? -1;
    let maxTimestamp = -1;
    for (const { position, header } of parsed) {
      if (header.baseOffset !== next) throw new CorruptRecordError(`replicated batch at ${header.baseOffset} does not follow the log end ${next}`);
      if (header.partitionLeaderEpoch < epoch) throw new CorruptRecordError(`replicated batch at ${header.baseOffset} has leader epoch ${header.partitionLeaderEpoch} below ${epoch}`);
      try {
        validateBatch(batches, header, position);
      } catch (err) {
        if (err instanceof DecodeError) throw new CorruptRecordError(`replicated batch at ${header.baseOffset}: ${err.message}`);
        throw err;
      }
      next = header.baseOffset + header.lastOffsetDelta + 1;
      epoch = header.partitionLeaderEpoch;
      maxTimestamp = Math.max(maxTimestamp, header.maxTimestamp);
    }
    return this.appendParsed(batches, parsed, now, next - this.logEnd, maxTimestamp, -1, 'as-sent');
  }

  /**
   * Writes parsed batches at the log end. A producer's (`assign`) get their offsets, the leader epoch if
   * given and, under LogAppendTime, the broker's time written in place; a leader's (`as-sent`) stay as
   * they are. Batches carrying a leader epoch extend the epoch cache.
   */
  private appendParsed(
    batches: Buffer,
    parsed: ParsedBatch[],
    now: number,
    records: number,
    maxTimestamp: number,
    logAppendTime: number,
    assign: { leaderEpoch: number | undefined } | 'as-sent',
  ): AppendResult {
    const leaderEpoch = assign === 'as-sent' ? undefined : assign.leaderEpoch;
    const cfg = this.cfg;
    const baseOffset = this.logEnd;
    const lastOffset = baseOffset + records - 1;
    if (this.shouldRoll(batches.length, maxTimestamp, lastOffset, now)) this.roll(now);

    const seg = this.active;
    let offset = baseOffset;
    for (const { position, header } of parsed) {
      let batchMaxTimestamp = header.maxTimestamp;
      if (assign !== 'as-sent') {
        setBaseOffset(batches, position, offset);
        if (leaderEpoch !== undefined) setPartitionLeaderEpoch(batches, position, leaderEpoch);
        if (logAppendTime >= 0) {
          stampLogAppendTime(batches, position, header, now);
          batchMaxTimestamp = now;
        }
      }
      const epoch = leaderEpoch ?? header.partitionLeaderEpoch;
      if (epoch >= 0) this.epochs.assign(epoch, offset);
      // Under LogAppendTime the broker's time is the batch's timestamp, and expiry counts from it, as in Kafka.
      if (isProducerDataBatch(header)) this.producerState.record(batchMaxTimestamp === header.maxTimestamp ? header : { ...header, maxTimestamp: batchMaxTimestamp }, offset);
      else if (header.producerId >= 0) this.recordMarker(batches, position, header, offset, batchMaxTimestamp);
      const bytes = batches.subarray(position, position + header.sizeBytes);
      const last = offset + header.lastOffsetDelta;
      const filePosition = seg.size;
      seg.track(filePosition, header.sizeBytes, last, batchMaxTimestamp, cfg.indexIntervalBytes);
      this.cache.push({ baseOffset: offset, lastOffset: last, bytes });
      this.pipeline.enqueue(seg, filePosition, offset, bytes);
      offset = last + 1;
    }
    seg.lastModifiedMs = now;
    this.logEnd = offset;
    if (this.hwFollowsLogEnd) this.advanceHighWatermark(offset, false);
    if (this.logEnd - this.pipeline.durableOffset >= cfg.flushMessages) this.pipeline.requestDurable(this.logEnd - 1);
    for (const listener of this.appendListeners) {
      try {
        listener(offset);
      } catch (err) {
        this.log.error({ err }, 'append listener threw');
      }
    }
    return {
      baseOffset,
      lastOffset,
      logAppendTime,
      logStartOffset: this.logStart,
      recordCount: records,
      batchCount: parsed.length,
      sizeBytes: batches.length,
    };
  }

  /** A control batch written at `offset`: its marker closes the producer's transaction. */
  private recordMarker(batches: Buffer, position: number, header: BatchHeader, offset: number, timestamp: number): void {
    const marker = readEndTxnMarkerBatch(batches, position);
    if (!marker) return;
    const before = this.aborted.size;
    applyMarker(this.producerState, this.aborted, { producerId: header.producerId, producerEpoch: header.producerEpoch, coordinatorEpoch: marker.coordinatorEpoch, commit: marker.commit, timestamp }, offset);
    if (this.aborted.size === before) return;
    // The marker is in the active segment: its entry goes at the end of that segment's file.
    const entry = this.aborted.all().at(-1)!;
    const base = this.active.baseOffset;
    this.writeTxnIndex(() => appendTxnIndexEntry(this.dir, base, entry, this.txnIndexFiles));
  }

  /**
   * Brings the .txnindex files in line with the aborted-transaction index, in order with the snapshot
   * writes: a snapshot at offset X is only written after every entry below X is in its file, which is
   * what loading relies on (it replays only the markers past the snapshot).
   */
  private persistAbortedTxns(): void {
    this.writeTxnIndex(() => persistTxnIndex(this.dir, this.aborted, this.segments.map((seg) => seg.baseOffset), this.txnIndexFiles));
  }

  /** Index file work runs in order with snapshot writes (see persistAbortedTxns). */
  private writeTxnIndex(work: () => Promise<void>): void {
    this.snapshotting = this.snapshotting
      .then(work)
      .catch((err: unknown) => this.log.warn({ err }, 'could not write the aborted transaction index; a restart rebuilds what the snapshots allow'));
  }

  private assertWritable(): void {
    if (this.failure) throw this.failure;
    if (this.refusedWrite) throw this.refusedWrite;
    if (this.closing) throw new LogClosedError(`log ${this.dir} is closed`);
    if (this.truncating) throw new LogTruncatedError(`log ${this.dir} is being truncated`);
  }

  /** Headers of every batch in `batches`, checked before anything is changed. */
  private parseBatches(batches: Buffer): ParsedBatch[] {
    const out: ParsedBatch[] = [];
    let position = 0;
    while (position < batches.length) {
      let header: BatchHeader;
      try {
        header = readBatchHeader(batches, position);
      } catch (err) {
        if (err instanceof DecodeError) throw new CorruptRecordError(err.message);
        throw err;
      }
      if (header.magic !== 2) throw new CorruptRecordError(`record batch magic ${header.magic} is not 2`);
      if (header.lastOffsetDelta < 0) throw new CorruptRecordError(`record batch lastOffsetDelta ${header.lastOffsetDelta} is negative`);
      if (header.sizeBytes > this.cfg.maxMessageBytes) {
        throw new RecordTooLargeError(`record batch of ${header.sizeBytes} bytes exceeds max.message.bytes ${this.cfg.maxMessageBytes}`);
      }
      if (header.sizeBytes > this.cfg.segmentBytes) {
        throw new RecordBatchTooLargeError(`record batch of ${header.sizeBytes} bytes exceeds segment.bytes ${this.cfg.segmentBytes}`);
      }
      out.push({ position, header });
      position += header.sizeBytes;
    }
    if (out.length === 0) throw new CorruptRecordError('no record batch to append');
    return out;
  }

  /**
   * Kafka's roll rule: a non-empty active segment rolls when the new bytes would take it past
   * segment.bytes, when it spans more than segment.ms (measured from its first batch's timestamp to the
   * newest incoming one, or by the wall clock since creation when batches carry no timestamp), or when
   * the new offsets would not fit its int32 relative offsets.
   */
  private shouldRoll(incomingBytes: number, incomingMaxTimestamp: number, lastOffset: number, now: number): boolean {
    const seg = this.active;
    if (seg.isEmpty) return false;
    if (seg.size + incomingBytes > this.cfg.segmentBytes) return true;
    const first = seg.rollingTimestamp;
    const waited = first !== undefined && first >= 0 ? incomingMaxTimestamp - first : now - seg.createdMs;
    if (waited > maxSegmentMs(this.cfg)) return true;
    return lastOffset - seg.baseOffset > MAX_RELATIVE_OFFSET;
  }

  /** Starts a new active segment at the log end. */
  private roll(now: number): void {
    const old = this.active;
    old.sealTimeIndex();
    this.pipeline.sealed(old);
    const seg = Segment.create(this.dir, this.logEnd, now);
    this.pipeline.created(seg);
    this.segments.push(seg);
    this.log.info({ baseOffset: seg.baseOffset, previousBytes: old.size }, 'rolled a new segment');
    if (this.logEnd > this.pipeline.durableOffset) this.pipeline.requestDurable(this.logEnd - 1);
    this.snapshotProducers(this.logEnd);
  }

  /**
   * Writes the producer state as of `offset` (the log end) to `<offset>.snapshot` in the background, as
   * Kafka does at a roll, and deletes all but the newest SNAPSHOTS_KEPT. With no producers it deletes
   * them all instead: nothing before `offset` matters, and a load without snapshots replays only the
   * last segments (producer-state-loader.ts). A snapshot past what a crash
   * leaves of the log is deleted when it is loaded, so it need not wait for the records' fsync.
   */
  private snapshotProducers(offset: number): void {
    const encoded = this.producerState.size > 0 ? encodeSnapshot(this.producerState.entries(), this.producerState.unsettledTxns()) : undefined;
    this.snapshotting = this.snapshotting
      .then(async () => {
        // The snapshot vouches for the index entries below it (loading replays only what follows it).
        await syncTxnIndexFiles(this.dir, this.txnIndexFiles);
        if (encoded) await writeSnapshot(this.dir, offset, encoded);
        const all = await listSnapshots(this.dir);
        const kept = encoded ? SNAPSHOTS_KEPT : 0;
        for (const old of all.slice(0, Math.max(0, all.length - kept))) await deleteSnapshot(this.dir, old);
      })
      .catch((err: unknown) => this.log.warn({ err, offset }, 'could not write a producer state snapshot; a restart replays more of the log'));
  }

  // ---- durability ---------------------------------------------------------------------------------

  /** Resolves once the record at `offset` (and all before it) reached the OS: acks=1. */
  waitWritten(offset: number): Promise<void> {
    if (offset < this.pipeline.writtenOffset) return Promise.resolve();
    return this.waitable(offset) ?? this.pipeline.waitWritten(offset);
  }

  /** Resolves once an fsync covered the record at `offset` (and all before it): acks=all. */
  waitDurable(offset: number): Promise<void> {
    if (offset < this.pipeline.durableOffset) return Promise.resolve();
    return this.waitable(offset) ?? this.pipeline.waitDurable(offset);
  }

  /** Why nobody may wait for `offset` (as a rejected promise), or undefined. */
  private waitable(offset: number): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(this.closed);
    if (offset >= this.logEnd) return Promise.reject(new RangeError(`offset ${offset} is not in the log (end ${this.logEnd})`));
    return undefined;
  }

  /** fsyncs everything appended so far. */
  flush(): Promise<void> {
    return this.logEnd > 0 ? this.waitDurable(this.logEnd - 1) : Promise.resolve();
  }

  /** Kafka's flush.ms: fsyncs if unflushed data is older than the topic allows. LogManager calls it. */
  flushIfDue(now: number): void {
    if (this.failure || this.closing) return;
    const { durableOffset, lastFlushMs } = this.pipeline;
    if (this.logEnd > durableOffset && now - lastFlushMs >= this.cfg.flushMs) this.pipeline.requestDurable(this.logEnd - 1);
  }

  private fail(err: unknown): void {
    if (this.failure) return;
    const cause = err instanceof Error ? err : new Error(String(err));
    this.failure = new StorageError(`log ${this.dir} failed: ${cause.message}`, { cause });
    this.log.error({ err: cause }, 'partition log failed; it refuses further work until reopened');
    this.pipeline.stop(this.failure);
    this.onFailure?.(this.failure);
  }

  /**
   * The disk had no room for the batches from `cut` on. They were never acknowledged (nothing past the
   * written offset is), so they are taken back out: waiters for them fail with KAFKA_STORAGE_ERROR, the
   * log ends at `cut` again, and the torn piece in the file is cut off (were it not, the next batch is
   * written over it at the same position, and recovery cuts a tail it finds invalid). Appends are
   * refused meanwhile; afterwards the next one tries the disk again. Reads go on throughout.
   */
  private diskFull(cut: WriteCut, err: DiskFullError): void {
    const refused = new StorageError(`log ${this.dir} has no space left on its disk: ${err.message}`, { cause: err });
    this.refusedWrite = refused;
    this.log.warn({ offset: cut.offset, segment: cut.seg.baseOffset, position: cut.position, err: err.message }, 'disk full: refusing appends from this offset until space is free');
    // At once, so no read serves them and no producer waits for them; the files follow below.
    this.pipeline.truncated(cut.offset, refused);
    this.logEnd = cut.offset;
    this.epochs.truncateFromEnd(cut.offset);
    this.cache.truncateFrom(cut.offset);
    // No retry may be answered as a duplicate of a batch the disk refused; rollBack restores the rest.
    this.producerState.truncateFrom(cut.offset);
    if (this.hw > cut.offset) this.advanceHighWatermark(cut.offset, true);
    this.generation++;
    this.exclusive(() => this.rollBack(cut, refused)).catch((rollbackErr: unknown) => this.fail(rollbackErr));
  }

  private async rollBack(cut: WriteCut, refused: StorageError): Promise<void> {
    try {
      await this.pipeline.settleWrites();
      await this.pipeline.pauseSyncs();
      // Closed meanwhile (left unclean, so the next open cuts the torn piece), or truncated below the cut.
      if (this.failure || this.closing || this.logEnd < cut.offset) return;
      // Segments rolled after the cut hold only batches that were never written.
      const later = this.segments.filter((s, i) => i > 0 && s.baseOffset >= cut.offset);
      if (later.length > 0) {
        for (const seg of later) seg.deleted = true;
        this.segments = this.segments.filter((s) => !s.deleted);
        this.generation++;
        for (const seg of later) await seg.delete();
      }
      if (this.active === cut.seg) {
        try {
          await cutSegment(cut.seg, cut.position, cut.offset, this.clock());
        } catch (err) {
          // The file is cut; only index entries did not fit either: they wait for the next write pass.
          if (!(err instanceof DiskFullError)) throw err;
          this.pipeline.retryIndexes(cut.seg);
        }
      }
      // Reads never reach past a segment's written bytes, so cutting the torn piece disturbs none.
      if (later.length > 0) await syncDirectory(this.dir);
      await this.snapshotting;
      this.reloadTransactions(await loadProducerState(this.dir, this.segments, this.logStart, this.logEnd, this.log));
      this.log.info({ logEndOffset: this.logEnd }, 'took back the writes the disk refused; appends are accepted again');
    } finally {
      if (this.refusedWrite === refused) this.refusedWrite = undefined;
      this.pipeline.resumeSyncs();
      this.pipeline.resumeWrites();
    }
  }

  // ---- reading ------------------------------------------------------------------------------------

  /**
   * Whole batches from the one holding `fetchOffset`: the first even if larger than maxBytes (unless
   * minOneBatch is false), then as many as fit. Recent batches come from memory; older ones by
   * positional reads of the segment holding the offset (a read never spans two segments).
   * Throws OffsetOutOfRangeError below the log start or above the log end.
   */
  read(fetchOffset: number, maxBytes: number, options: ReadOptions = {}): Promise<ReadResult> {
    return this.retryOnChange(() => this.readOnce(fetchOffset, maxBytes, options));
  }

  private async readOnce(fetchOffset: number, maxBytes: number, options: ReadOptions): Promise<ReadResult> {
    if (this.failure) throw this.failure;
    if (fetchOffset < this.logStart) throw new OffsetOutOfRangeError(fetchOffset, 'below-start', this.logStart, this.logEnd);
    if (fetchOffset > this.logEnd) throw new OffsetOutOfRangeError(fetchOffset, 'above-end', this.logStart, this.logEnd);
    const upTo = Math.min(options.upToOffset ?? this.logEnd, this.logEnd);
    const minOne = options.minOneBatch ?? true;
    const empty: ReadResult = { chunks: [], sizeBytes: 0, firstOffset: -1, nextOffset: fetchOffset };
    if (fetchOffset >= upTo) return empty;
    const cached = this.cache.read(fetchOffset, maxBytes, upTo, minOne);
    if (cached) return cached;
    for (let i = this.segmentIndexFor(fetchOffset); i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      const result = await readSegment(seg, fetchOffset, maxBytes, upTo, minOne, this.cfg.indexIntervalBytes);
      if (result) return result;
      // The offset lies past this segment's written bytes: in a later segment, or just written.
      if (seg.deleted) break;
      const cachedNow = this.cache.read(fetchOffset, maxBytes, upTo, minOne);
      if (cachedNow) return cachedNow;
      i = this.segments.indexOf(seg);
    }
    return empty;
  }

  /** Index of the segment whose range holds `offset` (the last with base <= offset). */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Runs a read, starting over if segments were deleted or truncated while it was in flight. */
  private async retryOnChange<T>(attempt: () => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      if (this.closed) throw this.closed;
      const generation = this.generation;
      try {
        const result = await attempt();
        if (generation === this.generation) return result;
      } catch (err) {
        if (this.closed) throw this.closed;
        if (generation === this.generation || n >= MAX_READ_ATTEMPTS) throw err;
      }
      if (n >= MAX_READ_ATTEMPTS) throw new StorageError(`log ${this.dir} kept changing during a read`);
    }
  }

  /** Waits until everything appended so far is in the files, for lookups that only scan files. */
  private async allWritten(): Promise<void> {
    if (this.logEnd > this.pipeline.writtenOffset) await this.waitWritten(this.logEnd - 1);
  }

  /**
   * ListOffsets by timestamp: the first record at or after the log start whose timestamp is >= `timestamp`,
   * or undefined if there is none. The time index narrows the search to a few batches; only the batch
   * found is decoded (decompressed if need be; zstd needs initCompression) to pick the record.
   */
  async offsetForTimestamp(timestamp: number): Promise<TimestampAndOffset | undefined> {
    await this.allWritten();
    return this.retryOnChange(async () => {
      for (const seg of [...this.segments]) {
        if (seg.maxTimestamp < timestamp) continue;
        const found = await searchTimestamp(seg, timestamp, this.logStart, (b) => this.locateRecord(b, timestamp, this.logStart));
        if (found) return found;
      }
      return undefined;
    });
  }

  /** ListOffsets MAX_TIMESTAMP (-3): the record with the largest timestamp (the first such), if any. */
  async maxTimestampOffset(): Promise<TimestampAndOffset | undefined> {
    await this.allWritten();
    return this.retryOnChange(async () => {
      let best: Segment | undefined;
      for (const seg of this.segments) if (seg.maxTimestamp > (best?.maxTimestamp ?? -1)) best = seg;
      if (!best) return undefined;
      const max = best.maxTimestamp;
      return searchTimestamp(best, max, this.logStart, (b) => this.locateRecord(b, max, this.logStart));
    });
  }

  /** The first record of `batch` with timestamp >= `timestamp` and offset >= `minOffset`. */
  private locateRecord(batch: ScannedBatch, timestamp: number, minOffset: number): TimestampAndOffset | undefined {
    const leaderEpoch = batch.header.partitionLeaderEpoch;
    try {
      const found = this.recordLocator(batch.bytes, timestamp, minOffset);
      return found && { ...found, leaderEpoch };
    } catch (err) {
      // Stored batches passed their CRC; a codec that cannot run (zstd before initCompression) still
      // leaves a usable answer: the batch, whose max timestamp reaches the target.
      this.log.warn({ err, baseOffset: batch.header.baseOffset }, 'cannot decode a stored batch; answering a timestamp lookup with the batch');
      return { offset: Math.max(batch.header.baseOffset, minOffset), timestamp: batch.header.maxTimestamp, leaderEpoch };
    }
  }

  // ---- structural changes -------------------------------------------------------------------------

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.exclusiveTail.then(work, work);
    this.exclusiveTail = run.catch(() => undefined);
    return run;
  }

  private async persistCheckpoint(clean: boolean): Promise<void> {
    const state = { logStart: this.logStart, recoveryPoint: this.pipeline.durableOffset, firstDirty: this.firstDirty, compactedTo: this.compactedTo };
    this.checkpointed = undefined;
    // The epochs first, taken after the recovery point: recovery trusts the file below that point.
    const epochsVersion = this.epochs.version;
    if (epochsVersion !== this.epochsStored) {
      this.epochsStored = -1;
      await writeLeaderEpochFile(this.dir, this.epochs.list());
      this.epochsStored = epochsVersion;
    }
    await writeCheckpoint(this.dir, {
      logStartOffset: state.logStart,
      recoveryPoint: state.recoveryPoint,
      clean,
      logEndOffset: this.logEnd,
      activeSegmentBase: this.active.baseOffset,
      activeSegmentBytes: this.active.size,
      firstDirtyOffset: state.firstDirty,
      compactedTo: state.compactedTo,
    });
    if (!clean) this.checkpointed = state;
  }

  /** Persists the log start offset, recovery point and cleaner progress (if they moved), so a restart rescans little. */
  checkpoint(): Promise<void> {
    return this.exclusive(async () => {
      if (this.failure || this.closing) return;
      const last = this.checkpointed;
      if (
        last &&
        last.logStart === this.logStart &&
        last.recoveryPoint === this.pipeline.durableOffset &&
        last.firstDirty === this.firstDirty &&
        last.compactedTo === this.compactedTo &&
        this.epochsStored === this.epochs.version
      ) {
        return;
      }
      await this.persistCheckpoint(false);
    });
  }

  /**
   * Takes segments out of the log: reads stop seeing them at once, their files go, then the new log
   * start is persisted (its directory fsync makes the removals durable too). Files first, so that on a
   * full disk retention frees space before it needs any for the checkpoint; a crash in between leaves
   * an older log start, and open starts the log at its first segment then.
   */
  private async removeSegments(victims: Segment[], reason: string): Promise<void> {
    if (victims.length === 0) return;
    for (const seg of victims) seg.deleted = true;
    this.segments = this.segments.filter((s) => !s.deleted);
    this.generation++;
    this.logStart = Math.max(this.logStart, this.segments[0]!.baseOffset);
    this.epochs.truncateFromStart(this.logStart);
    this.aborted.dropBelow(this.logStart);
    this.persistAbortedTxns();
    for (const seg of victims) {
      this.log.info({ baseOffset: seg.baseOffset, bytes: seg.size, reason }, 'deleting segment');
      await seg.delete();
    }
    await this.persistCheckpoint(false);
  }

  /**
   * DeleteRecords: moves the log start to `offset` (at most the high watermark) and deletes the segments
   * wholly below it. Resolves with the new log start once it is durable.
   */
  deleteRecordsBefore(offset: number): Promise<number> {
    return this.exclusive(async () => {
      if (this.failure) throw this.failure;
      if (this.closing) throw new LogClosedError(`log ${this.dir} is closed`);
      // Kafka refuses it unless the policy deletes: a compacted log keeps every key's latest record.
      if (!this.cfg.delete) throw new PolicyViolationError(`records of ${this.dir} can not be deleted due to the configured policy`);
      if (offset > this.hw || offset < 0) throw new OffsetOutOfRangeError(offset, offset < 0 ? 'below-start' : 'above-end', this.logStart, this.hw);
      if (offset <= this.logStart) return this.logStart;
      this.logStart = offset;
      this.epochs.truncateFromStart(offset);
      const victims = this.segments.filter((s, i) => i + 1 < this.segments.length && this.segments[i + 1]!.baseOffset <= offset);
      if (victims.length > 0) await this.removeSegments(victims, 'log start offset moved past it');
      else await this.persistCheckpoint(false);
      return this.logStart;
    });
  }

  /**
   * Deletes segments past retention, as Kafka does: first while the oldest segment's newest timestamp is
   * older than retention.ms, then oldest first while the log stays at least retention.bytes without it.
   * Only segments wholly below the high watermark go; an empty active segment stays; an expired
   * active segment is rolled first so it can go. Only under cleanup.policy delete (alone or with
   * compact). Returns how many segments were deleted.
   */
  applyRetention(now: number): Promise<number> {
    return this.exclusive(async () => {
      if (this.failure || this.closing || !this.cfg.delete) return 0;
      let deleted = 0;
      const { retentionMs, retentionBytes } = this.cfg;
      if (retentionMs >= 0) {
        deleted += await this.deleteOldest(now, 'retention.ms', (seg) => now - seg.largestTimestamp > retentionMs);
      }
      if (retentionBytes >= 0) {
        let excess = this.sizeBytes - retentionBytes;
        deleted += await this.deleteOldest(now, 'retention.bytes', (seg) => {
          if (excess - seg.size < 0) return false;
          excess -= seg.size;
          return true;
        });
      }
      return deleted;
    });
  }

  private async deleteOldest(now: number, reason: string, expired: (seg: Segment) => boolean): Promise<number> {
    const victims: Segment[] = [];
    for (let i = 0; i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      const next = this.segments[i + 1];
      const end = next ? next.baseOffset : this.logEnd;
      if (end > this.hw || (!next && seg.isEmpty) || !expired(seg)) break;
      victims.push(seg);
    }
    if (victims.includes(this.active)) this.roll(now);
    await this.removeSegments(victims, reason);
    return victims.length;
  }

  /**
   * Removes every record at or after `offset` (whole batches: the log ends at the start of the batch
   * holding `offset`), for replication. Appends are refused meanwhile; waiters for removed records are
   * rejected. Resolves with the new log end once the truncation is durable.
   */
  truncateTo(offset: number): Promise<number> {
    return this.cut(offset, false);
  }

  /**
   * Drops the whole log and starts it empty at `offset`, which may lie past the log end: a follower
   * whose leader deleted everything it lacks starts again where the leader's log starts.
   */
  restartAt(offset: number): Promise<number> {
    return this.cut(offset, true);
  }

  private cut(offset: number, full: boolean): Promise<number> {
    return this.exclusive(async () => {
      if (this.failure) throw this.failure;
      if (this.closing) throw new LogClosedError(`log ${this.dir} is closed`);
      if (offset < 0) throw new RangeError(`cannot truncate to ${offset}`);
      if (offset >= this.logEnd && !full) return this.logEnd;
      this.truncating = true;
      try {
        await this.pipeline.settleWrites();
        // A sync pass finishing after the cut would declare the removed offsets durable.
        await this.pipeline.pauseSyncs();
        if (this.failure) throw this.failure;
        if (offset < this.logStart || full) {
          await this.truncateFully(offset);
        } else {
          await this.truncateWithin(offset);
          // The batch holding `offset` began below the log start: nothing readable is left.
          if (this.logEnd < this.logStart) await this.truncateFully(this.logStart);
        }
        const end = this.logEnd;
        this.truncations++;
        this.epochs.truncateFromEnd(end);
        // Kafka's truncateAndReload: the state of the batches still stored, from a snapshot and the log.
        await this.snapshotting;
        this.reloadTransactions(await loadProducerState(this.dir, this.segments, this.logStart, end, this.log));
        // Gaps and cleaned records now lie below the new end at most (Kafka's maybeTruncateCheckpoint).
        this.firstDirty = Math.min(this.firstDirty, end);
        this.compactedTo = Math.min(this.compactedTo, end);
        this.cache.truncateFrom(end);
        const hw = Math.min(Math.max(this.hw, this.logStart), end);
        if (hw !== this.hw) this.advanceHighWatermark(hw, true);
        this.pipeline.truncated(end, new LogTruncatedError(`records from ${end} were truncated from ${this.dir}`));
        await syncDirectory(this.dir);
        // An emptied log (restarted at an offset maybe past its old end) is all durable: its one segment
        // is new and empty, and the directory holding it was just synced.
        if (this.logStart === end) this.pipeline.allDurable(end);
        await this.persistCheckpoint(false);
        // Reads that overlapped the truncation start over against the new state.
        this.generation++;
        this.log.info({ offset, logEndOffset: end }, 'truncated the log');
        return end;
      } finally {
        this.truncating = false;
        this.pipeline.resumeSyncs();
      }
    });
  }

  private async truncateWithin(offset: number): Promise<void> {
    const later = this.segments.filter((s, i) => i > 0 && s.baseOffset >= offset);
    for (const seg of later) seg.deleted = true;
    this.segments = this.segments.filter((s) => !s.deleted);
    this.generation++;
    for (const seg of later) await seg.delete();
    const seg = this.active;
    await truncateSegment(seg, offset, this.clock());
    // A cleaned segment may end in a gap past its last batch: the log then ends at `offset` itself.
    seg.nextOffset = Math.min(seg.nextOffset, offset);
    this.logEnd = seg.nextOffset;
  }

  /** Truncation below the log start: nothing is kept; the log restarts empty at `offset`. */
  private async truncateFully(offset: number): Promise<void> {
    const old = this.segments;
    for (const seg of old) seg.deleted = true;
    const seg = Segment.create(this.dir, offset, this.clock());
    await seg.ready;
    this.segments = [seg];
    this.generation++;
    for (const s of old) await s.delete();
    this.cache.clear();
    this.epochs.clear();
    this.logStart = offset;
    this.logEnd = offset;
    // Every snapshot describes records that are gone now (Kafka's truncateFullyAndStartAt).
    await this.snapshotting;
    for (const old of await listSnapshots(this.dir)) await deleteSnapshot(this.dir, old);
  }

  /** Producer state and aborted transactions rebuilt from disk (after a truncation), their files brought in line. */
  private reloadTransactions(txns: TransactionState): void {
    this.producerState = txns.producers;
    this.producerState.onHighWatermark(this.hw);
    this.aborted = txns.aborted;
    this.txnIndexFiles = txns.txnIndexFiles;
    this.persistAbortedTxns();
  }

  private advanceHighWatermark(offset: number, allowDecrease: boolean): void {
    if (offset === this.hw || (offset < this.hw && !allowDecrease)) return;
    this.hw = offset;
    this.producerState.onHighWatermark(offset);
    for (const listener of this.hwListeners) {
      try {
        listener(offset);
      } catch (err) {
        this.log.error({ err }, 'high watermark listener threw');
      }
    }
  }

  // ---- leader epochs ------------------------------------------------------------------------------

  /** The leader epoch cache's entries, oldest first. */
  leaderEpochEntries(): EpochEntry[] {
    return this.epochs.list();
  }

  /** The newest epoch that wrote to (or leads) this log, if any. */
  get latestLeaderEpoch(): number | undefined {
    return this.epochs.latestEpoch;
  }

  /**
   * Where `epoch` ends in this log (OffsetForLeaderEpoch; see LeaderEpochCache.endOffsetFor), or
   * undefined when the cache cannot tell (Kafka then answers UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET).
   */
  endOffsetForEpoch(epoch: number): EpochEndOffset | undefined {
    const found = this.epochs.endOffsetFor(epoch, this.logEnd);
    return found.endOffset < 0 ? undefined : found;
  }

  /**
   * A leader starting `epoch` records where it begins (the log end), before it appends anything, as
   * Kafka's makeLeader does; persisted with the next checkpoint. An epoch older than the log's latest
   * would erase newer ones: refused.
   */
  startLeaderEpoch(epoch: number): void {
    const latest = this.epochs.latestEpoch;
    if (latest !== undefined && epoch < latest) throw new RangeError(`leader epoch ${epoch} is older than the log's ${latest}`);
    this.epochs.assign(epoch, this.logEnd);
  }

  /**
   * Replication decided the epochs (a follower truncating where the leader says, a leader dropping an
   * epoch it never wrote in): the cache takes `entries`, persisted with the next checkpoint. Entries
   * must lie within the log; the same list is a no-op.
   */
  replaceLeaderEpochs(entries: readonly EpochEntry[]): void {
    const current = this.epochs.list();
    if (current.length === entries.length && current.every((e, i) => e.epoch === entries[i]!.epoch && e.startOffset === entries[i]!.startOffset)) return;
    const last = entries[entries.length - 1];
    if (last && last.startOffset > this.logEnd) throw new RangeError(`leader epoch ${last.epoch} starts at ${last.startOffset}, past the log end ${this.logEnd}`);
    this.epochs.clear();
    for (const e of entries) this.epochs.assign(e.epoch, e.startOffset);
  }

  // ---- compaction ---------------------------------------------------------------------------------

  get firstDirtyOffset(): number {
    return this.firstDirty;
  }

  /** A snapshot for the log cleaner to plan a pass from. */
  cleanerView(): CleanerView {
    return {
      segments: [...this.segments],
      config: this.cfg,
      logStartOffset: this.logStart,
      logEndOffset: this.logEnd,
      firstDirtyOffset: this.firstDirty,
      cleanableEnd: Math.min(this.lastStableOffset, this.pipeline.durableOffset),
      truncations: this.truncations,
      abortedTxns: [...this.aborted.all()],
    };
  }

  /** How many truncations this log has seen (CleanerView.truncations, without the snapshot). */
  get truncationCount(): number {
    return this.truncations;
  }

  /** Whether the log refuses further work (closed, closing or failed): a cleaning of it is pointless. */
  get stopped(): boolean {
    return this.failure !== undefined || this.closing !== undefined;
  }

  /**
   * Swaps a cleaned segment in for the segments it replaces, crash-safely (cleaner/swap.ts): the new
   * compactedTo is made durable first, then the old files are set aside, the swap committed, reads moved
   * to the new segment, the old files removed. Resolves false (deleting the cleaned files) if the log
   * changed since the round was planned: truncated, replaced segments deleted, closed. A disk error
   * half-way fails the log; reopening completes or undoes the swap.
   */
  replaceSegments(swap: SegmentSwap): Promise<boolean> {
    const { cleaned, replaced } = swap;
    return this.exclusive(async () => {
      const first = this.segments.indexOf(replaced[0]!);
      const valid =
        !this.stopped &&
        swap.truncations === this.truncations &&
        first >= 0 &&
        first + replaced.length < this.segments.length &&
        replaced.every((seg, i) => this.segments[first + i] === seg && !seg.deleted);
      if (!valid) {
        await cleaned.delete();
        return false;
      }
      const next = this.segments[first + replaced.length]!;
      if (swap.compactedTo > this.compactedTo) {
        const previous = this.compactedTo;
        this.compactedTo = swap.compactedTo;
        try {
          await this.persistCheckpoint(false);
        } catch (err) {
          this.compactedTo = previous;
          // The old checkpoint still stands and nothing was swapped: a full disk only defers the swap.
          if (!isDiskFull(err)) this.fail(err);
          await cleaned.delete();
          throw this.failure ?? err;
        }
      }
      try {
        await setAside(this.dir, replaced);
        await commitSwap(this.dir, cleaned);
      } catch (err) {
        this.fail(err);
        throw this.failure ?? err;
      }
      // The cleaned segment spans up to the next one, whatever its last batch.
      cleaned.nextOffset = next.baseOffset;
      this.segments.splice(first, replaced.length, cleaned);
      this.generation++;
      // The replaced segments' aborted transactions now belong to the cleaned one's file.
      this.persistAbortedTxns();
      this.cache.dropBelow(next.baseOffset);
      try {
        await finishSwap(this.dir, cleaned, replaced);
      } catch (err) {
        this.fail(err);
        throw this.failure ?? err;
      }
      this.log.info({ baseOffset: cleaned.baseOffset, replaced: replaced.map((s) => s.baseOffset), bytes: cleaned.size }, 'swapped in a cleaned segment');
      return true;
    });
  }

  /** Records a finished cleaning round: records below `firstDirtyOffset` are compacted (durably). */
  cleaned(firstDirtyOffset: number, truncations: number): Promise<void> {
    return this.exclusive(async () => {
      if (this.stopped || truncations !== this.truncations) return;
      this.firstDirty = firstDirtyOffset;
      await this.persistCheckpoint(false);
    });
  }

  /**
   * Writes and fsyncs everything, seals the active segment's time index, records a clean shutdown in
   * the checkpoint (so the next open skips recovery) and closes the files. Appends are refused from
   * the moment it is called.
   */
  close(): Promise<void> {
    this.closing ??= this.exclusive(async () => {
      await this.pipeline.settleWrites();
      await this.pipeline.pauseSyncs();
      // With refused writes not yet taken back out, the files are not in a state to call clean.
      if (!this.failure && !this.refusedWrite) {
        // As Kafka at a clean shutdown: the next start restores producer state without a replay.
        this.snapshotProducers(this.logEnd);
        await this.snapshotting;
        try {
          this.active.sealTimeIndex();
          const work: Promise<void>[] = [];
          for (const seg of this.segments) {
            const finish = async (): Promise<void> => {
              await seg.ready;
              await seg.writeIndexes();
              if (seg.logDirty || seg.indexesDirty) await seg.sync(seg.indexesDirty);
            };
            work.push(finish());
          }
          await Promise.all(work);
          await syncDirectory(this.dir);
          this.pipeline.allDurable(this.logEnd);
          await this.persistCheckpoint(true);
        } catch (err) {
          this.fail(err);
        }
      }
      const closed = new LogClosedError(`log ${this.dir} is closed`);
      this.closed = closed;
      this.pipeline.stop(closed);
      await Promise.all(this.segments.map((s) => s.close()));
      this.cache.clear();
      this.hwListeners.clear();
      this.appendListeners.clear();
      if (this.failure) throw this.failure;
      this.log.info({ logEndOffset: this.logEnd }, 'partition log closed');
    });
    return this.closing;
  }
}

/** LogAppendTime: the batch carries the broker's clock as its max timestamp; the CRC covers both. */
function stampLogAppendTime(buf: Buffer, position: number, header: BatchHeader, now: number): void {
  setMaxTimestamp(buf, position, header, now, header.attributes | TIMESTAMP_TYPE_BIT);
}
