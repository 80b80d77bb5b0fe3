// A simulated network between numbered nodes: each directed link drops, duplicates and delays
// messages (independent delays reorder them), and partitions cut links both ways until healed.
// Messages sent with sendOrdered keep their order and are never duplicated, as over TCP.
import type { Rng } from './rng.js';
import type { Scheduler } from './scheduler.js';

export interface LinkFaults {
  dropRate: number;
  duplicateRate: number;
  delayMin: number;
  delayMax: number;
}

export class SimNetwork<M> {
  private readonly links = new Map<string, LinkFaults>();
  private readonly cut = new Set<string>();
  /** Per link, when the last ordered message is delivered. */
  private readonly orderedAt = new Map<string, number>();

  constructor(
    private readonly sched: Scheduler,
    private readonly rng: Rng,
    private defaults: LinkFaults,
    /** Called at delivery time; the receiver decides whether it is up to take it. */
    private readonly deliver: (from: number, to: number, message: M) => void,
  ) {}

  send(from: number, to: number, message: M): void {
    if (this.isCut(from, to)) return;
    const f = this.links.get(key(from, to)) ?? this.defaults;
    if (this.rng.chance(f.dropRate)) return;
    const copies = this.rng.chance(f.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.sched.after(this.rng.int(f.delayMin, f.delayMax), () => {
        // A partition made while the message was in flight catches it too.
        if (this.isCut(from, to)) return;
        this.deliver(from, to, message);
      });
    }
  }

  /**
   * As over one TCP connection: never duplicated, delivered in the order sent on the link, but still
   * lost to drops and partitions (a connection that breaks loses what it had queued).
   */
  sendOrdered(from: number, to: number, message: M): void {
    if (this.isCut(from, to)) return;
    const f = this.links.get(key(from, to)) ?? this.defaults;
    if (this.rng.chance(f.dropRate)) return;
    const k = key(from, to);
    const at = Math.max(this.sched.now() + this.rng.int(f.delayMin, f.delayMax), this.orderedAt.get(k) ?? 0);
    this.orderedAt.set(k, at);
    this.sched.at(at, () => {
      if (this.isCut(from, to)) return;
      this.deliver(from, to, message);
    });
  }

  setDefaults(faults: LinkFaults): void {
    this.defaults = faults;
  }

  setLink(from: number, to: number, faults: LinkFaults | null): void {
    if (faults === null) this.links.delete(key(from, to));
    else this.links.set(key(from, to), faults);
  }

  /** Nodes in different groups cannot reach each other; nodes in no group reach only themselves. */
  partition(groups: readonly (readonly number[])[], all: readonly number[]): void {
    this.cut.clear();
    const groupOf = new Map<number, number>();
    groups.forEach((g, i) => g.forEach((n) => groupOf.set(n, i)));
    for (const a of all) for (const b of all) if (a !== b && (groupOf.get(a) ?? -1 - a) !== (groupOf.get(b) ?? -1 - b)) this.cut.add(key(a, b));
  }

  heal(): void {
    this.cut.clear();
    this.links.clear();
  }

  isCut(from: number, to: number): boolean {
    return this.cut.has(key(from, to));
  }
}

function key(from: number, to: number): string {
  return `${from}>${to}`;
}
