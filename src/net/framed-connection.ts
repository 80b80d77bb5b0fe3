import type { Socket } from 'node:net';
import type { Logger } from '../logger.js';
import type { FrameReader } from './frame-reader.js';
import { writeFrame } from './frame-writer.js';

/** Reply chunks without the size prefix, or null when the request gets no reply (Kafka acks=0). */
export type Reply = Buffer[] | null;

export interface FramedConnectionOptions {
  /** Requests read but not yet answered; reading pauses at this count. */
  maxInFlight: number;
  log: Logger;
  /** Called once per frame, in arrival order. A throw or rejection closes the connection. */
  onFrame(frame: Buffer, conn: FramedConnection): Reply | Promise<Reply>;
  onClose?(conn: FramedConnection): void;
}

interface Slot {
  ready: boolean;
  reply: Reply;
}

/**
 * One client connection speaking size-prefixed frames. Requests are handed on as soon as they arrive
 * (pipelining), replies leave in request order, and reading pauses while too many requests are
 * unanswered or the socket's send buffer is full, so a slow reader cannot grow our memory.
 */
export class FramedConnection {
  private readonly slots: Slot[] = [];
  private waitingForDrain = false;
  private paused = false;
  private closed = false;
  private endWhenIdle = false;
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
      invalid: (err) => this.close(err.message),
    };
    socket.on('drain', () => {
      this.waitingForDrain = false;
      this.updateFlow();
    });
    socket.on('error', (err) => opts.log.debug({ remote: this.remote, err: err.message }, 'socket error'));
    socket.on('close', () => {
      this.closed = true;
      frames.stop();
      opts.onClose?.(this);
    });
  }

  /** Logs why and drops the connection. */
  close(reason: string, fields: Record<string, unknown> = {}): void {
    if (this.closed) return;
    this.closed = true;
    this.frames.stop();
    this.opts.log.warn({ remote: this.remote, ...fields }, `closing connection: ${reason}`);
    this.socket.destroy();
  }

  /** Half-closes after every pending reply is written (graceful shutdown). */
  end(): void {
    if (this.slots.length === 0) this.socket.end();
    else this.endWhenIdle = true;
  }

  private onFrame(frame: Buffer): void {
    if (this.closed) return;
    this.dispatch(frame);
    this.updateFlow();
  }

  private dispatch(frame: Buffer): void {
    const slot: Slot = { ready: false, reply: null };
    this.slots.push(slot);
    let result: Reply | Promise<Reply>;
    try {
      result = this.opts.onFrame(frame, this);
    } catch (err) {
      return this.fail(err);
    }
    if (result instanceof Promise) {
      result.then(
        (reply) => this.settle(slot, reply),
        (err: unknown) => this.fail(err),
      );
    } else {
      this.settle(slot, result);
    }
  }

  private fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.close('request handling failed', { err: message, stack: err instanceof Error ? err.stack : undefined });
  }

  private settle(slot: Slot, reply: Reply): void {
    slot.ready = true;
    slot.reply = reply;
    if (this.slots[0] !== slot) return;
    if (this.closed) return;
    this.socket.cork();
    while (this.slots.length > 0 && this.slots[0]!.ready) {
      const done = this.slots.shift()!;
      if (done.reply) this.write(done.reply);
    }
    this.socket.uncork();
    if (this.endWhenIdle && this.slots.length === 0) this.socket.end();
    this.updateFlow();
  }

  private write(chunks: Buffer[]): void {
    if (this.closed) return;
    if (!writeFrame(this.socket, chunks)) this.waitingForDrain = true;
  }

  private updateFlow(): void {
    if (this.closed) return;
    const shouldPause = this.waitingForDrain || this.slots.length >= this.opts.maxInFlight;
    if (shouldPause && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!shouldPause && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }
}
