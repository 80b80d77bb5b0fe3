// The middle of the request pipeline: validated transactions go to a sink that makes them durable
// (standalone: the fsynced log; an ensemble: a quorum of acknowledgements), and come back, in zxid
// order, to be applied and answered once the sink says they are committed.
import type { Transaction } from '../../protocol/zookeeper/txn.js';
import type { ApplyResult } from '../znode/data-tree.js';
import { Fifo } from './fifo.js';

export interface TxnSink {
  append(txn: Transaction): void;
}

interface InFlight {
  txn: Transaction;
  onApplied: ((result: ApplyResult) => void) | undefined;
}

export class CommitQueue {
  private readonly queue = new Fifo<InFlight>();
  private readonly waiters = new Fifo<{ zxid: bigint; run: () => void }>();
  private lastApplied = 0n;

  constructor(
    private readonly sink: TxnSink,
    private readonly apply: (txn: Transaction) => ApplyResult,
  ) {}

  /** Transactions proposed and not yet applied. */
  get size(): number {
    return this.queue.size;
  }

  propose(txn: Transaction, onApplied?: (result: ApplyResult) => void): void {
    this.queue.push({ txn, onApplied });
    this.sink.append(txn);
  }

  /**
   * Runs `fn` once transaction `zxid` has been applied (at once if it has). A write refused during
   * validation may have been refused because of a transaction still in flight (NodeExists for a node
   * another session is creating); its answer must wait for that transaction, or the client could
   * read a tree that contradicts it.
   */
  afterApplied(zxid: bigint, fn: () => void): void {
    if (zxid <= this.lastApplied || this.size === 0) fn();
    else this.waiters.push({ zxid, run: fn });
  }

  /** Everything up to `zxid` is committed: apply it in order and let each requester answer. */
  committed(zxid: bigint): void {
    for (let next = this.queue.peek(); next && next.txn.zxid <= zxid; next = this.queue.peek()) {
      this.queue.shift();
      const result = this.apply(next.txn);
      this.lastApplied = next.txn.zxid;
      next.onApplied?.(result);
      for (let w = this.waiters.peek(); w && w.zxid <= this.lastApplied; w = this.waiters.peek()) {
        this.waiters.shift();
        w.run();
      }
    }
  }
}
