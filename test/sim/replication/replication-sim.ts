// A seeded simulation of one Kafka partition on three brokers (src/consensus/partition-replication)
// with a ZooKeeper-mode controller (controller-model.ts) on the shared harness. Producers write
// acks=all, a consumer reads up to the high watermark, while brokers are killed (kill -9: what they
// wrote stays with the OS) or lose power (losing unsynced writes, one machine at a time) and restart, sessions expire, the network drops, delays, duplicates and partitions messages between
// brokers and between a broker and the controller, followers turn slow and disks stall. Invariants are
// checked after every event; when chaos ends everything heals and restarts, and the run must settle
// with one leader, every replica in sync, and every acknowledged write in place, linearizably.
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import {
  PartitionReplication,
  replicationConfig,
  type FetchRequest,
  type FetchResponse,
  type FollowerFetch,
  type IsrChangeRequest,
  type IsrChangeResult,
  type PartitionState,
  type ReplicationConfig,
} from '../../../src/consensus/partition-replication.js';
import { epochsOf } from '../../helpers/leader-epochs.js';
import { SimDisk } from '../harness/disk.js';
import { SimNetwork, type LinkFaults } from '../harness/network.js';
import { runPhases } from '../harness/phases.js';
import { Rng } from '../harness/rng.js';
import { Scheduler } from '../harness/scheduler.js';
import { fail, SimTrace } from '../harness/trace.js';
import { checkWriteHistory, type WriteOp } from '../harness/write-history.js';
import { ControllerModel } from './controller-model.js';

export interface ReplicationSimOptions {
  seed: number;
  chaosMs: number;
  settleMs: number;
  /** Keep the last this many events for the failure message. */
  traceEvents?: number;
}

export interface ReplicationSimResult {
  minInsyncReplicas: number;
  acked: number;
  ackedAfterHeal: number;
  refused: number;
  consumed: number;
  leaderEpochs: number;
  elections: number;
  isrShrinks: number;
  isrExpands: number;
  truncations: number;
  crashes: number;
  powerLosses: number;
  expiries: number;
  tornWrites: number;
  events: number;
  finalLength: number;
}

const CONTROLLER = 0;
const BROKERS = [1, 2, 3];
const TICK_MS = 5;
const HEARTBEAT_MS = 20;
const SESSION_MS = 120;
const LAG_MS = 100;
const RESEND_MS = 30;
const FETCH_TIMEOUT_MS = 60;
const FETCH_IDLE_MS = 8;
const PRODUCE_TIMEOUT_MS = 400;
const PRODUCERS = 2;
const NORMAL_DISK = { min: 1, max: 3 };
/** From a process's write to the OS holding the bytes (the log's write pass). */
const WRITE_LATENCY = { min: 0, max: 4 };
const CALM: LinkFaults = { dropRate: 0, duplicateRate: 0, delayMin: 1, delayMax: 3 };

interface Rec {
  epoch: number;
  label: string;
}

type DiskOp = { kind: 'append'; offset: number; records: Rec[] } | { kind: 'truncate'; offset: number } | { kind: 'hw'; value: number };

type Msg =
  | { type: 'fetch'; req: FetchRequest; fetch: FollowerFetch }
  | { type: 'fetchResponse'; req: FetchRequest; res: FetchResponse; records: Rec[] }
  | { type: 'alterPartition'; req: IsrChangeRequest }
  | { type: 'alterPartitionResponse'; req: IsrChangeRequest; result: IsrChangeResult }
  | { type: 'leaderAndIsr'; state: PartitionState }
  | { type: 'leaderAndIsrAck'; leaderEpoch: number }
  | { type: 'heartbeat'; incarnation: number };

interface Broker {
  id: number;
  up: boolean;
  incarnation: number;
  core: PartitionReplication | null;
  /** The log as the process sees it, and a running hash of each prefix for O(1) comparisons. */
  log: Rec[];
  hashes: number[];
  disk: SimDisk<DiskOp>;
  image: { records: Rec[]; hw: number };
  /** Bumped by every truncation: a sync report from before one says nothing about the log after it. */
  truncations: number;
  fetchInFlight: FetchRequest | null;
  fetchDelay: number;
  waiters: Map<number, { producer: Producer; op: WriteOp; offset: number }>;
  /** The leader epoch this process last led, to check each new leadership once. */
  checkedLeaderEpoch: number;
}

