// The share coordinator's rules for a share-partition's stored state, pure: which writes and reads it
// admits (leader-epoch and state-epoch fencing, well-formed batches) and what it stores. The coordinator
// (share-state-coordinator.ts) applies them and does the I/O.
//
// Why leader epochs: after a leadership move the old leader may still try to write; a write or read with
// a leader epoch above the stored one fences every older writer (FENCED_LEADER_EPOCH, as Kafka fences
// them), so a deposed leader cannot overwrite the new leader's state. Leader epoch -1 is the group
// coordinator's (an admin's reset or describe): not a partition leader, it fences nobody and is fenced by
// nobody; a reset must move the state epoch on instead, which fences the leader's older state
// (FENCED_STATE_EPOCH on its next write: it reads the state again).
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { DeliveryState, type SharePartitionSnapshot, type StateBatch } from './share-partition.js';

/** A share-partition's durable state as the coordinator keeps it: the snapshot and the leader epoch that wrote or read it last. */
export interface StoredShareState extends SharePartitionSnapshot {
  leaderEpoch: number;
}

/** A write as WriteShareGroupState carries it (delivery states still plain numbers from the wire). */
export interface ShareStateWrite {
  leaderEpoch: number;
  stateEpoch: number;
  startOffset: number;
  stateBatches: ReadonlyArray<Omit<StateBatch, 'deliveryState'> & { deliveryState: number }>;
}

const DELIVERY_STATES: readonly number[] = Object.values(DeliveryState);

/** Whether state batches from the wire are ones a share-partition could have written: ordered, disjoint, from the start on, known states, at most `max` offsets in all. */
export function validStateBatches(batches: ShareStateWrite['stateBatches'], startOffset: number, max: number): boolean {
  let next = startOffset;
  let offsets = 0;
  for (const b of batches) {
    if (!Number.isSafeInteger(b.firstOffset) || !Number.isSafeInteger(b.lastOffset) || b.firstOffset < next || b.lastOffset < b.firstOffset) return false;
    if (!DELIVERY_STATES.includes(b.deliveryState) || b.deliveryCount < 0) return false;
    offsets += b.lastOffset - b.firstOffset + 1;
    if (offsets > max) return false;
    next = b.lastOffset + 1;
  }
  return true;
}

/** The state a write leaves, or why it is refused: INVALID_REQUEST for a malformed one, else the fencing rules above. */
export function admitWrite(stored: StoredShareState | undefined, write: ShareStateWrite, maxOffsets: number): StoredShareState | number {
  if (write.startOffset < 0 || !validStateBatches(write.stateBatches, write.startOffset, maxOffsets)) return ErrorCode.INVALID_REQUEST;
  const admin = write.leaderEpoch < 0;
  if (stored && !admin && write.leaderEpoch < stored.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (stored && (admin ? write.stateEpoch <= stored.stateEpoch : write.stateEpoch < stored.stateEpoch)) return ErrorCode.FENCED_STATE_EPOCH;
  return {
    startOffset: write.startOffset,
    stateEpoch: write.stateEpoch,
    leaderEpoch: admin ? (stored?.leaderEpoch ?? -1) : write.leaderEpoch,
    stateBatches: write.stateBatches.map((b) => ({ ...b, deliveryState: b.deliveryState as DeliveryState })),
  };
}

/** Whether a read is admitted (NONE) or fenced; an admitted partition leader's read fences older writers from now on. */
export function admitRead(stored: StoredShareState | undefined, leaderEpoch: number): number {
  if (!stored || leaderEpoch < 0) return ErrorCode.NONE;
  if (leaderEpoch < stored.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  stored.leaderEpoch = leaderEpoch;
  return ErrorCode.NONE;
}
