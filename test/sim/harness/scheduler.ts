// A logical clock and the queue of what happens next. Events at the same time run in the order they
// were scheduled, so a run depends on nothing but the seed.

interface Scheduled {
  at: number;
  seq: number;
  run: () => void;
}

export class Scheduler {
  private time = 0;
  private seq = 0;
  private readonly heap: Scheduled[] = [];
  /** Events run so far: a finer clock than `now` for ordering a history. */
  steps = 0;

  now(): number {
    return this.time;
  }

  at(time: number, run: () => void): void {
    if (time < this.time) throw new Error(`cannot schedule at ${time}, it is already ${this.time}`);
    this.push({ at: time, seq: this.seq++, run });
  }

  after(delay: number, run: () => void): void {
    this.at(this.time + delay, run);
  }

  pending(): number {
    return this.heap.length;
  }

  /** Run events up to and including time `until`; `afterEach` sees the state after every one. */
  runUntil(until: number, afterEach?: () => void): void {
    while (this.heap.length > 0 && this.heap[0]!.at <= until) {
      const e = this.pop();
      this.time = e.at;
      this.steps++;
      e.run();
      afterEach?.();
    }
    this.time = Math.max(this.time, until);
  }

  private less(a: Scheduled, b: Scheduled): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Scheduled): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Scheduled {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
