// A seeded world around the pure TransactionCoordinator: transactional producers (and zombies of them),
// data partitions that apply markers as a partition leader does, a lossy network, a __transaction_state
// log whose writes sometimes fail and whose unacknowledged writes a crash may lose, and coordinator crashes that reload from that log
// at a higher coordinator epoch. Everything runs on the shared Scheduler, so a seed replays exactly.
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import type { TransactionLogValue } from '../../../protocol/kafka/transaction-state/records.js';
import type { MarkerRequest, TxnOutput } from '../../../src/kafka/txn/api.js';
import { TransactionCoordinator } from '../../../src/kafka/txn/coordinator.js';
import { Rng } from '../harness/rng.js';
import { Scheduler } from '../harness/scheduler.js';
import { fail, SimTrace } from '../harness/trace.js';

export interface TxnSimOptions {
  seed: number;
  chaosMs: number;
  settleMs: number;
  /** Transactional ids; each gets a producer, and sometimes a second instance that fences the first. */
  ids: number;
  partitions: number;
  traceEvents?: number;
}

export interface TxnSimResult {
  committed: number;
  aborted: number;
  fencedProducers: number;
  coordinatorRestarts: number;
  timedOut: number;
}

const TXN_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 500;
const LATENCY_MS = [1, 20] as const;
const LOSS = 0.05;
const APPEND_FAILURE = 0.03;
const CONFIG = { maxTimeoutMs: 900_000, idExpirationMs: 10 * 60_000, retryBackoffMs: 100, logPartitions: 1 };
/** Errors after which a client asks again (clients treat them as retriable). */
const RETRIABLE = new Set<number>([ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.UNKNOWN_SERVER_ERROR]);

/** A data record or a marker on a data partition. */
type Entry = { kind: 'data'; producerId: number; epoch: number; txn: string } | { kind: 'marker'; producerId: number; epoch: number; commit: boolean };

interface DataPartition {
  entries: Entry[];
  /** Per producer id: the latest epoch and coordinator epoch seen (Kafka's producer state). */
  producers: Map<number, { epoch: number; coordinatorEpoch: number }>;
}

type Reply = { errorCode: number; producerId?: number; producerEpoch?: number };

/** The log as the disk has it: acknowledged records, and those written but not yet acknowledged. */
interface LogRecord {
  id: number;
  transactionalId: string;
  value: TransactionLogValue | null;
  durable: boolean;
}

export class TxnSim {
  private readonly rng: Rng;
  private readonly sched = new Scheduler();
  private readonly trace: SimTrace;
  private coordinator!: TransactionCoordinator<(r: Reply) => void>;
  /** Bumped on every crash: replies and completions of an older incarnation are dropped. */
  private incarnation = 0;
  private coordinatorEpoch = 0;
  private up = true;
  private readonly log: LogRecord[] = [];
  private readonly partitions: DataPartition[];
  /** What clients were told: txn key -> outcome acknowledged by EndTxn. */
  private readonly acknowledged = new Map<string, 'commit' | 'abort'>();
  /** Each id's InitProducerId grants, in order. */
  private readonly grants = new Map<string, { producerId: number; epoch: number; instance: number }[]>();
  private nextProducerId = 1000;
  private nextInstance = 0;
  private readonly result: TxnSimResult = { committed: 0, aborted: 0, fencedProducers: 0, coordinatorRestarts: 0, timedOut: 0 };

  constructor(private readonly o: TxnSimOptions) {
    this.rng = new Rng(o.seed);
    this.trace = new SimTrace(this.sched, o.traceEvents ?? 0);
    this.partitions = Array.from({ length: o.partitions }, () => ({ entries: [], producers: new Map() }));
    this.coordinator = new TransactionCoordinator(CONFIG);
    this.feed(this.coordinator.partitionLoaded(0, 0, this.coordinatorEpoch, new Map()));
  }

