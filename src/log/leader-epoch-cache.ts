// Which leader epoch wrote which part of the log: one (epoch, start offset) entry per epoch, as Kafka's
// LeaderEpochFileCache keeps it. A follower asks the leader where its last epoch ended
// (OffsetForLeaderEpoch) and truncates what the leader never had (KIP-101/279); consumers ask the same
// to notice a truncation after a leader change (KIP-320). Pure: the partition log keeps it on disk
// (leader-epoch-file.ts) and the replication core (src/consensus) reasons with the same rules.

/** The largest leader epoch: Kafka's epochs are Java ints. */
export const MAX_LEADER_EPOCH = 0x7fffffff;
/** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export interface EpochEndOffset {
  /** The largest known epoch at or below the one asked for, or UNDEFINED_EPOCH. */
  epoch: number;
  /** Where that epoch ended: the next epoch's start, or the log end for the latest; or UNDEFINED_EPOCH_OFFSET. */
  endOffset: number;
}

/** The entries, epochs and start offsets both strictly rising. */
export class LeaderEpochCache {
  private entries: EpochEntry[];
  private changes = 0;

  constructor(entries: readonly EpochEntry[] = []) {
    this.entries = entries.map((e) => ({ ...e }));
  }

  /** Bumped by every change, so the log knows whether its file is current. */
  get version(): number {
    return this.changes;
  }

  list(): EpochEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  get latestEpoch(): number | undefined {
    return this.entries[this.entries.length - 1]?.epoch;
  }

  /**
   * Records that `epoch` starts at `startOffset`, Kafka's assign: needed when the epoch differs from the
   * latest or starts earlier; entries that would break the rising order (an epoch or start at or past
   * the new one) go first. Returns whether anything changed.
   */
  assign(epoch: number, startOffset: number): boolean {
    if (!Number.isInteger(epoch) || epoch < 0 || epoch > MAX_LEADER_EPOCH || !Number.isSafeInteger(startOffset) || startOffset < 0) {
      throw new RangeError(`invalid leader epoch entry ${epoch}@${startOffset}`);
    }
    const latest = this.entries[this.entries.length - 1];
    if (latest && latest.epoch === epoch && latest.startOffset <= startOffset) return false;
    let keep = this.entries.length;
    while (keep > 0 && (this.entries[keep - 1]!.epoch >= epoch || this.entries[keep - 1]!.startOffset >= startOffset)) keep--;
    this.entries.length = keep;
    this.entries.push({ epoch, startOffset });
    this.changes++;
    return true;
  }

  /**
   * What recovery makes of a stored batch (Kafka's LogSegment.recover): a batch stamped with an epoch
   * newer than the latest starts that epoch. Batches without an epoch (-1) say nothing.
   */
  observeBatch(epoch: number, baseOffset: number): void {
    if (epoch >= 0 && epoch > (this.latestEpoch ?? -1)) this.assign(epoch, baseOffset);
  }

  /**
   * Kafka's endOffsetFor: for the latest epoch the log end; for an older one the largest known epoch at
   * or below it and the start of the next; for one below every entry that epoch itself and the first
   * entry's start (the log's records before it are gone); undefined for -1 or an epoch above all.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH) return undefinedAnswer;
    if (this.latestEpoch === requestedEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higher = this.entries.findIndex((e) => e.epoch > requestedEpoch);
    if (higher < 0) return undefinedAnswer;
    const next = this.entries[higher]!;
    if (higher === 0) return { epoch: requestedEpoch, endOffset: next.startOffset };
    return { epoch: this.entries[higher - 1]!.epoch, endOffset: next.startOffset };
  }

  /** Removes the entries starting at or after `endOffset` (the log was cut there). */
  truncateFromEnd(endOffset: number): void {
    let keep = this.entries.length;
    while (keep > 0 && this.entries[keep - 1]!.startOffset >= endOffset) keep--;
    if (keep === this.entries.length) return;
    this.entries.length = keep;
    this.changes++;
  }

  /**
   * The log now starts at `startOffset`: entries starting at or below it go, and the last of them comes
   * back starting at `startOffset` (the epoch its first remaining records belong to), as Kafka clamps.
   */
  truncateFromStart(startOffset: number): void {
    let removed = 0;
    while (removed < this.entries.length && this.entries[removed]!.startOffset <= startOffset) removed++;
    if (removed === 0) return;
    const clamped = { epoch: this.entries[removed - 1]!.epoch, startOffset };
    if (removed === 1 && this.entries[0]!.startOffset === startOffset) return;
    this.entries.splice(0, removed, clamped);
    this.changes++;
  }

  clear(): void {
    if (this.entries.length === 0) return;
    this.entries = [];
    this.changes++;
  }
}
