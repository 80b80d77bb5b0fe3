// The consensus messages servers exchange, as the wire carries them. They have the consensus core's
// shape exactly (src/consensus/types.ts; the transport checks at compile time that both agree), restated
// here because protocol/ imports nothing from src/.

export interface PeerMembership {
  readonly voters: readonly number[];
  readonly learners: readonly number[];
}

export interface PeerEntry {
  readonly index: number;
  readonly term: number;
  readonly counter: number;
  /** A ZooKeeper transaction, opaque here; null for a no-op or a membership change. */
  readonly data: Uint8Array | null;
  readonly membership?: PeerMembership;
}

export interface PeerSnapshot {
  readonly index: number;
  readonly term: number;
  readonly counter: number;
  readonly membership: PeerMembership;
  readonly data: Uint8Array;
}

interface Base {
  readonly from: number;
  readonly to: number;
  readonly term: number;
}

export type PeerMessage =
  | (Base & { readonly type: 'preVote' | 'vote'; readonly lastIndex: number; readonly lastTerm: number })
  | (Base & { readonly type: 'preVoteResponse' | 'voteResponse'; readonly reject: boolean })
  | (Base & {
      readonly type: 'append';
      readonly prevIndex: number;
      readonly prevTerm: number;
      readonly entries: readonly PeerEntry[];
      readonly commit: number;
    })
  | (Base & { readonly type: 'appendResponse'; readonly index: number; readonly reject: boolean; readonly hintIndex: number; readonly hintTerm: number })
  | (Base & { readonly type: 'heartbeat'; readonly commit: number })
  | (Base & { readonly type: 'heartbeatResponse' })
  | (Base & { readonly type: 'snapshot'; readonly snapshot: PeerSnapshot });

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
