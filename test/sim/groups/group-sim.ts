// A seeded, discrete-event simulation of one consumer group: clients that behave like kafkajs'
// consumer (join, MEMBER_ID_REQUIRED, leader assignment, sync, heartbeats, commits) talk to the
// GroupCoordinator over a network with latency, while chaos adds, kills, pauses, restarts and
// reconfigures them. Invariants are checked as replies are delivered; the run then lets the chaos
// stop and checks that the group settles.
import {
  decodeConsumerAssignment,
  decodeSubscribedTopics,
  encodeConsumerAssignment,
  encodeConsumerSubscription,
} from '../../../protocol/kafka/consumer-offsets/consumer-protocol.js';
import { decodeConsumerOffsetsRecord } from '../../../protocol/kafka/consumer-offsets/records.js';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import type {
  AppendRequest,
  ConsumerOffsetsRecord,
  CoordinatorOutput,
  JoinGroupResponse,
  Reply,
  SyncGroupResponse,
} from '../../../src/kafka/groups/api.js';
import { GroupCoordinator, type GroupSnapshot } from '../../../src/kafka/groups/coordinator.js';
import { replayConsumerOffsets } from '../../../src/kafka/groups/replay.js';
import { Rng } from '../harness/rng.js';

export const GROUP = 'sim';
/**
 * Clients pick their timeouts from these. Static members may have sessions much longer than a
 * rebalance, as deployments that ride out restarts do: such a member can sit out a whole generation
 * and come back with a stale one, which the coordinator must fence.
 */
const SESSION_CHOICES = [1_000, 2_500];
const STATIC_SESSION_CHOICES = [2_500, 10_000];
const REBALANCE_CHOICES = [2_000, 3_000];
export const MAX_SESSION_MS = Math.max(...SESSION_CHOICES, ...STATIC_SESSION_CHOICES);
export const MAX_REBALANCE_MS = Math.max(...REBALANCE_CHOICES);
export const HEARTBEAT_MS = 300;
export const INITIAL_DELAY_MS = 300;
const COMMIT_EVERY_MS = 500;
const TOPICS: Record<string, number> = { t: 6, u: 3 };

type ClientState = 'joining' | 'syncing' | 'stable' | 'zombie' | 'dead';

/** The member id and generation a request was sent with. */
interface SentAs {
  memberId: string;
  generation: number;
}

interface Client {
  name: string;
  instanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** A broken client: it joins once, then only heartbeats, never sending SyncGroup. */
  neverSyncs: boolean;
  topics: string[];
  memberId: string;
  generation: number;
  state: ClientState;
  pausedUntil: number;
  /** Bumped when the client restarts its join, so replies to abandoned requests are ignored. */
  epoch: number;
  assignment: string[];
}

type Event =
  | {
      at: number;
      seq: number;
      kind: 'request';
      client: Client;
      epoch: number;
      sentAs: SentAs;
      send: (token: string) => CoordinatorOutput<string>;
    }
  | { at: number; seq: number; kind: 'reply'; client: Client; epoch: number; reply: Reply<string> }
  | { at: number; seq: number; kind: 'heartbeat' | 'commit'; client: Client; epoch: number }
  | { at: number; seq: number; kind: 'tick' }
  | { at: number; seq: number; kind: 'appendDone'; append: AppendRequest; error: number }
  | { at: number; seq: number; kind: 'chaos' };

type Unsequenced<E> = E extends unknown ? Omit<E, 'seq'> : never;

export interface SimOptions {
  seed: number;
  /** How long chaos runs; the group then gets `settleMs` to become Stable with every live client. */
  chaosMs: number;
  settleMs: number;
  maxClients: number;
  /** Chance that an append to __consumer_offsets fails. */
  appendFailure: number;
}

export interface SimResult {
  generations: number;
  stableGenerations: number;
  commits: number;
  replies: number;
  live: GroupSnapshot[];
  replayed: GroupSnapshot[];
  liveClients: number;
}

