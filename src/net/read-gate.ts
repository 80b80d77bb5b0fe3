// When a connection reads from its client. Several things may each hold reading back (too many requests
// unanswered, replies the client has not taken, no memory for the next frame); the socket reads again
// only once none does. Kafka's and ZooKeeper's connections share this, and the bound on unsent replies.
import type { Socket } from 'node:net';

/** Unsent reply bytes past which a connection stops reading, and starts no large reply, until the client catches up. */
export const MAX_UNSENT_REPLY_BYTES = 4 * 1024 * 1024;

/** The client is not taking its replies: more than MAX_UNSENT_REPLY_BYTES wait in the socket. */
export function repliesBackedUp(socket: Socket): boolean {
  return socket.writableLength > MAX_UNSENT_REPLY_BYTES;
}

/** throttle: a client quota muted the connection for a throttle time (Kafka's KIP-219 muting). */
export type HoldReason = 'requests' | 'replies' | 'memory' | 'throttle';

export class ReadGate {
  private readonly holds = new Set<HoldReason>();
  /** The socket whose reading this gates; unset until the socket exists (and in unit tests). */
  socket: Socket | undefined;

  get held(): boolean {
    return this.holds.size > 0;
  }

  hold(reason: HoldReason, on: boolean): void {
    const was = this.holds.size > 0;
    if (on) this.holds.add(reason);
    else this.holds.delete(reason);
    const is = this.holds.size > 0;
    if (was === is || !this.socket || this.socket.destroyed) return;
    if (is) this.socket.pause();
    else this.socket.resume();
  }

  /** Lifts every hold: a closing connection reads only to drop what arrives. */
  release(): void {
    for (const reason of [...this.holds]) this.hold(reason, false);
  }
}
