// The pure steps of running a consensus core under QuorumCore, shared by the ensemble member's runtime
// (peer.ts, ensemble-server.ts) and the ensemble simulation, so the simulation runs what the server
// runs: drain ready() in the order the application relies on, route a peer message to the core or to
// the ZooKeeper shell, notice a role change once, and the leaderless clock after which a member stops
// serving. No I/O and no clock: the caller does the writing and sending and passes the time in.
import type { PeerShellMessage, PeerWireMessage } from '../../../protocol/consensus/messages.js';
import type { RaftNode, RaftStatus } from '../../consensus/raft.js';
import type { Dropped, Entry, Message, Persist, ReadState, Snapshot } from '../../consensus/types.js';

/** Where each part of a ready() goes. */
export interface ReadySink {
  /** Write it; call node.persisted(p.seq) once it is durable. */
  persist(p: Persist): void;
  send(m: Message): void;
  dropped(d: Dropped): void;
  /** Replace the state with the leader's snapshot (before the entries that follow it are applied). */
  restore(s: Snapshot): void;
  /** Committed entries, in log order. */
  apply(entries: readonly Entry[]): void;
  /** Read indexes confirmed: after `apply`, so a read at an index just applied completes at once. */
  reads(reads: readonly ReadState[]): void;
}

/** Hands out everything the core has ready, until it has nothing more (applying may make it propose). */
export function drainReady(node: RaftNode, sink: ReadySink): void {
  while (node.hasReady()) {
    const rd = node.ready();
    if (rd.persist) sink.persist(rd.persist);
    for (const m of rd.send) sink.send(m);
    for (const d of rd.dropped) sink.dropped(d);
    if (rd.restore) sink.restore(rd.restore);
    if (rd.commit.length > 0) sink.apply(rd.commit);
    if (rd.reads.length > 0) sink.reads(rd.reads);
  }
}

const SHELL_TYPES: ReadonlySet<PeerWireMessage['type']> = new Set(['forward', 'forwardRefused', 'touch', 'syncRequest', 'syncReply'] satisfies PeerShellMessage['type'][]);

/** A message for the ZooKeeper shell (QuorumCore.shell), not for the consensus core. */
export function isShellMessage(m: PeerWireMessage): m is PeerShellMessage {
  return SHELL_TYPES.has(m.type);
}

/** Stale terms and leftovers of an election are routine; a message no correct peer sends is not. */
export function suspiciousDrop(d: Dropped): boolean {
  return d.reason.startsWith('malformed') || d.reason.startsWith('from unknown server') || d.reason.startsWith('addressed to');
}

/**
 * Whether the role, term or leader changed since the last call (QuorumCore.changed must hear each
 * change once), and for how long no leader has been known: a member serves clients once it has known
 * a leader, and stops when leaderless for longer than `leaderlessMaxMs`.
 */
export class RoleWatch {
  private last: { role: string; term: number; leader: number } = { role: '', term: -1, leader: -1 };
  /** Since when no leader has been known (ms on the caller's clock), or null while one is. */
  private leaderlessSince: number | null;
  /**
   * A leader was known since the member started. Until then it does not serve, as ZooKeeper's server
   * does not before it has joined a leader (srvr: not serving): a client connecting to a member just
   * (re)started and still looking for the leader is refused at once and tries another server, instead
   * of being held and then dropped (ConnectionLoss) when the leaderless grace below runs out.
   */
  private leaderSeen = false;

  constructor(
    private readonly leaderlessMaxMs: number,
    startedAt: number,
  ) {
    this.leaderlessSince = startedAt;
  }

  /** True when `s` differs from the status last seen. */
  changed(s: RaftStatus, now: number): boolean {
    if (s.role === this.last.role && s.term === this.last.term && s.leader === this.last.leader) return false;
    this.last = { role: s.role, term: s.term, leader: s.leader };
    if (s.leader === 0) this.leaderlessSince ??= now;
    else {
      this.leaderlessSince = null;
      this.leaderSeen = true;
    }
    return true;
  }

  /** A leader is known, or was within the last `leaderlessMaxMs` (and one was known since the start). */
  hasQuorum(now: number): boolean {
    return this.leaderSeen && (this.leaderlessSince === null || now - this.leaderlessSince <= this.leaderlessMaxMs);
  }

  leaderlessFor(now: number): number {
    return this.leaderlessSince === null ? 0 : now - this.leaderlessSince;
  }
}