interface Producer {
  name: string;
  n: number;
  pending: WriteOp | null;
}

export class ReplicationSim {
  private readonly rng: Rng;
  private readonly sched = new Scheduler();
  private readonly net: SimNetwork<Msg>;
  private readonly brokers = new Map<number, Broker>();
  private readonly controller: ControllerModel;
  private readonly config: (id: number) => ReplicationConfig;
  private readonly minIsr: number;
  private readonly harsh: boolean;
  /** Broker ids whose session the controller holds expired until the given time. */
  private readonly expiredUntil = new Map<number, number>();
  /** Acked from the controller, per broker: the leader epoch it has been told. */
  private readonly told = new Map<number, number>();
  /** When the controller last heard each broker's session. */
  private readonly lastHeard = new Map<number, number>();
  private readonly trace: SimTrace;

  /**
   * Offsets whose record is settled (acknowledged to a producer or read by the consumer), with the
   * leader epoch it was settled in: every leader of that epoch or a later one must hold it.
   */
  private readonly settled = new Map<number, { label: string; epoch: number }>();
  private readonly history: WriteOp[] = [];
  private readonly producers: Producer[] = [];
  private readonly leaders = new Map<number, number>();
  private consumerPosition = 0;
  private chaos = true;
  private clientsRunning = true;
  private healedAtStep = 0;
  private token = 0;
  private stats = { refused: 0, consumed: 0, isrShrinks: 0, isrExpands: 0, truncations: 0, crashes: 0, powerLosses: 0, expiries: 0 };
  /** The broker that lost power and is not back in the ISR, with its incarnation then. */
  private powerLost: { id: number; incarnation: number; seenGone: boolean } | null = null;
  /** Until when partitions, cuts and expiries drawn so far last. */
  private faultsUntil = 0;
  /** The network's defaults drop, duplicate or delay messages. */
  private lossy = false;

  constructor(private readonly opt: ReplicationSimOptions) {
    this.rng = new Rng(opt.seed);
    this.trace = new SimTrace(this.sched, opt.traceEvents ?? 0);
    this.harsh = this.rng.chance(0.4);
    this.minIsr = this.rng.pick([1, 2, 2, 2, 3]);
    const pendingProducesMax = this.rng.pick([2, 1000]);
    this.config = (id) => replicationConfig({ brokerId: id, replicaLagTimeMaxTicks: LAG_MS, minInsyncReplicas: this.minIsr, pendingProducesMax });
    this.net = new SimNetwork<Msg>(this.sched, this.rng.fork(), CALM, (from, to, m) => this.deliver(from, to, m));
    this.controller = new ControllerModel(BROKERS, () => this.announce());
    for (const id of BROKERS) {
      const b: Broker = {
        id,
        up: false,
        incarnation: 0,
        core: null,
        log: [],
        hashes: [0],
        disk: null!,
        image: { records: [], hw: 0 },
        truncations: 0,
        fetchInFlight: null,
        fetchDelay: 0,
        waiters: new Map(),
        checkedLeaderEpoch: -1,
      };
      b.disk = new SimDisk<DiskOp>(this.sched, this.rng.fork(), NORMAL_DISK, (op) => this.write(b, op), WRITE_LATENCY);
      this.brokers.set(id, b);
      this.start(b);
    }
    for (let p = 0; p < PRODUCERS; p++) {
      const producer: Producer = { name: `p${p}`, n: 0, pending: null };
      this.producers.push(producer);
      this.sched.after(this.rng.int(50, 150), () => this.produce(producer));
    }
    this.sched.after(this.rng.int(50, 150), () => this.consume());
    this.sched.after(RESEND_MS, () => this.controllerTick());
  }

  run(): ReplicationSimResult {
    return this.trace.run(this.opt.seed, () => {
      // Waiting produces time out and followers catch up while draining.
      runPhases(this.sched, { ...this.opt, drainMs: PRODUCE_TIMEOUT_MS + 600 }, {
        startChaos: () => this.sched.after(200, () => this.chaosStep()),
        heal: () => this.heal(),
        stopClients: () => (this.clientsRunning = false),
        check: () => this.checkStep(),
      });
      return this.finish();
    });
  }

