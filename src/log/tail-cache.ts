// The most recently appended batches, as the very buffers producers sent, so consumers at the tail are
// served without a disk read or a copy. Batches not yet written are always here (a read could not get
// them from the file); written ones stay until the byte budget pushes them out, except that those a
// replicated partition's followers have yet to fetch stay up to a larger budget: with acks=all
// produces pipelined, a leader runs megabytes ahead of its followers, and reading those back from the
// segment files cost the leader more CPU than anything else it did for them.

export interface CachedBatch {
  baseOffset: number;
  lastOffset: number;
  bytes: Buffer;
}

export interface CachedRead {
  chunks: Buffer[];
  sizeBytes: number;
  firstOffset: number;
  nextOffset: number;
}

/** Compaction threshold for the consumed front of the array. */
const COMPACT_AFTER = 1024;

export class TailCache {
  /** Slots before `head` are emptied as batches leave, so a dropped batch's buffer is freed at once. */
  private entries: (CachedBatch | undefined)[] = [];
  private head = 0;
  private bytes = 0;

  constructor(
    private readonly budgetBytes: number,
    /** The budget while the oldest batch is one followers still need (at or above `keepFrom`). */
    private readonly replicaBudgetBytes = budgetBytes,
  ) {}

  get sizeBytes(): number {
    return this.bytes;
  }

  get firstOffset(): number | undefined {
    return this.entries[this.head]?.baseOffset;
  }

  push(batch: CachedBatch): void {
    this.entries.push(batch);
    this.bytes += batch.bytes.length;
  }

  /**
   * Drops the oldest batches beyond the budget, but only those below `writtenOffset`; those from
   * `keepFrom` on (not replicated yet) only beyond the replica budget.
   */
  evict(writtenOffset: number, keepFrom = writtenOffset): void {
    while (this.bytes > this.budgetBytes && this.head < this.entries.length) {
      const last = this.entries[this.head]!.lastOffset;
      if (last >= writtenOffset || (last >= keepFrom && this.bytes <= this.replicaBudgetBytes)) break;
      this.dropFront();
    }
  }

  private dropFront(): void {
    this.bytes -= this.entries[this.head]!.bytes.length;
    this.entries[this.head++] = undefined;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** Drops batches that end at or after `offset` (truncation). */
  truncateFrom(offset: number): void {
    while (this.entries.length > this.head && this.entries[this.entries.length - 1]!.lastOffset >= offset) {
      this.bytes -= this.entries.pop()!.bytes.length;
    }
  }

  /** Drops the batches that start below `offset` (the cleaner rewrote them on disk). */
  dropBelow(offset: number): void {
    while (this.head < this.entries.length && this.entries[this.head]!.baseOffset < offset) this.dropFront();
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
    this.bytes = 0;
  }

  /**
   * Whole batches from the one holding `offset` while under `maxBytes` (the first even if larger, when
   * `minOneBatch`), all ending below `upTo`. Undefined if `offset` is older than the cache.
   */
  read(offset: number, maxBytes: number, upTo: number, minOneBatch: boolean): CachedRead | undefined {
    const first = this.entries[this.head];
    if (!first || offset < first.baseOffset) return undefined;
    let lo = this.head;
    let hi = this.entries.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    const chunks: Buffer[] = [];
    let sizeBytes = 0;
    let nextOffset = offset;
    let firstOffset = -1;
    for (let i = lo; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.lastOffset < offset) continue;
      if (e.lastOffset >= upTo) break;
      if (sizeBytes + e.bytes.length > maxBytes && (chunks.length > 0 || !minOneBatch)) break;
      if (chunks.length === 0) firstOffset = e.baseOffset;
      chunks.push(e.bytes);
      sizeBytes += e.bytes.length;
      nextOffset = e.lastOffset + 1;
    }
    return { chunks, sizeBytes, firstOffset, nextOffset };
  }
}
