// The decisions of Kafka's ZooKeeper-mode controller (KafkaController, PartitionStateMachine,
// ReplicaStateMachine, the leader election strategies) as a pure core: the live brokers, the topics'
// assignments and the partition states come in as events; the partition state writes to make and the
// requests to send to brokers come out. No I/O, clock or timers: the shell (controller.ts) reads and
// watches ZooKeeper, performs the writes fenced by the controller epoch, reports their new znode versions
// back, and sends the requests.
//
// A decision is two steps because LeaderAndIsr carries the state znode's version (Kafka's ZooKeeper mode
// sends it as the partition epoch): an event returns the writes; `written` takes their versions and
// returns the requests that announce them. A write refused for a stale version is re-read by the shell
// and fed back through `statesRead`, which decides again from what is really there.
//
// Reassignment (KIP-455, as Kafka 2.4+'s ZooKeeper-mode controller): with RS the assigned replicas, ORS
// the original and TRS the target ones, a reassignment first makes RS = TRS + ORS with adding = TRS - ORS
// and removing = ORS - TRS (an assignment write, in the topic znode before anything else, so a new
// controller resumes it) and bumps the leader epoch so every replica hears the new RS. Once every target
// is in the ISR, one state write elects a leader from TRS if the leader is not in it and shrinks the
// ISR to TRS; when that write has landed, the assignment becomes RS = TRS and the removed replicas get
// StopReplica with deletion. Cancelling is reassigning to ORS.

export const NO_LEADER = -1;

export interface BrokerEndpoint {
  listener: string;
  host: string;
  port: number;
  securityProtocol: string;
}

export interface LiveBroker {
  id: number;
  /** The czxid of its registration: a new value means it restarted, whatever the session looked like. */
  epoch: number;
  endpoints: BrokerEndpoint[];
  rack: string | null;
}

export interface TopicInfo {
  name: string;
  topicId: string;
  /** Replica ids per partition, the preferred leader first; during a reassignment TRS + ORS. */
  replicas: number[][];
  /** Reassignments in progress, by partition (the topic znode's adding_replicas and removing_replicas). */
  addingReplicas?: Record<number, number[]>;
  removingReplicas?: Record<number, number[]>;
}

/** A partition's assignment to write into its topic znode (before or after its state write, as the phase needs). */
export interface AssignmentWrite extends TopicPartition {
  replicas: number[];
  adding: number[];
  removing: number[];
}

/** An ongoing reassignment, as ListPartitionReassignments reports it. */
export type Reassignment = AssignmentWrite;

/** Why a partition's reassignment was refused: Kafka's UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT, NO_REASSIGNMENT_IN_PROGRESS. */
export type ReassignRefusal = { kind: 'unknown' } | { kind: 'invalid'; message: string } | { kind: 'noneInProgress' };

/** What `written` hands back: requests to send, assignments to write first, and further state writes. */
export interface Announced {
  requests: BrokerRequest[];
  assignments: AssignmentWrite[];
  writes: StateWrite[];
}

