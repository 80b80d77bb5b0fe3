// What a failing run reports: its seed, the logical time and step it failed at, and its last events
// (SIM_TRACE=n keeps n of them), so that a replay can be read as well as rerun.
import type { Scheduler } from './scheduler.js';

/** An invariant a simulation found broken. */
export class SimFailure extends Error {
  override readonly name = 'SimFailure';
}

export class SimTrace {
  private readonly lines: string[] = [];

  constructor(
    private readonly sched: Scheduler,
    /** How many of the last events to keep; 0 keeps none. */
    private readonly keep: number,
  ) {}

  note(line: string): void {
    if (this.keep === 0) return;
    this.lines.push(`${this.sched.now()}ms ${line}`);
    if (this.lines.length > this.keep) this.lines.shift();
  }

  /** Runs a simulation, labelling a SimFailure it throws with the seed, where it happened and the last events. */
  run<R>(seed: number, body: () => R): R {
    try {
      return body();
    } catch (e) {
      if (e instanceof SimFailure) {
        const tail = this.lines.length > 0 ? `\nlast events:\n${this.lines.join('\n')}` : '';
        throw new SimFailure(`seed ${seed} at ${this.sched.now()}ms (step ${this.sched.steps}): ${e.message}${tail}`);
      }
      throw e;
    }
  }
}
