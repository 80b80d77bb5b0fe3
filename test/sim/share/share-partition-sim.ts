// A seeded simulation of one share-partition (src/kafka/share/share-partition.ts) as the broker drives
// it: producers grow the log, members fetch (acquire), process and acknowledge (mostly accept, some
// release, a few reject), crash silently (their locks run out), end their session (their records are
// released at once), and the broker restarts from the last durable snapshot (taken after each
// acknowledgement, as the shell writes it before answering). Checked at every step: no record held by
// two members at once, no record accepted twice, no accepted record delivered again (across restarts
// too), delivery counts within the limit, the window within max in-flight. After chaos every member
// acknowledges all it gets until the window reaches the log end: every record is then accepted once or
// archived (rejected, or delivered as often as allowed); with `allAccept` every record is accepted
// exactly once, including those a crashed member held.
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { AcknowledgeType, SharePartition, type SharePartitionLimits, type SharePartitionSnapshot } from '../../../src/kafka/share/share-partition.js';
import { Rng } from '../harness/rng.js';

export const STEP_MS = 50;

export interface SharePartitionSimOptions {
  seed: number;
  members: number;
  chaosSteps: number;
  /** No rejects, no records given up: every record must end accepted exactly once. */
  allAccept: boolean;
  limits: SharePartitionLimits;
}

export interface SharePartitionSimResult {
  produced: number;
  accepted: number;
  archived: number;
  redelivered: number;
  restarts: number;
  crashes: number;
}

interface SimMember {
  id: string;
  /** Offsets this member believes it holds, with the delivery count it was given. */
  holding: Map<number, number>;
  /** A crashed member never acknowledges what it holds; its locks run out. */
  crashed: boolean;
}

export class SharePartitionSim {
  private readonly rng: Rng;
  private sp: SharePartition;
  private durable: SharePartitionSnapshot;
  private now = 0;
  private highWatermark = 0;
  private readonly members: SimMember[] = [];
  private readonly accepted = new Set<number>();
  private readonly archived = new Set<number>();
  private redelivered = 0;
  private restarts = 0;
  private crashes = 0;
  private generation = 0;
  /** Offsets below this were already classified as accepted or archived once the window passed them. */
  private scannedBelow = 0;

  constructor(private readonly opts: SharePartitionSimOptions) {
    this.rng = new Rng(opts.seed);
    this.sp = SharePartition.fresh(opts.limits, 0);
    this.durable = this.sp.snapshot();
    for (let i = 0; i < opts.members; i++) this.members.push(this.newMember(i));
  }

  run(): SharePartitionSimResult {
    for (let step = 0; step < this.opts.chaosSteps; step++) this.step(true);
    for (const m of this.members) m.crashed = false;
    // Settle: everyone fetches and accepts until the window reaches the log end.
    let guard = 0;
    while (this.sp.startOffset < this.highWatermark) {
      if (++guard > 100_000) throw new Error(`seed ${this.opts.seed}: the window stuck at ${this.sp.startOffset} below ${this.highWatermark}`);
      this.step(false);
    }
    for (let o = 0; o < this.highWatermark; o++) {
      const done = this.accepted.has(o) || this.archived.has(o);
      if (!done) throw new Error(`seed ${this.opts.seed}: offset ${o} below the window start was neither accepted nor archived`);
      if (this.opts.allAccept && !this.accepted.has(o)) throw new Error(`seed ${this.opts.seed}: offset ${o} was not accepted although every member accepts`);
    }
    return { produced: this.highWatermark, accepted: this.accepted.size, archived: this.archived.size, redelivered: this.redelivered, restarts: this.restarts, crashes: this.crashes };
  }

  private newMember(i: number): SimMember {
    return { id: `m${i}-${this.generation}`, holding: new Map(), crashed: false };
  }

  private step(chaos: boolean): void {
    this.now += STEP_MS;
    if (chaos && this.rng.chance(0.3)) this.highWatermark += this.rng.int(1, 8);
    if (this.sp.tick(this.now)) this.forgetExpired();
    const m = this.rng.pick(this.members);
    if (m.crashed) return;
    const r = this.rng.next();
    if (r < 0.45) this.fetch(m);
    else if (r < 0.85 || !chaos) this.process(m, chaos);
    else if (r < 0.9) this.badAck(m);
    else if (r < 0.94) {
      m.crashed = true;
      this.crashes++;
    } else if (r < 0.97) {
      // The member's session ends (it closed, or its connection dropped): its records are offered again at once.
      this.sp.releaseMember(m.id);
      this.members[this.members.indexOf(m)] = { ...this.newMember(this.members.indexOf(m)), id: `${m.id}'` };
      this.forgetExpired();
    } else if (r < 0.985) {
      this.restart();
    }
    this.checkWindow();
  }