/** A partition's state znode: what was written and its version. */
export interface StateRecord {
  leader: number;
  leaderEpoch: number;
  isr: number[];
  controllerEpoch: number;
  zkVersion: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export type NewState = Omit<StateRecord, 'zkVersion'>;

export interface StateWrite extends TopicPartition {
  state: NewState;
  /** The version the write is conditional on, or 'create' for a partition without a state znode yet. */
  expectedVersion: number | 'create';
}

export interface PartitionAnnouncement extends TopicPartition {
  topicId: string;
  state: StateRecord;
  replicas: number[];
  /** Replicas on brokers that are not alive. */
  offlineReplicas: number[];
  /** A reassignment's replicas being added and removed (empty without one). */
  addingReplicas: number[];
  removingReplicas: number[];
  isNew: boolean;
}

export type BrokerRequest =
  | { kind: 'leaderAndIsr'; broker: number; brokerEpoch: number; full: boolean; partitions: PartitionAnnouncement[]; leaders: LiveBroker[] }
  | { kind: 'updateMetadata'; broker: number; brokerEpoch: number; partitions: PartitionAnnouncement[]; brokers: LiveBroker[] }
  | { kind: 'stopReplica'; broker: number; brokerEpoch: number; partitions: (TopicPartition & { leaderEpoch: number; deletePartition: boolean })[] };

/** What an election asked for did: Kafka's NONE, ELECTION_NOT_NEEDED, *_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION. */
export type ElectionOutcome = 'elected' | 'notNeeded' | 'notAvailable' | 'unknown';

export interface ControllerOptions {
  /** unclean.leader.election.enable for the topic (its override, else the broker's). */
  uncleanElection(topic: string): boolean;
  /** leader.imbalance.per.broker.percentage. */
  imbalancePercentage: number;
}

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

function sameMembers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

const without = (a: readonly number[], b: readonly number[]): number[] => a.filter((x) => !b.includes(x));

/** The partition's ongoing reassignment: what is being added and removed (both empty without one). */
function movesOf(t: TopicInfo, p: number): { adding: number[]; removing: number[] } {
  return { adding: t.addingReplicas?.[p] ?? [], removing: t.removingReplicas?.[p] ?? [] };
}

function isReassigning(t: TopicInfo, p: number): boolean {
  const m = movesOf(t, p);
  return m.adding.length > 0 || m.removing.length > 0;
}

/** The topic with partition `p` assigned `replicas` and its reassignment lists replaced. */
function reassigned(t: TopicInfo, p: number, replicas: number[], adding: number[], removing: number[]): TopicInfo {
  const lists = (from: Record<number, number[]> | undefined, list: number[]) => {
    const out = { ...from };
    if (list.length > 0) out[p] = list;
    else delete out[p];
    return out;
  };
  return {
    ...t,
    replicas: t.replicas.map((r, i) => (i === p ? replicas : r)),
    addingReplicas: lists(t.addingReplicas, adding),
    removingReplicas: lists(t.removingReplicas, removing),
  };
}

export class ControllerCore {
  private readonly brokers = new Map<number, LiveBroker>();
  private readonly topics = new Map<string, TopicInfo>();
  private readonly states = new Map<string, StateRecord>();
  /** Brokers that asked to shut down: never elected, dropped from ISRs. */
  private readonly shuttingDown = new Set<number>();
  /** Writes handed out and not yet reported, by partition. */
  private readonly pending = new Map<string, StateWrite>();
  /** Partitions whose announcement waits for their write; `isNew` ones are sent with IsNew. */
  private readonly toAnnounce = new Map<string, boolean>();
  /** Brokers that get a full LeaderAndIsr and UpdateMetadata with the next requests (new or restarted). */
  private readonly fullTo = new Set<number>();
  /** Reassignments whose completing state write is out: their target, to assign once it lands. */
  private readonly completing = new Map<string, number[]>();
  /**
   * Reassignments asked for while the leader was a replica they drop: its move is written first (the
   * leader is always one of the assigned replicas in ZooKeeper), then the reassignment starts.
   */
  private readonly deferred = new Map<string, readonly number[] | null>();
  /** Replicas to stop and delete once their partition's pending write has landed. */
  private readonly toDelete = new Map<string, number[]>();
  /** Assignments decided while re-reading states (a deferred reassignment whose leader move lost a race), for the next `written`. */
  private readonly lateAssignments: AssignmentWrite[] = [];

  constructor(
    readonly controllerId: number,
    readonly controllerEpoch: number,
    private readonly opts: ControllerOptions,
  ) {}

  // ---- queries (for the shell and tests)

  state(topic: string, partition: number): StateRecord | undefined {
    return this.states.get(key(topic, partition));
  }

  liveBrokers(): LiveBroker[] {
    return [...this.brokers.values()].sort((a, b) => a.id - b.id);
  }

  topic(name: string): TopicInfo | undefined {
    return this.topics.get(name);
  }

  // ---- events

  /**
   * The controller was elected: everything read from ZooKeeper. Every live broker gets the full
   * picture; partitions without a leader (or never started) get one where they can.
   */
  start(brokers: readonly LiveBroker[], topics: readonly TopicInfo[], states: Iterable<[TopicPartition, StateRecord]>): StateWrite[] {
    for (const b of brokers) {
      this.brokers.set(b.id, b);
      this.fullTo.add(b.id);
    }
    for (const t of topics) this.topics.set(t.name, t);
    for (const [tp, s] of states) this.states.set(key(tp.topic, tp.partition), s);
    const writes: StateWrite[] = [];
    // As Kafka's replica state machine starts: replicas on brokers not alive leave leadership and ISRs,
    // whether they died before or with the previous controller.
    const offline = new Set(topics.flatMap((t) => t.replicas.flat()).filter((id) => !this.brokers.has(id)));
    if (offline.size > 0) this.replicasOffline(offline, writes);
    for (const t of topics) t.replicas.forEach((_, p) => this.onlineOrElect(t, p, writes));
    // Reassignments the previous controller left: finished where the targets are in sync, else their
    // epoch bumped again so that every replica, the leader included, hears the whole RS (it may have died
    // between writing the assignment and announcing it).
    for (const { t, p } of this.reassigningPartitions()) if (!this.maybeComplete(t, p, writes)) this.bump(t, p, writes);
    return writes;
  }

