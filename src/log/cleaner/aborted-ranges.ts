// Which transactional records a cleaning may treat as aborted: those of a producer between the first
// offset of one of its aborted transactions and that transaction's ABORT marker, as the log's aborted
// transaction index lists them. A cleaning covers only offsets below the last stable offset, where every
// transaction is complete: a transactional record there that no aborted range covers was committed.
import type { AbortedTxn } from '../txn-index.js';

export class AbortedRanges {
  private readonly byProducer = new Map<number, Array<{ first: number; marker: number }>>();

  constructor(txns: readonly AbortedTxn[]) {
    for (const t of txns) {
      let ranges = this.byProducer.get(t.producerId);
      if (!ranges) this.byProducer.set(t.producerId, (ranges = []));
      ranges.push({ first: t.firstOffset, marker: t.lastOffset });
    }
  }

  /** Whether the transactional data at `offset` of `producerId` belongs to an aborted transaction. */
  contains(producerId: number, offset: number): boolean {
    return this.byProducer.get(producerId)?.some((r) => offset >= r.first && offset < r.marker) ?? false;
  }
}
