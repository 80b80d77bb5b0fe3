// The middle of the request pipeline: validated transactions go to a sink that makes them durable
// (standalone: the fsynced log; an ensemble: a quorum of acknowledgements), and come back, in zxid
// order, to be applied and answered once the sink says they are committed.
import type { Transaction } from '../../protocol/zookeeper/txn.js';
import type { ApplyResult } from '../znode/data-tree.js';

export interface TxnSink {
  append(txn: Transaction): void;
}

interface InFlight {
  txn: Transaction;
  onApplied: ((result: ApplyResult) => void) | undefined;
}

export class CommitQueue {
  private queue: InFlight[] = [];
  private head = 0;
  private waiters: { zxid: number; run: () => void }[] = [];
  private waitersHead = 0;
  private lastApplied = 0;

  constructor(
    private readonly sink: TxnSink,
    private readonly apply: (txn: Transaction) => ApplyResult,
  ) {}

  /** Transactions proposed and not yet applied. */
  get size(): number {
    return this.queue.length - this.head;
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
  afterApplied(zxid: number, fn: () => void): void {
    if (zxid <= this.lastApplied || this.size === 0) fn();
    else this.waiters.push({ zxid, run: fn });
  }

  /** Everything up to `zxid` is committed: apply it in order and let each requester answer. */
  committed(zxid: number): void {
    while (this.head < this.queue.length && this.queue[this.head]!.txn.zxid <= zxid) {
      const { txn, onApplied } = this.queue[this.head]!;
      this.head++;
      const result = this.apply(txn);
      this.lastApplied = txn.zxid;
      onApplied?.(result);
      while (this.waitersHead < this.waiters.length && this.waiters[this.waitersHead]!.zxid <= txn.zxid) {
        this.waiters[this.waitersHead++]!.run();
      }
    }
    if (this.waitersHead === this.waiters.length) {
      this.waiters = [];
      this.waitersHead = 0;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