  /** /brokers/ids changed: brokers gone lose their leaderships and ISR places; new ones are told everything. */
  brokersChanged(now: readonly LiveBroker[]): StateWrite[] {
    const next = new Map(now.map((b) => [b.id, b]));
    const gone: number[] = [];
    for (const [id, b] of this.brokers) {
      const n = next.get(id);
      // A new epoch under the same id is a restart the controller did not see: a failure, then a start.
      if (!n || n.epoch !== b.epoch) gone.push(id);
    }
    const writes: StateWrite[] = [];
    for (const id of gone) {
      this.brokers.delete(id);
      this.shuttingDown.delete(id);
      this.fullTo.delete(id);
    }
    if (gone.length > 0) this.replicasOffline(new Set(gone), writes);
    for (const b of now) {
      if (this.brokers.has(b.id)) continue;
      this.brokers.set(b.id, b);
      this.fullTo.add(b.id);
    }
    // A broker back may be the only ISR member of an offline partition, and a new broker may complete a
    // partition created while too few were up.
    for (const t of this.topics.values()) t.replicas.forEach((_, p) => this.onlineOrElect(t, p, writes));
    // A target back (or a new leader from the targets possible) may let a reassignment finish.
    this.reassigningPartitions().forEach(({ t, p }) => this.maybeComplete(t, p, writes));
    // Every live broker learns the new broker set even when no partition moved.
    for (const b of this.brokers.values()) this.fullTo.add(b.id);
    return writes;
  }

  /** /brokers/topics or a topic's assignment changed: new topics and partitions are started. */
  topicsChanged(topics: readonly TopicInfo[]): { writes: StateWrite[]; removed: string[] } {
    const writes: StateWrite[] = [];
    const names = new Set(topics.map((t) => t.name));
    const removed = [...this.topics.keys()].filter((n) => !names.has(n));
    for (const name of removed) this.forgetTopic(name);
    for (const t of topics) {
      const before = this.topics.get(t.name);
      this.topics.set(t.name, t);
      const from = before && before.topicId === t.topicId ? before.replicas.length : 0;
      for (let p = from; p < t.replicas.length; p++) this.onlineOrElect(t, p, writes);
    }
    return { writes, removed };
  }

  /**
   * Partition states read back from ZooKeeper: after an ISR change notification (the leader wrote a
   * new ISR) or after a write of ours lost to a concurrent one. They are taken as they are and announced;
   * a partition whose leader is gone meanwhile gets a new one.
   */
  statesRead(read: readonly (TopicPartition & { state: StateRecord | undefined })[]): StateWrite[] {
    const writes: StateWrite[] = [];
    for (const r of read) {
      const k = key(r.topic, r.partition);
      this.pending.delete(k);
      // A completing write that lost is decided again below, from the state really there.
      this.completing.delete(k);
      const ask = this.deferred.get(k);
      const t = this.topics.get(r.topic);
      if (!t || r.partition >= t.replicas.length) continue;
      if (r.state) this.states.set(k, r.state);
      else this.states.delete(k);
      this.toAnnounce.set(k, this.toAnnounce.get(k) ?? false);
      this.onlineOrElect(t, r.partition, writes);
      if (ask !== undefined) {
        this.deferred.delete(k);
        this.reassignOne({ topic: r.topic, partition: r.partition, replicas: ask }, this.lateAssignments, writes);
      }
      // An ISR grown by the leader is how a reassignment's targets come into sync (Kafka's PartitionReassignmentIsrChangeHandler).
      if (isReassigning(t, r.partition)) this.maybeComplete(t, r.partition, writes);
    }
    return writes;
  }

  /**
   * ControlledShutdown from `brokerId`: leadership moves to another ISR member where there is one, and
   * the broker leaves every ISR. Returns the partitions it still leads (no other ISR member is alive), as
   * Kafka's answer lists them; the broker retries until none remain.
   */
  controlledShutdown(brokerId: number): { writes: StateWrite[]; remaining: TopicPartition[]; stop: BrokerRequest[] } {
    const writes: StateWrite[] = [];
    const remaining: TopicPartition[] = [];
    const stopping: (TopicPartition & { leaderEpoch: number; deletePartition: boolean })[] = [];
    if (!this.brokers.has(brokerId)) return { writes, remaining, stop: [] };
    this.shuttingDown.add(brokerId);
    for (const t of this.topics.values()) {
      t.replicas.forEach((replicas, p) => {
        if (!replicas.includes(brokerId) || replicas.length < 2) return;
        const k = key(t.name, p);
        const s = this.states.get(k);
        if (!s || this.pending.has(k)) return;
        if (s.leader === brokerId) {
          const leader = replicas.find((r) => r !== brokerId && s.isr.includes(r) && this.electable(r));
          if (leader === undefined) {
            remaining.push({ topic: t.name, partition: p });
            return;
          }
          this.write(writes, t, p, { leader, isr: s.isr.filter((r) => r !== brokerId) });
        } else if (s.isr.includes(brokerId) && s.isr.length > 1) {
          this.write(writes, t, p, { leader: s.leader, isr: s.isr.filter((r) => r !== brokerId) });
          stopping.push({ topic: t.name, partition: p, leaderEpoch: s.leaderEpoch + 1, deletePartition: false });
        }
      });
    }
    const b = this.brokers.get(brokerId)!;
    const stop: BrokerRequest[] = stopping.length > 0 ? [{ kind: 'stopReplica', broker: brokerId, brokerEpoch: b.epoch, partitions: stopping }] : [];
    return { writes, remaining, stop };
  }

