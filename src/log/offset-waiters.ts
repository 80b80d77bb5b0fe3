// Promises waiting for a log position to pass an offset (written, durable). Most waiters arrive in
// offset order, so they are kept sorted and settled from the front.

interface Waiter {
  offset: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class OffsetWaiters {
  private waiters: Waiter[] = [];

  get size(): number {
    return this.waiters.length;
  }

  /** The highest offset anyone waits for, or -1. */
  get highest(): number {
    return this.waiters.length === 0 ? -1 : this.waiters[this.waiters.length - 1]!.offset;
  }

  /** Resolves once `settleBelow` is called with a bound above `offset`. */
  wait(offset: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const w = { offset, resolve, reject };
      let i = this.waiters.length;
      while (i > 0 && this.waiters[i - 1]!.offset > offset) i--;
      this.waiters.splice(i, 0, w);
    });
  }

  /** Resolves every waiter for an offset below `bound`. */
  settleBelow(bound: number): void {
    let n = 0;
    while (n < this.waiters.length && this.waiters[n]!.offset < bound) n++;
    if (n === 0) return;
    const done = this.waiters.splice(0, n);
    for (const w of done) w.resolve();
  }

  /** Rejects every waiter for an offset at or above `from`. */
  rejectFrom(from: number, err: Error): void {
    let i = this.waiters.length;
    while (i > 0 && this.waiters[i - 1]!.offset >= from) i--;
    const gone = this.waiters.splice(i);
    for (const w of gone) w.reject(err);
  }
}