  run(): TxnSimResult {
    for (let i = 0; i < this.o.ids; i++) this.startProducer(`tx-${i}`, this.rng.int(0, 500));
    // Chaos: coordinator crashes, and zombie instances of ids.
    for (let t = this.rng.int(500, 3_000); t < this.o.chaosMs; t += this.rng.int(1_000, 5_000)) {
      this.sched.at(t, () => this.crash());
    }
    for (let t = this.rng.int(300, 2_000); t < this.o.chaosMs; t += this.rng.int(500, 4_000)) {
      this.sched.at(t, () => this.startProducer(`tx-${this.rng.int(0, this.o.ids - 1)}`, 0));
    }
    this.chaos = true;
    this.sched.at(this.o.chaosMs, () => (this.chaos = false));
    return this.trace.run(this.o.seed, () => {
      this.sched.runUntil(this.o.chaosMs + this.o.settleMs);
      this.check();
      return this.result;
    });
  }

  private chaos = false;

  // ---- the coordinator and its log

  private feed(out: TxnOutput<(r: Reply) => void>): void {
    const incarnation = this.incarnation;
    for (const r of out.replies) {
      const reply: Reply = r.api === 'initProducerId' ? r.response : { errorCode: r.errorCode };
      r.token(reply);
    }
    for (const a of out.appends) {
      const record: LogRecord = { id: a.id, transactionalId: a.transactionalId, value: a.value, durable: false };
      this.log.push(record);
      // Some writes fail: refused before the append (nothing in the log), or appended by the leader but
      // not replicated in time (in its log, not acknowledged, and a crash may or may not keep it).
      const fails = this.chaos && this.rng.chance(APPEND_FAILURE);
      const refused = fails && this.rng.chance(0.5);
      this.sched.after(this.rng.int(1, 15), () => {
        if (incarnation !== this.incarnation) return;
        if (refused) this.log.splice(this.log.indexOf(record), 1);
        else if (!fails) record.durable = true;
        this.feed(this.coordinator.appendCompleted(this.sched.now(), a.id, fails ? ErrorCode.NOT_ENOUGH_REPLICAS : ErrorCode.NONE));
      });
    }
    for (const m of out.markers) this.sendMarkers(m, incarnation);
    const next = this.coordinator.nextDeadline();
    if (next !== undefined) {
      this.sched.at(Math.max(next, this.sched.now()), () => {
        if (incarnation === this.incarnation && this.up) this.feed(this.coordinator.tick(this.sched.now()));
      });
    }
  }

  /** kill -9 of the coordinator's broker: unacknowledged writes may or may not have reached the disk. */
  private crash(): void {
    this.incarnation++;
    this.up = false;
    this.result.coordinatorRestarts++;
    for (let i = this.log.length - 1; i >= 0; i--) {
      const r = this.log[i]!;
      if (!r.durable && this.rng.chance(0.5)) this.log.splice(i, 1);
      else r.durable = true;
    }
    this.trace.note(`coordinator crashed; log ${this.log.length} records`);
    this.sched.after(this.rng.int(50, 500), () => {
      this.coordinatorEpoch++;
      this.coordinator = new TransactionCoordinator(CONFIG);
      const entries = new Map<string, TransactionLogValue>();
      for (const r of this.log) {
        if (r.value) entries.set(r.transactionalId, r.value);
        else entries.delete(r.transactionalId);
      }
      this.up = true;
      this.feed(this.coordinator.partitionLoaded(this.sched.now(), 0, this.coordinatorEpoch, entries));
    });
  }

  /** A client request over the network: lost on the way or on the way back (the client times out) or answered. */
  private request(describe: string, call: (c: TransactionCoordinator<(r: Reply) => void>, now: number, token: (r: Reply) => void) => TxnOutput<(r: Reply) => void>, done: (r: Reply) => void): void {
    let answered = false;
    const timeout = () => {
      if (answered) return;
      answered = true;
      done({ errorCode: ErrorCode.NOT_COORDINATOR });
    };
    this.sched.after(REQUEST_TIMEOUT_MS, timeout);
    const lostOnTheWay = this.chaos && this.rng.chance(LOSS);
    this.sched.after(this.rng.int(...LATENCY_MS), () => {
      if (lostOnTheWay) return;
      if (!this.up) return;
      const lostBack = this.chaos && this.rng.chance(LOSS);
      this.trace.note(describe);
      this.feed(
        call(this.coordinator, this.sched.now(), (reply) => {
          if (lostBack) return;
          this.sched.after(this.rng.int(...LATENCY_MS), () => {
            if (answered) return;
            answered = true;
            done(reply);
          });
        }),
      );
    });
  }

