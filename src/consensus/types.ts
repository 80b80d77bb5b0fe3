// Values that go in and out of the consensus core. Everything here is plain data the shell can encode,
// write and send; the core never holds a reference the shell later mutates (entries are immutable).

import type { PeerEntry, PeerMembership, PeerMessage, PeerSnapshot } from '../../protocol/consensus/messages.js';

/** Server ids as ZooKeeper's myid: positive integers. */
export type NodeId = number;
export const NO_NODE: NodeId = 0;

// Entries, memberships, snapshots and messages are what servers exchange, so their one definition is the
// wire format's (protocol/consensus/messages.ts, which documents each field).
export type Entry = PeerEntry;
export type Membership = PeerMembership;
export type Snapshot = PeerSnapshot;
export type Message = PeerMessage;

/** What must be durable before this server may vote or acknowledge again after a restart. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

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
  /** Read indexes confirmed (see RaftNode.readIndex), in request order. */
  readonly reads: readonly ReadState[];
}

/**
 * A read request `ctx` (the shell's number) is confirmed: this server led after the request was made,
 * and `index` was its last log index then. Once the reader applied through `index` it has seen every
 * entry committed before the request (ZooKeeper's sync).
 */
export interface ReadState {
  readonly ctx: number;
  readonly index: number;
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
