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
//
// Transactions (Kafka 3.x without KIP-890's verification): a producer's first transactional batch opens
// its transaction at that batch's offset (currentTxnFirstOffset); a COMMIT or ABORT marker closes it. A
// plain batch from a producer with an open transaction is INVALID_TXN_STATE; a marker with an epoch
// below the producer's is INVALID_PRODUCER_EPOCH, one from an older coordinator epoch
// TRANSACTION_COORDINATOR_FENCED. The first offset of every open transaction, and of every closed one
// whose marker the high watermark does not cover yet, holds the last stable offset back: a
// read_committed consumer never reads a record whose fate could still change with a leader change.
import { ErrorCode } from '../../protocol/kafka/index.js';
import { isTransactional } from '../../protocol/kafka/records/batch-attributes.js';

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
  /** The batch's attributes (only the transactional bit is read); absent for a plain batch. */
  attributes?: number;
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
  /** Offset of the first batch of the producer's open transaction; NO_OFFSET when none is open. */
  currentTxnFirstOffset: number;
  /** Epoch of the transaction coordinator that wrote the producer's last marker (-1: none yet). */
  coordinatorEpoch: number;
}

/** No offset: no open transaction. */
export const NO_OFFSET = -1;
export const NO_COORDINATOR_EPOCH = -1;

/** A transaction a marker closed: its producer, first data offset and the marker's offset. */
export interface CompletedTxn {
  producerId: number;
  firstOffset: number;
  /** The marker's offset. */
  lastOffset: number;
  aborted: boolean;
}

/** A COMMIT or ABORT marker as producer state reads it. */
export interface TxnMarker {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  commit: boolean;
  timestamp: number;
}

