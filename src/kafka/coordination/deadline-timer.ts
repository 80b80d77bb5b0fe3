// One Node timer at a pure coordinator's next deadline: re-armed only when a deadline comes earlier, and
// unref'd, since the broker's listener keeps the process alive and coordinator deadlines alone should not.

/** Node timers take at most a signed 32-bit delay; a later deadline is reached by waking up early. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export class DeadlineTimer {
  private timer: NodeJS.Timeout | undefined;
  private deadline = Infinity;

  constructor(
    private readonly now: () => number,
    /** Called when the deadline is reached; the owner feeds the coordinator a tick and arms again. */
    private readonly fire: () => void,
  ) {}

  /** Wakes up at `next` (undefined: nothing due), unless already set for that time or earlier. */
  arm(next: number | undefined): void {
    if (next === undefined) return;
    if (this.timer !== undefined && this.deadline <= next) return;
    clearTimeout(this.timer);
    this.deadline = next;
    const delay = Math.min(Math.max(next - this.now(), 0), MAX_TIMER_DELAY_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire();
    }, delay);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
