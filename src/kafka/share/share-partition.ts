// One share-partition: a share group's view of one topic partition, held by the partition's leader
// (KIP-932's SharePartition). A pure state machine: offsets, member ids and the time come in as
// arguments, the acquired ranges and error codes go out; no I/O and no clock, so a seeded simulation
// (test/sim/share) drives it exactly as the broker does.
//
// The window [startOffset, endOffset) is KIP-932's SPSO..SPEO: every offset in it has a state, every
// offset below startOffset is done (acknowledged or archived), every offset from endOffset on has never
// been delivered. Records are delivered to one member at a time under an acquisition lock; the member
// accepts, releases or rejects them, or the lock runs out and the record is offered again, until its
// delivery count reaches the limit and it is archived. The window never holds more than
// `maxInFlight` offsets (group.share.partition.max.record.locks), so a slow group cannot grow memory:
// it stops being handed new records instead.
import { ErrorCode } from '../../../protocol/kafka/index.js';

/** Kafka's acknowledge types, as ShareFetch and ShareAcknowledge carry them. */
export const AcknowledgeType = { Gap: 0, Accept: 1, Release: 2, Reject: 3, Renew: 4 } as const;

/** Kafka's persisted delivery states (RecordState): acquired records are stored as available, as Kafka stores them. */
export const DeliveryState = { Available: 0, Acknowledged: 2, Archived: 4 } as const;
export type DeliveryState = (typeof DeliveryState)[keyof typeof DeliveryState];

export interface SharePartitionLimits {
  /** group.share.record.lock.duration.ms */
  readonly lockDurationMs: number;
  /** group.share.delivery.count.limit */
  readonly deliveryCountLimit: number;
  /** group.share.partition.max.record.locks */
  readonly maxInFlight: number;
}

/** A contiguous run of offsets handed to one member in one fetch, all with the same delivery count. */
export interface AcquiredRange {
  firstOffset: number;
  lastOffset: number;
  deliveryCount: number;
}

/** One contiguous run of the window with one persisted state (Kafka's PersisterStateBatch). */
export interface StateBatch {
  firstOffset: number;
  lastOffset: number;
  deliveryState: DeliveryState;
  deliveryCount: number;
}

/** What survives a restart or a move of leadership: the window as Kafka's ShareSnapshot record holds it. */
export interface SharePartitionSnapshot {
  startOffset: number;
  /** Bumped each time the state is loaded, as Kafka's state epoch: a write from an older owner is stale. */
  stateEpoch: number;
  stateBatches: StateBatch[];
}

interface InFlight {
  state: 'available' | 'acquired' | 'acknowledged' | 'archived';
  deliveryCount: number;
  /** The member holding the lock while acquired. */
  owner: string | undefined;
  lockExpiresAt: number;
}

export class SharePartition {
  private start: number;
  private end: number;
  /** One entry per offset of [start, end). */
  private readonly records = new Map<number, InFlight>();
  /** Acquired records, for tick and member release without scanning the whole window. */
  private acquiredCount = 0;
  readonly stateEpoch: number;

  private constructor(
    private readonly limits: SharePartitionLimits,
    startOffset: number,
    stateEpoch: number,
  ) {
    this.start = startOffset;
    this.end = startOffset;
    this.stateEpoch = stateEpoch;
  }

  /** A share-partition the group never used: it starts at `startOffset` (the log end for `latest`, the log start for `earliest`). */
  static fresh(limits: SharePartitionLimits, startOffset: number): SharePartition {
    return new SharePartition(limits, startOffset, 1);
  }

