// The consensus messages servers exchange: the consensus core (src/consensus/) takes and produces exactly
// these (its Entry, Membership, Snapshot and Message are these types), and frames.ts encodes them.

export interface PeerMembership {
  readonly voters: readonly number[];
  /** ZooKeeper's observers: they receive every entry but never vote or count towards a quorum. */
  readonly learners: readonly number[];
}

export interface PeerEntry {
  readonly index: number;
  readonly term: number;
  /** Position within its term, starting at 1: the low half of the zxid. */
  readonly counter: number;
  /** A client transaction (opaque here), or null for the no-op a new leader appends and for membership changes. */
  readonly data: Uint8Array | null;
  /** A membership change: the whole new membership, in force from the moment the entry is appended. */
  readonly membership?: PeerMembership;
}

export interface PeerSnapshot {
  /** The last entry the state in `data` includes. */
  readonly index: number;
  readonly term: number;
  readonly counter: number;
  readonly membership: PeerMembership;
  /** The application's state as of `index`, opaque to the core. */
  readonly data: Uint8Array;
}

interface Base {
  readonly from: number;
  readonly to: number;
  readonly term: number;
}

export type PeerMessage =
  /** A pre-vote carries the term the sender would campaign in, without the sender having moved to it. */
  | (Base & { readonly type: 'preVote' | 'vote'; readonly lastIndex: number; readonly lastTerm: number })
  | (Base & { readonly type: 'preVoteResponse' | 'voteResponse'; readonly reject: boolean })
  | (Base & {
      readonly type: 'append';
      readonly prevIndex: number;
      readonly prevTerm: number;
      readonly entries: readonly PeerEntry[];
      readonly commit: number;
    })
  /**
   * `index` is the last index now matching the leader's log, or on a reject the prevIndex refused; the
   * hint is where the follower's log may still agree, so a diverged tail is skipped a term at a time.
   */
  | (Base & { readonly type: 'appendResponse'; readonly index: number; readonly reject: boolean; readonly hintIndex: number; readonly hintTerm: number })
  /**
   * `round` is the leader's latest read round (0 before any): a response echoes it, and a majority of
   * echoes confirms the leader still led after every read index it handed out for that round.
   */
  | (Base & { readonly type: 'heartbeat'; readonly commit: number; readonly round: number })
  | (Base & { readonly type: 'heartbeatResponse'; readonly round: number })
  | (Base & { readonly type: 'snapshot'; readonly snapshot: PeerSnapshot })
  /**
   * Leadership transfer (Raft thesis §3.10): a leader whose own removal or demotion committed tells the
   * most up-to-date voter left to campaign now, instead of everyone waiting out an election timeout.
   */
  | (Base & { readonly type: 'timeoutNow' });

/**
 * Messages of the ZooKeeper shell riding the same connection (not consensus: the core never sees them).
 * ZooKeeper's learners send the leader REQUEST, PING and SYNC packets for the same purposes.
 */
export type PeerShellMessage =
  /** A client's write, sent by the server it is connected to, for the leader to prepare and propose. */
  | (Base & {
      readonly type: 'forward';
      readonly sessionId: bigint;
      readonly cxid: number;
      /** The request's opcode (createSession for a session being opened; its body is then the timeout). */
      readonly opType: number;
      /** The connection's identities, for the leader's ACL checks. */
      readonly auth: readonly { readonly scheme: string; readonly id: string }[];
      readonly body: Uint8Array;
    })
  /**
   * The receiver did not propose a forwarded write. `notLeader`: it did not lead in the forward's term
   * when the forward arrived, so it never will in that term, and the sender may send the write (and the
   * session's later ones, refused in turn) to the next leader. Otherwise (overloaded, a session id
   * already in use, a reconfiguration abandoned) the client must retry: its connection is dropped.
   */
  | (Base & { readonly type: 'forwardRefused'; readonly sessionId: bigint; readonly cxid: number; readonly notLeader: boolean })
  /** Sessions that showed life on the sender since its last touch, for the leader's expiry clock. */
  | (Base & { readonly type: 'touch'; readonly sessionIds: readonly bigint[] })
  /**
   * A client's sync: the leader answers with the index of its last proposed entry once a heartbeat round
   * confirmed that it still leads (a deposed leader unaware of it never answers).
   */
  | (Base & { readonly type: 'syncRequest'; readonly id: number })
  | (Base & { readonly type: 'syncReply'; readonly id: number; readonly index: number });

/** Everything a peer connection carries after the hellos. */
export type PeerWireMessage = PeerMessage | PeerShellMessage;

/** The first frame each side of a peer connection sends: who it is and which configuration it runs. */
export interface PeerHello {
  readonly version: number;
  /** The sender's server id (its myid). */
  readonly from: number;
  /** The server the sender believes it reached, so a connection to a misconfigured address is caught. */
  readonly to: number;
  /** The ensemble configuration version the sender runs (a zxid, as ZooKeeper's dynamic config version). */
  readonly configVersion: bigint;
}
