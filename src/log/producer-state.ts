// One partition's idempotent-producer bookkeeping (Kafka's ProducerStateManager / ProducerAppendInfo):
// per producer id its epoch, the sequence and offset ranges of its last five batches and the newest
// timestamp. Pure: batch headers and offsets go in, verdicts come out; the partition log feeds it every
// batch it writes (as leader or follower), rebuilds it on load and truncation, and snapshots it.
//
// The checks are Kafka 3.x's, in its order: a batch repeating one of the last five (same epoch, same
// sequence range) is a duplicate answered with its original offsets; an epoch below the producer's is
// INVALID_PRODUCER_EPOCH; a new epoch must start at sequence 0 and the same epoch must continue at the
// last sequence + 1 (wrapping after 2^31-1), else OUT_OF_ORDER_SEQUENCE_NUMBER. A producer the partition
// does not know (new, or expired / truncated away) is accepted at any sequence: since KIP-360 (Kafka 2.5)
// the broker no longer answers UNKNOWN_PRODUCER_ID to Produce, and clients rely on that to resume.
import { ErrorCode } from '../../protocol/kafka/index.js';

/** Kafka's NUM_BATCHES_TO_RETAIN: the producer keeps at most five batches in flight per partition. */
export const RETAINED_BATCHES = 5;
/** RecordBatch.NO_PRODUCER_EPOCH / NO_SEQUENCE. */
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
const MAX_SEQUENCE = 0x7fffffff;
/**
 * Producers one partition remembers at most. Any client may put any producer id in a batch (Kafka checks
 * none against what InitProducerId issued), so without a bound a client inventing ids would grow this
 * without end. Past it the producer idle longest is forgotten first, as if it had expired: a retry of its
 * last batch would then be stored again. Ten thousand live idempotent producers on one partition is far
 * beyond common use.
 */
export const MAX_PRODUCERS_PER_PARTITION = 10_000;

/** The batch header fields producer state reads; records are never decoded. */
export interface ProducerBatch {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
  maxTimestamp: number;
}

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  timestamp: number;
}

export interface ProducerEntry {
  producerId: number;
  epoch: number;
  /** Oldest first, at most RETAINED_BATCHES, all of `epoch`. */
  batches: BatchMetadata[];
  /** Newest batch timestamp: producer.id.expiration.ms counts from it. */
  lastTimestamp: number;
}

export type ClientBatchVerdict =
  | { kind: 'append' }
  /** Already written: answer with these offsets, write nothing. */
  | { kind: 'duplicate'; firstOffset: number; lastOffset: number }
  | { kind: 'refused'; errorCode: number; message: string };

/** The batch's last sequence: sequences wrap to 0 after 2^31-1 (DefaultRecordBatch.incrementSequence). */
export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  return baseSequence > MAX_SEQUENCE - lastOffsetDelta ? lastOffsetDelta - (MAX_SEQUENCE - baseSequence) - 1 : baseSequence + lastOffsetDelta;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === MAX_SEQUENCE);
}

export class ProducerStateTable {
  /** In order of last activity, oldest first (an entry written to moves to the end). */
  private readonly producers = new Map<number, ProducerEntry>();

  constructor(private readonly maxProducers = MAX_PRODUCERS_PER_PARTITION) {}

  get size(): number {
    return this.producers.size;
  }

  entry(producerId: number): ProducerEntry | undefined {
    return this.producers.get(producerId);
  }

  /** Every producer, for snapshots. */
  entries(): IterableIterator<ProducerEntry> {
    return this.producers.values();
  }