export class GroupSim {
  readonly rng: Rng;
  private now = 0;
  private seq = 0;
  private events: Event[] = [];
  private readonly c: GroupCoordinator<string>;
  private readonly clients: Client[] = [];
  private nextClient = 0;
  private tokens = 0;
  private readonly answered = new Set<string>();
  private readonly sent = new Set<string>();
  private readonly log: ConsumerOffsetsRecord[] = [];
  /** The last __consumer_offsets completion time, so appends complete in order. */
  private lastAppendDone = 0;
  /** Generation -> member id -> instance id, as the leader was given them; generation -> the leader's plan. */
  private readonly membersOf = new Map<number, Map<string, string | null>>();
  private readonly plans = new Map<number, Map<string, string[]>>();
  /** Generation -> member -> what SyncGroup handed it. */
  private readonly handedOut = new Map<number, Map<string, string>>();
  private maxGeneration = 0;
  private commits = 0;
  private chaos = true;

  constructor(private readonly opt: SimOptions) {
    this.rng = new Rng(opt.seed);
    let ids = 0;
    this.c = new GroupCoordinator<string>(
      {
        config: {
          groupInitialRebalanceDelayMs: INITIAL_DELAY_MS,
          groupMinSessionTimeoutMs: 100,
          offsetsRetentionCheckIntervalMs: 60_000,
        },
        memberIdSuffix: () => `m${++ids}`,
      },
      0,
    );
  }

  run(): SimResult {
    for (let i = 0; i < 3; i++) this.startClient(this.rng.chance(0.3) ? `inst-${i}` : null);
    this.push({ at: 100, kind: 'chaos' });
    const end = this.opt.chaosMs + this.opt.settleMs;
    while (this.events.length > 0 && this.events[0]!.at <= end) {
      const e = this.pop();
      this.now = e.at;
      if (this.chaos && this.now >= this.opt.chaosMs) this.calm();
      this.handle(e);
    }
    // Let what is on the wire and in the log arrive (a few ms), without starting anything new.
    while (this.events.length > 0) {
      const e = this.pop();
      if (e.kind !== 'request' && e.kind !== 'reply' && e.kind !== 'appendDone') continue;
      this.now = e.at;
      this.handle(e);
    }
    return this.finish();
  }

  // ---- event queue (a sorted array is plenty at this size)

  private push(e: Unsequenced<Event>): void {
    const ev = { ...e, seq: this.seq++ } as Event;
    let i = this.events.length;
    while (i > 0 && (this.events[i - 1]!.at > ev.at || (this.events[i - 1]!.at === ev.at && this.events[i - 1]!.seq > ev.seq))) i--;
    this.events.splice(i, 0, ev);
  }

  private pop(): Event {
    return this.events.shift()!;
  }

  private latency(): number {
    return this.rng.int(1, 5);
  }

  // ---- coordinator side

  private deliver(out: CoordinatorOutput<string>): void {
    for (const r of out.replies) {
      if (this.answered.has(r.token)) throw new Error(`token ${r.token} answered twice`);
      if (!this.sent.has(r.token)) throw new Error(`reply for unknown token ${r.token}`);
      this.answered.add(r.token);
      this.checkReply(r);
      const owner = this.owner.get(r.token);
      if (owner) this.push({ at: this.now + this.latency(), kind: 'reply', client: owner.client, epoch: owner.epoch, reply: r });
    }
    for (const a of out.appends) {
      const failed = this.rng.chance(this.opt.appendFailure);
      this.lastAppendDone = Math.max(this.lastAppendDone, this.now) + this.rng.int(0, 10);
      this.push({ at: this.lastAppendDone, kind: 'appendDone', append: a, error: failed ? ErrorCode.NOT_ENOUGH_REPLICAS : 0 });
      this.checkGroupRecords(a.records);
    }
    const next = this.c.nextDeadline();
    if (next !== undefined && !this.ticks.has(next)) {
      this.ticks.add(next);
      this.push({ at: Math.max(next, this.now), kind: 'tick' });
    }
  }

