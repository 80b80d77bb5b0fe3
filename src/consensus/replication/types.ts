// Values that go in and out of the partition-replication core: plain data the shell encodes, writes and
// sends. Offsets are Kafka offsets; an "end offset" is exclusive (the next offset to be written).
import type { ErrorCode } from '../../../protocol/kafka/errors.js';

export type BrokerId = number;
export const NO_LEADER: BrokerId = -1;
// Kafka's "no epoch" (a fetch that carries none, a log without leader epochs) and the leader-epoch
// checkpoint's lines are the log's own: one cache serves the log and this core.
import type { EpochEntry } from '../../log/leader-epoch-cache.js';
export { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type EpochEntry } from '../../log/leader-epoch-cache.js';

/** A partition's state as the controller decided it (LeaderAndIsr, or the partition state znode). */
export interface PartitionState {
  readonly leader: BrokerId;
  readonly leaderEpoch: number;
  readonly isr: readonly BrokerId[];
  /** Assigned replicas, in preference order. */
  readonly replicas: readonly BrokerId[];
  /** The partition state znode's version (Kafka's partition epoch): bumped by every ISR or leader change. */
  readonly partitionEpoch: number;
}

/** What the local log held when the core was built: a new replica passes nothing. */
export interface LocalLog {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /** The leader-epoch checkpoint (or epochs read back from the batches). */
  readonly epochs: readonly EpochEntry[];
  /** The high-watermark checkpoint; capped at the log end. */
  readonly highWatermark: number;
}

/** One record batch as its header describes it: the core never needs the records. */
export interface BatchHeader {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly leaderEpoch: number;
}

/** A follower's Fetch for this partition, as the leader receives it. */
export interface FollowerFetch {
  readonly replicaId: BrokerId;
  readonly fetchOffset: number;
  /** Fetch v12+: the epoch of the follower's last record, or UNDEFINED_EPOCH. */
  readonly lastFetchedEpoch: number;
  /** Fetch v9+: the leader epoch the follower believes in, or null when the request carries none. */
  readonly currentLeaderEpoch: number | null;
  readonly logStartOffset: number;
}

/** The leader's answer to a follower fetch. The shell reads `[fromOffset, toOffset)` up to its byte limit. */
export type FetchAnswer =
  | {
      readonly errorCode: typeof ErrorCode.NONE;
      readonly fromOffset: number;
      readonly toOffset: number;
      readonly highWatermark: number;
      readonly logStartOffset: number;
      /** Fetch v12: the follower's log diverges; it truncates (it gets no records in this answer). */
      readonly divergingEpoch: { readonly epoch: number; readonly endOffset: number } | null;
    }
  | {
      readonly errorCode:
        | typeof ErrorCode.FENCED_LEADER_EPOCH
        | typeof ErrorCode.UNKNOWN_LEADER_EPOCH
        | typeof ErrorCode.NOT_LEADER_OR_FOLLOWER
        | typeof ErrorCode.OFFSET_OUT_OF_RANGE;
      /** The leader's log range, which the follower's shell learns with ListOffsets after OFFSET_OUT_OF_RANGE. */
      readonly logStartOffset: number;
      readonly logEndOffset: number;
    };

/** The fetch a follower sends next. */
export interface FetchRequest {
  readonly leader: BrokerId;
  readonly fetchOffset: number;
  readonly lastFetchedEpoch: number;
  readonly currentLeaderEpoch: number;
  readonly logStartOffset: number;
}

/** What a follower's shell does with an answer. */
export type FollowerAction =
  /** Append these batches with the leader's offsets and epochs; then report durability with `onDurable`. */
  | { readonly kind: 'append'; readonly batches: readonly BatchHeader[] }
  /** Drop everything from `offset` on (log and epoch checkpoint). */
  | { readonly kind: 'truncate'; readonly offset: number }
  /** Drop the whole log and start it empty at `offset` (the leader deleted what we have). */
  | { readonly kind: 'truncateFully'; readonly offset: number }
  /** Nothing to do now: retry after the fetch backoff. */
  | { readonly kind: 'backoff'; readonly errorCode: number }
  /** The leader has a newer epoch than ours: stop fetching until the controller tells us more. */
  | { readonly kind: 'fenced' }
  /** The answer belongs to an earlier fetch, leader or role (late, duplicated): drop it. */
  | { readonly kind: 'stale' }
  /** The answer is malformed (batches that do not continue our log, epochs out of order): drop it and log why. */
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'none' };

/** The ISR change a leader asks the controller to make (AlterPartition 56, or the ZooKeeper-mode update). */
export interface IsrChangeRequest {
  readonly leader: BrokerId;
  readonly leaderEpoch: number;
  readonly isr: readonly BrokerId[];
  /** The partition epoch the change is based on; the controller refuses it if the znode moved on. */
  readonly partitionEpoch: number;
}

/** The controller's answer: the new committed state, or why it refused. */
export type IsrChangeResult =
  | { readonly ok: true; readonly leaderEpoch: number; readonly isr: readonly BrokerId[]; readonly partitionEpoch: number }
  | { readonly ok: false; readonly errorCode: number };

/** An acks=all produce waiting for the high watermark, answered once. */
export interface ProduceCompletion {
  readonly token: number;
  readonly errorCode: number;
}

/** What calls since the last `drain` asked the shell to do. */
export interface ReplicationEffects {
  /** The new high watermark, when it changed. */
  readonly highWatermark: number | null;
  /** Send this to the controller (and resend it until answered): at most one is outstanding. */
  readonly isrChange: IsrChangeRequest | null;
  readonly completed: readonly ProduceCompletion[];
  /** Write this leader-epoch checkpoint, when it changed. */
  readonly epochCheckpoint: readonly EpochEntry[] | null;
}

/** A leader's fetch answer as the follower receives it: on success, the headers of the batches it holds. */
export type FetchResponse =
  | (Omit<Extract<FetchAnswer, { errorCode: typeof ErrorCode.NONE }>, 'fromOffset' | 'toOffset'> & { readonly batches: readonly BatchHeader[] })
  | Exclude<FetchAnswer, { errorCode: typeof ErrorCode.NONE }>;