  /**
   * What to do with a client's (not a replica's) batch carrying producer id `batch.producerId` (>= 0)
   * and a sequence >= 0 (checkProduceBatch refuses others), before anything is written: Kafka's
   * duplicate lookup, then its epoch and sequence checks.
   */
  checkClientBatch(batch: ProducerBatch): ClientBatchVerdict {
    const { producerId, producerEpoch: epoch, baseSequence } = batch;
    const entry = this.producers.get(producerId);
    if (!entry) return { kind: 'append' };
    const lastSeq = lastSequenceOf(baseSequence, batch.lastOffsetDelta);
    if (epoch === entry.epoch) {
      const dup = entry.batches.find((b) => b.firstSeq === baseSequence && b.lastSeq === lastSeq);
      if (dup) return { kind: 'duplicate', firstOffset: dup.firstOffset, lastOffset: dup.lastOffset };
    }
    if (epoch < entry.epoch) {
      return {
        kind: 'refused',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `Epoch of producer ${producerId} is ${epoch}, which is smaller than the last seen epoch ${entry.epoch}`,
      };
    }
    if (epoch !== entry.epoch) {
      if (baseSequence !== 0) {
        return {
          kind: 'refused',
          errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          message: `Invalid sequence number for new epoch of producer ${producerId}: ${epoch} (request epoch), ${baseSequence} (seq. number), ${entry.epoch} (current producer epoch)`,
        };
      }
      return { kind: 'append' };
    }
    const currentLastSeq = entry.batches.at(-1)?.lastSeq ?? NO_SEQUENCE;
    if (!inSequence(currentLastSeq, baseSequence)) {
      return {
        kind: 'refused',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `Out of order sequence number for producer ${producerId}: ${baseSequence} (incoming seq. number), ${currentLastSeq} (current end sequence number)`,
      };
    }
    return { kind: 'append' };
  }

  /**
   * A batch of a producer was written at [firstOffset, firstOffset + lastOffsetDelta], by this leader or
   * copied from one. A replica takes the leader's word for the epoch, as Kafka does (a lower one is
   * only logged there): a new epoch forgets the older epoch's batches.
   */
  record(batch: ProducerBatch, firstOffset: number): void {
    const { producerId, producerEpoch: epoch } = batch;
    let entry = this.producers.get(producerId);
    if (entry) {
      this.producers.delete(producerId);
    } else {
      entry = { producerId, epoch, batches: [], lastTimestamp: batch.maxTimestamp };
      this.evictFor(1);
    }
    this.producers.set(producerId, entry);
    if (entry.epoch !== epoch) {
      entry.epoch = epoch;
      entry.batches = [];
    }
    entry.batches.push({
      firstSeq: batch.baseSequence,
      lastSeq: lastSequenceOf(batch.baseSequence, batch.lastOffsetDelta),
      firstOffset,
      lastOffset: firstOffset + batch.lastOffsetDelta,
      timestamp: batch.maxTimestamp,
    });
    if (entry.batches.length > RETAINED_BATCHES) entry.batches.shift();
    entry.lastTimestamp = batch.maxTimestamp;
  }

  /** Restores an entry read from a snapshot (replacing any for the same producer). */
  restore(entry: ProducerEntry): void {
    this.producers.delete(entry.producerId);
    this.evictFor(1);
    this.producers.set(entry.producerId, { ...entry, batches: entry.batches.slice(-RETAINED_BATCHES) });
  }

  /** Makes room for `count` more producers by forgetting the ones idle longest. */
  private evictFor(count: number): void {
    for (const id of this.producers.keys()) {
      if (this.producers.size + count <= this.maxProducers) return;
      this.producers.delete(id);
    }
  }

  /**
   * Forgets what lies at or past `offset` (a truncated log end): batches there go, and a producer with
   * none left goes too. The log replays the batches still stored to restore the older ones.
   */
  truncateFrom(offset: number): void {
    for (const [id, entry] of this.producers) {
      entry.batches = entry.batches.filter((b) => b.lastOffset < offset);
      if (entry.batches.length === 0) this.producers.delete(id);
    }
  }

  clear(): void {
    this.producers.clear();
  }

  /**
   * Drops producers whose newest batch is `expirationMs` or more older than `now` (Kafka's
   * removeExpiredProducers, producer.id.expiration.ms). Returns how many went.
   */
  expire(now: number, expirationMs: number): number {
    let removed = 0;
    for (const [id, entry] of this.producers) {
      if (now - entry.lastTimestamp >= expirationMs) {
        this.producers.delete(id);
        removed++;
      }
    }
    return removed;
  }
}
