// Splits a TCP byte stream into int32-size-prefixed frames, the framing Kafka and ZooKeeper share.
//
// It chooses where each read lands (Node's `onread` hook): a large frame is read straight into a buffer
// of its own, so it costs one allocation and no copy, and nothing else is allocated per read; small
// frames arrive in a scratch buffer reused for the connection's life and are copied out. Every frame
// handed on is its own Buffer, never a view of the scratch buffer, so handlers may keep it (the log's tail
// cache keeps producers' batches).
//
// A length prefix is a claim, not bytes: a frame's buffer starts at most GROWN_FRAME_START_BYTES and
// doubles as its bytes arrive, so a prefix of 100 MiB followed by nothing costs at most that much. The
// reader takes a frame's memory from the server's request budget before reading into it (a large frame:
// its first GROWN_FRAME_START_BYTES, then the rest once that much has really arrived, so a frame that
// holds budget never waits for more) and stops reading while the budget has no room; the connection
// gives the bytes back (done()) once the request is answered. Waiting for memory counts against the
// request timeout like any other delay, so holders that stall are closed and nothing waits forever.

import type { OnReadOpts } from 'node:net';
import type { BudgetWait, ByteBudget } from './byte-budget.js';
import { ReadGate } from './read-gate.js';

/** The peer broke framing: a negative or oversized length. The connection cannot continue. */
export class FramingError extends Error {
  override readonly name = 'FramingError';
}

export interface FrameSink {
  frame(frame: Buffer): void;
  invalid(err: FramingError): void;
  /**
   * Sees the stream's first four bytes before they are taken as a length (ZooKeeper's four-letter words
   * arrive there). Returning true ends framing: the caller has taken the connection over.
   */
  firstWord?(word: number): boolean;
}

/** Reused per connection for small frames and length prefixes. */
export const SCRATCH_BYTES = 16 * 1024;
/** Frames this large or larger are read into their own buffer; smaller ones are copied out of scratch. */
export const DIRECT_READ_BYTES = 4 * 1024;
/**
 * Frames up to this size get their whole buffer at once (one allocation, no copy: every produce request
 * within Kafka's default max.request.size). A larger one starts with this much and doubles as it fills.
 */
export const GROWN_FRAME_START_BYTES = 1024 * 1024;

/** The `onread` option of a socket whose reads `reader` directs. */
export function onreadFor(reader: FrameReader): OnReadOpts {
  return {
    buffer: reader.nextBuffer,
    callback: (n) => {
      reader.received(n);
      return true;
    },
  };
}

export class FrameReader {
  sink: FrameSink | undefined;
  /** Holds reading back; the connection adds its own reasons. */
  readonly gate = new ReadGate();
  /** Frames handed on so far. */
  framesReceived = 0;
  /** When the frame now partly received began to arrive (Date.now()), or undefined between frames. */
  partialSince: number | undefined;
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  /** Unconsumed bytes of scratch lie in [start, end). */
  private start = 0;
  private end = 0;
  /** A large frame being read into its own buffer, and how much of it has arrived. */
  private direct: Buffer | undefined;
  private filled = 0;
  /** The size of the frame in `direct` (its buffer may still be smaller). */
  private directSize = 0;
  /** Bytes taken from the budget for the frame not yet handed on. */
  private reserved = 0;
  private budgetWait: BudgetWait | undefined;
  private wordSeen = false;
  private stopped = false;
  /** Pushed bytes that arrived while a frame waited for memory (see push). */
  private held: Buffer[] = [];

  constructor(
    private readonly maxFrameBytes: number,
    private readonly budget?: ByteBudget,
  ) {}

  /** Stops handing on frames; the connection is closing. Memory held for a partial frame goes back. */
  stop(): void {
    this.stopped = true;
    if (this.budgetWait) this.budget!.cancel(this.budgetWait);
    this.budgetWait = undefined;
    this.done(this.reserved);
    this.reserved = 0;
    this.direct = undefined;
    this.partialSince = undefined;
    this.held = [];
    // Whatever arrives from now on lands in scratch and is dropped, a whole scratch buffer per read.
    this.start = this.end = 0;
  }

  /** The connection is finished with a frame of `bytes` it was handed: its memory no longer counts. */
  done(bytes: number): void {
    if (bytes > 0) this.budget?.release(bytes);
  }

  /** For `onread.buffer`: the memory the next read fills. Never empty. */
  readonly nextBuffer = (): Buffer => {
    if (this.direct) return this.direct.subarray(this.filled);
    if (this.end === SCRATCH_BYTES) this.compact();
    return this.scratch.subarray(this.end);
  };

