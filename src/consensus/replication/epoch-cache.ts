// The leader-epoch cache (KIP-101/279): for each leader epoch, the offset of its first record. It answers
// OffsetsForLeaderEpoch and the diverging-epoch check of Fetch v12, which is how a follower finds where
// its log and the leader's part ways after a leader change. Semantics follow Kafka's
// LeaderEpochFileCache: entries stay strictly increasing in both epoch and start offset.
import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type EpochEntry } from './types.js';

export class EpochCache {
  private entries: EpochEntry[] = [];

  constructor(initial: readonly EpochEntry[] = []) {
    for (const e of initial) this.assign(e.epoch, e.startOffset);
  }

  /** Record that `epoch` starts at `startOffset`; true when the cache changed. */
  assign(epoch: number, startOffset: number): boolean {
    if (!Number.isInteger(epoch) || epoch < 0 || !Number.isSafeInteger(startOffset) || startOffset < 0) throw new RangeError(`invalid epoch entry ${epoch}@${startOffset}`);
    const last = this.entries.at(-1);
    if (last && last.epoch === epoch && startOffset >= last.startOffset) return false;
    // A new entry drops any that would break monotonicity: a later or equal epoch, or one starting at
    // or after it (their records were truncated away).
    while (this.entries.length > 0) {
      const e = this.entries.at(-1)!;
      if (e.epoch >= epoch || e.startOffset >= startOffset) this.entries.pop();
      else break;
    }
    this.entries.push({ epoch, startOffset });
    return true;
  }

  latestEpoch(): number {
    return this.entries.at(-1)?.epoch ?? UNDEFINED_EPOCH;
  }

  /**
   * The largest epoch at most `requested`, and where it ends: the start of the next epoch, or the log end
   * for the latest. [UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET] when nothing can be said.
   */
  endOffsetFor(requested: number, logEndOffset: number): [epoch: number, endOffset: number] {
    if (requested === UNDEFINED_EPOCH) return [UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET];
    if (this.entries.length > 0 && this.latestEpoch() === requested) return [requested, logEndOffset];
    const higher = this.entries.findIndex((e) => e.epoch > requested);
    if (higher < 0) return [UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET];
    // Below every known epoch: its records are gone; the follower replicates from our first epoch.
    if (higher === 0) return [requested, this.entries[0]!.startOffset];
    return [this.entries[higher - 1]!.epoch, this.entries[higher]!.startOffset];
  }

  /** Forget epochs that start at or after `endOffset` (the log was truncated there). True when it changed. */
  truncateFromEnd(endOffset: number): boolean {
    const before = this.entries.length;
    while (this.entries.length > 0 && this.entries.at(-1)!.startOffset >= endOffset) this.entries.pop();
    return this.entries.length !== before;
  }

  /** Start afresh at `offset` (the whole log was dropped). */
  clear(): void {
    this.entries = [];
  }

  snapshot(): readonly EpochEntry[] {
    return this.entries.slice();
  }
}

/** The epoch entries of records whose epochs, in offset order from `startOffset`, are `epochs`: a cache rebuilt from batch headers. */
export function epochsOf(epochs: readonly number[], startOffset = 0): EpochEntry[] {
  const cache = new EpochCache();
  epochs.forEach((epoch, i) => cache.assign(epoch, startOffset + i));
  return [...cache.snapshot()];
}
