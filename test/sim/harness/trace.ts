// How a simulation fails: an invariant throws SimFailure, and the run reports it with its seed, its
// logical time and step, and the last events it kept (SIM_TRACE=n), so the failure can be replayed and read.
import type { Scheduler } from './scheduler.js';

export class SimFailure extends Error {
  override readonly name = 'SimFailure';
}

export function fail(msg: string): never {
  throw new SimFailure(msg);
}

export class SimTrace {
  private readonly lines: string[] = [];

  constructor(
    private readonly sched: Scheduler,
    /** Keep the last this many events; 0 keeps none and costs nothing. */
    private readonly keep: number,
  ) {}

  note(line: string): void {
    if (this.keep === 0) return;
    this.lines.push(`${this.sched.now()}ms ${line}`);
    if (this.lines.length > this.keep) this.lines.shift();
  }

  /** Run `body`; a SimFailure out of it comes back naming the seed, the time and step, and the last events. */
  run<T>(seed: number, body: () => T): T {
    try {
      return body();
    } catch (e) {
      if (!(e instanceof SimFailure)) throw e;
      const tail = this.lines.length > 0 ? `\nlast events:\n${this.lines.join('\n')}` : '';
      throw new SimFailure(`seed ${seed} at ${this.sched.now()}ms (step ${this.sched.steps}): ${e.message}${tail}`);
    }
  }
}