  // ---- brokers

  private start(b: Broker): void {
    b.up = true;
    b.log = b.image.records.map((r) => ({ ...r }));
    b.hashes = [0];
    for (const r of b.log) b.hashes.push(hashStep(b.hashes.at(-1)!, r));
    b.core = new PartitionReplication(this.config(b.id), {
      logStartOffset: 0,
      logEndOffset: b.log.length,
      epochs: epochsOf(b.log.map((r) => r.epoch)),
      highWatermark: b.image.hw,
    });
    b.fetchInFlight = null;
    b.waiters.clear();
    b.checkedLeaderEpoch = -1;
    const incarnation = b.incarnation;
    const tick = () => {
      if (b.incarnation !== incarnation) return;
      b.core!.tick(this.sched.now());
      this.process(b);
      this.sched.after(TICK_MS, tick);
    };
    this.sched.after(this.rng.int(1, TICK_MS), tick);
    const heartbeat = () => {
      if (b.incarnation !== incarnation) return;
      this.net.send(b.id, CONTROLLER, { type: 'heartbeat', incarnation });
      this.sched.after(HEARTBEAT_MS, heartbeat);
    };
    heartbeat();
  }

  /**
   * kill -9 of the broker's process (what it had written stays with the OS), or a power loss of its
   * machine (only what it had fsynced stays, and maybe some of what it had written).
   */
  private crash(b: Broker, how: 'kill' | 'powerLoss'): void {
    this.trace.note(`${how === 'kill' ? 'kill -9' : 'power loss of'} ${b.id}`);
    this.stats.crashes++;
    if (how === 'powerLoss') {
      this.stats.powerLosses++;
      this.powerLost = { id: b.id, incarnation: b.incarnation, seenGone: false };
    }
    b.up = false;
    b.core = null;
    b.incarnation++;
    if (how === 'kill') b.disk.kill();
    else b.disk.crash();
  }

  /**
   * A power loss is one fault at a time, as replication with followers counting written (not synced)
   * records promises (docs/replication.md, "What an acknowledgement survives"): it strikes only while
   * every broker runs in the ISR and the network is calm, and nothing else goes wrong until the
   * controller has seen that broker go (its session end or its restart) and it is back in the ISR.
   */
  private mayLosePower(): boolean {
    return (
      this.powerLost === null &&
      this.sched.now() >= this.faultsUntil &&
      !this.lossy &&
      [...this.brokers.values()].every((b) => b.up) &&
      this.controller.state.isr.length === BROKERS.length
    );
  }

  private inPowerLossWindow(): boolean {
    const lost = this.powerLost;
    if (lost === null) return false;
    if (this.controller.live.get(lost.id) !== lost.incarnation) lost.seenGone = true;
    if (!lost.seenGone || !this.controller.state.isr.includes(lost.id)) return true;
    this.powerLost = null;
    return false;
  }

  /** A fault that lasts `ms` from now: no power loss until it is over. */
  private faultFor(ms: number): number {
    this.faultsUntil = Math.max(this.faultsUntil, this.sched.now() + ms);
    return ms;
  }

  private deliver(from: number, to: number, m: Msg): void {
    if (to === CONTROLLER) return this.controllerReceive(from, m);
    const b = this.brokers.get(to)!;
    if (!b.up) return;
    const core = b.core!;
    const now = this.sched.now();
    this.trace.note(`${from}->${to} ${describe(m)}`);
    switch (m.type) {
      case 'leaderAndIsr':
        if (m.state.leader === b.id) core.becomeLeader(m.state, now);
        else core.becomeFollower(m.state);
        this.net.send(b.id, CONTROLLER, { type: 'leaderAndIsrAck', leaderEpoch: m.state.leaderEpoch });
        break;
      case 'fetch': {
        const ans = core.onFollowerFetch(m.fetch, now);
        let res: FetchResponse;
        let records: Rec[] = [];
        if (ans.errorCode === ErrorCode.NONE) {
          const { fromOffset, toOffset, ...rest } = ans;
          // The shell's byte limit, as replica.fetch.max.bytes: a few records at a time.
          const to = Math.min(toOffset, fromOffset + 5);
          records = b.log.slice(fromOffset, to).map((r) => ({ ...r }));
          res = { ...rest, batches: records.map((r, i) => ({ baseOffset: fromOffset + i, lastOffset: fromOffset + i, leaderEpoch: r.epoch })) };
        } else res = ans;
        this.net.send(b.id, from, { type: 'fetchResponse', req: m.req, res, records });
        break;
      }
      case 'fetchResponse':
        if (b.fetchInFlight !== m.req) return;
        b.fetchInFlight = null;
        this.onFetched(b, m.req, m.res, m.records);
        break;
      case 'alterPartitionResponse':
        core.onIsrChangeResult(m.req, m.result, now);
        break;
      default:
        return;
    }
    this.process(b);
  }