  /**
   * Topics marked for deletion: every live replica stops and deletes its log, every broker forgets the
   * topic. The shell removes the znodes once the requests are out.
   */
  deleteTopics(names: readonly string[]): BrokerRequest[] {
    const requests: BrokerRequest[] = [];
    const byBroker = new Map<number, (TopicPartition & { leaderEpoch: number; deletePartition: boolean })[]>();
    for (const name of names) {
      const t = this.topics.get(name);
      if (!t) continue;
      t.replicas.forEach((replicas, p) => {
        for (const r of replicas) {
          if (!this.brokers.has(r)) continue;
          const list = byBroker.get(r) ?? [];
          // -2: "delete whatever the epoch" (Kafka's EpochDuringDelete), so a stale epoch cannot keep it.
          list.push({ topic: name, partition: p, leaderEpoch: -2, deletePartition: true });
          byBroker.set(r, list);
        }
      });
      this.forgetTopic(name);
    }
    for (const [broker, partitions] of byBroker) {
      requests.push({ kind: 'stopReplica', broker, brokerEpoch: this.brokers.get(broker)!.epoch, partitions });
    }
    // Brokers drop the topic from their metadata: an UpdateMetadata with the remaining picture.
    for (const b of this.brokers.values()) this.fullTo.add(b.id);
    return [...requests, ...this.requests()];
  }

  /**
   * Preferred replica election: partitions whose first replica is alive, in the ISR and not leading get
   * it back as leader. With `onlyImbalanced`, only brokers whose share of partitions led elsewhere is
   * above leader.imbalance.per.broker.percentage (auto.leader.rebalance.enable's check).
   */
  electPreferred(which: readonly TopicPartition[] | 'all', onlyImbalanced: boolean): StateWrite[] {
    const candidates: { t: TopicInfo; p: number }[] = [];
    const want = which === 'all' ? undefined : new Set(which.map((tp) => key(tp.topic, tp.partition)));
    for (const t of this.topics.values()) {
      t.replicas.forEach((_, p) => {
        if (!want || want.has(key(t.name, p))) candidates.push({ t, p });
      });
    }
    let chosen = candidates;
    if (onlyImbalanced) {
      const preferredCount = new Map<number, number>();
      const notLeading = new Map<number, number>();
      for (const { t, p } of candidates) {
        const preferred = t.replicas[p]![0]!;
        preferredCount.set(preferred, (preferredCount.get(preferred) ?? 0) + 1);
        if (this.states.get(key(t.name, p))?.leader !== preferred) notLeading.set(preferred, (notLeading.get(preferred) ?? 0) + 1);
      }
      const imbalanced = new Set(
        [...preferredCount].filter(([b, n]) => ((notLeading.get(b) ?? 0) * 100) / n > this.opts.imbalancePercentage).map(([b]) => b),
      );
      chosen = candidates.filter(({ t, p }) => imbalanced.has(t.replicas[p]![0]!));
    }
    const writes: StateWrite[] = [];
    for (const { t, p } of chosen) this.preferredElection(t, p, writes);
    return writes;
  }

  /**
   * ElectLeaders: a preferred election (the first replica leads again when alive and in the ISR) or an
   * unclean one (for a partition without a live leader: an ISR member if one lives, else any live
   * replica). Each partition's outcome is what Kafka reports for it.
   */
  electLeaders(type: 'preferred' | 'unclean', which: readonly TopicPartition[] | 'all'): { writes: StateWrite[]; outcomes: (TopicPartition & { outcome: ElectionOutcome })[] } {
    const writes: StateWrite[] = [];
    const asked = which === 'all' ? [...this.topics.values()].flatMap((t) => t.replicas.map((_, partition) => ({ topic: t.name, partition }))) : which;
    const outcomes = asked.map((tp) => {
      const t = this.topics.get(tp.topic);
      if (!t || tp.partition < 0 || tp.partition >= t.replicas.length) return { ...tp, outcome: 'unknown' as const };
      const outcome = type === 'preferred' ? this.preferredElection(t, tp.partition, writes) : this.uncleanElection(t, tp.partition, writes);
      return { ...tp, outcome };
    });
    return { writes, outcomes };
  }