  /** Times a tick is already queued for. */
  private readonly ticks = new Set<number>();

  private readonly owner = new Map<string, { client: Client; epoch: number }>();
  /** Group generation and state when each request was handled, for checking its eventual reply. */
  private readonly seenAt = new Map<string, { generation: number; state: string; memberIds: Set<string> }>();

  private groupView(): { generation: number; state: string; memberIds: Set<string> } {
    const g = this.c.snapshot().find((x) => x.groupId === GROUP);
    return {
      generation: g?.generationId ?? 0,
      state: g?.state ?? 'Dead',
      memberIds: new Set(g?.members.map((m) => m.memberId) ?? []),
    };
  }

  private send(client: Client, send: (token: string) => CoordinatorOutput<string>): void {
    const sentAs = { memberId: client.memberId, generation: client.generation };
    this.push({ at: this.now + this.latency(), kind: 'request', client, epoch: client.epoch, sentAs, send });
  }

  // ---- invariants

  private fail(msg: string): never {
    throw new Error(`seed ${this.opt.seed} at ${this.now}ms: ${msg}`);
  }

  /**
   * Only members of the current generation get confirmations: a successful SyncGroup, Heartbeat or
   * OffsetCommit always carried the generation the group had when it was handled.
   */
  private checkReply(r: Reply<string>): void {
    const at = this.seenAt.get(r.token)!;
    const req = this.requests.get(r.token)!;
    if (r.api === 'heartbeat' && r.response.errorCode === ErrorCode.NONE) {
      if (req.generation !== at.generation || !(at.state === 'Stable' || at.state === 'CompletingRebalance')) {
        this.fail(`heartbeat NONE for generation ${req.generation} while the group was ${at.state} ${at.generation}`);
      }
    }
    if (r.api === 'offsetCommit' && r.response.topics.every((t) => t.partitions.every((p) => p.errorCode === ErrorCode.NONE))) {
      if (req.generation !== at.generation || !at.memberIds.has(req.memberId)) {
        this.fail(`commit accepted from generation ${req.generation} while the group was at ${at.generation}`);
      }
      this.commits++;
    }
    if (r.api === 'syncGroup' && r.response.errorCode === ErrorCode.NONE) {
      const now = this.groupView();
      if (now.state !== 'Stable' || now.generation !== req.generation) {
        this.fail(`SyncGroup NONE for generation ${req.generation} while the group is ${now.state} ${now.generation}`);
      }
      const members = this.membersOf.get(req.generation);
      if (!members?.has(req.memberId)) this.fail(`${req.memberId} got an assignment in generation ${req.generation} it was not part of`);
      const plan = this.plans.get(req.generation)?.get(req.memberId) ?? [];
      const got = assignmentOf(r.response);
      if (got.join() !== plan.join()) this.fail(`${req.memberId} got [${got}] in generation ${req.generation}, the leader planned [${plan}]`);
      let handed = this.handedOut.get(req.generation);
      if (!handed) this.handedOut.set(req.generation, (handed = new Map()));
      const before = handed.get(req.memberId);
      if (before !== undefined && before !== got.join()) this.fail(`${req.memberId} got two assignments in generation ${req.generation}`);
      handed.set(req.memberId, got.join());
    }
  }

  /** Each group record names each member once, with the generation's assignment. */
  private checkGroupRecords(records: ConsumerOffsetsRecord[]): void {
    for (const rec of records) {
      const e = decodeConsumerOffsetsRecord(rec.key, rec.value);
      if (e.type !== 'group' || e.value === null) continue;
      const ids = e.value.members.map((m) => m.memberId);
      if (new Set(ids).size !== ids.length) this.fail(`group record lists a member twice: ${ids}`);
      const owned = e.value.members.flatMap((m) => (m.assignment.length === 0 ? [] : partitionsOf(m.assignment)));
      if (new Set(owned).size !== owned.length) this.fail(`group record assigns a partition twice: ${owned}`);
    }
  }