type Refusal = { errorCode: number; message: string };

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
  /** Open transactions: first offset -> producer id, in first-offset order. */
  private readonly ongoing = new Map<number, number>();
  /** Closed transactions whose marker the high watermark does not cover yet, in marker order. */
  private unsettled: CompletedTxn[] = [];

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
      return this.checkTxnState(entry, batch);
    }
    const currentLastSeq = entry.batches.at(-1)?.lastSeq ?? NO_SEQUENCE;
    if (!inSequence(currentLastSeq, baseSequence)) {
      return {
        kind: 'refused',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `Out of order sequence number for producer ${producerId}: ${baseSequence} (incoming seq. number), ${currentLastSeq} (current end sequence number)`,
      };
    }
    return this.checkTxnState(entry, batch);
  }

  /** After the sequence checks, as in Kafka: a plain batch may not land inside an open transaction. */
  private checkTxnState(entry: ProducerEntry, batch: ProducerBatch): ClientBatchVerdict {
    if (entry.currentTxnFirstOffset === NO_OFFSET || isTransactional(batch.attributes ?? 0)) return { kind: 'append' };
    return {
      kind: 'refused',
      errorCode: ErrorCode.INVALID_TXN_STATE,
      message: `Expected transactional write from producer ${entry.producerId}: its transaction opened at offset ${entry.currentTxnFirstOffset} is not complete`,
    };
  }

  /**
   * A batch of a producer was written at [firstOffset, firstOffset + lastOffsetDelta], by this leader or
   * copied from one. A replica takes the leader's word for the epoch, as Kafka does (a lower one is
   * only logged there): a new epoch forgets the older epoch's batches.
   */
  record(batch: ProducerBatch, firstOffset: number): void {
    const { producerId, producerEpoch: epoch } = batch;
    const entry = this.touch(producerId, epoch, batch.maxTimestamp);
    if (entry.epoch !== epoch) {
      entry.epoch = epoch;
      entry.batches = [];
    }
    if (isTransactional(batch.attributes ?? 0) && entry.currentTxnFirstOffset === NO_OFFSET) {
      entry.currentTxnFirstOffset = firstOffset;
      this.ongoing.set(firstOffset, producerId);
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

  /** The producer's entry moved to the newest end, created (making room) if it has none. */
  private touch(producerId: number, epoch: number, timestamp: number): ProducerEntry {
    let entry = this.producers.get(producerId);
    if (entry) {
      this.producers.delete(producerId);
    } else {
      entry = { producerId, epoch, batches: [], lastTimestamp: timestamp, currentTxnFirstOffset: NO_OFFSET, coordinatorEpoch: NO_COORDINATOR_EPOCH };
      this.evictFor(1);
    }
    this.producers.set(producerId, entry);
    return entry;
  }

  /**
   * INVALID_PRODUCER_EPOCH when `epoch` is below the producer's here (Kafka's checkProducerEpoch, which
   * also guards the coordinator's own writes: markers and transactional offset commits).
   */
  checkEpoch(producerId: number, epoch: number): Refusal | undefined {
    const entry = this.producers.get(producerId);
    if (!entry || epoch >= entry.epoch) return undefined;
    return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, message: `Epoch of producer ${producerId} is ${epoch}, which is smaller than the last seen epoch ${entry.epoch}` };
  }

  /**
   * Why a coordinator's marker for `marker.producerId` must not be written, or undefined (Kafka's
   * appendEndTxnMarker checks): an older producer epoch, or an older coordinator epoch.
   */
  checkMarker(marker: TxnMarker): Refusal | undefined {
    const entry = this.producers.get(marker.producerId);
    if (!entry) return undefined;
    const stale = this.checkEpoch(marker.producerId, marker.producerEpoch);
    if (stale) return stale;
    if (entry.coordinatorEpoch > marker.coordinatorEpoch) {
      return {
        errorCode: ErrorCode.TRANSACTION_COORDINATOR_FENCED,
        message: `Coordinator epoch ${marker.coordinatorEpoch} of a marker for producer ${marker.producerId} is below the last seen ${entry.coordinatorEpoch}`,
      };
    }
    return undefined;
  }

  /**
   * A marker was written at `offset`: it closes the producer's open transaction, if any (a marker
   * without data leaves no trace in the last stable offset or the aborted index, as in Kafka), and
   * carries the producer to the marker's epoch. Returns the transaction it closed.
   */
  recordMarker(marker: TxnMarker, offset: number): CompletedTxn | undefined {
    const entry = this.touch(marker.producerId, marker.producerEpoch, marker.timestamp);
    let completed: CompletedTxn | undefined;
    if (entry.currentTxnFirstOffset !== NO_OFFSET) {
      completed = { producerId: entry.producerId, firstOffset: entry.currentTxnFirstOffset, lastOffset: offset, aborted: !marker.commit };
      this.ongoing.delete(entry.currentTxnFirstOffset);
      this.unsettled.push(completed);
    }
    if (entry.epoch !== marker.producerEpoch) {
      entry.epoch = marker.producerEpoch;
      entry.batches = [];
    }
    entry.currentTxnFirstOffset = NO_OFFSET;
    entry.coordinatorEpoch = marker.coordinatorEpoch;
    entry.lastTimestamp = marker.timestamp;
    return completed;
  }

  /**
   * The last stable offset to record with an aborted transaction (Kafka's lastStableOffset(completedTxn)):
   * the first offset of the earliest other open transaction, else the offset after the marker. Asked
   * before recordMarker closes it.
   */
  lastStableOffsetAfter(producerId: number, markerOffset: number): number {
    for (const [firstOffset, id] of this.ongoing) if (id !== producerId) return firstOffset;
    return markerOffset + 1;
  }

  /** Closed transactions whose marker the high watermark does not cover yet, for snapshots. */
  unsettledTxns(): readonly CompletedTxn[] {
    return this.unsettled;
  }

  /** Restores closed transactions a snapshot held as not yet below the high watermark. */
  restoreUnsettled(txns: readonly CompletedTxn[]): void {
    this.unsettled.push(...txns);
  }

  /** Transactions whose marker lies below the high watermark can no longer change fate. */
  onHighWatermark(hw: number): void {
    if (this.unsettled.length === 0) return;
    this.unsettled = this.unsettled.filter((t) => t.lastOffset >= hw);
  }

  /**
   * The first offset a read_committed reader must not pass: the earliest first offset of an open
   * transaction or of a closed one whose marker is not yet below the high watermark.
   */
  firstUnstableOffset(): number | undefined {
    let first: number | undefined = this.ongoing.keys().next().value;
    for (const t of this.unsettled) if (first === undefined || t.firstOffset < first) first = t.firstOffset;
    return first;
  }

  /** Restores an entry read from a snapshot (replacing any for the same producer). */
  restore(entry: ProducerEntry): void {
    const old = this.producers.get(entry.producerId);
    if (old && old.currentTxnFirstOffset !== NO_OFFSET) this.ongoing.delete(old.currentTxnFirstOffset);
    this.producers.delete(entry.producerId);
    this.evictFor(1);
    this.producers.set(entry.producerId, { ...entry, batches: entry.batches.slice(-RETAINED_BATCHES) });
    if (entry.currentTxnFirstOffset !== NO_OFFSET) this.addOngoing(entry.currentTxnFirstOffset, entry.producerId);
  }

  /** Keeps `ongoing` in first-offset order (appends arrive in order; restores may not). */
  private addOngoing(firstOffset: number, producerId: number): void {
    const last = [...this.ongoing.keys()].at(-1);
    this.ongoing.set(firstOffset, producerId);
    if (last !== undefined && last > firstOffset) {
      const sorted = [...this.ongoing].sort((a, b) => a[0] - b[0]);
      this.ongoing.clear();
      for (const [o, id] of sorted) this.ongoing.set(o, id);
    }
  }

  /**
   * Makes room for `count` more producers by forgetting the ones idle longest. A producer with an open
   * transaction is never forgotten: its first offset holds the last stable offset until a marker.
   */
  private evictFor(count: number): void {
    for (const [id, entry] of this.producers) {
      if (this.producers.size + count <= this.maxProducers) return;
      if (entry.currentTxnFirstOffset === NO_OFFSET) this.producers.delete(id);
    }
  }

  /**
   * Forgets what lies at or past `offset` (a truncated log end): batches there go, and a producer with
   * none left goes too. The log replays the batches still stored to restore the older ones.
   */
  truncateFrom(offset: number): void {
    for (const [id, entry] of this.producers) {
      entry.batches = entry.batches.filter((b) => b.lastOffset < offset);
      if (entry.currentTxnFirstOffset >= offset) {
        this.ongoing.delete(entry.currentTxnFirstOffset);
        entry.currentTxnFirstOffset = NO_OFFSET;
      }
      if (entry.batches.length === 0 && entry.currentTxnFirstOffset === NO_OFFSET) this.producers.delete(id);
    }
    this.unsettled = this.unsettled.filter((t) => t.lastOffset < offset);
  }

  clear(): void {
    this.producers.clear();
    this.ongoing.clear();
    this.unsettled = [];
  }

  /**
   * Drops producers whose newest batch is `expirationMs` or more older than `now` (Kafka's
   * removeExpiredProducers, producer.id.expiration.ms). Returns how many went.
   */
  expire(now: number, expirationMs: number): number {
    let removed = 0;
    for (const [id, entry] of this.producers) {
      // Kafka's isProducerExpired: an open transaction keeps its producer (the coordinator aborts it).
      if (entry.currentTxnFirstOffset === NO_OFFSET && now - entry.lastTimestamp >= expirationMs) {
        this.producers.delete(id);
        removed++;
      }
    }
    return removed;
  }
}
