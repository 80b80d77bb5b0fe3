// One member of a classic consumer group, as Kafka's consumers are: JoinGroup (with the member id the
// coordinator hands out first, KIP-394), SyncGroup (the leader assigns partitions with the range
// assignor), Heartbeat to stay in, commits under its generation, LeaveGroup when done. `skein consume
// --group` reads through one, so it shares a group's partitions with other consumers and shows up in
// `skein group describe` like any of them.
import {
  CONSUMER_PROTOCOL_TYPE,
  decodeConsumerAssignment,
  encodeConsumerAssignment,
  encodeConsumerSubscription,
  decodeSubscribedTopics,
  type TopicPartitions,
} from '../../../protocol/kafka/consumer-offsets/consumer-protocol.js';
import { ApiKey, ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { check, type KafkaAdmin, type TopicPartition } from './admin.js';

/** The consumer's defaults (session.timeout.ms was 10 s before Kafka 3.0, heartbeat a third of it). */
export const SESSION_TIMEOUT_MS = 10_000;
export const HEARTBEAT_INTERVAL_MS = 3000;
/** How long the coordinator waits for every member to rejoin (max.poll.interval.ms's role). */
export const REBALANCE_TIMEOUT_MS = 30_000;
/** Join rounds tried before giving up: each is a rebalance the coordinator restarted under us. */
const JOIN_ATTEMPTS_MAX = 20;
export const RANGE_ASSIGNOR = 'range';
/** What a commit from an old generation is refused with once the group has rebalanced. */
const REBALANCED: ReadonlySet<number> = new Set([ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID]);

/** Kafka's RangeAssignor: per topic, members in id order each take a run of partitions, the first ones one more. */
export function rangeAssign(members: readonly { memberId: string; topics: readonly string[] }[], partitions: ReadonlyMap<string, number>): Map<string, TopicPartitions[]> {
  const out = new Map<string, TopicPartitions[]>(members.map((m) => [m.memberId, []]));
  for (const [topic, count] of [...partitions].sort(([a], [b]) => a.localeCompare(b))) {
    const subscribed = members.filter((m) => m.topics.includes(topic)).map((m) => m.memberId).sort();
    const each = Math.floor(count / subscribed.length);
    const extra = count % subscribed.length;
    subscribed.forEach((memberId, i) => {
      const start = i * each + Math.min(i, extra);
      const length = each + (i < extra ? 1 : 0);
      if (length > 0) out.get(memberId)!.push({ topic, partitions: Array.from({ length }, (_, k) => start + k) });
    });
  }
  return out;
}

export class GroupMember {
  private memberId = '';
  private generationId = -1;
  private lastHeartbeat = 0;

  constructor(
    private readonly admin: KafkaAdmin,
    readonly groupId: string,
    private readonly topics: readonly string[],
  ) {}

  /** Joins the group (again, after a rebalance) and resolves with this member's partitions. */
  async join(): Promise<TopicPartition[]> {
    for (let attempt = 0; attempt < JOIN_ATTEMPTS_MAX; attempt++) {
      const joined = await this.admin.toCoordinator(this.groupId, (conn) =>
        this.admin.send(
          conn,
          ApiKey.JoinGroup,
          {
            groupId: this.groupId,
            sessionTimeoutMs: SESSION_TIMEOUT_MS,
            rebalanceTimeoutMs: REBALANCE_TIMEOUT_MS,
            memberId: this.memberId,
            groupInstanceId: null,
            protocolType: CONSUMER_PROTOCOL_TYPE,
            protocols: [{ name: RANGE_ASSIGNOR, metadata: encodeConsumerSubscription({ topics: [...this.topics] }) }],
          },
          undefined,
          // The coordinator answers once every member has rejoined, up to the rebalance timeout.
          { timeoutMs: REBALANCE_TIMEOUT_MS + 5000 },
        ),
      );
      if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberId = joined.memberId;
        continue;
      }
      if (joined.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
        this.memberId = '';
        continue;
      }
      if (joined.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) continue;
      check(joined.errorCode, `joining group ${this.groupId}`);
      this.memberId = joined.memberId;
      this.generationId = joined.generationId;
      const assignments = joined.leader === joined.memberId ? await this.assign(joined.members) : [];
      const synced = await this.admin.toCoordinator(this.groupId, (conn) =>
        this.admin.send(conn, ApiKey.SyncGroup, {
          groupId: this.groupId,
          generationId: this.generationId,
          memberId: this.memberId,
          groupInstanceId: null,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocolName: RANGE_ASSIGNOR,
          assignments,
        }, undefined, { timeoutMs: REBALANCE_TIMEOUT_MS + 5000 }),
      );
      if (synced.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || synced.errorCode === ErrorCode.ILLEGAL_GENERATION) continue;
      if (synced.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
        this.memberId = '';
        continue;
      }
      check(synced.errorCode, `joining group ${this.groupId}`);
      this.lastHeartbeat = Date.now();
      if (synced.assignment.length === 0) return [];
      return decodeConsumerAssignment(synced.assignment).assignedPartitions.flatMap((a) => a.partitions.map((partition) => ({ topic: a.topic, partition })));
    }
    throw new KafkaProtocolError(ErrorCode.REBALANCE_IN_PROGRESS, `group ${this.groupId} kept rebalancing through ${JOIN_ATTEMPTS_MAX} attempts to join it`);
  }

  /** As leader: every member's partitions of the topics they subscribe to, by the range assignor. */
  private async assign(members: readonly { memberId: string; metadata: Buffer }[]): Promise<{ memberId: string; assignment: Buffer }[]> {
    const subscriptions = members.map((m) => ({ memberId: m.memberId, topics: decodeSubscribedTopics(m.metadata) }));
    const topics = [...new Set(subscriptions.flatMap((s) => s.topics))];
    const metadata = await this.admin.metadata(topics);
    const counts = new Map(metadata.topics.filter((t) => t.errorCode === ErrorCode.NONE).map((t) => [t.name, t.partitions.length]));
    const plan = rangeAssign(subscriptions, counts);
    return [...plan].map(([memberId, assignedPartitions]) => ({ memberId, assignment: encodeConsumerAssignment({ assignedPartitions }) }));
  }

  /**
   * Heartbeats if one is due; 'rejoin' when the group is rebalancing or has dropped this member (it must
   * join again before reading on).
   */
  async heartbeat(): Promise<'ok' | 'rejoin'> {
    if (Date.now() - this.lastHeartbeat < HEARTBEAT_INTERVAL_MS) return 'ok';
    this.lastHeartbeat = Date.now();
    const r = await this.admin.toCoordinator(this.groupId, (conn) =>
      this.admin.send(conn, ApiKey.Heartbeat, { groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null }),
    );
    if (r.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || r.errorCode === ErrorCode.ILLEGAL_GENERATION) return 'rejoin';
    if (r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
      this.memberId = '';
      return 'rejoin';
    }
    check(r.errorCode, `heartbeat to group ${this.groupId}`);
    return 'ok';
  }

  /** Commits under this member's generation; 'rejoin' when the group has moved on to another one (nothing was committed). */
  async commit(offsets: readonly (TopicPartition & { offset: number })[]): Promise<'ok' | 'rejoin'> {
    try {
      await this.admin.commitOffsets(this.groupId, offsets, { generationId: this.generationId, memberId: this.memberId });
      return 'ok';
    } catch (err) {
      if (err instanceof KafkaProtocolError && REBALANCED.has(err.code)) return 'rejoin';
      throw err;
    }
  }

  /** Leaves the group, so the others take its partitions at once instead of after its session times out. */
  async leave(): Promise<void> {
    if (this.memberId === '') return;
    const memberId = this.memberId;
    this.memberId = '';
    await this.admin.toCoordinator(this.groupId, (conn) =>
      this.admin.send(conn, ApiKey.LeaveGroup, { groupId: this.groupId, memberId, members: [{ memberId, groupInstanceId: null, reason: 'skein consume finished' }] }),
    );
  }
}