  /** For `onread.callback`: `n` bytes landed in the buffer nextBuffer returned. */
  readonly received = (n: number): void => {
    if (this.stopped) return;
    if (this.direct) {
      this.filled += n;
      if (this.filled === this.direct.length) {
        if (this.direct.length === this.directSize) this.emitDirect();
        else if (this.reserved === this.directSize || this.take(this.directSize - this.reserved, () => this.grow())) this.grow();
      }
    } else {
      this.end += n;
      this.takeFrames();
    }
    this.markPartial();
  };

  /**
   * Feeds bytes that arrived some other way (a TLS socket's 'data' events, a test), copied in as if read.
   * Bytes past a frame that waits for memory are kept and fed once it is granted: the gate has paused the
   * socket by then, so at most the rest of the chunk in hand waits here.
   */
  push(chunk: Buffer): void {
    if (this.stopped) return;
    if (this.budgetWait) {
      this.held.push(chunk);
      return;
    }
    let at = 0;
    while (at < chunk.length && !this.stopped) {
      if (this.budgetWait) {
        this.held.push(chunk.subarray(at));
        return;
      }
      const into = this.nextBuffer();
      const n = chunk.copy(into, 0, at);
      at += n;
      this.received(n);
    }
  }

  private emit(frame: Buffer): void {
    this.reserved = 0;
    this.partialSince = undefined;
    this.framesReceived++;
    this.sink!.frame(frame);
  }

  private emitDirect(): void {
    const frame = this.direct!;
    this.direct = undefined;
    this.filled = 0;
    this.emit(frame);
  }

  /** Doubles the buffer of a large frame (up to its size), keeping what has arrived. */
  private grow(): void {
    const bigger = Buffer.allocUnsafe(Math.min(this.directSize, this.direct!.length * 2));
    this.direct!.copy(bigger, 0, 0, this.filled);
    this.direct = bigger;
  }

  /** Starts the clock of a frame this read left incomplete. */
  private markPartial(): void {
    if (this.partialSince === undefined && (this.direct !== undefined || this.end > this.start)) this.partialSince = Date.now();
  }

  private takeFrames(): void {
    if (this.budgetWait) return;
    while (!this.stopped && this.end - this.start >= 4) {
      const word = this.scratch.readInt32BE(this.start);
      if (!this.wordSeen) {
        this.wordSeen = true;
        if (this.sink!.firstWord?.(word)) return this.stop();
      }
      if (word < 0) return this.fail(`negative frame size ${word}`);
      if (word > this.maxFrameBytes) return this.fail(`frame of ${word} bytes exceeds the limit of ${this.maxFrameBytes}`);
      if (this.reserved === 0 && word > 0 && !this.take(Math.min(word, GROWN_FRAME_START_BYTES), () => this.takeFrames())) return;
      const have = this.end - this.start - 4;
      if (have >= word) {
        const frame = Buffer.allocUnsafe(word);
        this.scratch.copy(frame, 0, this.start + 4, this.start + 4 + word);
        this.start += 4 + word;
        this.emit(frame);
        continue;
      }
      if (word >= DIRECT_READ_BYTES) {
        this.directSize = word;
        this.direct = Buffer.allocUnsafe(Math.min(word, Math.max(GROWN_FRAME_START_BYTES, have)));
        this.filled = this.scratch.copy(this.direct, 0, this.start + 4, this.end);
        this.start = this.end;
      }
      break;
    }
    if (this.start === this.end) this.start = this.end = 0;
    else if (SCRATCH_BYTES - this.end < DIRECT_READ_BYTES) this.compact();
  }

  /** Takes `bytes` more for the current frame from the budget, or stops reading until granted and then runs `resume`. */
  private take(bytes: number, resume: () => void): boolean {
    if (!this.budget || this.budget.tryTake(bytes)) {
      this.reserved += bytes;
      return true;
    }
    this.gate.hold('memory', true);
    this.budgetWait = this.budget.wait(bytes, () => {
      this.budgetWait = undefined;
      this.reserved += bytes;
      // Granted from inside another connection's release: carry on from a clean stack.
      queueMicrotask(() => {
        if (this.stopped) return;
        resume();
        this.markPartial();
        for (const chunk of this.held.splice(0)) this.push(chunk);
        if (!this.budgetWait) this.gate.hold('memory', false);
      });
    });
    return false;
  }

  /** Moves unconsumed bytes to the front; a partial small frame always fits after it. */
  private compact(): void {
    this.scratch.copy(this.scratch, 0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
  }

  private fail(message: string): void {
    this.stop();
    this.sink!.invalid(new FramingError(message));
  }
}
