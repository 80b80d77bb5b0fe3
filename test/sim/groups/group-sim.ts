// A seeded simulation of one consumer group on the shared harness: clients that behave like kafkajs'
// consumer (join, MEMBER_ID_REQUIRED, leader assignment, sync, heartbeats, commits) talk to the
// GroupCoordinator over a network that drops, delays, reorders and partitions per link, while chaos
// adds, kills, pauses, restarts and reconfigures clients, and crashes the coordinator, which restarts
// from what its disk kept of __consumer_offsets (unsynced appends are lost). Invariants are checked as
// replies leave the coordinator and at every restart; the run then lets the chaos stop and checks that
// the group settles.
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
import { replayConsumerOffsets, type ReplayedGroup } from '../../../src/kafka/groups/replay.js';
import { SimDisk } from '../harness/disk.js';
import { SimNetwork, type LinkFaults } from '../harness/network.js';
import { Rng } from '../harness/rng.js';
import { Scheduler } from '../harness/scheduler.js';
import { SimFailure, SimTrace } from '../harness/trace.js';

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
/**
 * A client gives up on a JoinGroup or SyncGroup answer after its rebalance timeout and this much (the
 * Java consumer's JoinGroup timeout lapse), then joins again: how a lost request or answer is noticed.
 */
const REQUEST_LAPSE_MS = 5_000;
export const MAX_REQUEST_TIMEOUT_MS = MAX_REBALANCE_MS + REQUEST_LAPSE_MS;
/** How long a client waits before trying a coordinator that refused its connection. */
const RECONNECT_BACKOFF = { min: 50, max: 250 };
const COMMIT_EVERY_MS = 500;
const TOPICS: Record<string, number> = { t: 6, u: 3 };
/** The coordinator's network node; client n is node n + 1. */
const COORDINATOR = 0;
/**
 * Kafka runs over TCP, which never duplicates: a client's retry is its own duplicate. Drops stand for
 * connections that break, which the client notices only by its request timeout.
 */
const CALM: LinkFaults = { dropRate: 0, duplicateRate: 0, delayMin: 1, delayMax: 5 };
const NORMAL_DISK = { min: 0, max: 10 };

type ClientState = 'joining' | 'syncing' | 'stable' | 'zombie' | 'dead';

/** The member id and generation a request was sent with. */
interface SentAs {
  memberId: string;
  generation: number;
}

interface Client {
  name: string;
  node: number;
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

/**
 * What travels between clients and the coordinator. Each carries the coordinator incarnation its
 * connection was made to: a crash resets every connection, so nothing sent before it arrives after.
 */
type Message =
  | {
      kind: 'request';
      client: Client;
      epoch: number;
      incarnation: number;
      sentAs: SentAs;
      send: (token: string) => CoordinatorOutput<string>;
      /** An OffsetCommit's offsets, as `durableOffsets` keys by topic-partition. */
      commits?: Map<string, string>;
    }
  | { kind: 'reply'; client: Client; epoch: number; incarnation: number; reply: Reply<string> };

/** One append to __consumer_offsets, with the outcome the log will report (a failed one writes nothing). */
interface DiskWrite {
  append: AppendRequest;
  error: number;
}

export interface SimOptions {
  seed: number;
  /** How long chaos runs; the group then gets `settleMs` to become Stable with every live client. */
  chaosMs: number;
  settleMs: number;
  maxClients: number;
  /** Chance that an append to __consumer_offsets fails. */
  appendFailure: number;
  /** Keep the last this many events for the failure message. */
  traceEvents?: number;
}

export interface SimResult {
  generations: number;
  stableGenerations: number;
  commits: number;
  replies: number;
  live: GroupSnapshot[];
  replayed: GroupSnapshot[];
  liveClients: number;
  coordinatorRestarts: number;
  tornWrites: number;
  /** Requests the coordinator had taken and lost in a crash, unanswered. */
  lostInCrashes: number;
  events: number;
}

export class GroupSim {
  readonly rng: Rng;
  private readonly sched = new Scheduler();
  private readonly net: SimNetwork<Message>;
  private readonly disk: SimDisk<DiskWrite>;
  private c: GroupCoordinator<string>;
  /** Bumped by every coordinator crash. */
  private incarnation = 0;
  private up = true;
  private restarts = 0;
  private lostInCrashes = 0;
  /** Member ids stay unique across restarts, as Skein's random UUIDs are. */
  private memberIds = 0;
  private readonly clients: Client[] = [];
  /**
   * What each static instance subscribes to: its deployment's configuration, which a restarted process
   * keeps. (The coordinator hands a static member that rejoins a Stable group its predecessor's
   * assignment without a rebalance, as Kafka does, so a restart with another subscription would not be
   * noticed.)
   */
  private readonly instanceTopics = new Map<string, string[]>();
  private tokens = 0;
  private readonly answered = new Set<string>();
  /** Tokens the running coordinator has taken; a crash forgets those it had not answered. */
  private readonly sent = new Set<string>();
  /** What __consumer_offsets holds on disk: synced appends, and torn ones a crash left behind. */
  private readonly log: ConsumerOffsetsRecord[] = [];
  /** Offsets on disk, as `group/topic-partition@offset/metadata`, and the newest generation recorded. */
  private readonly durableOffsets = new Set<string>();
  private durableGeneration = 0;
  /** Generation -> member id -> instance id, as the leader was given them; generation -> the leader's plan. */
  private readonly membersOf = new Map<number, Map<string, string | null>>();
  private readonly plans = new Map<number, Map<string, string[]>>();
  /** Generation -> member -> what SyncGroup handed it. */
  private readonly handedOut = new Map<number, Map<string, string>>();
  private maxGeneration = 0;
  private commits = 0;
  private chaos = true;
  /** The run is over: only what is on the wire or on its way to disk still happens. */
  private draining = false;
  private readonly trace: SimTrace;