  private onFetched(b: Broker, req: FetchRequest, res: FetchResponse, records: Rec[]): void {
    const action = b.core!.onFetchResponse(req, res);
    let delay = b.fetchDelay;
    switch (action.kind) {
      case 'append':
        for (const r of records) this.append(b, r);
        this.sync(b, { kind: 'append', offset: b.log.length - records.length, records: records.map((r) => ({ ...r })) });
        break;
      case 'truncate':
      case 'truncateFully':
        if (action.kind === 'truncateFully') fail(`broker ${b.id} was told to drop its whole log, and no log here ever starts past 0`);
        this.stats.truncations++;
        this.truncate(b, action.offset);
        break;
      case 'rejected':
        fail(`broker ${b.id} rejected a fetch answer from a correct leader: ${action.reason}`);
        break;
      case 'none':
        delay += FETCH_IDLE_MS;
        break;
      default:
        delay += FETCH_IDLE_MS * 2;
    }
    this.scheduleFetch(b, delay);
  }

  private scheduleFetch(b: Broker, delay: number): void {
    const incarnation = b.incarnation;
    this.sched.after(Math.max(1, delay), () => {
      if (b.incarnation === incarnation) this.maybeFetch(b);
    });
  }

  /** Send the next fetch if there is one to send and none is out. */
  private maybeFetch(b: Broker): void {
    if (!b.up || b.fetchInFlight !== null) return;
    const req = b.core!.fetchRequest();
    if (req === null) return;
    b.fetchInFlight = req;
    this.net.send(b.id, req.leader, {
      type: 'fetch',
      req,
      fetch: { replicaId: b.id, fetchOffset: req.fetchOffset, lastFetchedEpoch: req.lastFetchedEpoch, currentLeaderEpoch: req.currentLeaderEpoch, logStartOffset: req.logStartOffset },
    });
    const incarnation = b.incarnation;
    this.sched.after(FETCH_TIMEOUT_MS, () => {
      if (b.incarnation !== incarnation || b.fetchInFlight !== req) return;
      b.fetchInFlight = null;
      this.maybeFetch(b);
    });
  }

  /** Carry out what the core asks for. */
  private process(b: Broker): void {
    const e = b.core!.drain();
    if (e.highWatermark !== null) this.sync(b, { kind: 'hw', value: e.highWatermark });
    if (e.isrChange) {
      const req = e.isrChange;
      if (req.isr.length < b.core!.status().isr.length) this.stats.isrShrinks++;
      else this.stats.isrExpands++;
      this.sendIsrChange(b, req);
    }
    for (const c of e.completed) {
      const w = b.waiters.get(c.token);
      if (!w) continue;
      b.waiters.delete(c.token);
      const settled = c.errorCode === ErrorCode.NONE ? { offset: w.offset, epoch: b.core!.status().leaderEpoch } : null;
      this.sched.after(this.rng.int(1, 3), () => this.answered(w.producer, w.op, settled));
    }
    // A follower (or a replica newly told to follow) starts fetching.
    this.maybeFetch(b);
  }

  /** The leader resends its ISR change until answered or replaced, as AlterPartitionManager does. */
  private sendIsrChange(b: Broker, req: IsrChangeRequest): void {
    const incarnation = b.incarnation;
    const send = () => {
      if (b.incarnation !== incarnation || b.core!.status().pendingIsrChange !== req) return;
      this.net.send(b.id, CONTROLLER, { type: 'alterPartition', req });
      this.sched.after(RESEND_MS * 2, send);
    };
    send();
  }

