// A simulated disk: writes complete in order after a latency (longer on a slow disk), and only a
// completed write is synced. A crash loses writes not yet synced, except that a random prefix of them
// may have reached the platter anyway without their completion ever being reported, as a real
// write() followed by a crash before fsync returned can leave it.
import type { Rng } from './rng.js';
import type { Scheduler } from './scheduler.js';

export interface DiskLatency {
  min: number;
  max: number;
}

export class SimDisk<Op> {
  private queue: Op[] = [];
  private lastDone = 0;
  /** Bumped by a crash, so completions scheduled before it are ignored. */
  private generation = 0;
  writes = 0;
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
    this.writes++;
    this.queue.push(op);
    const gen = this.generation;
    this.lastDone = Math.max(this.lastDone, this.sched.now()) + this.rng.int(this.latency.min, this.latency.max);
    this.sched.at(this.lastDone, () => {
      if (gen !== this.generation) return;
      this.apply(this.queue.shift()!);
      onSynced();
    });
  }

  unsynced(): number {
    return this.queue.length;
  }

  crash(): void {
    const kept = this.rng.int(0, this.queue.length);
    for (const op of this.queue.slice(0, kept)) this.apply(op);
    this.tornWrites += kept;
    this.queue = [];
    this.generation++;
    this.lastDone = this.sched.now();
  }
}
