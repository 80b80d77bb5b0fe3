// Drives a GroupCoordinator the way the broker will: string tokens, a manual clock, and an in-memory
// "log" that makes appends durable on demand. It checks that no token is ever answered twice.
import { encodeConsumerSubscription } from '../../../protocol/kafka/consumer-offsets/consumer-protocol.js';
import type {
  AppendRequest,
  ConsumerOffsetsRecord,
  CoordinatorOutput,
  GroupApi,
  JoinGroupClient,
  JoinGroupRequest,
  OffsetCommitRequest,
  Reply,
  SyncGroupAssignment,
} from '../../../src/kafka/groups/api.js';
import type { GroupCoordinatorConfig } from '../../../src/kafka/groups/config.js';
import { GroupCoordinator } from '../../../src/kafka/groups/coordinator.js';
import { replayConsumerOffsets } from '../../../src/kafka/groups/replay.js';

export type ResponseOf<A extends GroupApi> = Extract<Reply<string>, { api: A }>['response'];

export interface HarnessOptions {
  config?: Partial<GroupCoordinatorConfig>;
  /** Complete every append as soon as it is emitted (the default). */
  autoAppend?: boolean;
  now?: number;
}

/** Test defaults: Kafka's, but no initial rebalance delay unless a test asks for one. */
export const TEST_CONFIG: Partial<GroupCoordinatorConfig> = { groupInitialRebalanceDelayMs: 0 };

export const SESSION_MS = 10_000;
export const REBALANCE_MS = 30_000;

export function subscription(...topics: string[]): Buffer {
  return encodeConsumerSubscription({ version: 0, topics, userData: Buffer.alloc(0) });
}

export function joinRequest(over: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'g',
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: REBALANCE_MS,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription('t') }],
    ...over,
  };
}

export class Harness {
  readonly c: GroupCoordinator<string>;
  now: number;
  readonly replies = new Map<string, Reply<string>>();
  /** Records made durable, in order: what __consumer_offsets would hold. */
  readonly log: ConsumerOffsetsRecord[] = [];
  readonly pendingAppends: AppendRequest[] = [];
  autoAppend: boolean;
  private tokens = 0;
  private ids = 0;

  constructor(options: HarnessOptions = {}) {
    this.now = options.now ?? 1_000_000;
    this.autoAppend = options.autoAppend ?? true;
    this.c = new GroupCoordinator<string>(
      { config: { ...TEST_CONFIG, ...options.config }, memberIdSuffix: () => `id${++this.ids}` },
      this.now,
    );
  }

  /** A coordinator restarted from this one's log, with the same settings. */
  restart(config: Partial<GroupCoordinatorConfig> = {}): GroupCoordinator<string> {
    const replay = replayConsumerOffsets(this.log);
    return new GroupCoordinator<string>(
      { config: { ...this.c.config, ...config }, memberIdSuffix: () => `restarted${++this.ids}` },
      this.now,
      replay.groups(),
    );
  }

  absorb(out: CoordinatorOutput<string>): CoordinatorOutput<string> {
    for (const r of out.replies) {
      if (this.replies.has(r.token)) throw new Error(`token ${r.token} answered twice`);
      this.replies.set(r.token, r);
    }
    this.pendingAppends.push(...out.appends);
    if (this.autoAppend) this.completeAppends();
    return out;
  }

  /** Makes the oldest `count` pending appends durable (or fails them with `error`). */
  completeAppends(error = 0, count = Infinity): void {
    for (let i = 0; i < count && this.pendingAppends.length > 0; i++) {
      const a = this.pendingAppends.shift()!;
      if (error === 0) this.log.push(...a.records);
      this.absorb(this.c.appendCompleted(this.now, a.id, error));
    }
  }

  advance(ms: number): void {
    this.now += ms;
    this.absorb(this.c.tick(this.now));
  }

  private token(): string {
    return `t${++this.tokens}`;
  }

  answered(token: string): boolean {
    return this.replies.has(token);
  }

  response<A extends GroupApi>(token: string, api: A): ResponseOf<A> {
    const r = this.replies.get(token);
    if (!r) throw new Error(`no reply yet for ${token}`);
    if (r.api !== api) throw new Error(`${token} was answered as ${r.api}, not ${api}`);
    return r.response as ResponseOf<A>;
  }

  join(over: Partial<JoinGroupRequest> = {}, client: Partial<JoinGroupClient> = {}): string {
    const t = this.token();
    this.absorb(
      this.c.joinGroup(this.now, t, joinRequest(over), { clientId: 'client', clientHost: '/127.0.0.1', apiVersion: 5, ...client }),
    );
    return t;
  }

  /** A dynamic member's first join, through MEMBER_ID_REQUIRED: the token of the join that waits. */
  joinNew(over: Partial<JoinGroupRequest> = {}, client: Partial<JoinGroupClient> = {}): string {
    const first = this.join({ ...over, memberId: '' }, client);
    const r = this.response(first, 'joinGroup');
    if (r.errorCode !== 79) throw new Error(`expected MEMBER_ID_REQUIRED, got ${r.errorCode}`);
    return this.join({ ...over, memberId: r.memberId }, client);
  }