  private readonly requests = new Map<string, SentAs>();

  // ---- clients

  private startClient(instanceId: string | null, neverSyncs = false): Client {
    const client: Client = {
      name: `c${this.nextClient++}`,
      instanceId,
      sessionTimeoutMs: this.rng.pick(instanceId === null ? SESSION_CHOICES : STATIC_SESSION_CHOICES),
      rebalanceTimeoutMs: this.rng.pick(REBALANCE_CHOICES),
      neverSyncs,
      topics: this.rng.chance(0.3) ? ['t', 'u'] : ['t'],
      memberId: '',
      generation: -1,
      state: 'joining',
      pausedUntil: 0,
      epoch: 0,
      assignment: [],
    };
    this.clients.push(client);
    this.join(client);
    return client;
  }

  /** Live clients that follow the protocol. */
  private alive(): Client[] {
    return this.clients.filter((c) => c.state !== 'dead' && !c.neverSyncs);
  }

  private join(client: Client): void {
    client.state = 'joining';
    client.epoch++;
    client.assignment = [];
    const memberId = client.memberId;
    this.send(client, (token) =>
      this.c.joinGroup(
        this.now,
        token,
        {
          groupId: GROUP,
          sessionTimeoutMs: client.sessionTimeoutMs,
          rebalanceTimeoutMs: client.rebalanceTimeoutMs,
          memberId,
          groupInstanceId: client.instanceId,
          protocolType: 'consumer',
          protocols: [{ name: 'roundrobin', metadata: encodeConsumerSubscription({ version: 0, topics: client.topics }) }],
        },
        { clientId: client.name, clientHost: '/sim', apiVersion: 5 },
      ),
    );
  }

  private onJoin(client: Client, r: JoinGroupResponse): void {
    if (r.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      client.memberId = r.memberId;
      return this.join(client);
    }
    if (r.errorCode !== ErrorCode.NONE) {
      if (client.neverSyncs) client.state = 'dead';
      else this.recover(client, r.errorCode);
      return;
    }
    client.memberId = r.memberId;
    if (client.neverSyncs) {
      client.generation = r.generationId;
      client.state = 'zombie';
      this.push({ at: this.now + HEARTBEAT_MS, kind: 'heartbeat', client, epoch: client.epoch });
      return;
    }
    client.generation = r.generationId;
    client.state = 'syncing';
    this.maxGeneration = Math.max(this.maxGeneration, r.generationId);
    const assignments: Array<{ memberId: string; assignment: Buffer }> = [];
    this.noteStaticReplacement(client, r);
    if (r.leader === r.memberId && r.members.length > 0) {
      this.membersOf.set(r.generationId, new Map(r.members.map((m) => [m.memberId, m.groupInstanceId])));
      const plan = roundRobin(r.members.map((m) => ({ memberId: m.memberId, topics: decodeSubscribedTopics(m.metadata) })));
      this.plans.set(r.generationId, plan);
      for (const [memberId, parts] of plan) {
        assignments.push({ memberId, assignment: encodeAssignment(parts) });
      }
    }
    const generation = r.generationId;
    this.send(client, (token) =>
      this.c.syncGroup(this.now, token, {
        groupId: GROUP,
        generationId: generation,
        memberId: client.memberId,
        groupInstanceId: client.instanceId,
        protocolType: 'consumer',
        protocolName: 'roundrobin',
        assignments,
      }),
    );
  }

