// How appended batches reach the disk. A single writer drains the queue: everything appended while the
// previous write was in flight, or within one tick, goes out as one writev per segment. Durability is
// group commit: one fsync pass at a time (so at most one fsync per file), covering every file written
// so far, settles every waiter below what it covered.
//
// A write the disk refuses (no space) did not happen: the writer stops at the first batch not fully
// written, drops everything queued after it and hands that cut point to the log, which takes the
// batches back out (see PartitionLog.rollBack). Writing resumes with the next append, so once space is
// freed the log takes writes again without a restart. Any other error (EIO, a failed fsync) is final.
import { DiskFullError, isDiskFull, writeAll } from '../fs/write-all.js';
import { syncDirectory } from '../fs/dir-sync.js';
import { OffsetWaiters } from './offset-waiters.js';
import type { Segment } from './segment.js';

/** Counters of the disk work done, for metrics and for tests that check batching. */
export interface LogIoStats {
  /** writev calls on segment files. */
  logWrites: number;
  /** Group-commit passes (each fsyncs every file dirty at its start, in parallel). */
  syncPasses: number;
}

/** What the pipeline needs from the log it serves. */
export interface PipelineHost {
  readonly dir: string;
  /** The segments, oldest first; the last is the active one. */
  segments(): readonly Segment[];
  /** One past the last offset appended (every batch below it is queued or written). */
  logEnd(): number;
  /** After each write pass, with the new written offset. */
  written(offset: number): void;
  /** A write or fsync failed for good; the pipeline has stopped. */
  failed(err: unknown): void;
  /**
   * The disk had no room for the batches from `cut` on: none of them counts as written, the queue is
   * dropped and writing is held until the host has taken them out of the log and calls resumeWrites.
   */
  diskFull(cut: WriteCut, err: DiskFullError): void;
  clock(): number;
}

/** Where a refused write began: its first batch's offset, and its segment and byte position there. */
export interface WriteCut {
  seg: Segment;
  position: number;
  offset: number;
}

interface QueuedWrite {
  seg: Segment;
  position: number;
  /** Offset of the first record of the first batch. */
  offset: number;
  bytes: number;
  buffers: Buffer[];
}

export class WritePipeline {
  /** Offsets below this reached the OS. */
  writtenOffset: number;
  /** Offsets below this are fsynced (the recovery point). */
  durableOffset: number;
  /** When the last fsync pass finished (Kafka's flush.ms counts from it). */
  lastFlushMs: number;
  /** Durability wanted for offsets below this. */
  private syncWanted: number;
  private queue: QueuedWrite[] = [];
  /** Segments with index entries to write that no queued batch will carry (a sealed time index). */
  private readonly indexPending = new Set<Segment>();
  private writeScheduled = false;
  private writing = false;
  private syncing = false;
  /** Truncation or close is under way: no fsync pass may start beside it. */
  private syncPaused = false;
  /** A segment file was created since the directory's last fsync. */
  private dirDirty = false;
  private stopped: Error | undefined;
  /** A write was refused for lack of space; nothing is written until the host rolled back. */
  private held = false;
  /** Segments whose index write was refused for lack of space: tried again with the next pass. */
  private readonly indexRetry = new Set<Segment>();
  private readonly writtenWaiters = new OffsetWaiters();
  private readonly durableWaiters = new OffsetWaiters();
  private writerIdle: (() => void)[] = [];
  private syncIdle: (() => void)[] = [];
  private readonly io: LogIoStats = { logWrites: 0, syncPasses: 0 };

  constructor(
    private readonly host: PipelineHost,
    offset: number,
  ) {
    this.writtenOffset = offset;
    this.durableOffset = offset;
    this.syncWanted = offset;
    this.lastFlushMs = host.clock();
  }

  get stats(): LogIoStats {
    return { ...this.io };
  }