  sync(
    memberId: string,
    generationId: number,
    assignments: SyncGroupAssignment[] = [],
    over: { groupId?: string; groupInstanceId?: string | null; protocolName?: string | null } = {},
  ): string {
    const t = this.token();
    this.absorb(
      this.c.syncGroup(this.now, t, {
        groupId: over.groupId ?? 'g',
        generationId,
        memberId,
        groupInstanceId: over.groupInstanceId ?? null,
        protocolType: 'consumer',
        protocolName: over.protocolName ?? null,
        assignments,
      }),
    );
    return t;
  }

  heartbeat(memberId: string, generationId: number, groupInstanceId: string | null = null, groupId = 'g'): number {
    const t = this.token();
    this.absorb(this.c.heartbeat(this.now, t, { groupId, generationId, memberId, groupInstanceId }));
    return this.response(t, 'heartbeat').errorCode;
  }

  leave(members: Array<{ memberId: string; groupInstanceId?: string | null }>, groupId = 'g'): ResponseOf<'leaveGroup'> {
    const t = this.token();
    this.absorb(
      this.c.leaveGroup(this.now, t, {
        groupId,
        members: members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null })),
      }),
    );
    return this.response(t, 'leaveGroup');
  }

  commit(
    partitions: Array<{ topic: string; partition: number; offset: number; metadata?: string | null }>,
    over: Partial<Omit<OffsetCommitRequest, 'topics'>> = {},
  ): string {
    const t = this.token();
    const topics = new Map<string, OffsetCommitRequest['topics'][number]>();
    for (const p of partitions) {
      let topic = topics.get(p.topic);
      if (!topic) topics.set(p.topic, (topic = { name: p.topic, partitions: [] }));
      topic.partitions.push({
        partitionIndex: p.partition,
        committedOffset: p.offset,
        committedLeaderEpoch: -1,
        commitTimestamp: -1,
        committedMetadata: p.metadata ?? null,
      });
    }
    this.absorb(
      this.c.offsetCommit(this.now, t, {
        groupId: 'g',
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1,
        ...over,
        topics: [...topics.values()],
      }),
    );
    return t;
  }

  /** Per-partition error codes of an answered commit, as "topic/partition" -> code. */
  commitErrors(token: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of this.response(token, 'offsetCommit').topics) {
      for (const p of t.partitions) out[`${t.name}/${p.partitionIndex}`] = p.errorCode;
    }
    return out;
  }

  fetch(groupId: string, topics: Array<{ name: string; partitionIndexes: number[] }> | null, requireStable = false): ResponseOf<'offsetFetch'>['groups'][number] {
    const t = this.token();
    this.absorb(this.c.offsetFetch(this.now, t, { groups: [{ groupId, topics }], requireStable }));
    return this.response(t, 'offsetFetch').groups[0]!;
  }

  /** The committed offset of one partition, -1 if none. */
  committed(topic: string, partition: number, groupId = 'g'): number {
    return this.fetch(groupId, [{ name: topic, partitionIndexes: [partition] }]).topics[0]!.partitions[0]!.committedOffset;
  }

  describe(groupId = 'g'): ResponseOf<'describeGroups'>['groups'][number] {
    const t = this.token();
    this.absorb(this.c.describeGroups(this.now, t, { groups: [groupId] }));
    return this.response(t, 'describeGroups').groups[0]!;
  }

  list(statesFilter: string[] = []): ResponseOf<'listGroups'>['groups'] {
    const t = this.token();
    this.absorb(this.c.listGroups(this.now, t, { statesFilter }));
    return this.response(t, 'listGroups').groups;
  }

  state(groupId = 'g'): string {
    return this.describe(groupId).groupState;
  }

  deleteGroups(...groupsNames: string[]): string {
    const t = this.token();
    this.absorb(this.c.deleteGroups(this.now, t, { groupsNames }));
    return t;
  }

  offsetDelete(groupId: string, topics: Array<{ name: string; partitions: number[] }>): string {
    const t = this.token();
    this.absorb(
      this.c.offsetDelete(this.now, t, {
        groupId,
        topics: topics.map((x) => ({ name: x.name, partitions: x.partitions.map((partitionIndex) => ({ partitionIndex })) })),
      }),
    );
    return t;
  }

  /**
   * Brings one dynamic member into an empty group and through SyncGroup: its member id and generation.
   * With an initial rebalance delay configured, the clock is moved past it.
   */
  soloMember(over: Partial<JoinGroupRequest> = {}): { memberId: string; generationId: number } {
    const t = this.joinNew(over);
    if (!this.answered(t)) this.advance(this.c.config.groupInitialRebalanceDelayMs);
    const j = this.response(t, 'joinGroup');
    this.sync(j.memberId, j.generationId, [{ memberId: j.memberId, assignment: Buffer.from('a') }], {
      groupId: over.groupId ?? 'g',
    });
    return { memberId: j.memberId, generationId: j.generationId };
  }
}
