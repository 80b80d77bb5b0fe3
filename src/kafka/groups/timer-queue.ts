// Deadlines keyed by name, fired in deadline order by whoever owns the clock. Scheduling a key again
// replaces its deadline, as Kafka's purgatory replaces a member's heartbeat expectation. Deadlines that
// tie fire in the order they were set, so a run is a function of its inputs alone.

interface Entry<A> {
  deadline: number;
  seq: number;
  action: A;
}

interface HeapItem {
  deadline: number;
  seq: number;
  key: string;
}

/** Rebuild the heap once stale items outnumber live timers by this factor (plus a floor). */
const COMPACT_FACTOR = 2;
const COMPACT_FLOOR = 64;

export class TimerQueue<A> {
  private readonly live = new Map<string, Entry<A>>();
  /** Min-heap on (deadline, seq); items whose seq no longer matches `live` are stale and skipped. */
  private heap: HeapItem[] = [];
  private seq = 0;

  schedule(key: string, deadline: number, action: A): void {
    const seq = this.seq++;
    this.live.set(key, { deadline, seq, action });
    this.push({ deadline, seq, key });
    if (this.heap.length > COMPACT_FLOOR + COMPACT_FACTOR * this.live.size) this.compact();
  }

  cancel(key: string): void {
    this.live.delete(key);
  }

  /** The earliest live deadline, if any. */
  next(): number | undefined {
    this.dropStaleTop();
    return this.heap[0]?.deadline;
  }

  /** Removes and returns the earliest timer due at `now`, if any. */
  popDue(now: number): { key: string; action: A } | undefined {
    this.dropStaleTop();
    const top = this.heap[0];
    if (top === undefined || top.deadline > now) return undefined;
    this.pop();
    const entry = this.live.get(top.key)!;
    this.live.delete(top.key);
    return { key: top.key, action: entry.action };
  }

  private isStale(item: HeapItem): boolean {
    return this.live.get(item.key)?.seq !== item.seq;
  }

  private dropStaleTop(): void {
    while (this.heap.length > 0 && this.isStale(this.heap[0]!)) this.pop();
  }

  private compact(): void {
    this.heap = [];
    const entries = [...this.live.entries()].sort((a, b) => a[1].seq - b[1].seq);
    for (const [key, e] of entries) this.push({ deadline: e.deadline, seq: e.seq, key });
  }

  private push(item: HeapItem): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < h.length && before(h[l]!, h[min]!)) min = l;
      if (r < h.length && before(h[r]!, h[min]!)) min = r;
      if (min === i) return;
      [h[i], h[min]] = [h[min]!, h[i]!];
      i = min;
    }
  }
}

function before(a: HeapItem, b: HeapItem): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}
