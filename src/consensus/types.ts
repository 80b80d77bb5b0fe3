// Values that go in and out of the consensus core. Everything here is plain data the shell can encode,
// write and send; the core never holds a reference the shell later mutates (entries are immutable).

/** Server ids as ZooKeeper's myid: positive integers. */
export type NodeId = number;
export const NO_NODE: NodeId = 0;

export interface Entry {
  readonly index: number;
  readonly term: number;
  /** Position within its term, starting at 1: the low half of the zxid. */
  readonly counter: number;
  /** A client transaction, or null for the no-op a new leader appends and for membership changes. */
  readonly data: Uint8Array | null;
  /** A membership change: the whole new membership, in force from the moment the entry is appended. */
  readonly membership?: Membership;
}

/** What must be durable before this server may vote or acknowledge again after a restart. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

export interface Membership {
  readonly voters: readonly NodeId[];
  /** ZooKeeper's observers: they receive every entry but never vote or count towards a quorum. */
  readonly learners: readonly NodeId[];
}

export interface Snapshot {
  /** The last entry the state in `data` includes. */
  readonly index: number;
  readonly term: number;
  readonly counter: number;
  readonly membership: Membership;
  /** The application's state as of `index`, opaque to the core. */
  readonly data: Uint8Array;
}

interface Base {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

export type Message =
  /** A pre-vote carries the term the sender would campaign in, without the sender having moved to it. */
  | (Base & { readonly type: 'preVote' | 'vote'; readonly lastIndex: number; readonly lastTerm: number })
  | (Base & { readonly type: 'preVoteResponse' | 'voteResponse'; readonly reject: boolean })
  | (Base & {
      readonly type: 'append';
      readonly prevIndex: number;
      readonly prevTerm: number;
      readonly entries: readonly Entry[];
      readonly commit: number;
    })
  /**
   * `index` is the last index now matching the leader's log, or on a reject the prevIndex refused; the
   * hint is where the follower's log may still agree, so a diverged tail is skipped a term at a time.
   */
  | (Base & { readonly type: 'appendResponse'; readonly index: number; readonly reject: boolean; readonly hintIndex: number; readonly hintTerm: number })
  | (Base & { readonly type: 'heartbeat'; readonly commit: number })
  | (Base & { readonly type: 'heartbeatResponse' })
  | (Base & { readonly type: 'snapshot'; readonly snapshot: Snapshot });

export type MessageType = Message['type'];

/**
 * Changes to make durable, in order, as one atomic write: the snapshot (dropping log entries it
 * covers), then the log truncated from `truncateFrom` and `entries` appended, then the hard state.
 * Writes complete in `seq` order; the shell reports each with `persisted(seq)` once it is fsynced.
 */
export interface Persist {
  readonly seq: number;
  readonly snapshot: Snapshot | null;
  readonly truncateFrom: number | null;
  readonly entries: readonly Entry[];
  readonly hardState: HardState | null;
}

/** A message the core refused, and why, for the shell's log line. */
export interface Dropped {
  readonly message: Message;
  readonly reason: string;
}

export interface Ready {
  readonly persist: Persist | null;
  readonly send: readonly Message[];
  /** Install this snapshot into the state machine before applying `commit`. */
  readonly restore: Snapshot | null;
  /** Committed entries to apply, in log order, each handed out exactly once. */
  readonly commit: readonly Entry[];
  readonly dropped: readonly Dropped[];
}

/** What a restarted server read back from its disk. */
export interface DurableState {
  readonly hardState: HardState;
  readonly snapshot: Snapshot | null;
  readonly entries: readonly Entry[];
}

/** One server changes role: `addVoter` also promotes a learner, `addLearner` also demotes a voter. */
export interface MembershipChange {
  readonly type: 'addVoter' | 'addLearner' | 'remove';
  readonly id: NodeId;
}

export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number; readonly counter: number }
  | {
      readonly ok: false;
      readonly reason: 'not-leader' | 'too-large' | 'too-many-uncommitted' | 'membership-change-pending' | 'membership-unchanged' | 'last-voter';
      readonly leader: NodeId;
    };
