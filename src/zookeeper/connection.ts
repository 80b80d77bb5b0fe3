// One client connection. Its first four bytes are either a four-letter word or the length of the
// ConnectRequest; after the handshake come request frames, answered strictly in request order. Reads
// that arrive behind the session's own pending writes wait for them; watch notifications are written
// as soon as the change is applied, so they precede any later reply showing the new state.
import type { Socket } from 'node:net';
import type { FrameReader } from '../net/frame-reader.js';
import { repliesBackedUp } from '../net/read-gate.js';
import type { Logger } from '../logger.js';
import type { EventType } from '../../protocol/zookeeper/codes.js';
import { fourLetterWordOf, type FourLetterWord } from '../../protocol/zookeeper/four-letter.js';
import type { Id } from '../../protocol/zookeeper/records.js';
import { eventFrame } from './replies.js';
import { ReplyQueue, type ReplySlot } from './reply-queue.js';
import type { Requester } from './reads.js';

/** Requests read but not answered yet; reading pauses at this many (ZooKeeper's outstanding limit). */
export const MAX_OUTSTANDING_PER_CONNECTION = 1000;

export interface ConnectionHost {
  readonly log: Logger;
  /** The ConnectRequest frame; the host answers with conn.open() or conn.refuse(). */
  handshake(conn: ClientConnection, frame: Buffer): void;
  request(conn: ClientConnection, frame: Buffer): void;
  fourLetterWord(word: FourLetterWord): string;
  closed(conn: ClientConnection): void;
}

type Phase = 'start' | 'handshake' | 'open' | 'closed';

export class ClientConnection implements Requester {
  sessionId = 0n;
  /** Negotiated session timeout, for cons output. */
  sessionTimeout = 0;
  readonly auth: Id[];
  readonly remoteIp: string;
  readonly remote: string;
  readonly established = Date.now();
  packetsReceived = 0;
  packetsSent = 0;
  lastOp = 'NA';
  lastZxid = 0n;
  lastCxid = -1;

  private phase: Phase = 'start';
  private held: Buffer[] = [];
  private readonly replies = new ReplyQueue<Buffer[]>({ write: (frame) => this.write(frame), failed: (err) => this.fail(err) });
  private corked = false;
  private endWhenFlushed = false;

  constructor(
    readonly socket: Socket,
    private readonly frames: FrameReader,
    private readonly host: ConnectionHost,
  ) {
    const ip = socket.remoteAddress ?? 'unknown';
    // IPv4 clients of a dual-stack listener appear as ::ffff:a.b.c.d; ACLs name them a.b.c.d.
    this.remoteIp = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
    this.remote = `${this.remoteIp}:${socket.remotePort}`;
    this.auth = [{ scheme: 'ip', id: this.remoteIp }];
    socket.setNoDelay(true);
    frames.sink = {
      frame: (frame) => {
        if (this.phase === 'closed') return;
        this.packetsReceived++;
        this.dispatch([frame]);
      },
      invalid: (err) => this.close(err.message),
      firstWord: (first) => {
        const word = fourLetterWordOf(first);
        if (word) this.answerFourLetterWord(word);
        return word !== undefined;
      },
    };
    socket.on('drain', () => this.updateFlow());
    socket.on('error', (err) => host.log.debug({ remote: this.remote, err: err.message }, 'socket error'));
    socket.on('close', () => {
      this.phase = 'closed';
      frames.stop();
      host.closed(this);
    });
  }

  get isClosed(): boolean {
    return this.phase === 'closed';
  }

  /** A ConnectRequest arrived (a client, not a four-letter word or a connection yet to speak). */
  get isSession(): boolean {
    return this.phase === 'handshake' || this.phase === 'open';
  }

  /** Requests received and not yet answered. */
  get outstanding(): number {
    return this.replies.size;
  }