  /**
   * A restarted static instance takes over its old member's place in the generation under a new id
   * (no rebalance): the plan it will be handed is its predecessor's.
   */
  private noteStaticReplacement(client: Client, r: JoinGroupResponse): void {
    const members = this.membersOf.get(r.generationId);
    if (client.instanceId === null || !members || members.has(r.memberId)) return;
    const previous = [...members].find(([, instanceId]) => instanceId === client.instanceId)?.[0];
    if (previous === undefined) return;
    members.set(r.memberId, client.instanceId);
    this.plans.get(r.generationId)?.set(r.memberId, this.plans.get(r.generationId)?.get(previous) ?? []);
  }

  private onSync(client: Client, r: SyncGroupResponse): void {
    if (r.errorCode !== ErrorCode.NONE) return this.recover(client, r.errorCode);
    client.state = 'stable';
    client.assignment = assignmentOf(r);
    this.push({ at: this.now + HEARTBEAT_MS, kind: 'heartbeat', client, epoch: client.epoch });
    this.push({ at: this.now + this.rng.int(0, COMMIT_EVERY_MS), kind: 'commit', client, epoch: client.epoch });
  }

  /** kafkajs-like reaction to a group error: a fenced instance stops; anything else rejoins. */
  private recover(client: Client, errorCode: number): void {
    if (errorCode === ErrorCode.NONE) return;
    if (errorCode === ErrorCode.FENCED_INSTANCE_ID) {
      client.state = 'dead';
      return;
    }
    if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID) client.memberId = '';
    this.join(client);
  }

  private heartbeat(client: Client): void {
    const { memberId, generation } = client;
    this.send(client, (token) =>
      this.c.heartbeat(this.now, token, { groupId: GROUP, generationId: generation, memberId, groupInstanceId: client.instanceId }),
    );
    this.push({ at: this.now + HEARTBEAT_MS, kind: 'heartbeat', client, epoch: client.epoch });
  }

  private commit(client: Client): void {
    const { memberId, generation } = client;
    const byTopic = groupByTopic(client.assignment);
    if (byTopic.size > 0) {
      this.send(client, (token) =>
        this.c.offsetCommit(this.now, token, {
          groupId: GROUP,
          generationIdOrMemberEpoch: generation,
          memberId,
          groupInstanceId: client.instanceId,
          retentionTimeMs: -1,
          topics: [...byTopic].map(([name, ps]) => ({
            name,
            partitions: ps.map((p) => ({
              partitionIndex: p,
              committedOffset: this.now,
              committedLeaderEpoch: -1,
              commitTimestamp: -1,
              committedMetadata: client.name,
            })),
          })),
        }),
      );
    }
    this.push({ at: this.now + COMMIT_EVERY_MS, kind: 'commit', client, epoch: client.epoch });
  }

  // ---- chaos

  private chaosStep(): void {
    const alive = this.alive();
    const roll = this.rng.next();
    if (roll < 0.2 && alive.length < this.opt.maxClients) {
      this.startClient(this.rng.chance(0.4) ? `inst-${this.rng.int(0, 5)}` : null);
    } else if (roll < 0.25) {
      this.startClient(null, true);
    } else if (roll < 0.3 && alive.length > 0) {
      // Crash: the client just stops.
      this.rng.pick(alive).state = 'dead';
    } else if (roll < 0.4 && alive.length > 0) {
      const c = this.rng.pick(alive);
      c.state = 'dead';
      const { memberId } = c;
      if (memberId !== '') {
        this.send(c, (token) =>
          this.c.leaveGroup(this.now, token, { groupId: GROUP, members: [{ memberId, groupInstanceId: c.instanceId }] }),
        );
      }
    } else if (roll < 0.5 && alive.length > 0) {
      // A long pause (garbage collection, a stopped container): past the session timeout or not.
      this.rng.pick(alive).pausedUntil = this.now + this.rng.int(HEARTBEAT_MS, 2 * MAX_REBALANCE_MS);
    } else if (roll < 0.6) {
      // A static instance restarts: the old process dies, a new one comes up with the same instance id.
      const statics = alive.filter((c) => c.instanceId !== null);
      if (statics.length > 0) {
        const old = this.rng.pick(statics);
        old.state = 'dead';
        this.startClient(old.instanceId);
      }
    } else if (roll < 0.8) {
      this.stallDuringRebalance(alive);
    } else if (roll < 0.9) {
      // A subscription change: a stable member rejoins with new metadata.
      const stable = alive.filter((c) => c.state === 'stable');
      if (stable.length > 0) {
        const c = this.rng.pick(stable);
        c.topics = c.topics.length === 1 ? ['t', 'u'] : ['t'];
        this.join(c);
      }
    }
    if (this.alive().length === 0) this.startClient(null);
    this.push({ at: this.now + this.rng.int(200, 1_500), kind: 'chaos' });
  }

  /**
   * A static member with a long session stalls just as a new member joins: the group moves on
   * without it, keeping it as a member, and when it wakes up between the join completing and its
   * missing SyncGroup being noticed, it speaks for a generation that is gone and must be fenced.
   */
  private stallDuringRebalance(alive: Client[]): void {
    const statics = alive.filter((c) => c.instanceId !== null && c.sessionTimeoutMs > MAX_REBALANCE_MS);
    if (statics.length === 0 || alive.length >= this.opt.maxClients) return;
    const rebalanceMs = Math.max(...alive.map((c) => c.rebalanceTimeoutMs));
    this.rng.pick(statics).pausedUntil = this.now + this.rng.int(rebalanceMs + 100, 2 * rebalanceMs - 100);
    this.startClient(null);
  }

  /** Chaos stops: paused clients resume, and statics that share an instance id keep only the newest. */
  private calm(): void {
    this.chaos = false;
    for (const c of this.clients) c.pausedUntil = 0;
    const byInstance = new Map<string, Client>();
    for (const c of this.alive()) {
      if (c.instanceId === null) continue;
      const prev = byInstance.get(c.instanceId);
      if (prev) prev.state = 'dead';
      byInstance.set(c.instanceId, c);
    }
  }

  // ---- dispatch

  private handle(e: Event): void {
    switch (e.kind) {
      case 'chaos':
        if (this.chaos) this.chaosStep();
        return;
      case 'tick':
        this.ticks.delete(e.at);
        return this.deliver(this.c.tick(this.now));
      case 'appendDone':
        if (e.error === 0) this.log.push(...e.append.records);
        return this.deliver(this.c.appendCompleted(this.now, e.append.id, e.error));
      case 'request': {
        const token = `r${++this.tokens}`;
        this.sent.add(token);
        this.owner.set(token, { client: e.client, epoch: e.epoch });
        this.seenAt.set(token, this.groupView());
        this.requests.set(token, e.sentAs);
        return this.deliver(e.send(token));
      }
      default:
        return this.onClientEvent(e);
    }
  }

  private onClientEvent(e: Extract<Event, { client: Client }>): void {
    const client = e.client;
    if (client.state === 'dead' || e.epoch !== client.epoch) return;
    if (client.pausedUntil > this.now) {
      // A paused process handles nothing until it resumes.
      this.push({ ...e, at: client.pausedUntil });
      return;
    }
    switch (e.kind) {
      case 'heartbeat':
        if (client.state === 'stable' || client.state === 'zombie') this.heartbeat(client);
        return;
      case 'commit':
        if (client.state === 'stable') this.commit(client);
        return;
      case 'reply':
        return this.onReply(client, e.reply);
      default:
        return;
    }
  }

  private onReply(client: Client, r: Reply<string>): void {
    switch (r.api) {
      case 'joinGroup':
        if (client.state === 'joining') this.onJoin(client, r.response);
        return;
      case 'syncGroup':
        if (client.state === 'syncing') this.onSync(client, r.response);
        return;
      case 'heartbeat':
        if (client.state === 'stable') this.recover(client, r.response.errorCode);
        return;
      case 'offsetCommit': {
        const code = r.response.topics[0]?.partitions[0]?.errorCode ?? ErrorCode.NONE;
        // Failed writes are retried by the next periodic commit.
        if (client.state === 'stable' && code !== ErrorCode.COORDINATOR_NOT_AVAILABLE) this.recover(client, code);
        return;
      }
      default:
        return;
    }
  }

  // ---- the end

  private finish(): SimResult {
    const live = this.c.snapshot();
    const group = live.find((g) => g.groupId === GROUP);
    const alive = this.alive();
    if (!group || group.state !== 'Stable') this.fail(`the group did not settle: ${group?.state}`);
    const memberIds = new Set(group.members.map((m) => m.memberId));
    for (const c of alive) {
      if (c.state !== 'stable') this.fail(`${c.name} is ${c.state} after settling`);
      if (c.generation !== group.generationId) this.fail(`${c.name} is at generation ${c.generation}, the group at ${group.generationId}`);
      if (!memberIds.has(c.memberId)) this.fail(`${c.name} (${c.memberId}) is not a member after settling`);
    }
    // A member that joined and never synced was removed, though it still heartbeats.
    for (const z of this.clients.filter((c) => c.state === 'zombie')) {
      if (memberIds.has(z.memberId)) this.fail(`${z.name} never synced and is still a member`);
    }
    if (memberIds.size !== alive.length) this.fail(`${memberIds.size} members for ${alive.length} live clients`);
    // Every partition of the topics subscribed is owned by exactly one live client.
    const owned = alive.flatMap((c) => c.assignment).sort();
    const subscribed = new Set(alive.flatMap((c) => c.topics));
    const expected = [...subscribed].flatMap((t) => Array.from({ length: TOPICS[t]! }, (_, p) => `${t}-${p}`)).sort();
    if (owned.join() !== expected.join()) this.fail(`live clients own [${owned}], expected [${expected}]`);
    const unanswered = [...this.sent].filter((t) => !this.answered.has(t));
    if (unanswered.length > 0) this.fail(`${unanswered.length} requests never answered`);
    const replay = replayConsumerOffsets(this.log);
    const replayed = new GroupCoordinator<string>({ memberIdSuffix: () => 'x' }, this.now, replay.groups()).snapshot();
    return {
      generations: this.maxGeneration,
      stableGenerations: this.handedOut.size,
      commits: this.commits,
      replies: this.answered.size,
      live,
      replayed,
      liveClients: alive.length,
    };
  }
}