  private append(b: Broker, r: Rec): void {
    b.log.push(r);
    b.hashes.push(hashStep(b.hashes.at(-1)!, r));
  }

  private truncate(b: Broker, offset: number): void {
    if (offset < b.log.length) {
      b.log.length = offset;
      b.hashes.length = offset + 1;
      b.truncations++;
    }
    this.sync(b, { kind: 'truncate', offset });
  }

  /**
   * Queue a write; once the OS holds it, and again once it is durable, tell the core how much of the
   * log is, unless a truncation came since.
   */
  private sync(b: Broker, op: DiskOp): void {
    const incarnation = b.incarnation;
    const truncations = b.truncations;
    const end = b.log.length;
    const current = () => b.incarnation === incarnation && b.truncations === truncations;
    b.disk.write(
      op,
      () => {
        if (!current()) return;
        b.core!.onDurable(end, this.sched.now());
        this.process(b);
      },
      () => {
        if (!current()) return;
        b.core!.onWritten(end);
        this.process(b);
      },
    );
  }

  private write(b: Broker, op: DiskOp): void {
    const img = b.image;
    if (op.kind === 'hw') img.hw = op.value;
    else if (op.kind === 'truncate') img.records.length = Math.min(img.records.length, op.offset);
    else {
      if (op.offset !== img.records.length) fail(`broker ${b.id} writes at ${op.offset} to a disk log ending at ${img.records.length}`);
      img.records.push(...op.records);
    }
  }

  // ---- the controller (and ZooKeeper)

  private controllerReceive(from: number, m: Msg): void {
    const now = this.sched.now();
    this.trace.note(`${from}->C ${describe(m)}`);
    const b = this.brokers.get(from)!;
    switch (m.type) {
      case 'heartbeat':
        if ((this.expiredUntil.get(from) ?? -1) > now) return;
        this.lastHeard.set(from, now);
        // A new session has been told nothing yet.
        if (this.controller.live.get(from) !== m.incarnation) this.told.delete(from);
        this.controller.brokerUp(from, m.incarnation);
        break;
      case 'leaderAndIsrAck':
        this.told.set(from, Math.max(this.told.get(from) ?? -1, m.leaderEpoch));
        break;
      case 'alterPartition': {
        if (!this.controller.live.has(from)) return;
        const result = this.controller.alterPartition(m.req);
        this.net.send(CONTROLLER, b.id, { type: 'alterPartitionResponse', req: m.req, result });
        break;
      }
      default:
        break;
    }
  }

  private controllerTick(): void {
    const now = this.sched.now();
    for (const id of [...this.controller.live.keys()]) {
      if (now - (this.lastHeard.get(id) ?? 0) > SESSION_MS) {
        this.trace.note(`session of ${id} expired`);
        this.controller.brokerDown(id);
        this.told.delete(id);
      }
    }
    this.announce();
    this.sched.after(RESEND_MS, () => this.controllerTick());
  }

  /** LeaderAndIsr to every live replica that has not acknowledged the current leader epoch. */
  private announce(): void {
    const s = this.controller.state;
    for (const id of this.controller.live.keys()) {
      if ((this.told.get(id) ?? -1) >= s.leaderEpoch) continue;
      this.net.send(CONTROLLER, id, { type: 'leaderAndIsr', state: s });
    }
  }

  private expire(id: number): void {
    this.trace.note(`expire session of ${id}`);
    this.stats.expiries++;
    this.expiredUntil.set(id, this.sched.now() + this.faultFor(this.rng.int(20, 400)));
    this.controller.brokerDown(id);
    this.told.delete(id);
  }

  // ---- clients

