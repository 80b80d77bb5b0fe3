// Transactions in one partition under seeded schedules: producers open transactions, append inside them
// and plain batches between them, end them with COMMIT or ABORT markers; the high watermark moves; the
// log is truncated above the high watermark (a follower's divergent tail) and reloaded (a crash), from
// scratch or from a producer-state snapshot plus the markers' index entries below it, as the partition
// log loads. After every step a read_committed reader, fetching in random chunks up to the last stable
// offset and dropping records as Kafka's consumer does from the aborted-transaction list, must receive
// exactly the plain records and committed transactions' records below the last stable offset, never an
// aborted or undecided one; and every transaction below the last stable offset has its marker below the
// high watermark.
// `SIM_SEEDS=5000 npx vitest run test/sim/transactions` runs a long campaign; a failure names its seed and
// `SIM_SEED=<n> npx vitest run test/sim/transactions` replays it exactly.
import { describe, expect, test } from 'vitest';
import { TRANSACTIONAL_BIT } from '../../../protocol/kafka/records/batch-header.js';
import { decodeSnapshot, encodeSnapshot, type SnapshotState } from '../../../src/log/producer-snapshot.js';
import { applyMarker } from '../../../src/log/producer-state-loader.js';
import { ProducerStateTable, type ProducerBatch } from '../../../src/log/producer-state.js';
import { AbortedTxnIndex, type AbortedTxnRef } from '../../../src/log/txn-index.js';
import { Rng } from '../harness/rng.js';
import { seedPlan } from '../harness/seeds.js';

const plan = seedPlan(300, 'test/sim/transactions');
const PRODUCERS = 4;
const STEPS = 300;

interface Batch {
  offset: number;
  records: number;
  producerId: number;
  kind: 'plain' | 'data' | 'marker';
  commit?: boolean;
}

const lastOf = (b: Batch) => b.offset + b.records - 1;

class Partition {
  log: Batch[] = [];
  table = new ProducerStateTable();
  aborted = new AbortedTxnIndex();
  hw = 0;
  snapshot: { offset: number; state: SnapshotState } | undefined;

  get end(): number {
    const last = this.log.at(-1);
    return last ? lastOf(last) + 1 : 0;
  }

  get lastStableOffset(): number {
    const unstable = this.table.firstUnstableOffset();
    return unstable !== undefined && unstable < this.hw ? unstable : this.hw;
  }

  /** Feeds a stored batch to producer state; `seq` is its base sequence (the producer's records before it). */
  private feed(b: Batch, seq: number): void {
    if (b.kind === 'marker') applyMarker(this.table, this.aborted, { producerId: b.producerId, producerEpoch: 0, coordinatorEpoch: 0, commit: b.commit!, timestamp: 0 }, b.offset);
    else if (b.producerId >= 0) this.table.record(batchOf(b, seq), b.offset);
  }

  nextSeq(producerId: number): number {
    return this.log.filter((x) => x.producerId === producerId && x.kind !== 'marker').reduce((n, x) => n + x.records, 0);
  }

  /** A producer's batch, checked as Produce checks it; returns whether it was appended. */
  appendData(producerId: number, records: number, transactional: boolean): boolean {
    const b: Batch = { offset: this.end, records, producerId, kind: transactional ? 'data' : 'plain' };
    const seq = this.nextSeq(producerId);
    const verdict = this.table.checkClientBatch(batchOf(b, seq));
    if (verdict.kind !== 'append') return false;
    this.log.push(b);
    this.feed(b, seq);
    return true;
  }

  appendMarker(producerId: number, commit: boolean): void {
    const refusal = this.table.checkMarker({ producerId, producerEpoch: 0, coordinatorEpoch: 0, commit, timestamp: 0 });
    if (refusal) throw new Error(`marker refused: ${refusal.message}`);
    const b: Batch = { offset: this.end, records: 1, producerId, kind: 'marker', commit };
    this.log.push(b);
    this.feed(b, -1);
  }

  setHw(hw: number): void {
    this.hw = hw;
    this.table.onHighWatermark(hw);
  }

  takeSnapshot(): void {
    const state = decodeSnapshot(encodeSnapshot(this.table.entries(), this.table.unsettledTxns()));
    if (typeof state === 'string') throw new Error(state);
    this.snapshot = { offset: this.end, state };
  }

  /** Cuts whole batches from the one holding `offset` on, then reloads. */
  truncate(offset: number): void {
    const first = this.log.findIndex((b) => lastOf(b) >= offset);
    if (first >= 0) this.log = this.log.slice(0, first);
    if (this.snapshot && this.snapshot.offset > this.end) this.snapshot = undefined;
    this.reload();
  }

  /** As the partition log loads: the snapshot, index entries below it, the batches after it replayed. */
  reload(): void {
    const from = this.snapshot?.offset ?? 0;
    const kept = this.aborted.all().filter((e) => e.lastOffset < from);
    this.table = new ProducerStateTable();
    for (const e of this.snapshot?.state.producers ?? []) this.table.restore(e);
    this.table.restoreUnsettled(this.snapshot?.state.unsettled ?? []);
    this.aborted = new AbortedTxnIndex(kept);
    const seqs = new Map<number, number>();
    for (const b of this.log) {
      const seq = seqs.get(b.producerId) ?? 0;
      if (b.offset >= from) this.feed(b, seq);
      if (b.kind !== 'marker') seqs.set(b.producerId, seq + b.records);
    }
    this.hw = Math.min(this.hw, this.end);
    this.table.onHighWatermark(this.hw);
  }
}