  // ---- data partitions (the WriteTxnMarkers handler and Produce, as the partition leader applies them)

  private sendMarkers(m: MarkerRequest, incarnation: number): void {
    this.sched.after(this.rng.int(...LATENCY_MS), () => {
      const outcomes = m.partitions.map((tp) => ({ ...tp, errorCode: this.writeMarker(this.partitions[tp.partition]!, m) }));
      // A lost answer is a request timeout: the coordinator hears NOT_LEADER_OR_FOLLOWER-like failure and retries.
      const lost = this.chaos && this.rng.chance(LOSS);
      this.sched.after(this.rng.int(...LATENCY_MS), () => {
        if (incarnation !== this.incarnation || !this.up) return;
        const reported = lost ? outcomes.map((o) => ({ ...o, errorCode: ErrorCode.REQUEST_TIMED_OUT })) : outcomes;
        this.feed(this.coordinator.markersWritten(this.sched.now(), m.id, reported));
      });
    });
  }

  private writeMarker(p: DataPartition, m: MarkerRequest): number {
    const state = p.producers.get(m.producerId);
    if (state && m.producerEpoch < state.epoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (state && m.coordinatorEpoch < state.coordinatorEpoch) return ErrorCode.TRANSACTION_COORDINATOR_FENCED;
    p.producers.set(m.producerId, { epoch: m.producerEpoch, coordinatorEpoch: m.coordinatorEpoch });
    p.entries.push({ kind: 'marker', producerId: m.producerId, epoch: m.producerEpoch, commit: m.committed });
    return ErrorCode.NONE;
  }

  private produce(p: DataPartition, producerId: number, epoch: number, txn: string): number {
    const state = p.producers.get(producerId);
    if (state && epoch < state.epoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    p.producers.set(producerId, { epoch, coordinatorEpoch: state?.coordinatorEpoch ?? -1 });
    p.entries.push({ kind: 'data', producerId, epoch, txn });
    return ErrorCode.NONE;
  }

  // ---- producers

  private startProducer(transactionalId: string, delay: number): void {
    const instance = this.nextInstance++;
    this.sched.after(delay, () => this.initProducer(transactionalId, instance));
  }

  private initProducer(transactionalId: string, instance: number): void {
    this.request(
      `init ${transactionalId}#${instance}`,
      (c, now, token) => c.initProducerId(now, token, { transactionalId, transactionTimeoutMs: TXN_TIMEOUT_MS, producerId: -1, producerEpoch: -1 }, c.wantsProducerId(transactionalId) ? this.nextProducerId++ : undefined),
      (r) => {
        if (RETRIABLE.has(r.errorCode)) return this.sched.after(50, () => this.initProducer(transactionalId, instance));
        if (r.errorCode !== ErrorCode.NONE) fail(`init ${transactionalId} failed with ${r.errorCode}`);
        const grants = this.grants.get(transactionalId) ?? [];
        grants.push({ producerId: r.producerId!, epoch: r.producerEpoch!, instance });
        this.grants.set(transactionalId, grants);
        this.runTransactions(transactionalId, instance, r.producerId!, r.producerEpoch!, 0);
      },
    );
  }

  /** One transaction after another until the producer is fenced or the run is settling. */
  private runTransactions(transactionalId: string, instance: number, producerId: number, epoch: number, n: number): void {
    if (!this.chaos && n > 0 && this.rng.chance(0.5)) return;
    const txn = `${transactionalId}#${instance}.${n}`;
    const chosen = [...new Set(Array.from({ length: this.rng.int(1, this.o.partitions) }, () => this.rng.int(0, this.o.partitions - 1)))];
    const fenced = () => {
      this.result.fencedProducers++;
      this.trace.note(`${txn} fenced`);
    };
    const add = () =>
      this.request(`add ${txn}`, (c, now, token) => c.addPartitions(now, token, { transactionalId, producerId, producerEpoch: epoch, partitions: chosen.map((partition) => ({ topic: 'd', partition })) }), (r) => {
        if (RETRIABLE.has(r.errorCode)) return this.sched.after(50, add);
        if (r.errorCode !== ErrorCode.NONE) return fenced();
        // Records go to each partition; a stalled producer sometimes lets its transaction time out.
        const stall = this.chaos && this.rng.chance(0.1) ? TXN_TIMEOUT_MS + 1_000 : this.rng.int(0, 100);
        this.sched.after(stall, () => {
          for (const p of chosen) if (this.produce(this.partitions[p]!, producerId, epoch, txn) !== ErrorCode.NONE) return fenced();
          end(this.rng.chance(0.7));
        });
      });
    const end = (commit: boolean) =>
      this.request(`end ${txn} ${commit ? 'commit' : 'abort'}`, (c, now, token) => c.endTxn(now, token, { transactionalId, producerId, producerEpoch: epoch, committed: commit }), (r) => {
        if (RETRIABLE.has(r.errorCode)) return this.sched.after(50, () => end(commit));
        if (r.errorCode !== ErrorCode.NONE) return fenced();
        this.acknowledged.set(txn, commit ? 'commit' : 'abort');
        this.sched.after(this.rng.int(0, 200), () => this.runTransactions(transactionalId, instance, producerId, epoch, n + 1));
      });
    add();
  }

  // ---- invariants

  private check(): void {
    // Each record's fate is the first marker of its producer after it on its partition.
    const fate = new Map<string, Set<'commit' | 'abort' | 'open'>>();
    for (const p of this.partitions) {
      p.entries.forEach((e, i) => {
        if (e.kind !== 'data') return;
        const marker = p.entries.slice(i + 1).find((m) => m.kind === 'marker' && m.producerId === e.producerId);
        const outcome = marker?.kind === 'marker' ? (marker.commit ? 'commit' : 'abort') : 'open';
        const set = fate.get(e.txn) ?? new Set();
        set.add(outcome);
        fate.set(e.txn, set);
      });
    }
    for (const [txn, outcomes] of fate) {
      if (outcomes.size !== 1) fail(`transaction ${txn} is not atomic: ${[...outcomes].join(', ')}`);
      const [outcome] = outcomes;
      if (outcome === 'open') fail(`transaction ${txn} was never completed`);
      const told = this.acknowledged.get(txn);
      if (told !== undefined && told !== outcome) fail(`transaction ${txn} was acknowledged ${told} but its records are ${outcome}`);
      if (outcome === 'commit') this.result.committed++;
      else this.result.aborted++;
      if (told === undefined && outcome === 'abort') this.result.timedOut++;
    }
    for (const [txn, told] of this.acknowledged) {
      if (told === 'commit' && !fate.has(txn)) fail(`committed transaction ${txn} has no records`);
    }
    // One epoch per producer at a time: grants for an id only ever move forward.
    for (const [id, grants] of this.grants) {
      for (let i = 1; i < grants.length; i++) {
        const a = grants[i - 1]!;
        const b = grants[i]!;
        const forward = b.producerId !== a.producerId ? b.producerId > a.producerId : b.epoch > a.epoch || (b.epoch === a.epoch && b.instance === a.instance);
        if (!forward) fail(`${id}: instance ${b.instance} got ${b.producerId}/${b.epoch} after instance ${a.instance} had ${a.producerId}/${a.epoch}`);
      }
    }
    // Settled: nothing is left mid-transaction.
    for (let i = 0; i < this.o.ids; i++) {
      const d = this.coordinator.describe(`tx-${i}`);
      if (d && d.state !== 'Empty' && d.state !== 'CompleteCommit' && d.state !== 'CompleteAbort') fail(`tx-${i} did not settle: ${d.state}`);
    }
  }
}