  private produce(p: Producer): void {
    if (!this.clientsRunning) return;
    const s = this.controller.state;
    // Metadata is usually right, sometimes stale.
    const target = s.leader > 0 && this.rng.chance(0.85) ? s.leader : this.rng.pick(BROKERS);
    const op: WriteOp = { id: `${p.name}.${p.n++}`, invokedAt: this.sched.steps, ackedAt: null };
    p.pending = op;
    this.sched.after(this.rng.int(1, 3), () => {
      const b = this.brokers.get(target)!;
      if (!b.up) return this.retry(p, op);
      const core = b.core!;
      const error = core.checkProduce(true);
      if (error !== ErrorCode.NONE) {
        this.stats.refused++;
        return this.retry(p, op);
      }
      this.history.push(op);
      const offset = b.log.length;
      const token = ++this.token;
      this.append(b, { epoch: core.status().leaderEpoch, label: op.id });
      core.onLocalAppend(offset, offset, this.sched.now(), { token, deadline: this.sched.now() + PRODUCE_TIMEOUT_MS });
      b.waiters.set(token, { producer: p, op, offset });
      this.sync(b, { kind: 'append', offset, records: [{ ...b.log[offset]! }] });
      this.process(b);
      // The producer gives up after its timeout and sends its next write.
      this.sched.after(PRODUCE_TIMEOUT_MS + 50, () => p.pending === op && this.answered(p, op, null));
    });
  }

  private retry(p: Producer, op: WriteOp): void {
    if (p.pending === op) p.pending = null;
    this.sched.after(this.rng.int(5, 30), () => this.produce(p));
  }

  private answered(p: Producer, op: WriteOp, settled: { offset: number; epoch: number } | null): void {
    if (p.pending !== op) return;
    p.pending = null;
    if (settled !== null) {
      this.trace.note(`${op.id} acknowledged at offset ${settled.offset} in epoch ${settled.epoch}`);
      op.ackedAt = this.sched.steps;
      this.settle(settled.offset, op.id, settled.epoch, 'acknowledged');
    }
    this.sched.after(this.rng.int(1, 10), () => this.produce(p));
  }

  /** The consumer reads from whichever broker leads in its own eyes, up to its high watermark. */
  private consume(): void {
    const s = this.controller.state;
    const b = this.brokers.get(s.leader > 0 && this.rng.chance(0.8) ? s.leader : this.rng.pick(BROKERS))!;
    if (b.up && b.core!.status().role === 'leader') {
      const hw = b.core!.status().highWatermark;
      if (hw > b.log.length) fail(`broker ${b.id}'s high watermark ${hw} is past its log end ${b.log.length}`);
      if (this.consumerPosition < hw) this.trace.note(`consumer reads ${this.consumerPosition}..${hw - 1} from ${b.id}`);
      for (; this.consumerPosition < hw; this.consumerPosition++) {
        this.stats.consumed++;
        this.settle(this.consumerPosition, b.log[this.consumerPosition]!.label, b.core!.status().leaderEpoch, 'consumed');
      }
    }
    if (this.clientsRunning || this.sched.now() < this.opt.chaosMs + this.opt.settleMs + 500) this.sched.after(this.rng.int(10, 40), () => this.consume());
  }

  private settle(offset: number, label: string, epoch: number, how: string): void {
    const known = this.settled.get(offset);
    if (known !== undefined && known.label !== label) fail(`${how} ${label} at offset ${offset}, where ${known.label} was settled`);
    this.settled.set(offset, { label, epoch: Math.min(epoch, known?.epoch ?? epoch) });
  }

  // ---- chaos