  private preferredElection(t: TopicInfo, p: number, writes: StateWrite[]): ElectionOutcome {
    const s = this.states.get(key(t.name, p));
    const preferred = t.replicas[p]![0]!;
    if (!s || this.pending.has(key(t.name, p))) return 'notAvailable';
    if (s.leader === preferred) return 'notNeeded';
    if (!s.isr.includes(preferred) || !this.electable(preferred)) return 'notAvailable';
    this.write(writes, t, p, { leader: preferred, isr: s.isr });
    return 'elected';
  }

  private uncleanElection(t: TopicInfo, p: number, writes: StateWrite[]): ElectionOutcome {
    const s = this.states.get(key(t.name, p));
    if (!s || this.pending.has(key(t.name, p))) return 'notAvailable';
    if (s.leader !== NO_LEADER && this.brokers.has(s.leader)) return 'notNeeded';
    const replicas = t.replicas[p]!;
    const fromIsr = replicas.find((r) => s.isr.includes(r) && this.electable(r));
    const leader = fromIsr ?? replicas.find((r) => this.electable(r));
    if (leader === undefined) return 'notAvailable';
    this.write(writes, t, p, { leader, isr: fromIsr !== undefined ? s.isr.filter((r) => this.electable(r)) : [leader] });
    return 'elected';
  }

  /**
   * The writes handed out landed with these versions (the ones missing failed: the shell re-reads
   * them). Returns the requests announcing every change so far, the assignments that follow from what
   * landed (a finished reassignment's RS = TRS, a deferred one's start), to be written before the
   * requests are sent, and the state writes decided next (a reassignment that can now finish).
   */
  written(results: readonly (TopicPartition & { zkVersion: number })[]): Announced {
    const assignments: AssignmentWrite[] = [];
    const writes: StateWrite[] = [];
    for (const r of results) {
      const k = key(r.topic, r.partition);
      const w = this.pending.get(k);
      if (!w) continue;
      this.pending.delete(k);
      this.states.set(k, { ...w.state, zkVersion: r.zkVersion });
      const t = this.topics.get(r.topic);
      if (!t) continue;
      const target = this.completing.get(k);
      const ask = this.deferred.get(k);
      if (ask !== undefined) {
        // The leader has moved off the replicas the reassignment drops: it starts now.
        this.deferred.delete(k);
        this.reassignOne({ topic: r.topic, partition: r.partition, replicas: ask }, assignments, writes);
      } else if (target) {
        // Phase B done in the state znode (leader in TRS, ISR = TRS): RS = TRS in the topic znode, and the
        // removed replicas stop and delete their logs.
        this.completing.delete(k);
        const removed = without(t.replicas[r.partition]!, target);
        this.topics.set(t.name, reassigned(t, r.partition, target, [], []));
        assignments.push({ topic: t.name, partition: r.partition, replicas: target, adding: [], removing: [] });
        this.deleteLater(k, removed);
      } else if (isReassigning(t, r.partition)) {
        // Another change (an election, an ISR shrink) may be what the reassignment waited for.
        this.maybeComplete(t, r.partition, writes);
      }
    }
    assignments.push(...this.lateAssignments.splice(0));
    return { requests: this.requests(), assignments, writes };
  }

  /**
   * Writes the shell gave up on (they kept losing races): no longer pending, so the next event that reads
   * their partitions decides them afresh instead of leaving them alone for good.
   */
  abandon(writes: readonly TopicPartition[]): void {
    for (const w of writes) {
      const k = key(w.topic, w.partition);
      this.pending.delete(k);
      this.completing.delete(k);
    }
  }

  // ---- reassignment

  /**
   * AlterPartitionReassignments: each partition is reassigned to its replicas, or with null its
   * reassignment cancelled (reassigned to its original replicas). The assignment writes come first
   * (phase U: RS = TRS + ORS in the topic znode), then the state writes (a completion if the targets are
   * in sync already, else an epoch bump that announces the new RS).
   */
  reassign(asked: readonly (TopicPartition & { replicas: readonly number[] | null })[]): {
    refusals: (TopicPartition & { refusal: ReassignRefusal | undefined })[];
    assignments: AssignmentWrite[];
    writes: StateWrite[];
  } {
    const assignments: AssignmentWrite[] = [];
    const writes: StateWrite[] = [];
    const refusals = asked.map((a) => ({ topic: a.topic, partition: a.partition, refusal: this.reassignOne(a, assignments, writes) }));
    return { refusals, assignments, writes };
  }