function batchOf(b: Batch, baseSequence: number): ProducerBatch {
  return { producerId: b.producerId, producerEpoch: 0, baseSequence, lastOffsetDelta: b.records - 1, maxTimestamp: 0, attributes: b.kind === 'data' ? TRANSACTIONAL_BIT : 0 };
}

/** Kafka's consumer: drops a producer's transactional batches from an aborted transaction's first offset to its marker. */
function consume(batches: readonly Batch[], abortedList: readonly AbortedTxnRef[], delivered: number[]): void {
  const pending = [...abortedList].sort((a, b) => a.firstOffset - b.firstOffset);
  const abortedProducers = new Set<number>();
  for (const b of batches) {
    while (pending.length > 0 && pending[0]!.firstOffset <= lastOf(b)) abortedProducers.add(pending.shift()!.producerId);
    if (b.kind === 'marker') {
      if (!b.commit) abortedProducers.delete(b.producerId);
      continue;
    }
    if (b.kind === 'data' && abortedProducers.has(b.producerId)) continue;
    delivered.push(b.offset);
  }
}

function checkReader(p: Partition, rng: Rng): void {
  const lso = p.lastStableOffset;
  if (lso > p.hw) throw new Error(`last stable offset ${lso} above the high watermark ${p.hw}`);
  // Each transactional batch's outcome: the producer's next marker after it.
  const outcome: (Batch | undefined)[] = new Array(p.log.length);
  const nextMarker = new Map<number, Batch>();
  for (let i = p.log.length - 1; i >= 0; i--) {
    const b = p.log[i]!;
    if (b.kind === 'marker') nextMarker.set(b.producerId, b);
    else if (b.kind === 'data') outcome[i] = nextMarker.get(b.producerId);
  }
  // The truth: plain batches, and transactional ones whose marker (below the high watermark) commits them.
  const readable: Batch[] = [];
  const expected: number[] = [];
  for (let i = 0; i < p.log.length && lastOf(p.log[i]!) < lso; i++) {
    const b = p.log[i]!;
    readable.push(b);
    if (b.kind === 'plain') expected.push(b.offset);
    if (b.kind !== 'data') continue;
    const marker = outcome[i];
    if (!marker || marker.offset >= p.hw) {
      throw new Error(`transaction of producer ${b.producerId} at ${b.offset} is below the LSO ${lso} but its marker (${marker?.offset}) is not below the high watermark ${p.hw}`);
    }
    if (marker.commit) expected.push(b.offset);
  }
  // The reader: fetches in random chunks, each with the aborted transactions overlapping it.
  const delivered: number[] = [];
  for (let at = 0; at < readable.length; ) {
    const chunk = readable.slice(at, at + rng.int(1, 8));
    consume(chunk, p.aborted.collect(chunk[0]!.offset, lastOf(chunk.at(-1)!) + 1), delivered);
    at += chunk.length;
  }
  if (delivered.join() !== expected.join()) throw new Error(`read_committed delivered [${delivered.join()}], expected [${expected.join()}] (LSO ${lso}, HW ${p.hw})`);
}

function simulate(seed: number): { commits: number; aborts: number; truncations: number; reloads: number } {
  const rng = new Rng(seed);
  const p = new Partition();
  const open = new Set<number>();
  const stats = { commits: 0, aborts: 0, truncations: 0, reloads: 0 };
  for (let step = 0; step < STEPS; step++) {
    const producerId = rng.int(0, PRODUCERS - 1);
    const r = rng.next();
    if (r < 0.35) {
      if (p.appendData(producerId, rng.int(1, 3), true)) open.add(producerId);
    } else if (r < 0.45) {
      // A plain batch: refused while the producer's transaction is open, as Produce refuses it.
      const appended = p.appendData(producerId, rng.int(1, 3), false);
      if (appended === open.has(producerId)) throw new Error(`plain batch of producer ${producerId} ${appended ? 'appended inside' : 'refused outside'} a transaction`);
    } else if (r < 0.47) {
      p.appendData(-1, 1, false);
    } else if (r < 0.62) {
      if (open.has(producerId)) {
        const commit = rng.chance(0.5);
        p.appendMarker(producerId, commit);
        open.delete(producerId);
        stats[commit ? 'commits' : 'aborts']++;
      }
    } else if (r < 0.82) {
      const ends = p.log.map((b) => lastOf(b) + 1).filter((e) => e > p.hw);
      if (ends.length > 0) p.setHw(rng.pick(ends));
    } else if (r < 0.87) {
      p.takeSnapshot();
    } else if (r < 0.93) {
      const cut = rng.int(p.hw, p.end);
      p.truncate(cut);
      stats.truncations++;
    } else {
      p.reload();
      stats.reloads++;
    }
    // Which producers have a transaction open is what the log now says (a truncation may reopen one).
    open.clear();
    for (const e of p.table.entries()) if (e.currentTxnFirstOffset >= 0) open.add(e.producerId);
    checkReader(p, rng);
  }
  return stats;
}

describe('read_committed simulation', () => {
  test(`${plan.seeds.length} seeds: no aborted or undecided record reaches a read_committed reader, every committed one does`, () => {
    const total = { commits: 0, aborts: 0, truncations: 0, reloads: 0 };
    for (const seed of plan.seeds) {
      try {
        const s = simulate(seed);
        for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += s[k];
      } catch (err) {
        throw new Error(`seed ${seed} failed (replay: ${plan.replay(seed)}): ${(err as Error).message}`, { cause: err });
      }
    }
    // The schedules did exercise every kind of step.
    for (const k of Object.keys(total) as (keyof typeof total)[]) expect(total[k], k).toBeGreaterThan(plan.seeds.length);
  });
});