  /**
   * The state a previous leader (or this broker before a restart) persisted. Nothing is acquired after
   * a load: locks do not survive, so what was acquired comes back available with its delivery count.
   */
  static restore(limits: SharePartitionLimits, snapshot: SharePartitionSnapshot): SharePartition {
    const sp = new SharePartition(limits, snapshot.startOffset, snapshot.stateEpoch + 1);
    for (const b of snapshot.stateBatches) {
      for (let o = Math.max(b.firstOffset, sp.start); o <= b.lastOffset; o++) {
        // A record in flight at its last allowed delivery when the state was written is done, as if its lock had run out.
        const spent = b.deliveryCount >= limits.deliveryCountLimit;
        const state = b.deliveryState === DeliveryState.Acknowledged ? 'acknowledged' : b.deliveryState === DeliveryState.Archived || spent ? 'archived' : 'available';
        sp.records.set(o, { state, deliveryCount: b.deliveryCount, owner: undefined, lockExpiresAt: 0 });
        sp.end = Math.max(sp.end, o + 1);
      }
    }
    // Offsets a crash left without a batch (never the case for a snapshot this class wrote) are offered again.
    for (let o = sp.start; o < sp.end; o++) {
      if (!sp.records.has(o)) sp.records.set(o, { state: 'available', deliveryCount: 0, owner: undefined, lockExpiresAt: 0 });
    }
    sp.advanceStart();
    return sp;
  }

  get startOffset(): number {
    return this.start;
  }

  get endOffset(): number {
    return this.end;
  }

  /** Records delivered and not yet acknowledged, released or timed out. */
  get acquired(): number {
    return this.acquiredCount;
  }

  /** Where the next acquisition would start reading: the first available offset in the window, else the window's end. */
  nextFetchOffset(): number {
    for (let o = this.start; o < this.end; o++) {
      if (this.records.get(o)!.state === 'available') return o;
    }
    return this.end;
  }

  /**
   * The log's start moved past records (retention, DeleteRecords): they can no longer be delivered,
   * so the window starts there, as Kafka's SharePartition follows the log start offset.
   */
  followLogStart(logStartOffset: number): void {
    if (logStartOffset <= this.start) return;
    for (let o = this.start; o < Math.min(logStartOffset, this.end); o++) {
      if (this.records.get(o)!.state === 'acquired') this.acquiredCount--;
      this.records.delete(o);
    }
    this.start = logStartOffset;
    this.end = Math.max(this.end, logStartOffset);
  }

  /**
   * Acquires for `member` up to `maxRecords` records in [from, upTo): records offered again first
   * (their delivery count goes up), then records never delivered, as long as the window stays within
   * maxInFlight. `upTo` is where the caller's log read ended, so every acquired offset is in the bytes it sends.
   */
  acquire(member: string, from: number, upTo: number, maxRecords: number, now: number): AcquiredRange[] {
    const out: AcquiredRange[] = [];
    let taken = 0;
    const take = (offset: number, r: InFlight): void => {
      r.state = 'acquired';
      r.owner = member;
      r.deliveryCount++;
      r.lockExpiresAt = now + this.limits.lockDurationMs;
      this.acquiredCount++;
      taken++;
      const last = out[out.length - 1];
      if (last && last.lastOffset === offset - 1 && last.deliveryCount === r.deliveryCount) last.lastOffset = offset;
      else out.push({ firstOffset: offset, lastOffset: offset, deliveryCount: r.deliveryCount });
    };
    for (let o = Math.max(from, this.start); o < Math.min(upTo, this.end) && taken < maxRecords; o++) {
      const r = this.records.get(o)!;
      if (r.state === 'available') take(o, r);
    }
    const windowEnd = this.start + this.limits.maxInFlight;
    while (this.end < upTo && this.end < windowEnd && taken < maxRecords && this.end >= from) {
      const r: InFlight = { state: 'available', deliveryCount: 0, owner: undefined, lockExpiresAt: 0 };
      this.records.set(this.end, r);
      take(this.end, r);
      this.end++;
    }
    return out;
  }