  private reassignOne(a: TopicPartition & { replicas: readonly number[] | null }, assignments: AssignmentWrite[], writes: StateWrite[]): ReassignRefusal | undefined {
    const t = this.topics.get(a.topic);
    const p = a.partition;
    if (!t || p < 0 || p >= t.replicas.length) return { kind: 'unknown' };
    const k = key(t.name, p);
    const rs = t.replicas[p]!;
    const moves = movesOf(t, p);
    const origin = without(rs, moves.adding);
    if (a.replicas === null && !isReassigning(t, p)) return { kind: 'noneInProgress' };
    const target = a.replicas === null ? origin : [...a.replicas];
    if (target.length === 0) return { kind: 'invalid', message: 'Empty replica list specified in partition reassignment.' };
    if (new Set(target).size !== target.length) return { kind: 'invalid', message: `Duplicate replica ids in partition reassignment replica list: ${target.join(',')}` };
    if (target.some((r) => !Number.isSafeInteger(r) || r < 0)) return { kind: 'invalid', message: `Invalid broker id in replica list: ${target.join(',')}` };
    const next = [...new Set([...target, ...origin])];
    const adding = without(next, origin);
    const removing = without(next, target);
    if (adding.some((r) => !this.brokers.has(r))) {
      return { kind: 'invalid', message: `Replica assignment has brokers that are not alive. Replicas being added: ${adding.join(',')}, live brokers: ${this.liveBrokers().map((b) => b.id).join(',')}` };
    }
    if (this.pending.has(k) || this.completing.has(k) || this.deferred.has(k)) return { kind: 'invalid', message: 'The partition is changing; retry.' };
    // Replicas a replaced or cancelled reassignment was adding and the new one does not want (Kafka's U3).
    const unneeded = without(rs, next);
    const s = this.states.get(k);
    const isr = s ? without(s.isr, unneeded) : [];
    if (s && isr.length === 0) return { kind: 'invalid', message: `No in-sync replica would remain of ${next.join(',')}.` };
    if (s && unneeded.includes(s.leader)) {
      const successor = next.find((r) => isr.includes(r) && this.electable(r));
      if (successor === undefined) return { kind: 'invalid', message: `Leader ${s.leader} would be removed with no in-sync replica of ${next.join(',')} alive to take over.` };
      this.write(writes, t, p, { leader: successor, isr });
      this.deferred.set(k, a.replicas);
      return undefined;
    }
    const sameAssignment = sameMembers(rs, next) && rs.every((r, i) => r === next[i]) && sameMembers(moves.adding, adding) && sameMembers(moves.removing, removing);
    if (sameAssignment) return undefined;
    const nt = reassigned(t, p, next, adding, removing);
    this.topics.set(t.name, nt);
    assignments.push({ topic: t.name, partition: p, replicas: next, adding, removing });
    this.deleteLater(k, unneeded);
    if (!s) return undefined;
    if (this.maybeComplete(nt, p, writes)) return undefined;
    // Phase A: the new RS announced to every replica with a new leader epoch; the adding ones start following.
    this.write(writes, nt, p, { leader: s.leader, isr }, { bump: true });
    return undefined;
  }

  /** Ongoing reassignments, of the partitions asked or of all. */
  reassignments(which: readonly TopicPartition[] | 'all'): Reassignment[] {
    const list = which === 'all' ? this.reassigningPartitions() : which.flatMap(({ topic, partition }) => {
      const t = this.topics.get(topic);
      return t && partition >= 0 && partition < t.replicas.length && isReassigning(t, partition) ? [{ t, p: partition }] : [];
    });
    return list.map(({ t, p }) => ({ topic: t.name, partition: p, replicas: t.replicas[p]!, ...movesOf(t, p) }));
  }

  private reassigningPartitions(): { t: TopicInfo; p: number }[] {
    return [...this.topics.values()].flatMap((t) => t.replicas.flatMap((_, p) => (isReassigning(t, p) ? [{ t, p }] : [])));
  }

  /**
   * Phase B when every target is in the ISR and one of them can lead: one write elects a leader from
   * TRS if the current one is not in it (or not alive) and shrinks the ISR to TRS. The assignment follows
   * once it lands. Returns whether it was decided.
   */
  private maybeComplete(t: TopicInfo, p: number, writes: StateWrite[]): boolean {
    const k = key(t.name, p);
    const s = this.states.get(k);
    if (!s || this.pending.has(k)) return false;
    const target = without(t.replicas[p]!, movesOf(t, p).removing);
    if (!target.every((r) => s.isr.includes(r))) return false;
    const keep = target.includes(s.leader) && this.brokers.has(s.leader) && !this.shuttingDown.has(s.leader);
    const leader = keep ? s.leader : target.find((r) => this.electable(r));
    if (leader === undefined) return false;
    this.write(writes, t, p, { leader, isr: s.isr.filter((r) => target.includes(r)) }, { bump: true });
    this.completing.set(k, target);
    return true;
  }