  private chaosStep(): void {
    if (!this.chaos) return;
    const next = () => this.sched.after(this.harsh ? this.rng.int(10, 100) : this.rng.int(30, 300), () => this.chaosStep());
    if (this.inPowerLossWindow()) return next();
    const up = [...this.brokers.values()].filter((b) => b.up);
    const roll = this.rng.next();
    const leader = this.brokers.get(this.controller.state.leader);
    if (roll < (this.harsh ? 0.3 : 0.15) && up.length > 0) {
      // Crash the leader more often than not: that is where acknowledged writes are at risk.
      const victim = leader?.up && this.rng.chance(0.6) ? leader : this.rng.pick(up);
      this.crash(victim, this.mayLosePower() && this.rng.chance(0.4) ? 'powerLoss' : 'kill');
      this.sched.after(this.harsh ? this.rng.int(5, 200) : this.rng.int(50, 800), () => this.chaos && !victim.up && this.start(victim));
    } else if (roll < 0.35) {
      const groups: number[][] = [[], []];
      for (const id of [CONTROLLER, ...BROKERS]) groups[this.rng.int(0, 1)]!.push(id);
      this.trace.note(`partition ${groups.map((g) => g.join(',')).join(' | ')}`);
      this.net.partition(groups, [CONTROLLER, ...BROKERS]);
      this.sched.after(this.faultFor(this.rng.int(50, 800)), () => this.chaos && this.net.partition([[CONTROLLER, ...BROKERS]], [CONTROLLER, ...BROKERS]));
    } else if (roll < 0.45) {
      // A broker cut from the controller (its ZooKeeper) only, or a broker from one peer.
      const a = this.rng.pick(BROKERS);
      const z = this.rng.chance(0.5) ? CONTROLLER : this.rng.pick(BROKERS.filter((x) => x !== a));
      const cut = { dropRate: 1, duplicateRate: 0, delayMin: 1, delayMax: 1 };
      this.trace.note(`cut ${a} from ${z}`);
      this.net.setLink(a, z, cut);
      this.net.setLink(z, a, cut);
      this.sched.after(this.faultFor(this.rng.int(50, 600)), () => {
        this.net.setLink(a, z, null);
        this.net.setLink(z, a, null);
      });
    } else if (roll < 0.55) {
      this.expire(this.rng.pick(BROKERS));
    } else if (roll < 0.65) {
      const b = this.rng.pick(BROKERS.map((id) => this.brokers.get(id)!));
      b.fetchDelay = this.rng.int(LAG_MS / 2, LAG_MS * 2);
      this.trace.note(`slow follower ${b.id}: ${b.fetchDelay}ms between fetches`);
      this.sched.after(this.rng.int(100, 1000), () => (b.fetchDelay = 0));
    } else if (roll < 0.75) {
      const b = this.rng.pick(BROKERS.map((id) => this.brokers.get(id)!));
      b.disk.latency = { min: 20, max: this.rng.int(40, 250) };
      this.sched.after(this.rng.int(100, 1000), () => (b.disk.latency = NORMAL_DISK));
    } else if (roll < 0.85) {
      this.lossy = true;
      this.net.setDefaults({ dropRate: this.rng.next() * 0.1, duplicateRate: this.rng.next() * 0.05, delayMin: 1, delayMax: this.rng.int(2, 30) });
    } else {
      this.lossy = false;
      this.net.heal();
      this.net.setDefaults(CALM);
    }
    next();
  }

  private heal(): void {
    this.trace.note('heal');
    this.chaos = false;
    this.net.heal();
    this.net.setDefaults(CALM);
    this.expiredUntil.clear();
    for (const b of this.brokers.values()) {
      b.disk.latency = NORMAL_DISK;
      b.fetchDelay = 0;
      if (!b.up) this.start(b);
    }
    this.healedAtStep = this.sched.steps;
  }

  // ---- invariants

  private checkStep(): void {
    let top: Broker | null = null;
    for (const b of this.brokers.values()) {
      if (!b.up) continue;
      const s = b.core!.status();
      if (s.role !== 'leader') continue;
      const other = this.leaders.get(s.leaderEpoch);
      if (other !== undefined && other !== b.id) fail(`two leaders in epoch ${s.leaderEpoch}: ${other} and ${b.id}`);
      this.leaders.set(s.leaderEpoch, b.id);
      if (b.checkedLeaderEpoch !== s.leaderEpoch) {
        b.checkedLeaderEpoch = s.leaderEpoch;
        this.checkHoldsSettled(b, s.leaderEpoch, `leader ${b.id} of epoch ${s.leaderEpoch}`);
      }
      if (top === null || s.leaderEpoch > top.core!.status().leaderEpoch) top = b;
    }
    if (top) this.checkIsrAgrees(top);
  }

  /**
   * Every record settled in `epoch` or before is in this log, at its offset. (A leader taking up an
   * epoch the controller has since moved past, as a restarted broker may when a late LeaderAndIsr
   * reaches it, need not hold what later epochs settled; it cannot advance its HW over them either.)
   */
  private checkHoldsSettled(b: Broker, epoch: number, who: string): void {
    for (const [offset, { label, epoch: settledIn }] of this.settled) {
      if (settledIn > epoch) continue;
      const r = b.log[offset];
      if (r?.label !== label) fail(`${who} holds ${r?.label ?? 'nothing'} at offset ${offset}, where ${label} was settled`);
    }
  }

