// What a leader knows about one follower's log, and how much it may send it before hearing back.

export type ProgressState =
  /** Match unknown: one append at a time, the next only after an answer or a heartbeat. */
  | 'probe'
  /** Match known: stream appends, up to the in-flight limit. */
  | 'replicate'
  /** The entries it needs were compacted: a snapshot is on its way. */
  | 'snapshot';

export class Progress {
  match = 0;
  state: ProgressState = 'probe';
  /** In probe state: an append is out and unanswered. */
  paused = false;
  /** Last index of each append in flight, oldest first (replicate state). */
  readonly inflight: number[] = [];
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /** The leader's tick when the follower last answered (ZooKeeper's "synced" looks at this against syncLimit). */
  heardTick = Number.NEGATIVE_INFINITY;
  pendingSnapshot = 0;
  snapshotSentTick = 0;

  constructor(public next: number) {}

  becomeProbe(): void {
    // After a snapshot, the follower holds at least the snapshot's entries.
    this.next = Math.max(this.match, this.state === 'snapshot' ? this.pendingSnapshot : 0) + 1;
    this.state = 'probe';
    this.paused = false;
    this.inflight.length = 0;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.inflight.length = 0;
  }

  becomeSnapshot(index: number, tick: number): void {
    this.state = 'snapshot';
    this.pendingSnapshot = index;
    this.snapshotSentTick = tick;
    this.inflight.length = 0;
  }

  /** The follower holds everything up to `index`; false if that is old news. */
  maybeUpdate(index: number): boolean {
    if (index <= this.match) return false;
    this.match = index;
    this.next = Math.max(this.next, index + 1);
    this.paused = false;
    while (this.inflight.length > 0 && this.inflight[0]! <= index) this.inflight.shift();
    return true;
  }

  /**
   * The follower refused an append after `rejected`; its log may agree up to `hint`. False when the
   * refusal answers an append we have since moved past.
   */
  maybeDecrease(rejected: number, hint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.becomeProbe();
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1);
    this.paused = false;
    return true;
  }
}