  /** An epoch bump with leader and ISR as they are: LeaderAndIsr with the current RS to every replica. */
  private bump(t: TopicInfo, p: number, writes: StateWrite[]): void {
    const s = this.states.get(key(t.name, p));
    if (s) this.write(writes, t, p, { leader: s.leader, isr: s.isr }, { bump: true });
  }

  private deleteLater(k: string, replicas: readonly number[]): void {
    if (replicas.length === 0) return;
    this.toDelete.set(k, [...new Set([...(this.toDelete.get(k) ?? []), ...replicas])]);
  }

  // ---- decisions

  /** Starts a partition without state, or elects a leader for one whose leader is not alive. */
  private onlineOrElect(t: TopicInfo, p: number, writes: StateWrite[]): void {
    const k = key(t.name, p);
    if (this.pending.has(k)) return;
    const replicas = t.replicas[p]!;
    const s = this.states.get(k);
    if (!s) {
      // NewPartition -> OnlinePartition: the live replicas form the ISR, the first of them leads.
      const live = replicas.filter((r) => this.electable(r));
      if (live.length === 0) return;
      this.write(writes, t, p, { leader: live[0]!, isr: live }, { isNew: true, create: true });
      return;
    }
    if (s.leader !== NO_LEADER && this.brokers.has(s.leader)) {
      // Replicas a reassignment dropped while still in the ISR (the controller died between the
      // assignment and the state write, or the leader re-added one before hearing the new RS) leave it.
      if (replicas.includes(s.leader) && s.isr.some((r) => !replicas.includes(r))) this.write(writes, t, p, { leader: s.leader, isr: s.isr.filter((r) => replicas.includes(r)) });
      return;
    }
    this.elect(t, p, s, writes);
  }

  /** Kafka's OfflinePartitionLeaderElection: the first live ISR member in assignment order. */
  private elect(t: TopicInfo, p: number, s: StateRecord, writes: StateWrite[]): void {
    const replicas = t.replicas[p]!;
    const liveIsr = s.isr.filter((r) => this.brokers.has(r) && !this.shuttingDown.has(r));
    let leader = replicas.find((r) => liveIsr.includes(r));
    let isr = liveIsr;
    if (leader === undefined && this.opts.uncleanElection(t.name)) {
      // Unclean: any live replica, which may miss acknowledged records; it is the whole ISR.
      leader = replicas.find((r) => this.electable(r));
      if (leader !== undefined) isr = [leader];
    }
    if (leader === undefined) {
      // Offline. The ISR keeps its last member so that only a replica with every record may lead again
      // (counting only assigned replicas: one a reassignment dropped can never lead).
      if (s.leader === NO_LEADER) return;
      const assigned = s.isr.filter((r) => replicas.includes(r));
      const from = assigned.length > 0 ? assigned : s.isr;
      this.write(writes, t, p, { leader: NO_LEADER, isr: from.length === 1 ? from : from.filter((r) => r !== s.leader) });
      return;
    }
    this.write(writes, t, p, { leader, isr });
  }

  /** Kafka's OfflineReplica transition for brokers gone: leaders re-elected, followers out of the ISR. */
  private replicasOffline(gone: ReadonlySet<number>, writes: StateWrite[]): void {
    for (const t of this.topics.values()) {
      t.replicas.forEach((_, p) => {
        const k = key(t.name, p);
        const s = this.states.get(k);
        if (!s || this.pending.has(k)) return;
        if (s.leader !== NO_LEADER && gone.has(s.leader)) return this.elect(t, p, s, writes);
        const isr = s.isr.filter((r) => !gone.has(r));
        // The last ISR member stays, as Kafka keeps it, even when it is the one gone.
        if (isr.length === s.isr.length || (isr.length === 0 && s.leader === NO_LEADER)) return;
        this.write(writes, t, p, { leader: s.leader, isr: isr.length === 0 ? s.isr : isr });
      });
    }
  }

  private electable(id: number): boolean {
    return this.brokers.has(id) && !this.shuttingDown.has(id);
  }

  /**
   * One state write. `bump` writes even when leader and ISR stay (a new epoch announces a changed RS);
   * `create` for a partition without a state znode yet, `isNew` to announce it with IsNew.
   */
  private write(writes: StateWrite[], t: TopicInfo, p: number, next: { leader: number; isr: number[] }, opts: { isNew?: boolean; create?: boolean; bump?: boolean } = {}): void {
    const k = key(t.name, p);
    const s = this.states.get(k);
    const isNew = opts.isNew ?? false;
    // Replicas a reassignment dropped leave the ISR with the next write (after a failover between the
    // assignment and the state write, the ISR read may still hold them).
    const assigned = next.isr.filter((r) => t.replicas[p]!.includes(r));
    if (assigned.length > 0) next = { leader: next.leader, isr: assigned };
    if (s && !opts.bump && s.leader === next.leader && sameMembers(s.isr, next.isr)) return;
    const w: StateWrite = {
      topic: t.name,
      partition: p,
      // Every change the controller makes bumps the leader epoch, as Kafka's ZooKeeper mode does.
      state: { leader: next.leader, leaderEpoch: s ? s.leaderEpoch + 1 : 0, isr: next.isr, controllerEpoch: this.controllerEpoch },
      expectedVersion: opts.create ? 'create' : s!.zkVersion,
    };
    writes.push(w);
    // Pending at once: a later decision of the same event leaves the partition alone.
    this.pending.set(k, w);
    this.toAnnounce.set(k, isNew || (this.toAnnounce.get(k) ?? false));
  }