  /** Queues the batch `bytes` starting at `offset` for `seg` at `position`; it joins the previous write when contiguous. */
  enqueue(seg: Segment, position: number, offset: number, bytes: Buffer): void {
    const last = this.queue[this.queue.length - 1];
    if (last && last.seg === seg && last.position + last.bytes === position) {
      last.buffers.push(bytes);
      last.bytes += bytes.length;
    } else {
      this.queue.push({ seg, position, offset, bytes: bytes.length, buffers: [bytes] });
    }
    this.schedule();
  }

  /** A segment stopped growing: its sealed time index is written even if no batch follows. */
  sealed(seg: Segment): void {
    this.indexPending.add(seg);
    this.schedule();
  }

  /** A segment's files are being created: once they exist, the directory needs an fsync. */
  created(seg: Segment): void {
    seg.ready = seg.ready.then(() => {
      this.dirDirty = true;
    });
    // The writer reports a failure to create them when it reaches the segment's first batch.
    seg.ready.catch(() => undefined);
  }

  private schedule(): void {
    if (this.writeScheduled || this.writing || this.held) return;
    this.writeScheduled = true;
    setImmediate(() => {
      this.writeScheduled = false;
      void this.runWriter();
    });
  }

  private async runWriter(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (!this.stopped && !this.held && (this.queue.length > 0 || this.indexPending.size > 0)) {
        const items = this.queue;
        this.queue = [];
        const touched = new Set([...this.indexPending, ...this.indexRetry]);
        this.indexPending.clear();
        this.indexRetry.clear();
        let target = this.host.logEnd();
        for (const item of items) {
          const seg = item.seg;
          try {
            await seg.ready;
            if (seg.deleted) continue;
            this.io.logWrites++;
            await writeAll(seg.log, item.buffers, item.position);
          } catch (err) {
            if (!isDiskFull(err)) throw err;
            target = item.offset;
            this.hold({ seg, position: item.position, offset: item.offset }, err);
            break;
          }
          seg.writtenSize = Math.max(seg.writtenSize, item.position + item.bytes);
          seg.logDirty = true;
          touched.add(seg);
        }
        // The active segment's index entries serve lookups from memory and recovery rebuilds its
        // files, so they reach them only when it is sealed or closed: a write pass is one syscall, not
        // three (for a follower, whose passes are small, the index writes had cost more than the data).
        const active = this.host.segments().at(-1);
        for (const seg of touched) if (seg !== active) await this.writeIndexes(seg);
        this.writtenOffset = Math.max(this.writtenOffset, target);
        this.host.written(this.writtenOffset);
        this.writtenWaiters.settleBelow(this.writtenOffset);
        if (this.syncWanted > this.durableOffset) this.kickSync();
      }
    } catch (err) {
      this.host.failed(err);
    } finally {
      this.writing = false;
      wake(this.writerIdle.splice(0));
    }
  }

  /** Stops writing at `cut`: what was queued after it goes too, and the host takes it all back. */
  private hold(cut: WriteCut, err: unknown): void {
    this.held = true;
    this.queue = [];
    const full = err instanceof DiskFullError ? err : new DiskFullError(`no space for a segment file: ${(err as Error).message}`, 0, { cause: err });
    this.host.diskFull(cut, full);
  }

  /**
   * Index entries are an aid to lookups (recovery rebuilds the active segment's): a write refused for
   * lack of space leaves them pending for the next pass instead of failing the log.
   */
  private async writeIndexes(seg: Segment): Promise<void> {
    try {
      await seg.ready;
      if (!seg.deleted && seg.indexesPending) await seg.writeIndexes();
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      this.indexRetry.add(seg);
    }
  }

  /** `seg`'s index entries could not be written: the next write pass tries again. */
  retryIndexes(seg: Segment): void {
    this.indexRetry.add(seg);
  }

  /** The host took the refused batches out of the log: appends may be written again. */
  resumeWrites(): void {
    this.held = false;
    if (this.queue.length > 0 || this.indexPending.size > 0) this.schedule();
  }

  /** Resolves when nothing is queued or being written (the caller keeps appends out meanwhile). */
  async settleWrites(): Promise<void> {
    while (!this.stopped && (this.writing || (!this.held && (this.writeScheduled || this.queue.length > 0 || this.indexPending.size > 0)))) {
      if (!this.writing && !this.writeScheduled) this.schedule();
      await new Promise<void>((resolve) => this.writerIdle.push(resolve));
    }
  }

  /** Asks for an fsync covering `offset`; passes start once its bytes are written. */
  requestDurable(offset: number): void {
    this.syncWanted = Math.max(this.syncWanted, offset + 1);
    if (this.writtenOffset > this.durableOffset) this.kickSync();
  }

  private kickSync(): void {
    if (!this.syncing && !this.syncPaused && !this.stopped) void this.runSync();
  }

  /**
   * One pass fsyncs every file written since its last fsync (and the directory after a segment was
   * created); then everything written before the pass started is durable. Passes repeat while more is
   * wanted than is durable and more has been written.
   */
  private async runSync(): Promise<void> {
    this.syncing = true;
    try {
      while (!this.stopped && !this.syncPaused && this.syncWanted > this.durableOffset && this.writtenOffset > this.durableOffset) {
        const target = this.writtenOffset;
        const segments = this.host.segments();
        const active = segments[segments.length - 1];
        const work: Promise<void>[] = [];
        for (const seg of segments) {
          if (seg.deleted) continue;
          // The active segment's indexes are rebuilt by recovery anyway; a finished one's are trusted,
          // and once fsynced they are final, so their files are closed.
          const withIndexes = seg !== active && seg.indexesDirty;
          if (withIndexes) work.push(seg.sync(true).then(() => seg.releaseIndexFiles()));
          else if (seg.logDirty) work.push(seg.sync(false));
        }
        if (this.dirDirty) {
          this.dirDirty = false;
          work.push(syncDirectory(this.host.dir));
        }
        this.io.syncPasses++;
        await Promise.all(work);
        this.durableOffset = Math.max(this.durableOffset, target);
        this.lastFlushMs = this.host.clock();
        this.durableWaiters.settleBelow(this.durableOffset);
      }
    } catch (err) {
      this.host.failed(err);
    } finally {
      this.syncing = false;
      wake(this.syncIdle.splice(0));
    }
  }

  /** Stops fsync passes (for a truncation or close) once the one in flight, if any, is done. */
  async pauseSyncs(): Promise<void> {
    this.syncPaused = true;
    while (this.syncing) await new Promise<void>((resolve) => this.syncIdle.push(resolve));
  }

  resumeSyncs(): void {
    this.syncPaused = false;
    if (this.syncWanted > this.durableOffset) this.kickSync();
  }

  /** Resolves once the record at `offset` reached the OS. */
  waitWritten(offset: number): Promise<void> {
    return offset < this.writtenOffset ? Promise.resolve() : this.writtenWaiters.wait(offset);
  }

  /** Resolves once an fsync covered the record at `offset`. */
  waitDurable(offset: number): Promise<void> {
    if (offset < this.durableOffset) return Promise.resolve();
    const done = this.durableWaiters.wait(offset);
    this.requestDurable(offset);
    return done;
  }

  /** The log now ends at `end` (truncation): later offsets were never written; their waiters fail. */
  truncated(end: number, err: Error): void {
    this.writtenOffset = Math.min(this.writtenOffset, end);
    this.durableOffset = Math.min(this.durableOffset, end);
    this.syncWanted = Math.min(this.syncWanted, end);
    this.writtenWaiters.rejectFrom(end, err);
    this.durableWaiters.rejectFrom(end, err);
  }

  /** close() fsynced everything itself: all of the log up to `end` is durable. */
  allDurable(end: number): void {
    this.writtenOffset = Math.max(this.writtenOffset, end);
    this.durableOffset = Math.max(this.durableOffset, end);
    this.writtenWaiters.settleBelow(end);
    this.durableWaiters.settleBelow(end);
  }

  /** Stops for good: no more writes or fsyncs; every waiter fails with `err`. */
  stop(err: Error): void {
    this.stopped ??= err;
    this.writtenWaiters.rejectFrom(0, err);
    this.durableWaiters.rejectFrom(0, err);
  }
}

function wake(waiters: (() => void)[]): void {
  for (const resolve of waiters) resolve();
}