  constructor(private readonly opt: SimOptions) {
    this.rng = new Rng(opt.seed);
    this.trace = new SimTrace(this.sched, opt.traceEvents ?? 0);
    this.net = new SimNetwork<Message>(this.sched, this.rng.fork(), CALM, (_from, to, m) => this.arrive(to, m));
    this.disk = new SimDisk<DiskWrite>(this.sched, this.rng.fork(), NORMAL_DISK, (w) => this.written(w));
    this.c = this.coordinator([]);
  }

  run(): SimResult {
    return this.trace.run(this.opt.seed, () => {
      for (let i = 0; i < 3; i++) this.startClient(this.rng.chance(0.3) ? `inst-${i}` : null);
      this.sched.after(100, () => this.chaosStep());
      this.sched.runUntil(this.opt.chaosMs);
      this.calm();
      this.sched.runUntil(this.opt.chaosMs + this.opt.settleMs);
      // Let what is on the wire and on its way to disk arrive, without clients or timers starting anything new.
      this.draining = true;
      this.sched.runUntil(this.opt.chaosMs + this.opt.settleMs + 100);
      return this.finish();
    });
  }

  private get now(): number {
    return this.sched.now();
  }

  // ---- coordinator side

  private coordinator(loaded: ReplayedGroup[]): GroupCoordinator<string> {
    return new GroupCoordinator<string>(
      {
        config: {
          groupInitialRebalanceDelayMs: INITIAL_DELAY_MS,
          groupMinSessionTimeoutMs: 100,
          offsetsRetentionCheckIntervalMs: 60_000,
        },
        memberIdSuffix: () => `m${++this.memberIds}`,
      },
      this.now,
      loaded,
    );
  }

  /** The coordinator process dies: its connections reset, its unsynced appends are lost. */
  private crash(): void {
    this.trace.note('coordinator crashes');
    this.up = false;
    this.incarnation++;
    this.disk.crash();
    for (const token of this.sent) if (!this.answered.has(token)) this.lostInCrashes++;
    this.sent.clear();
    for (const client of this.clients) this.disconnected(client, this.rng.int(1, 20));
  }

  /** It comes back with what __consumer_offsets holds, as GroupService loads it. */
  private restart(): void {
    this.restarts++;
    this.up = true;
    const loaded = replayConsumerOffsets(this.log).groups();
    const generation = loaded.find((g) => g.groupId === GROUP)?.metadata?.generation ?? 0;
    this.trace.note(`coordinator restarts at generation ${generation}`);
    // Nobody was handed an assignment in a generation the log does not have: SyncGroup answers wait for it.
    for (const g of this.handedOut.keys()) if (g > generation) this.fail(`generation ${g} was handed out but the coordinator reloaded ${generation}`);
    // Generations past the log's were never stored: the reloaded group will number new ones the same.
    for (const g of [...this.membersOf.keys()]) if (g > generation) this.membersOf.delete(g);
    for (const g of [...this.plans.keys()]) if (g > generation) this.plans.delete(g);
    this.c = this.coordinator(loaded);
    // Loading may start rebalances; their output goes out with the first input.
    this.deliver(this.c.tick(this.now));
  }

