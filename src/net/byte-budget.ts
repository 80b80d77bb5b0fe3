// Memory shared by every connection of a server: bytes of requests read and not yet answered (Kafka's
// queued.max.request.bytes). A connection takes a frame's bytes before reading its body and gives them
// back once the request is answered; when they do not fit it stops reading until earlier requests give
// theirs back, so many clients sending at once cannot hold more than the budget between them.

export interface BudgetWait {
  readonly bytes: number;
  readonly granted: () => void;
}

export class ByteBudget {
  private used = 0;
  /** Waiters in arrival order (a Set keeps insertion order and removes in O(1)). */
  private readonly waiting = new Set<BudgetWait>();

  /** `capacity` bytes; Infinity for no bound. */
  constructor(readonly capacity: number) {}

  get usedBytes(): number {
    return this.used;
  }

  /**
   * Takes `bytes` now if they fit and nobody is waiting ahead. A request larger than the whole budget fits
   * once nothing else is held, so it waits rather than being refused.
   */
  tryTake(bytes: number): boolean {
    if (this.waiting.size > 0 || !this.fits(bytes)) return false;
    this.used += bytes;
    return true;
  }

  /** Queues for `bytes`; `granted` runs (with the bytes taken) once they fit. Cancel with cancel(). */
  wait(bytes: number, granted: () => void): BudgetWait {
    const w: BudgetWait = { bytes, granted };
    this.waiting.add(w);
    return w;
  }

  cancel(w: BudgetWait): void {
    if (this.waiting.delete(w)) this.grantWaiting();
  }

  release(bytes: number): void {
    this.used -= bytes;
    this.grantWaiting();
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.capacity;
  }

  private grantWaiting(): void {
    for (const w of this.waiting) {
      if (!this.fits(w.bytes)) return;
      this.waiting.delete(w);
      this.used += w.bytes;
      w.granted();
    }
  }
}