  private forgetTopic(name: string): void {
    const t = this.topics.get(name);
    if (!t) return;
    this.topics.delete(name);
    t.replicas.forEach((_, p) => {
      const k = key(name, p);
      this.states.delete(k);
      this.pending.delete(k);
      this.toAnnounce.delete(k);
      this.completing.delete(k);
      this.deferred.delete(k);
      this.toDelete.delete(k);
    });
  }

  private announcement(t: TopicInfo, p: number, s: StateRecord, isNew: boolean): PartitionAnnouncement {
    const replicas = t.replicas[p]!;
    return {
      topic: t.name,
      partition: p,
      topicId: t.topicId,
      state: s,
      replicas,
      offlineReplicas: replicas.filter((r) => !this.brokers.has(r)),
      addingReplicas: movesOf(t, p).adding,
      removingReplicas: movesOf(t, p).removing,
      isNew,
    };
  }

  /**
   * StopReplica with deletion to the live replicas a reassignment removed, once their partition's write
   * has landed: its new leader epoch is above any the removed replica knew, so the stop is not fenced.
   */
  private deletionsDue(): BrokerRequest[] {
    const byBroker = new Map<number, (TopicPartition & { leaderEpoch: number; deletePartition: boolean })[]>();
    for (const [k, replicas] of this.toDelete) {
      if (this.pending.has(k)) continue;
      this.toDelete.delete(k);
      const [topic, p] = k.split('\u0000') as [string, string];
      const s = this.states.get(k);
      for (const r of replicas) {
        if (!this.brokers.has(r)) continue;
        const list = byBroker.get(r) ?? [];
        list.push({ topic, partition: Number(p), leaderEpoch: s?.leaderEpoch ?? -2, deletePartition: true });
        byBroker.set(r, list);
      }
    }
    return [...byBroker].map(([broker, partitions]) => ({ kind: 'stopReplica' as const, broker, brokerEpoch: this.brokers.get(broker)!.epoch, partitions }));
  }

  /**
   * Requests for everything announced since the last call: LeaderAndIsr to each replica of a changed
   * partition (all of its partitions, for a broker that gets the full picture), then UpdateMetadata to
   * every live broker, as Kafka's ControllerBrokerRequestBatch sends them.
   */
  private requests(): BrokerRequest[] {
    const changed: PartitionAnnouncement[] = [];
    for (const [k, isNew] of this.toAnnounce) {
      if (this.pending.has(k)) continue;
      const [topic, p] = k.split('\u0000') as [string, string];
      const t = this.topics.get(topic);
      const s = this.states.get(k);
      this.toAnnounce.delete(k);
      if (t && s) changed.push(this.announcement(t, Number(p), s, isNew));
    }
    const full = [...this.fullTo].filter((id) => this.brokers.has(id));
    this.fullTo.clear();
    const stops = this.deletionsDue();
    if (changed.length === 0 && full.length === 0) return stops;
    const all: PartitionAnnouncement[] = [];
    if (full.length > 0) {
      for (const t of this.topics.values()) {
        t.replicas.forEach((_, p) => {
          const s = this.states.get(key(t.name, p));
          if (s) all.push(this.announcement(t, p, s, false));
        });
      }
    }
    const brokers = this.liveBrokers();
    const out: BrokerRequest[] = [];
    for (const b of brokers) {
      const isFull = full.includes(b.id);
      const source = isFull ? all : changed;
      const mine = source.filter((a) => a.replicas.includes(b.id));
      if (mine.length > 0) {
        const leaders = brokers.filter((l) => mine.some((a) => a.state.leader === l.id));
        out.push({ kind: 'leaderAndIsr', broker: b.id, brokerEpoch: b.epoch, full: isFull, partitions: mine, leaders });
      }
    }
    out.push(...stops);
    for (const b of brokers) {
      const isFull = full.includes(b.id);
      if (!isFull && changed.length === 0) continue;
      out.push({ kind: 'updateMetadata', broker: b.id, brokerEpoch: b.epoch, partitions: isFull ? all : changed, brokers });
    }
    return out;
  }
}