  private deliver(out: CoordinatorOutput<string>): void {
    for (const r of out.replies) {
      if (this.answered.has(r.token)) this.fail(`token ${r.token} answered twice`);
      if (!this.sent.has(r.token)) this.fail(`reply for unknown token ${r.token}`);
      this.answered.add(r.token);
      this.checkReply(r);
      const owner = this.owner.get(r.token)!;
      this.net.send(COORDINATOR, owner.client.node, { kind: 'reply', client: owner.client, epoch: owner.epoch, incarnation: this.incarnation, reply: r });
    }
    for (const a of out.appends) {
      this.checkGroupRecords(a.records);
      const incarnation = this.incarnation;
      const write = { append: a, error: this.rng.chance(this.opt.appendFailure) ? ErrorCode.NOT_ENOUGH_REPLICAS : ErrorCode.NONE };
      this.disk.write(write, () => {
        if (this.incarnation !== incarnation) return;
        this.deliver(this.c.appendCompleted(this.now, a.id, write.error));
      });
    }
    const next = this.c.nextDeadline();
    const key = `${this.incarnation}@${next}`;
    if (next !== undefined && !this.ticks.has(key)) {
      this.ticks.add(key);
      const incarnation = this.incarnation;
      this.sched.at(Math.max(next, this.now), () => {
        this.ticks.delete(key);
        if (this.incarnation === incarnation && !this.draining) this.deliver(this.c.tick(this.now));
      });
    }
  }

  /** An append reached the disk: __consumer_offsets holds its records. */
  private written(w: DiskWrite): void {
    if (w.error !== ErrorCode.NONE) return;
    for (const rec of w.append.records) {
      this.log.push(rec);
      const e = decodeConsumerOffsetsRecord(rec.key, rec.value);
      if (e.type === 'offset' && e.value !== null) this.durableOffsets.add(`${e.group}/${e.topic}-${e.partition}@${e.value.offset}/${e.value.metadata}`);
      if (e.type === 'group' && e.value !== null && e.group === GROUP) this.durableGeneration = Math.max(this.durableGeneration, e.value.generation);
    }
  }

  /** Ticks already queued, by incarnation and time. */
  private readonly ticks = new Set<string>();

  private readonly owner = new Map<string, { client: Client; epoch: number }>();
  /** Group generation and state when each request was handled, for checking its eventual reply. */
  private readonly seenAt = new Map<string, { generation: number; state: string; memberIds: Set<string> }>();
  private readonly requests = new Map<string, SentAs>();
  /** For an OffsetCommit: topic-partition -> the offset key it should leave on disk. */
  private readonly commitKeys = new Map<string, Map<string, string>>();

  private groupView(): { generation: number; state: string; memberIds: Set<string> } {
    const g = this.c.snapshot().find((x) => x.groupId === GROUP);
    return {
      generation: g?.generationId ?? 0,
      state: g?.state ?? 'Dead',
      memberIds: new Set(g?.members.map((m) => m.memberId) ?? []),
    };
  }

  private arrive(to: number, m: Message): void {
    if (m.kind === 'request') {
      // A connection to a coordinator that has since crashed is gone, and what was on it with it.
      if (to !== COORDINATOR || !this.up || m.incarnation !== this.incarnation) return;
      const token = `r${++this.tokens}`;
      this.trace.note(`${m.client.name} -> ${token} as ${m.sentAs.memberId || '-'}@${m.sentAs.generation}`);
      this.sent.add(token);
      this.owner.set(token, { client: m.client, epoch: m.epoch });
      this.seenAt.set(token, this.groupView());
      this.requests.set(token, m.sentAs);
      if (m.commits) this.commitKeys.set(token, m.commits);
      return this.deliver(m.send(token));
    }
    if (m.incarnation !== this.incarnation) return;
    this.clientEvent(m.client, m.epoch, () => {
      this.trace.note(`${m.client.name} <- ${m.reply.token} ${m.reply.api} ${describeReply(m.reply)}`);
      this.onReply(m.client, m.reply);
    })();
  }

