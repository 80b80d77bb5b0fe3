// The follower side of one partition, after Kafka 3.9's AbstractFetcherThread with truncation on fetch
// (Fetch v12): it fetches from its log end with the epoch of its last record, appends what the leader
// sends with the leader's offsets and epochs, and truncates where the leader says the logs diverge.
//
// The next fetch goes out once what was appended has been written to the file (not fsynced): the offset
// a follower reports, which the leader counts towards the high watermark, never includes records a
// kill -9 of this process could take back. Kafka reports its log end at once, whatever sits in the
// process; Skein waits for the write, and leaves the fsync to run beside the next fetch.
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import type { LocalLogView } from './local-log.js';
import { NO_LEADER, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type BatchHeader, type BrokerId, type FetchRequest, type FetchResponse, type FollowerAction } from './types.js';

export class FollowerSide {
  leader: BrokerId = NO_LEADER;
  leaderEpoch = UNDEFINED_EPOCH;
  /** The leader answered FENCED_LEADER_EPOCH: it has moved past us; wait for the controller. */
  fenced = false;

  constructor(private readonly log: LocalLogView) {}

  become(leader: BrokerId, leaderEpoch: number): void {
    this.leader = leader;
    this.leaderEpoch = leaderEpoch;
    this.fenced = false;
  }

  fetchRequest(): FetchRequest | null {
    if (this.leader === NO_LEADER || this.fenced || this.log.writtenEndOffset < this.log.logEndOffset) return null;
    return {
      leader: this.leader,
      fetchOffset: this.log.logEndOffset,
      lastFetchedEpoch: this.log.epochs.latestEpoch ?? UNDEFINED_EPOCH,
      currentLeaderEpoch: this.leaderEpoch,
      logStartOffset: this.log.logStartOffset,
    };
  }

  onFetchResponse(req: FetchRequest, res: FetchResponse): FollowerAction {
    if (req.leader !== this.leader || req.currentLeaderEpoch !== this.leaderEpoch || req.fetchOffset !== this.log.logEndOffset || req.lastFetchedEpoch !== (this.log.epochs.latestEpoch ?? UNDEFINED_EPOCH)) {
      return { kind: 'stale' };
    }
    switch (res.errorCode) {
      case ErrorCode.NONE:
        if (res.divergingEpoch !== null) return this.truncateToDiverging(res.divergingEpoch.epoch, res.divergingEpoch.endOffset);
        return this.append(res.batches, res.highWatermark);
      case ErrorCode.OFFSET_OUT_OF_RANGE:
        return this.outOfRange(res.logStartOffset, res.logEndOffset);
      case ErrorCode.FENCED_LEADER_EPOCH:
        this.fenced = true;
        return { kind: 'fenced' };
      default:
        return { kind: 'backoff', errorCode: res.errorCode };
    }
  }

  private append(batches: readonly BatchHeader[], leaderHighWatermark: number): FollowerAction {
    let next = this.log.logEndOffset;
    let epoch = this.log.epochs.latestEpoch ?? UNDEFINED_EPOCH;
    for (const b of batches) {
      if (b.baseOffset !== next || b.lastOffset < b.baseOffset) return { kind: 'rejected', reason: `batch ${b.baseOffset}..${b.lastOffset} does not follow ${next}` };
      if (!Number.isInteger(b.leaderEpoch) || b.leaderEpoch < epoch || b.leaderEpoch > this.leaderEpoch) return { kind: 'rejected', reason: `batch at ${b.baseOffset} has epoch ${b.leaderEpoch} after ${epoch}, from leader epoch ${this.leaderEpoch}` };
      next = b.lastOffset + 1;
      epoch = b.leaderEpoch;
    }
    for (const b of batches) this.log.assignEpoch(b.leaderEpoch, b.baseOffset);
    this.log.logEndOffset = next;
    // A follower's high watermark is the leader's, capped at its own end (it may move back after a
    // leader change: it is only a starting point should this replica become leader).
    if (Number.isSafeInteger(leaderHighWatermark) && leaderHighWatermark >= 0) this.log.highWatermark = Math.max(this.log.logStartOffset, Math.min(leaderHighWatermark, next));
    return batches.length > 0 ? { kind: 'append', batches } : { kind: 'none' };
  }

  /**
   * KIP-279: the leader's last epoch at or below ours ends at `endOffset`. If we know that epoch, our
   * logs agree up to the smaller of the two ends; if not, cut back to the end of our last epoch below
   * it and ask again with the epoch before.
   */
  private truncateToDiverging(leaderEpoch: number, leaderEndOffset: number): FollowerAction {
    const leo = this.log.logEndOffset;
    let offset: number;
    if (leaderEndOffset === UNDEFINED_EPOCH_OFFSET) offset = this.log.highWatermark;
    else if (leaderEpoch === UNDEFINED_EPOCH) offset = Math.min(leaderEndOffset, leo);
    else {
      const { epoch: ourEpoch, endOffset: ourEnd } = this.log.epochs.endOffsetFor(leaderEpoch, leo);
      if (ourEpoch === UNDEFINED_EPOCH) offset = Math.min(leaderEndOffset, leo);
      else if (ourEpoch !== leaderEpoch) offset = Math.min(ourEnd, leo);
      else offset = Math.min(ourEnd, leaderEndOffset, leo);
    }
    this.log.truncateTo(offset);
    if (offset >= leo) return { kind: 'none' };
    return { kind: 'truncate', offset };
  }

  /**
   * The leader holds no such offset. If its log ends before ours (an unclean election), cut back to its
   * end; if it starts after ours (it deleted what we lack), start afresh at its start.
   */
  private outOfRange(leaderStart: number, leaderEnd: number): FollowerAction {
    const leo = this.log.logEndOffset;
    if (leaderEnd < leo) {
      this.log.truncateTo(Math.max(leaderEnd, this.log.logStartOffset));
      return { kind: 'truncate', offset: this.log.logEndOffset };
    }
    if (leaderStart > leo) {
      this.log.truncateFully(leaderStart);
      return { kind: 'truncateFully', offset: leaderStart };
    }
    return { kind: 'backoff', errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
  }
}
