// A logical clock and the queue of what happens next. Events at the same time run in the order they
// were scheduled (the group coordinator's TimerQueue guarantees it), so a run depends on nothing but
// the seed.
import { TimerQueue } from '../../../src/kafka/groups/timer-queue.js';

export class Scheduler {
  private time = 0;
  private seq = 0;
  private readonly queue = new TimerQueue<() => void>();
  /** Events run so far: a finer clock than `now` for ordering a history. */
  steps = 0;

  now(): number {
    return this.time;
  }

  at(time: number, run: () => void): void {
    if (time < this.time) throw new Error(`cannot schedule at ${time}, it is already ${this.time}`);
    this.queue.schedule(String(this.seq++), time, run);
  }

  after(delay: number, run: () => void): void {
    this.at(this.time + delay, run);
  }

  /** Run events up to and including time `until`; `afterEach` sees the state after every one. */
  runUntil(until: number, afterEach?: () => void): void {
    for (let next = this.queue.next(); next !== undefined && next <= until; next = this.queue.next()) {
      const due = this.queue.popDue(next)!;
      this.time = next;
      this.steps++;
      due.action();
      afterEach?.();
    }
    this.time = Math.max(this.time, until);
  }
}