  /** A request from a client: over its connection, or refused when the coordinator is down. */
  private send(client: Client, send: (token: string) => CoordinatorOutput<string>, commits?: Map<string, string>): void {
    if (!this.up) return this.disconnected(client, this.rng.int(RECONNECT_BACKOFF.min, RECONNECT_BACKOFF.max));
    const sentAs = { memberId: client.memberId, generation: client.generation };
    this.net.send(client.node, COORDINATOR, { kind: 'request', client, epoch: client.epoch, incarnation: this.incarnation, sentAs, send, commits });
  }

  // ---- invariants

  private fail(msg: string): never {
    throw new SimFailure(msg);
  }

  /**
   * Only members of the current generation get confirmations: a successful SyncGroup, Heartbeat or
   * OffsetCommit always carried the generation the group had when it was handled. What a confirmation
   * stands on is on disk: a committed offset, and the generation a SyncGroup hands out.
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
    if (r.api === 'offsetCommit') {
      const committed = this.commitKeys.get(r.token)!;
      for (const t of r.response.topics) {
        for (const p of t.partitions) {
          const key = committed.get(`${t.name}-${p.partitionIndex}`)!;
          if (p.errorCode === ErrorCode.NONE && !this.durableOffsets.has(key)) this.fail(`commit ${key} acknowledged before it was on disk`);
        }
      }
    }
    if (r.api === 'syncGroup' && r.response.errorCode === ErrorCode.NONE) {
      const now = this.groupView();
      if (now.state !== 'Stable' || now.generation !== req.generation) {
        this.fail(`SyncGroup NONE for generation ${req.generation} while the group is ${now.state} ${now.generation}`);
      }
      if (this.durableGeneration < req.generation) this.fail(`SyncGroup NONE for generation ${req.generation} before it was on disk`);
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

  // ---- clients

  private startClient(instanceId: string | null, neverSyncs = false): Client {
    const client: Client = {
      name: `c${this.clients.length}`,
      node: this.clients.length + 1,
      instanceId,
      sessionTimeoutMs: this.rng.pick(instanceId === null ? SESSION_CHOICES : STATIC_SESSION_CHOICES),
      rebalanceTimeoutMs: this.rng.pick(REBALANCE_CHOICES),
      neverSyncs,
      topics: (instanceId === null ? undefined : this.instanceTopics.get(instanceId)) ?? (this.rng.chance(0.3) ? ['t', 'u'] : ['t']),
      memberId: '',
      generation: -1,
      state: 'joining',
      pausedUntil: 0,
      epoch: 0,
      assignment: [],
    };
    this.clients.push(client);
    if (instanceId !== null) this.instanceTopics.set(instanceId, client.topics);
    this.join(client);
    return client;
  }

  /** Live clients that follow the protocol. */
  private alive(): Client[] {
    return this.clients.filter((c) => c.state !== 'dead' && !c.neverSyncs);
  }

  /**
   * A client's reaction, which happens only if the client still lives in the same join epoch; a paused
   * process does nothing until it resumes.
   */
  private clientEvent(client: Client, epoch: number, run: () => void): () => void {
    const fire = (): void => {
      if (client.state === 'dead' || epoch !== client.epoch) return;
      if (client.pausedUntil > this.now) return this.sched.at(client.pausedUntil, fire);
      run();
    };
    return fire;
  }

  private later(client: Client, delay: number, run: () => void): void {
    const fire = this.clientEvent(client, client.epoch, run);
    this.sched.after(delay, () => !this.draining && fire());
  }

  /** The client waits for a JoinGroup or SyncGroup answer in `state`; without one in time, it joins again. */
  private awaitAnswer(client: Client, state: ClientState): void {
    this.later(client, client.rebalanceTimeoutMs + REQUEST_LAPSE_MS, () => {
      if (client.state !== state) return;
      this.trace.note(`${client.name} gives up waiting while ${state}`);
      this.join(client);
    });
  }