function roundRobin(members: Array<{ memberId: string; topics: string[] }>): Map<string, string[]> {
  const plan = new Map(members.map((m) => [m.memberId, [] as string[]]));
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
  for (const topic of Object.keys(TOPICS)) {
    const takers = sorted.filter((m) => m.topics.includes(topic));
    for (let p = 0; p < TOPICS[topic]! && takers.length > 0; p++) plan.get(takers[p % takers.length]!.memberId)!.push(`${topic}-${p}`);
  }
  return plan;
}

/** "topic-partition" names grouped by topic. */
function groupByTopic(parts: string[]): Map<string, number[]> {
  const byTopic = new Map<string, number[]>();
  for (const tp of parts) {
    const [topic, p] = tp.split('-') as [string, string];
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), Number(p)]);
  }
  return byTopic;
}

function encodeAssignment(parts: string[]): Buffer {
  return encodeConsumerAssignment({
    version: 0,
    assignedPartitions: [...groupByTopic(parts)].map(([topic, partitions]) => ({ topic, partitions })),
    userData: null,
  });
}

function partitionsOf(assignment: Buffer): string[] {
  return decodeConsumerAssignment(assignment).assignedPartitions.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}-${p}`));
}

function assignmentOf(r: SyncGroupResponse): string[] {
  return r.assignment.length === 0 ? [] : partitionsOf(r.assignment);
}
