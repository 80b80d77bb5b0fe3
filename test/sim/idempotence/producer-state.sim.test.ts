// Idempotent producers against one partition's producer state under seeded faults: requests and
// responses are lost, connections cut (the producer then resends every unacknowledged batch in order),
// and the broker restarts, rebuilding its producer state from the log as the partition log does. The
// producers behave like the Java client and librdkafka: at most five batches in flight, sequences per
// batch, a retry keeps its sequence. Afterwards every producer's records are in the log exactly once and
// in order, and every acknowledgement named the offset its batch really has.
// `SIM_SEEDS=5000 npx vitest run test/sim/idempotence` runs a long campaign; a failure names its seed
// and `SIM_SEED=<n> npx vitest run test/sim/idempotence` replays it exactly.
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../../protocol/kafka/index.js';
import { ProducerStateTable, RETAINED_BATCHES, type ProducerBatch } from '../../../src/log/producer-state.js';
import { Rng } from '../harness/rng.js';
import { seedPlan } from '../harness/seeds.js';

const plan = seedPlan(200, 'test/sim/idempotence');
const PRODUCERS = 3;
const BATCHES_PER_PRODUCER = 60;
const MAX_STEPS = 200_000;

interface Stored {
  producerId: number;
  /** The records' sequences, as the batch carries them. */
  seqs: number[];
  offset: number;
}

interface Request {
  producer: number;
  batch: ProducerBatch;
  /** Which connection of its producer sent it: a cut connection's requests and responses are gone. */
  connection: number;
}

interface Response {
  producer: number;
  baseSequence: number;
  errorCode: number;
  baseOffset: number;
  connection: number;
}

class Producer {
  /** Batch base sequences, lengths: batch i covers [starts[i], starts[i] + lengths[i]). */
  readonly batches: { baseSequence: number; records: number }[] = [];
  /** Batches 0..acked-1 are acknowledged. */
  acked = 0;
  /** Batches acked..sent-1 are in flight. */
  sent = 0;
  connection = 0;
  readonly ackedOffsets = new Map<number, number>();

  constructor(
    readonly id: number,
    rng: Rng,
  ) {
    let seq = 0;
    for (let i = 0; i < BATCHES_PER_PRODUCER; i++) {
      const records = rng.int(1, 4);
      this.batches.push({ baseSequence: seq, records });
      seq += records;
    }
  }

  get done(): boolean {
    return this.acked === this.batches.length;
  }

  /** The next batch to send, if the window of five allows one. */
  nextToSend(): ProducerBatch | undefined {
    if (this.sent >= this.batches.length || this.sent - this.acked >= RETAINED_BATCHES) return undefined;
    const b = this.batches[this.sent++]!;
    return { producerId: this.id, producerEpoch: 0, baseSequence: b.baseSequence, lastOffsetDelta: b.records - 1, maxTimestamp: 0 };
  }

  /** A new connection: everything unacknowledged is sent again, in order. */
  reconnect(): void {
    this.connection++;
    this.sent = this.acked;
  }

  onResponse(r: Response): void {
    if (r.connection !== this.connection) return;
    const expected = this.batches[this.acked];
    if (!expected || expected.baseSequence !== r.baseSequence) throw new Error(`producer ${this.id}: response for ${r.baseSequence} where ${expected?.baseSequence} was next`);
    if (r.errorCode === ErrorCode.NONE) {
      this.ackedOffsets.set(r.baseSequence, r.baseOffset);
      this.acked++;
      return;
    }
    // Only a restarted broker that lost nothing can say this here; the client resends from its oldest unacknowledged batch.
    if (r.errorCode !== ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) throw new Error(`producer ${this.id}: unexpected error ${r.errorCode}`);
    this.reconnect();
  }
}

