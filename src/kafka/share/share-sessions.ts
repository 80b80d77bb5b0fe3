// Share sessions (KIP-932): what a member fetches from this broker, kept between its ShareFetch and
// ShareAcknowledge requests, each request carrying the next epoch so a lost or replayed request is
// noticed. Epoch 0 opens a session, -1 closes it; the epoch after INT32_MAX is 1. The number of sessions
// is bounded (group.share.max.share.sessions): a broker never holds state for unboundedly many members.
import { ErrorCode } from '../../../protocol/kafka/index.js';

export const INITIAL_SHARE_SESSION_EPOCH = 0;
export const FINAL_SHARE_SESSION_EPOCH = -1;

export function nextShareSessionEpoch(epoch: number): number {
  return epoch === 0x7fffffff ? 1 : epoch + 1;
}

export interface ShareSessionPartition {
  topicId: string;
  partition: number;
}

export interface ShareSession {
  readonly groupId: string;
  readonly memberId: string;
  /** The epoch the member's next request must carry. */
  epoch: number;
  /** The partitions fetched in this session, by `topicId:partition`. */
  readonly partitions: Map<string, ShareSessionPartition>;
}

export function sessionPartitionKey(topicId: string, partition: number): string {
  return `${topicId}:${partition}`;
}

function sessionKey(groupId: string, memberId: string): string {
  return `${groupId}\0${memberId}`;
}

export class ShareSessionCache {
  private readonly sessions = new Map<string, ShareSession>();

  constructor(private readonly maxSessions: number) {}

  get size(): number {
    return this.sessions.size;
  }

  get(groupId: string, memberId: string): ShareSession | undefined {
    return this.sessions.get(sessionKey(groupId, memberId));
  }

  /**
   * A new session for the member, replacing its old one (a client that lost track of its epoch starts
   * over with 0); SHARE_SESSION_LIMIT_REACHED when the cache is full of other members' sessions.
   */
  open(groupId: string, memberId: string): ShareSession | number {
    const key = sessionKey(groupId, memberId);
    if (!this.sessions.has(key) && this.sessions.size >= this.maxSessions) return ErrorCode.SHARE_SESSION_LIMIT_REACHED;
    const session: ShareSession = { groupId, memberId, epoch: nextShareSessionEpoch(INITIAL_SHARE_SESSION_EPOCH), partitions: new Map() };
    this.sessions.set(key, session);
    return session;
  }

  /**
   * The member's session if `epoch` is the one it expects, moved on to the next epoch; else
   * SHARE_SESSION_NOT_FOUND or INVALID_SHARE_SESSION_EPOCH, and nothing changes.
   */
  advance(groupId: string, memberId: string, epoch: number): ShareSession | number {
    const session = this.get(groupId, memberId);
    if (!session) return ErrorCode.SHARE_SESSION_NOT_FOUND;
    if (epoch === FINAL_SHARE_SESSION_EPOCH) return session;
    if (epoch !== session.epoch) return ErrorCode.INVALID_SHARE_SESSION_EPOCH;
    session.epoch = nextShareSessionEpoch(epoch);
    return session;
  }

  /** Whether any member of the group has a session here with partitions in it (and so may hold records here). */
  groupInUse(groupId: string): boolean {
    for (const s of this.sessions.values()) if (s.groupId === groupId && s.partitions.size > 0) return true;
    return false;
  }

  /** Removes `session` if it is still the member's current one; whether it was. */
  close(session: ShareSession): boolean {
    const key = sessionKey(session.groupId, session.memberId);
    if (this.sessions.get(key) !== session) return false;
    this.sessions.delete(key);
    return true;
  }
}