  /**
   * The client's connection broke (or was refused): a JoinGroup or SyncGroup in flight is retried as a
   * join, as the Java consumer does once it finds the coordinator again; heartbeats and commits carry on.
   */
  private disconnected(client: Client, delay: number): void {
    this.later(client, delay, () => {
      if (client.state === 'joining' || client.state === 'syncing') this.join(client);
    });
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
    this.awaitAnswer(client, 'joining');
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
      this.later(client, HEARTBEAT_MS, () => this.heartbeat(client));
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
    this.awaitAnswer(client, 'syncing');
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
    this.later(client, HEARTBEAT_MS, () => this.heartbeat(client));
    this.later(client, this.rng.int(0, COMMIT_EVERY_MS), () => this.commit(client));
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
    if (client.state !== 'stable' && client.state !== 'zombie') return;
    const { memberId, generation } = client;
    this.send(client, (token) =>
      this.c.heartbeat(this.now, token, { groupId: GROUP, generationId: generation, memberId, groupInstanceId: client.instanceId }),
    );
    this.later(client, HEARTBEAT_MS, () => this.heartbeat(client));
  }

  private commit(client: Client): void {
    if (client.state !== 'stable') return;
    const { memberId, generation } = client;
    const byTopic = groupByTopic(client.assignment);
    if (byTopic.size > 0) {
      const offset = this.now;
      const keys = new Map(client.assignment.map((tp) => [tp, `${GROUP}/${tp}@${offset}/${client.name}`]));
      this.send(
        client,
        (token) =>
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
                committedOffset: offset,
                committedLeaderEpoch: -1,
                commitTimestamp: -1,
                committedMetadata: client.name,
              })),
            })),
          }),
        keys,
      );
    }
    this.later(client, COMMIT_EVERY_MS, () => this.commit(client));
  }

  // ---- chaos

  private chaosStep(): void {
    if (!this.chaos) return;
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
        if (c.instanceId !== null) this.instanceTopics.set(c.instanceId, c.topics);
        this.join(c);
      }
    }
    if (this.alive().length === 0) this.startClient(null);
    this.infrastructureChaos();
    this.sched.after(this.rng.int(200, 1_500), () => this.chaosStep());
  }

  /** The coordinator crashes, its disk slows down, links turn lossy or slow, clients are cut off. */
  private infrastructureChaos(): void {
    const roll = this.rng.next();
    if (roll < 0.05 && this.up) {
      this.crash();
      this.sched.after(this.rng.int(20, 1_500), () => !this.up && this.restart());
    } else if (roll < 0.1) {
      this.disk.latency = { min: 20, max: this.rng.int(40, 400) };
      this.sched.after(this.rng.int(100, 2_000), () => (this.disk.latency = NORMAL_DISK));
    } else if (roll < 0.18) {
      // Some clients lose the coordinator for a while (longer than a session, sometimes).
      const nodes = [COORDINATOR, ...this.clients.map((c) => c.node)];
      const cut = this.clients.filter(() => this.rng.chance(0.3)).map((c) => c.node);
      this.trace.note(`clients ${cut} cut off`);
      this.net.partition([nodes.filter((n) => !cut.includes(n))], nodes);
      this.sched.after(this.rng.int(100, 3_000), () => this.chaos && this.net.partition([nodes], nodes));
    } else if (roll < 0.26) {
      this.net.setDefaults({ dropRate: this.rng.next() * 0.05, duplicateRate: 0, delayMin: 1, delayMax: this.rng.int(5, 40) });
    } else if (roll < 0.32 && this.clients.length > 0) {
      const node = this.rng.pick(this.clients).node;
      const faults = { dropRate: this.rng.next() * 0.5, duplicateRate: 0, delayMin: 1, delayMax: this.rng.int(5, 80) };
      if (this.rng.chance(0.5)) this.net.setLink(node, COORDINATOR, faults);
      else this.net.setLink(COORDINATOR, node, faults);
    } else if (roll < 0.38) {
      this.net.heal();
      this.net.setDefaults(CALM);
    }
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

  /**
   * Chaos stops: the network and disk heal, the coordinator is up, paused clients resume, and statics
   * that share an instance id keep only the newest.
   */
  private calm(): void {
    this.trace.note('calm');
    this.chaos = false;
    this.net.heal();
    this.net.setDefaults(CALM);
    this.disk.latency = NORMAL_DISK;
    if (!this.up) this.restart();
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
      coordinatorRestarts: this.restarts,
      tornWrites: this.disk.tornWrites,
      lostInCrashes: this.lostInCrashes,
      events: this.sched.steps,
    };
  }
}

function describeReply(r: Reply<string>): string {
  const response = r.response as { errorCode?: number };
  return response.errorCode === undefined ? '' : `error ${response.errorCode}`;
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
