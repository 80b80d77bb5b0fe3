import type { Socket } from 'node:net';
import type { Logger } from '../logger.js';
import type { FrameReader } from './frame-reader.js';
import { writeFrame } from './frame-writer.js';
import { repliesBackedUp } from './read-gate.js';

/** Reply chunks without the size prefix, or null when the request gets no reply (Kafka acks=0). */
export type Reply = Buffer[] | null;

/**
 * How long a connection closed over a request (a bad frame, a failed handler) waits for the requests
 * before it to be answered. Past it the connection closes anyway and their replies are dropped, so an
 * earlier request that never finishes cannot hold the socket open.
 */
export const FLUSH_BEFORE_CLOSE_MS = 5_000;

/** What a handler may ask of the connection a request came on. */
export interface InFlightRequest {
  /** Aborted when the connection closes: work for the request should stop, nobody will read its reply. */
  readonly signal: AbortSignal;
  /**
   * Resolves once every earlier request on the connection has its reply handed to the socket and the
   * client has taken all but MAX_UNSENT_REPLY_BYTES of them. A request whose reply is large (Fetch)
   * waits for this before building it, so a connection holds at most one such reply in the making
   * beside that bound, however many it pipelines. Rejects if the connection closes first.
   */
  replyTurn(): Promise<void>;
  /**
   * Closes the connection over this request, which gets no reply (a frame the server will not serve):
   * no further frame is read, every earlier request is answered in order, then the connection closes,
   * as Kafka's does, which reads a connection's next request only once the last one is answered.
   * Logs `reason`.
   */
  closeConnection(reason: string, fields?: Record<string, unknown>): void;
  /**
   * Holds the connection for `ms` from now (a quota's throttle time; Kafka mutes the channel as long),
   * or longer if an earlier hold lasts longer: no further request is read, requests already read behind
   * this one are handled only once the time is up, and the replies of those handled after this one wait.
   * Kafka reads a connection's next request only once the last is answered, so its mute holds everything
   * after; Skein reads ahead (pipelining), so it holds back what it read ahead instead.
   */
  mute(ms: number): void;
}

export interface FramedConnectionOptions {
  /** Requests read but not yet answered; reading pauses at this count. */
  maxInFlight: number;
  log: Logger;
  /** Called once per frame, in arrival order. A throw or rejection closes the connection as closeConnection() does. */
  onFrame(frame: Buffer, conn: FramedConnection, request: InFlightRequest): Reply | Promise<Reply>;
  onClose?(conn: FramedConnection): void;
}

interface Slot {
  ready: boolean;
  reply: Reply;
  /** The request frame's size, held against the server's request budget until the reply is written. */
  frameBytes: number;
  /** A replyTurn() waiting for this slot to reach the head. */
  turn: (() => void) | undefined;
}

/**
 * One client connection speaking size-prefixed frames. Requests are handed on as soon as they arrive
 * (pipelining), replies leave in request order, and reading pauses while too many requests are
 * unanswered or the client leaves too many reply bytes unread, so a slow reader cannot grow our memory.
 */
export class FramedConnection {
  private slots: Slot[] = [];
  private closed = false;
  private endWhenIdle = false;
  /** Set while closing over a request: the last request still owed a reply; the connection ends once it is written. */
  private lastOwed: Slot | undefined;
  /** Bounds that wait (FLUSH_BEFORE_CLOSE_MS), and the wait for the client to hang up after. */
  private closeTimer: NodeJS.Timeout | undefined;
  private readonly aborter = new AbortController();
  /** Ends the current mute(); its end time, for a later mute to extend it only. */
  private muteTimer: NodeJS.Timeout | undefined;
  private mutedUntilMs = 0;
  /** The request whose reply the mute follows; once it is written, replies wait for the mute to end. */
  private muteAfter: Slot | undefined;
  /** Set while replies wait for a mute to end. */
  private repliesHeld = false;
  /** Frames read while muted (sent in the same read as the request that muted): handled once the mute ends. */
  private heldFrames: Buffer[] = [];
  readonly remote: string;

