// A simulated disk with group commit: writes queue up, one sync at a time takes a latency (longer on a
// slow disk) and makes everything written before it started durable, in order. A power loss (`crash`)
// loses writes not yet synced, except that a random prefix of the written ones may have reached the
// platter anyway without their completion ever being reported, as a write() followed by a crash before
// fsync returned can leave it.
//
// With a `writeLatency`, a write first reaches the operating system (one write pass at a time, as a
// process hands its queued bytes to the kernel) and only then can a sync cover it; `kill` is the death
// of the process alone (kill -9): what the OS holds stays, what the process had not handed over is
// lost. Without one, a write reaches the OS at once.
import type { Rng } from './rng.js';
import type { Scheduler } from './scheduler.js';

export interface DiskLatency {
  min: number;
  max: number;
}

interface Queued<Op> {
  op: Op;
  onSynced: () => void;
  onWritten: (() => void) | undefined;
}

export class SimDisk<Op> {
  /** Writes not yet durable, in order; the first `written` of them have reached the OS. */
  private queue: Array<Queued<Op>> = [];
  private written = 0;
  private syncing = false;
  private writing = false;
  /** Bumped by a crash or kill, so a pass under way when it happened completes nothing. */
  private generation = 0;
  tornWrites = 0;

  constructor(
    private readonly sched: Scheduler,
    private readonly rng: Rng,
    public latency: DiskLatency,
    /** Makes one write durable. */
    private readonly apply: (op: Op) => void,
    private readonly writeLatency?: DiskLatency,
  ) {}

  /**
   * Queue a write; `onWritten` runs when the OS holds it, `onSynced` when it is durable, unless a crash
   * (or a kill, for a write the OS does not hold yet) comes first.
   */
  write(op: Op, onSynced: () => void, onWritten?: () => void): void {
    this.queue.push({ op, onSynced, onWritten });
    if (!this.writeLatency) {
      this.written = this.queue.length;
      onWritten?.();
    } else if (!this.writing) this.writePass();
    if (!this.syncing) this.sync();
  }

  /** Power loss: only what was synced stays, and maybe a prefix of what the OS held. */
  crash(): void {
    const kept = this.rng.int(0, this.written);
    for (const w of this.queue.slice(0, kept)) this.apply(w.op);
    this.tornWrites += kept;
    this.reset();
  }

  /** The process dies (kill -9), the machine runs on: what the OS holds reaches the disk in time. */
  kill(): void {
    for (const w of this.queue.slice(0, this.written)) this.apply(w.op);
    this.reset();
  }

  private reset(): void {
    this.queue = [];
    this.written = 0;
    this.syncing = this.writing = false;
    this.generation++;
  }

  private writePass(): void {
    const latency = this.writeLatency!;
    this.writing = true;
    const done = this.queue.slice(this.written);
    const gen = this.generation;
    this.sched.after(this.rng.int(latency.min, latency.max), () => {
      if (gen !== this.generation) return;
      // Syncs take only written writes off the front, so these still follow the written ones.
      this.written += done.length;
      for (const w of done) w.onWritten?.();
      this.writing = false;
      if (this.written < this.queue.length) this.writePass();
      if (!this.syncing) this.sync();
    });
  }

  private sync(): void {
    // A pass covers what the OS holds; with nothing there yet, the next write pass starts one.
    if (this.written === 0) return;
    this.syncing = true;
    const batch = this.written;
    const gen = this.generation;
    this.sched.after(this.rng.int(this.latency.min, this.latency.max), () => {
      if (gen !== this.generation) return;
      const done = this.queue.splice(0, batch);
      this.written -= batch;
      for (const w of done) this.apply(w.op);
      for (const w of done) w.onSynced();
      this.syncing = false;
      if (this.queue.length > 0) this.sync();
    });
  }
}
