// The core's view of this replica's own log: where it starts and ends, how much of it the operating
// system holds (written) and how much is on disk (durable), its high watermark and its leader epochs. The shell owns the bytes; the core only moves these numbers,
// and every move it makes is one it asks the shell to make too.
import { LeaderEpochCache } from '../../log/leader-epoch-cache.js';
import type { EpochEntry, LocalLog } from './types.js';

export class LocalLogView {
  logStartOffset: number;
  logEndOffset: number;
  /**
   * Everything below this has been handed to the operating system (written to the file, in its page
   * cache at least): a kill -9 of this process cannot take it back, a power loss can. A follower
   * reports only written records to its leader.
   */
  writtenEndOffset: number;
  /** Everything below this is fsynced. A leader counts only its durable records towards acks=all. */
  durableEndOffset: number;
  highWatermark: number;
  readonly epochs: LeaderEpochCache;
  /** Set when the epoch cache changed and the shell has not been told yet. */
  epochsChanged = false;

  constructor(d: LocalLog | undefined) {
    this.logStartOffset = d?.logStartOffset ?? 0;
    this.logEndOffset = d?.logEndOffset ?? this.logStartOffset;
    this.writtenEndOffset = this.durableEndOffset = this.logEndOffset;
    this.highWatermark = Math.max(this.logStartOffset, Math.min(d?.highWatermark ?? 0, this.logEndOffset));
    this.epochs = new LeaderEpochCache(d?.epochs ?? []);
    this.epochs.truncateFromEnd(this.logEndOffset);
  }

  assignEpoch(epoch: number, startOffset: number): void {
    if (this.epochs.assign(epoch, startOffset)) this.epochsChanged = true;
  }

  truncateTo(offset: number): void {
    if (offset >= this.logEndOffset) {
      // Nothing to cut, but an epoch this replica started as leader without writing a record in it
      // would make its next fetch diverge again: it goes, as in Kafka's UnifiedLog.truncateTo.
      this.truncateEpochs(this.logEndOffset);
      return;
    }
    this.logEndOffset = offset;
    this.writtenEndOffset = Math.min(this.writtenEndOffset, offset);
    this.durableEndOffset = Math.min(this.durableEndOffset, offset);
    this.highWatermark = Math.min(this.highWatermark, offset);
    this.truncateEpochs(offset);
  }

  private truncateEpochs(endOffset: number): void {
    const before = this.epochs.version;
    this.epochs.truncateFromEnd(endOffset);
    if (this.epochs.version !== before) this.epochsChanged = true;
  }

  truncateFully(offset: number): void {
    this.logStartOffset = this.logEndOffset = this.writtenEndOffset = this.durableEndOffset = this.highWatermark = offset;
    this.epochs.clear();
    this.epochsChanged = true;
  }

  takeEpochCheckpoint(): readonly EpochEntry[] | null {
    if (!this.epochsChanged) return null;
    this.epochsChanged = false;
    return this.epochs.list();
  }
}