function simulate(seed: number): { stored: number; duplicatesAnswered: number; restarts: number } {
  const rng = new Rng(seed);
  const producers = Array.from({ length: PRODUCERS }, (_, i) => new Producer(1000 + i, rng.fork()));
  const byId = new Map(producers.map((p) => [p.id, p]));
  const log: Stored[] = [];
  let logEnd = 0;
  let table = new ProducerStateTable();
  let requests: Request[] = [];
  let responses: Response[] = [];
  let duplicatesAnswered = 0;
  let restarts = 0;

  const handle = (req: Request): Response => {
    const verdict = table.checkClientBatch(req.batch);
    const base = { producer: req.producer, baseSequence: req.batch.baseSequence, connection: req.connection };
    if (verdict.kind === 'refused') return { ...base, errorCode: verdict.errorCode, baseOffset: -1 };
    if (verdict.kind === 'duplicate') {
      duplicatesAnswered++;
      return { ...base, errorCode: ErrorCode.NONE, baseOffset: verdict.firstOffset };
    }
    const seqs = Array.from({ length: req.batch.lastOffsetDelta + 1 }, (_, i) => req.batch.baseSequence + i);
    log.push({ producerId: req.batch.producerId, seqs, offset: logEnd });
    table.record(req.batch, logEnd);
    const offset = logEnd;
    logEnd += seqs.length;
    return { ...base, errorCode: ErrorCode.NONE, baseOffset: offset };
  };

  const cut = (p: Producer): void => {
    p.reconnect();
    requests = requests.filter((r) => r.producer !== p.id);
    responses = responses.filter((r) => r.producer !== p.id);
  };

  for (let step = 0; producers.some((p) => !p.done); step++) {
    if (step > MAX_STEPS) throw new Error('no progress');
    const roll = rng.next();
    if (roll < 0.35) {
      const p = rng.pick(producers);
      const batch = p.nextToSend();
      if (batch) requests.push({ producer: p.id, batch, connection: p.connection });
    } else if (roll < 0.65 && requests.length > 0) {
      // Each producer's requests stay in order on its connection; producers interleave.
      const from = rng.pick(requests).producer;
      const i = requests.findIndex((r) => r.producer === from);
      const [req] = requests.splice(i, 1);
      // TCP loses nothing in the middle of a stream: a request or response is lost only with its
      // connection, and everything after it on that connection with it.
      if (rng.chance(0.04)) {
        cut(byId.get(req!.producer)!);
        continue;
      }
      const response = handle(req!);
      if (rng.chance(0.06)) cut(byId.get(req!.producer)!); // the broker stored it, the answer is lost
      else responses.push(response);
    } else if (roll < 0.95 && responses.length > 0) {
      const to = rng.pick(responses).producer;
      const i = responses.findIndex((r) => r.producer === to);
      const [res] = responses.splice(i, 1);
      byId.get(res!.producer)!.onResponse(res!);
    } else if (roll < 0.99) {
      // A connection cut: its requests and responses are gone; the producer resends what is unacknowledged.
      cut(rng.pick(producers));
    } else {
      // The broker restarts: every connection is cut, producer state is rebuilt from the log.
      restarts++;
      table = new ProducerStateTable();
      for (const s of log) table.record({ producerId: s.producerId, producerEpoch: 0, baseSequence: s.seqs[0]!, lastOffsetDelta: s.seqs.length - 1, maxTimestamp: 0 }, s.offset);
      requests = [];
      responses = [];
      for (const p of producers) p.reconnect();
    }
  }

  for (const p of producers) {
    const seqs = log.filter((s) => s.producerId === p.id).flatMap((s) => s.seqs);
    const total = p.batches.reduce((n, b) => n + b.records, 0);
    expect(seqs, `producer ${p.id}: every record once, in order`).toEqual(Array.from({ length: total }, (_, i) => i));
    for (const s of log.filter((x) => x.producerId === p.id)) {
      expect(p.ackedOffsets.get(s.seqs[0]!), `producer ${p.id}: the offset acknowledged for sequence ${s.seqs[0]}`).toBe(s.offset);
    }
  }
  return { stored: log.length, duplicatesAnswered, restarts };
}

describe('idempotent producer simulation', () => {
  test(`${plan.seeds.length} seeds: lost requests and responses, cut connections and broker restarts leave every record once, in order`, () => {
    let duplicates = 0;
    let restarts = 0;
    for (const seed of plan.seeds) {
      try {
        const r = simulate(seed);
        duplicates += r.duplicatesAnswered;
        restarts += r.restarts;
      } catch (err) {
        throw new Error(`seed ${seed} failed (replay: ${plan.replay(seed)}): ${(err as Error).message}`, { cause: err });
      }
    }
    // The faults did happen: retries of stored batches were answered as duplicates, across restarts too.
    expect(duplicates).toBeGreaterThan(plan.seeds.length);
    expect(restarts).toBeGreaterThan(0);
  });
});