  private dispatch(frames: readonly Buffer[]): void {
    try {
      for (const frame of frames) {
        if (this.isClosed || this.endWhenFlushed) break;
        if (this.phase === 'start') {
          this.phase = 'handshake';
          this.host.handshake(this, frame);
        } else if (this.phase === 'handshake') {
          this.held.push(frame);
        } else {
          this.host.request(this, frame);
        }
      }
    } catch (err) {
      return this.fail(err);
    }
    this.updateFlow();
  }

  /** A fault while handling one client's request costs that client its connection, not the server. */
  private fail(err: unknown): void {
    this.host.log.error({ err, remote: this.remote }, 'request handling failed');
    this.close('request handling failed');
  }

  private answerFourLetterWord(word: FourLetterWord): void {
    this.phase = 'closed';
    let text: string;
    try {
      text = this.host.fourLetterWord(word);
    } catch (err) {
      this.host.log.warn({ word, err: (err as Error).message }, 'four-letter word failed');
      text = '';
    }
    this.socket.end(text);
  }

  /** Completes the handshake: sends the ConnectResponse and handles requests sent after it. */
  open(response: Buffer[]): void {
    if (this.phase !== 'handshake') return;
    this.write(response);
    this.phase = 'open';
    const held = this.held;
    this.held = [];
    this.dispatch(held);
  }

  /** Ends the handshake with a refusal (an expired session's ConnectResponse), then closes. */
  refuse(response: Buffer[]): void {
    this.held = [];
    this.write(response);
    this.closeWhenFlushed();
  }

  /** A reply slot in request order; fill it with complete() or completeAtTurn(). */
  reserve(): ReplySlot<Buffer[]> {
    return this.replies.reserve();
  }

  complete(slot: ReplySlot<Buffer[]>, frame: Buffer[] | null): void {
    this.replies.complete(slot, frame);
    this.drained();
  }

  /** The slot's reply is made from the state when its turn comes (a completed sync). */
  completeAtTurn(slot: ReplySlot<Buffer[]>, run: () => Buffer[] | null): void {
    this.replies.completeAtTurn(slot, run);
    this.drained();
  }

  /** Answers at once if nothing is pending before it, else when its turn comes. */
  answer(run: () => Buffer[]): void {
    this.replies.answer(run);
  }

  /** A reply already known, kept in order behind pending ones. */
  reply(frame: Buffer[]): void {
    this.replies.reply(frame);
  }

  notify(type: EventType, path: string): void {
    this.write(eventFrame(type, path));
  }

  private drained(): void {
    if (this.replies.size === 0 && this.endWhenFlushed && this.phase !== 'closed') this.socket.end();
    this.updateFlow();
  }

  /** Closes after every pending reply is written (closeSession, a refused handshake, shutdown). */
  closeWhenFlushed(): void {
    this.endWhenFlushed = true;
    if (this.replies.size === 0 && this.phase !== 'closed') this.socket.end();
  }

  /**
   * Drops the connection at once, with a log line saying why. Replies still owed to earlier requests are
   * lost, as with Apache ZooKeeper, which closes the socket over a bad packet with its queued and
   * in-pipeline replies unsent; its clients take that as connection loss, whatever the outcome.
   */
  close(reason: string, fields: Record<string, unknown> = {}): void {
    if (this.phase === 'closed') return;
    this.host.log.warn({ remote: this.remote, session: this.sessionId.toString(16), ...fields }, `closing connection: ${reason}`);
    this.phase = 'closed';
    this.frames.stop();
    this.socket.destroy();
  }

  private write(chunks: Buffer[]): void {
    if (this.phase === 'closed') return;
    if (!this.corked) {
      // Replies produced in one turn of the event loop leave in one writev.
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    for (const c of chunks) this.socket.write(c);
    this.packetsSent++;
  }

  private updateFlow(): void {
    if (this.phase === 'closed') return;
    const gate = this.frames.gate;
    gate.hold('requests', this.outstanding + this.held.length >= MAX_OUTSTANDING_PER_CONNECTION);
    gate.hold('replies', repliesBackedUp(this.socket));
  }
}
