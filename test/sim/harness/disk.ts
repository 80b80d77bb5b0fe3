// A simulated disk with group commit: writes queue up, one sync at a time takes a latency (longer on a
// slow disk) and makes everything queued before it started durable, in order. A crash loses writes not
// yet synced, except that a random prefix of them may have reached the platter anyway without their
// completion ever being reported, as a write() followed by a crash before fsync returned can leave it.
import type { Rng } from './rng.js';
import type { Scheduler } from './scheduler.js';

export interface DiskLatency {
  min: number;
  max: number;
}

interface Queued<Op> {
  op: Op;
  onSynced: () => void;
}

export class SimDisk<Op> {
  private queue: Array<Queued<Op>> = [];
  private syncing = false;
  /** Bumped by a crash, so a sync under way when it happened completes nothing. */
  private generation = 0;
  tornWrites = 0;

  constructor(
    private readonly sched: Scheduler,
    private readonly rng: Rng,
    public latency: DiskLatency,
    /** Makes one write durable. */
    private readonly apply: (op: Op) => void,
  ) {}

  /** Queue a write; `onSynced` runs when it is durable, unless a crash comes first. */
  write(op: Op, onSynced: () => void): void {
    this.queue.push({ op, onSynced });
    if (!this.syncing) this.sync();
  }

  crash(): void {
    const kept = this.rng.int(0, this.queue.length);
    for (const w of this.queue.slice(0, kept)) this.apply(w.op);
    this.tornWrites += kept;
    this.queue = [];
    this.syncing = false;
    this.generation++;
  }

  private sync(): void {
    this.syncing = true;
    const batch = this.queue.length;
    const gen = this.generation;
    this.sched.after(this.rng.int(this.latency.min, this.latency.max), () => {
      if (gen !== this.generation) return;
      const done = this.queue.splice(0, batch);
      for (const w of done) this.apply(w.op);
      for (const w of done) w.onSynced();
      this.syncing = false;
      if (this.queue.length > 0) this.sync();
    });
  }
}