  /**
   * One acknowledgement batch of `member`: one type for the whole range, or one per offset. Every offset
   * must be acquired by this member, else nothing changes and the answer is INVALID_RECORD_STATE (as
   * Kafka answers a batch naming records the member does not hold); a malformed batch is INVALID_REQUEST.
   */
  acknowledge(member: string, firstOffset: number, lastOffset: number, types: readonly number[], now: number): number {
    const count = lastOffset - firstOffset + 1;
    if (count <= 0 || (types.length !== 1 && types.length !== count)) return ErrorCode.INVALID_REQUEST;
    if (types.some((t) => t < AcknowledgeType.Gap || t > AcknowledgeType.Renew)) return ErrorCode.INVALID_REQUEST;
    if (firstOffset < this.start || lastOffset >= this.end) return ErrorCode.INVALID_RECORD_STATE;
    for (let o = firstOffset; o <= lastOffset; o++) {
      const r = this.records.get(o)!;
      if (r.state !== 'acquired' || r.owner !== member) return ErrorCode.INVALID_RECORD_STATE;
    }
    for (let o = firstOffset; o <= lastOffset; o++) {
      const type = types.length === 1 ? types[0]! : types[o - firstOffset]!;
      const r = this.records.get(o)!;
      switch (type) {
        case AcknowledgeType.Gap:
        case AcknowledgeType.Accept:
          this.finish(r, 'acknowledged');
          break;
        case AcknowledgeType.Reject:
          this.finish(r, 'archived');
          break;
        case AcknowledgeType.Release:
          this.makeAvailable(r);
          break;
        default:
          r.lockExpiresAt = now + this.limits.lockDurationMs;
      }
    }
    this.advanceStart();
    return ErrorCode.NONE;
  }

  /** Every record `member` holds is offered again: its share session ended (closed, or its connection dropped). Whether any was. */
  releaseMember(member: string): boolean {
    if (this.acquiredCount === 0) return false;
    let released = false;
    for (const r of this.records.values()) {
      if (r.state === 'acquired' && r.owner === member) {
        this.makeAvailable(r);
        released = true;
      }
    }
    if (released) this.advanceStart();
    return released;
  }

  /** Expires the acquisition locks due at `now`: those records are offered again. Whether any was. */
  tick(now: number): boolean {
    if (this.acquiredCount === 0) return false;
    let expired = false;
    for (const r of this.records.values()) {
      if (r.state === 'acquired' && r.lockExpiresAt <= now) {
        this.makeAvailable(r);
        expired = true;
      }
    }
    if (expired) this.advanceStart();
    return expired;
  }

  /** The window as persisted: runs of equal (state, delivery count), acquired stored as available. */
  snapshot(): SharePartitionSnapshot {
    const batches: StateBatch[] = [];
    for (let o = this.start; o < this.end; o++) {
      const r = this.records.get(o)!;
      const deliveryState = r.state === 'acknowledged' ? DeliveryState.Acknowledged : r.state === 'archived' ? DeliveryState.Archived : DeliveryState.Available;
      const last = batches[batches.length - 1];
      if (last && last.lastOffset === o - 1 && last.deliveryState === deliveryState && last.deliveryCount === r.deliveryCount) last.lastOffset = o;
      else batches.push({ firstOffset: o, lastOffset: o, deliveryState, deliveryCount: r.deliveryCount });
    }
    return { startOffset: this.start, stateEpoch: this.stateEpoch, stateBatches: batches };
  }

  /** Each offset's state, for tests and the simulation's invariants. */
  stateOf(offset: number): { state: InFlight['state'] | 'done' | 'new'; owner: string | undefined; deliveryCount: number } {
    if (offset < this.start) return { state: 'done', owner: undefined, deliveryCount: 0 };
    const r = this.records.get(offset);
    if (!r) return { state: 'new', owner: undefined, deliveryCount: 0 };
    return { state: r.state, owner: r.owner, deliveryCount: r.deliveryCount };
  }

  private finish(r: InFlight, state: 'acknowledged' | 'archived'): void {
    if (r.state === 'acquired') this.acquiredCount--;
    r.state = state;
    r.owner = undefined;
  }

  /** Back to available, unless it has been delivered as often as allowed: then archived, never offered again. */
  private makeAvailable(r: InFlight): void {
    if (r.deliveryCount >= this.limits.deliveryCountLimit) return this.finish(r, 'archived');
    if (r.state === 'acquired') this.acquiredCount--;
    r.state = 'available';
    r.owner = undefined;
  }

  /** The start moves past records that are done, so the window (and memory) holds only what is still in play. */
  private advanceStart(): void {
    while (this.start < this.end) {
      const r = this.records.get(this.start)!;
      if (r.state !== 'acknowledged' && r.state !== 'archived') break;
      this.records.delete(this.start);
      this.start++;
    }
  }
}