  constructor(
    readonly socket: Socket,
    private readonly frames: FrameReader,
    private readonly opts: FramedConnectionOptions,
  ) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    frames.sink = {
      frame: (frame) => this.onFrame(frame),
      invalid: (err) => this.closeAfter(this.slots.at(-1), err.message),
    };
    socket.on('drain', () => {
      this.updateFlow();
      this.wakeTurn();
    });
    socket.on('error', (err) => opts.log.debug({ remote: this.remote, err: err.message }, 'socket error'));
    socket.on('close', () => {
      clearTimeout(this.closeTimer);
      this.shutDown();
      opts.onClose?.(this);
    });
  }

  /**
   * Logs why and drops the connection at once, with any replies still owed: for a client that is gone
   * or over its time (idle, a request not completed), which would not read them.
   */
  close(reason: string, fields: Record<string, unknown> = {}): void {
    if (this.closed) return;
    this.opts.log.warn({ remote: this.remote, ...fields }, `closing connection: ${reason}`);
    this.shutDown();
    this.socket.destroy();
  }

  /** Half-closes after every pending reply is written (graceful shutdown). */
  end(): void {
    if (this.slots.length === 0) this.socket.end();
    else this.endWhenIdle = true;
  }

  /**
   * Logs why and closes once `last` and every request before it are answered (none owed when undefined).
   * From now on no frame is read: bytes that follow are read and dropped, so the client's hang-up is seen
   * and the close leaves no unread bytes behind (closing on those resets the connection, which can
   * destroy replies still in flight). Requests after `last` are dropped.
   */
  private closeAfter(last: Slot | undefined, reason: string, fields: Record<string, unknown> = {}): void {
    if (this.closed) return;
    if (this.lastOwed) {
      // Already closing; only a request before the cut can move it (its handler failed, so it is never answered).
      const at = last ? this.slots.indexOf(last) : -1;
      if (at < 0 || at >= this.slots.indexOf(this.lastOwed)) return;
    }
    this.opts.log.warn({ remote: this.remote, ...fields }, `closing connection: ${reason}`);
    this.frames.stop();
    this.frames.gate.release();
    this.dropHeldFrames();
    if (!last || !this.slots.includes(last)) return this.endClosed();
    this.lastOwed = last;
    this.closeTimer ??= setTimeout(() => this.closeLate(), FLUSH_BEFORE_CLOSE_MS);
  }

  /** The replies owed before a close are written: drops the rest and ends the socket once they are sent. */
  private endClosed(): void {
    this.shutDown();
    this.socket.end();
    this.closeTimer ??= setTimeout(() => this.closeLate(), FLUSH_BEFORE_CLOSE_MS);
  }

  /** FLUSH_BEFORE_CLOSE_MS passed since a close over a request began: whatever is still owed is dropped. */
  private closeLate(): void {
    if (!this.closed) {
      this.opts.log.warn(
        { remote: this.remote, owed: this.slots.indexOf(this.lastOwed!) + 1, waitedMs: FLUSH_BEFORE_CLOSE_MS },
        'dropping replies owed before closing: not answered in time',
      );
      this.shutDown();
    }
    this.socket.destroy();
  }

  /** Stops all work for the connection: handlers see the abort, queued replies and their memory go. */
  private shutDown(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.muteTimer);
    this.frames.stop();
    for (const slot of this.slots) this.frames.done(slot.frameBytes);
    this.slots = [];
    this.dropHeldFrames();
    this.aborter.abort();
  }

  private dropHeldFrames(): void {
    for (const frame of this.heldFrames) this.frames.done(frame.length);
    this.heldFrames = [];
  }

  private onFrame(frame: Buffer): void {
    if (this.closed) return this.frames.done(frame.length);
    if (this.mutedUntilMs > 0 || this.heldFrames.length > 0) this.heldFrames.push(frame);
    else this.dispatch(frame);
    this.updateFlow();
  }

  /** The mute ended: the frames read during it are handled in order, until one of them mutes again. */
  private dispatchHeld(): void {
    while (this.heldFrames.length > 0 && this.mutedUntilMs === 0 && !this.closed && !this.lastOwed) this.dispatch(this.heldFrames.shift()!);
    this.updateFlow();
  }

  private dispatch(frame: Buffer): void {
    const slot: Slot = { ready: false, reply: null, frameBytes: frame.length, turn: undefined };
    this.slots.push(slot);
    const request: InFlightRequest = {
      signal: this.aborter.signal,
      replyTurn: () => this.replyTurn(slot),
      closeConnection: (reason, fields) => this.closeAfter(slot, reason, fields),
      mute: (ms) => this.mute(slot, ms),
    };
    let result: Reply | Promise<Reply>;
    try {
      result = this.opts.onFrame(frame, this, request);
    } catch (err) {
      return this.fail(slot, err);
    }
    if (result instanceof Promise) {
      result.then(
        (reply) => this.settle(slot, reply),
        (err: unknown) => this.fail(slot, err),
      );
    } else {
      this.settle(slot, result);
    }
  }

  private mute(slot: Slot, ms: number): void {
    const until = Date.now() + ms;
    if (this.closed || this.lastOwed || until <= this.mutedUntilMs) return;
    this.mutedUntilMs = until;
    // A later request's mute only extends the time: the replies after the first muted one stay held.
    this.muteAfter ??= slot;
    this.frames.gate.hold('throttle', true);
    clearTimeout(this.muteTimer);
    this.muteTimer = setTimeout(() => {
      this.mutedUntilMs = 0;
      this.muteAfter = undefined;
      this.repliesHeld = false;
      if (this.closed) return;
      // Closing over a later request: the replies owed before it go out now, and nothing more is read anyway.
      if (!this.lastOwed) this.frames.gate.hold('throttle', false);
      this.writeReady();
      this.dispatchHeld();
    }, ms);
  }

  private replyTurn(slot: Slot): Promise<void> {
    const signal = this.aborter.signal;
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (this.isTurnOf(slot)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      slot.turn = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
    });
  }

  private isTurnOf(slot: Slot): boolean {
    return this.slots[0] === slot && !repliesBackedUp(this.socket);
  }

  private wakeTurn(): void {
    const head = this.slots[0];
    if (head?.turn && this.isTurnOf(head)) {
      const turn = head.turn;
      head.turn = undefined;
      turn();
    }
  }

  /** A handler threw: its request gets no reply, and the connection closes after the ones before it. */
  private fail(slot: Slot, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.closeAfter(slot, 'request handling failed', { err: message, stack: err instanceof Error ? err.stack : undefined });
    this.settle(slot, null);
  }

  private settle(slot: Slot, reply: Reply): void {
    slot.ready = true;
    slot.reply = reply;
    if (this.closed || this.slots[0] !== slot) return;
    this.writeReady();
  }

  /** Writes the replies ready at the head, in order, up to a mute's hold. */
  private writeReady(): void {
    this.socket.cork();
    let lastOwedWritten = false;
    while (this.slots.length > 0 && this.slots[0]!.ready && !lastOwedWritten && !this.repliesHeld) {
      const done = this.slots.shift()!;
      if (done.reply) writeFrame(this.socket, done.reply);
      this.frames.done(done.frameBytes);
      lastOwedWritten = done === this.lastOwed;
      if (done === this.muteAfter) this.repliesHeld = true;
    }
    this.socket.uncork();
    if (lastOwedWritten) return this.endClosed();
    if (this.endWhenIdle && this.slots.length === 0) this.socket.end();
    this.updateFlow();
    this.wakeTurn();
  }

  private updateFlow(): void {
    if (this.closed || this.lastOwed) return;
    const gate = this.frames.gate;
    gate.hold('requests', this.slots.length + this.heldFrames.length >= this.opts.maxInFlight);
    gate.hold('replies', repliesBackedUp(this.socket));
  }
}