  /** Followers in the leader's ISR, following it in its epoch, agree with it below its high watermark. */
  private checkIsrAgrees(l: Broker): void {
    const s = l.core!.status();
    for (const id of s.isr) {
      const f = this.brokers.get(id)!;
      if (id === l.id || !f.up) continue;
      const fs = f.core!.status();
      if (fs.role !== 'follower' || fs.leaderEpoch !== s.leaderEpoch) continue;
      const upTo = Math.min(s.highWatermark, f.log.length);
      if (f.hashes[upTo] !== l.hashes[upTo]) fail(`ISR member ${id} disagrees with leader ${l.id} below ${upTo}`);
    }
  }

  private finish(): ReplicationSimResult {
    const leaders = [...this.brokers.values()].filter((b) => b.up && b.core!.status().role === 'leader');
    if (leaders.length !== 1) fail(`${leaders.length} leaders after healing`);
    const l = leaders[0]!;
    const s = l.core!.status();
    if (s.isr.length !== BROKERS.length) fail(`ISR [${s.isr}] after healing`);
    if (s.highWatermark !== l.log.length) fail(`high watermark ${s.highWatermark} of a log of ${l.log.length} after healing`);
    for (const b of this.brokers.values()) {
      if (b.log.length !== l.log.length || b.hashes.at(-1) !== l.hashes.at(-1)) fail(`broker ${b.id} holds ${b.log.length} records, the leader ${l.log.length}, after healing`);
    }
    this.checkHoldsSettled(l, Infinity, 'the final leader');
    const violation = checkWriteHistory(this.history, l.log.map((r) => r.label));
    if (violation !== null) fail(violation);
    const acked = this.history.filter((o) => o.ackedAt !== null);
    const ackedAfterHeal = acked.filter((o) => o.ackedAt! > this.healedAtStep).length;
    if (ackedAfterHeal === 0) fail('no write was acknowledged after healing');
    return {
      minInsyncReplicas: this.minIsr,
      acked: acked.length,
      ackedAfterHeal,
      refused: this.stats.refused,
      consumed: this.stats.consumed,
      leaderEpochs: this.leaders.size,
      elections: this.controller.elections,
      isrShrinks: this.stats.isrShrinks,
      isrExpands: this.stats.isrExpands,
      truncations: this.stats.truncations,
      crashes: this.stats.crashes,
      powerLosses: this.stats.powerLosses,
      expiries: this.stats.expiries,
      tornWrites: [...this.brokers.values()].reduce((n, b) => n + b.disk.tornWrites, 0),
      events: this.sched.steps,
      finalLength: l.log.length,
    };
  }
}

/** FNV-1a over epoch and label, chained, so two logs' prefixes compare in O(1). */
function hashStep(h: number, r: Rec): number {
  let x = Math.imul((h ^ 0x811c9dc5) ^ r.epoch, 0x01000193) >>> 0;
  for (let i = 0; i < r.label.length; i++) x = Math.imul(x ^ r.label.charCodeAt(i), 0x01000193) >>> 0;
  return x;
}

function describe(m: Msg): string {
  switch (m.type) {
    case 'fetch':
      return `fetch @${m.req.fetchOffset} last=${m.req.lastFetchedEpoch} e${m.req.currentLeaderEpoch}`;
    case 'fetchResponse':
      return m.res.errorCode === ErrorCode.NONE
        ? `fetchResponse hw=${m.res.highWatermark} n=${m.records.length}${m.res.divergingEpoch ? ` diverging ${m.res.divergingEpoch.epoch}@${m.res.divergingEpoch.endOffset}` : ''}`
        : `fetchResponse error ${m.res.errorCode}`;
    case 'alterPartition':
      return `alterPartition e${m.req.leaderEpoch} v${m.req.partitionEpoch} isr=[${m.req.isr}]`;
    case 'alterPartitionResponse':
      return `alterPartitionResponse ${m.result.ok ? `isr=[${m.result.isr}] v${m.result.partitionEpoch}` : `error ${m.result.errorCode}`}`;
    case 'leaderAndIsr':
      return `leaderAndIsr leader=${m.state.leader} e${m.state.leaderEpoch} isr=[${m.state.isr}] v${m.state.partitionEpoch}`;
    case 'leaderAndIsrAck':
      return `ack e${m.leaderEpoch}`;
    case 'heartbeat':
      return `heartbeat #${m.incarnation}`;
  }
}
