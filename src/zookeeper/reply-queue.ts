// One connection's replies in request order, as ZooKeeper answers each session's requests. A write's
// reply is known when its transaction applies; a read (and a sync) is answered from the tree as it is
// when its turn comes, so it reflects every earlier request of the session and nothing of a later one.
// Pure: the connection (connection.ts) writes what comes out, and the ensemble simulation runs the same
// queue in front of its simulated clients.
import { Fifo } from './fifo.js';

export interface ReplySlot<R> {
  /** The reply once known; null when the request gets none. */
  reply: R | null | undefined;
  /** Makes the reply when the slot reaches the head. */
  run: (() => R | null) | undefined;
}

export interface ReplyOutput<R> {
  write(reply: R): void;
  /** `run` threw: the connection goes (one client's fault never hurts the server). */
  failed(err: unknown): void;
}

export class ReplyQueue<R> {
  private readonly slots = new Fifo<ReplySlot<R>>();

  constructor(private readonly out: ReplyOutput<R>) {}

  /** Requests not answered yet. */
  get size(): number {
    return this.slots.size;
  }

  /** A slot in request order; fill it with complete() or completeAtTurn(). */
  reserve(): ReplySlot<R> {
    const slot: ReplySlot<R> = { reply: undefined, run: undefined };
    this.slots.push(slot);
    return slot;
  }

  /** The slot's reply is known now. */
  complete(slot: ReplySlot<R>, reply: R | null): void {
    slot.reply = reply;
    this.drain();
  }

  /**
   * The slot may be answered, but from the state when its turn comes (a sync that completed while the
   * session's earlier writes wait: its reply must not carry a zxid before theirs).
   */
  completeAtTurn(slot: ReplySlot<R>, run: () => R | null): void {
    slot.run = run;
    this.drain();
  }

  /** A read: answered at once if nothing is pending before it, else when its turn comes. */
  answer(run: () => R): void {
    if (this.slots.size === 0) return this.out.write(run());
    this.slots.push({ reply: undefined, run });
  }

  /** A reply already known, kept in order behind pending ones. */
  reply(reply: R): void {
    if (this.slots.size === 0) this.out.write(reply);
    else this.slots.push({ reply, run: undefined });
  }

  private drain(): void {
    for (let slot = this.slots.peek(); slot; slot = this.slots.peek()) {
      if (slot.reply === undefined) {
        if (!slot.run) break;
        // A read that waited behind writes runs here, called from their commit, outside the caller's guard.
        try {
          slot.reply = slot.run();
        } catch (err) {
          return this.out.failed(err);
        }
        slot.run = undefined;
      }
      this.slots.shift();
      if (slot.reply !== null) this.out.write(slot.reply);
    }
  }
}