  private fetch(m: SimMember): void {
    const from = this.sp.nextFetchOffset();
    const ranges = this.sp.acquire(m.id, from, this.highWatermark, this.rng.int(1, 10), this.now);
    for (const range of ranges) {
      for (let o = range.firstOffset; o <= range.lastOffset; o++) {
        for (const other of this.members) if (other.holding.has(o)) throw new Error(`seed ${this.opts.seed}: offset ${o} acquired by ${m.id} while ${other.id} holds it`);
        if (this.accepted.has(o)) throw new Error(`seed ${this.opts.seed}: accepted offset ${o} delivered again`);
        if (range.deliveryCount > this.opts.limits.deliveryCountLimit) throw new Error(`seed ${this.opts.seed}: offset ${o} delivered ${range.deliveryCount} times`);
        if (range.deliveryCount > 1) this.redelivered++;
        m.holding.set(o, range.deliveryCount);
      }
    }
  }

  /** Acknowledges some of what the member holds, one offset per batch or a contiguous run with one type. */
  private process(m: SimMember, chaos: boolean): void {
    const held = [...m.holding.keys()].sort((a, b) => a - b);
    if (held.length === 0) return this.fetch(m);
    const count = chaos ? this.rng.int(1, held.length) : held.length;
    for (const o of held.slice(0, count)) {
      let type: number = AcknowledgeType.Accept;
      if (chaos) {
        const r = this.rng.next();
        if (r < 0.1 && !this.opts.allAccept) type = AcknowledgeType.Release;
        else if (r < 0.13 && !this.opts.allAccept) type = AcknowledgeType.Reject;
      }
      const code = this.sp.acknowledge(m.id, o, o, [type], this.now);
      m.holding.delete(o);
      // Holdings follow the partition at every step (checkWindow): a refusal here is a bug.
      if (code !== ErrorCode.NONE) throw new Error(`seed ${this.opts.seed}: ${m.id} holds ${o} but its acknowledgement got ${code}`);
      if (type === AcknowledgeType.Accept) {
        if (this.accepted.has(o)) throw new Error(`seed ${this.opts.seed}: offset ${o} accepted twice`);
        this.accepted.add(o);
      }
      if (type === AcknowledgeType.Reject) this.archived.add(o);
      if (type === AcknowledgeType.Release && this.sp.stateOf(o).state === 'archived') this.archived.add(o);
    }
    this.noteArchived();
    // Durable before answered: the snapshot the shell would have written.
    this.durable = this.sp.snapshot();
  }

  /** An acknowledgement of a record the member does not hold changes nothing and is refused. */
  private badAck(m: SimMember): void {
    const o = this.rng.int(0, this.highWatermark + 2);
    if (m.holding.has(o)) return;
    const before = JSON.stringify(this.sp.snapshot());
    const code = this.sp.acknowledge(m.id, o, o, [AcknowledgeType.Accept], this.now);
    if (code !== ErrorCode.INVALID_RECORD_STATE) throw new Error(`seed ${this.opts.seed}: acknowledging ${o} not held by ${m.id} answered ${code}`);
    if (JSON.stringify(this.sp.snapshot()) !== before) throw new Error(`seed ${this.opts.seed}: a refused acknowledgement changed the state`);
  }

  /** The broker restarts (or leadership moves): the last durable snapshot is loaded; every lock is gone. */
  private restart(): void {
    this.restarts++;
    this.generation++;
    this.sp = SharePartition.restore(this.opts.limits, this.durable);
    this.scannedBelow = Math.min(this.scannedBelow, this.sp.startOffset);
    for (let i = 0; i < this.members.length; i++) this.members[i] = { ...this.newMember(i), crashed: this.members[i]!.crashed };
    // Records archived after the last durable write (a lock expiry at the limit) may be offered once more; accepted ones never.
    for (const o of [...this.archived]) if (o >= this.sp.startOffset && this.sp.stateOf(o).state === 'available') this.archived.delete(o);
  }

  /** Drops what members think they hold once the partition no longer has them holding it (lock expiry, release). */
  private forgetExpired(): void {
    for (const m of this.members) {
      for (const o of [...m.holding.keys()]) if (this.sp.stateOf(o).owner !== m.id) m.holding.delete(o);
    }
    this.noteArchived();
  }

  /** Records the partition archived on its own (delivery limit reached on expiry or release). */
  private noteArchived(): void {
    for (let o = this.sp.startOffset; o < this.sp.endOffset; o++) if (this.sp.stateOf(o).state === 'archived') this.archived.add(o);
    for (let o = this.scannedBelow; o < this.sp.startOffset; o++) if (!this.accepted.has(o)) this.archived.add(o);
    this.scannedBelow = Math.max(this.scannedBelow, this.sp.startOffset);
  }

  private checkWindow(): void {
    if (this.sp.endOffset - this.sp.startOffset > this.opts.limits.maxInFlight) throw new Error(`seed ${this.opts.seed}: window ${this.sp.startOffset}..${this.sp.endOffset} exceeds ${this.opts.limits.maxInFlight}`);
    for (const m of this.members) for (const o of m.holding.keys()) if (this.sp.stateOf(o).owner !== m.id) throw new Error(`seed ${this.opts.seed}: ${m.id} holds ${o} but the partition says ${JSON.stringify(this.sp.stateOf(o))}`);
  }
}
