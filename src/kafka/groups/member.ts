// One member of a classic (JoinGroup/SyncGroup) group, and the requests it has parked with the coordinator.
import type { JoinGroupProtocol } from './api.js';

/** A parked request: the opaque token the reply goes to. */
export interface Waiter<T> {
  token: T;
}

export interface MemberInit {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: JoinGroupProtocol[];
  assignment?: Buffer;
}

const EMPTY = Buffer.alloc(0);

export class GroupMember<T> {
  memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  readonly protocolType: string;
  /** In the member's order of preference. */
  protocols: JoinGroupProtocol[];
  assignment: Buffer;
  /** A JoinGroup waiting for the rebalance (or for a durable write) to finish. */
  joinWaiter: Waiter<T> | undefined;
  /** A SyncGroup waiting for the leader's assignment to be durable. */
  syncWaiter: Waiter<T> | undefined;
  /**
   * Joined but not yet through a rebalance. Such a member cannot heartbeat yet, so its JoinGroup
   * is bounded by the new-member timeout instead of counting as liveness.
   */
  isNew = false;

  constructor(init: MemberInit) {
    this.memberId = init.memberId;
    this.groupInstanceId = init.groupInstanceId;
    this.clientId = init.clientId;
    this.clientHost = init.clientHost;
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs;
    this.sessionTimeoutMs = init.sessionTimeoutMs;
    this.protocolType = init.protocolType;
    this.protocols = init.protocols;
    this.assignment = init.assignment ?? EMPTY;
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.joinWaiter !== undefined;
  }

  get isAwaitingSync(): boolean {
    return this.syncWaiter !== undefined;
  }

  /**
   * Whether a session expiry now should spare the member: one parked in JoinGroup or SyncGroup is
   * waiting on the coordinator, not silent (unless it is new, see `isNew`).
   */
  get hasSatisfiedHeartbeat(): boolean {
    return !this.isNew && (this.isAwaitingJoin || this.isAwaitingSync);
  }

  metadataFor(protocol: string): Buffer {
    const p = this.protocols.find((x) => x.name === protocol);
    if (!p) throw new Error(`member ${this.memberId} does not support protocol ${protocol}`);
    return p.metadata;
  }

  /** Same protocols, in the same order, with the same metadata bytes. */
  matches(protocols: readonly JoinGroupProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => {
      const mine = this.protocols[i]!;
      return p.name === mine.name && p.metadata.equals(mine.metadata);
    });
  }

  /** The member's first choice among `candidates`. */
  vote(candidates: ReadonlySet<string>): string {
    const p = this.protocols.find((x) => candidates.has(x.name));
    if (!p) throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return p.name;
  }
}
