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
  /** Replica ids per partition, the preferred leader first. */
  replicas: number[][];
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
      const t = this.topics.get(r.topic);
      if (!t || r.partition >= t.replicas.length) continue;
      if (r.state) this.states.set(k, r.state);
      else this.states.delete(k);
      this.toAnnounce.set(k, this.toAnnounce.get(k) ?? false);
      this.onlineOrElect(t, r.partition, writes);
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
          this.write(writes, t, p, { leader, isr: s.isr.filter((r) => r !== brokerId) }, false);
        } else if (s.isr.includes(brokerId) && s.isr.length > 1) {
          this.write(writes, t, p, { leader: s.leader, isr: s.isr.filter((r) => r !== brokerId) }, false);
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
    this.write(writes, t, p, { leader: preferred, isr: s.isr }, false);
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
    this.write(writes, t, p, { leader, isr: fromIsr !== undefined ? s.isr.filter((r) => this.electable(r)) : [leader] }, false);
    return 'elected';
  }

  /**
   * The writes handed out landed with these versions (the ones missing failed: the shell re-reads
   * them). Returns the requests announcing every change so far.
   */
  written(results: readonly (TopicPartition & { zkVersion: number })[]): BrokerRequest[] {
    for (const r of results) {
      const k = key(r.topic, r.partition);
      const w = this.pending.get(k);
      if (!w) continue;
      this.pending.delete(k);
      this.states.set(k, { ...w.state, zkVersion: r.zkVersion });
    }
    return this.requests();
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
      this.write(writes, t, p, { leader: live[0]!, isr: live }, true, 'create');
      return;
    }
    if (s.leader !== NO_LEADER && this.brokers.has(s.leader)) return;
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
      // Offline. The ISR keeps its last member so that only a replica with every record may lead again.
      if (s.leader === NO_LEADER) return;
      this.write(writes, t, p, { leader: NO_LEADER, isr: s.isr.length === 1 ? s.isr : s.isr.filter((r) => r !== s.leader) }, false);
      return;
    }
    this.write(writes, t, p, { leader, isr }, false);
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
        this.write(writes, t, p, { leader: s.leader, isr: isr.length === 0 ? s.isr : isr }, false);
      });
    }
  }

  private electable(id: number): boolean {
    return this.brokers.has(id) && !this.shuttingDown.has(id);
  }

  private write(writes: StateWrite[], t: TopicInfo, p: number, next: { leader: number; isr: number[] }, isNew: boolean, create?: 'create'): void {
    const k = key(t.name, p);
    const s = this.states.get(k);
    if (s && s.leader === next.leader && sameMembers(s.isr, next.isr)) return;
    const w: StateWrite = {
      topic: t.name,
      partition: p,
      // Every change the controller makes bumps the leader epoch, as Kafka's ZooKeeper mode does.
      state: { leader: next.leader, leaderEpoch: s ? s.leaderEpoch + 1 : 0, isr: next.isr, controllerEpoch: this.controllerEpoch },
      expectedVersion: create ?? s!.zkVersion,
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
      isNew,
    };
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
    if (changed.length === 0 && full.length === 0) return [];
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
    for (const b of brokers) {
      const isFull = full.includes(b.id);
      if (!isFull && changed.length === 0) continue;
      out.push({ kind: 'updateMetadata', broker: b.id, brokerEpoch: b.epoch, partitions: isFull ? all : changed, brokers });
    }
    return out;
  }
}
