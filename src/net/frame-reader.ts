// Splits a TCP byte stream into int32-size-prefixed frames, the framing Kafka and ZooKeeper share.
//
// It chooses where each read lands (Node's `onread` hook): a large frame is read straight into a buffer
// of its own, so it costs one allocation and no copy, and nothing else is allocated per read; small
// frames arrive in a scratch buffer reused for the connection's life and are copied out. Every frame
// handed on is its own Buffer, never a view of the scratch buffer, so handlers may keep it (the log's tail
// cache keeps producers' batches).

import type { OnReadOpts } from 'node:net';

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
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  /** Unconsumed bytes of scratch lie in [start, end). */
  private start = 0;
  private end = 0;
  /** A large frame being read into its own buffer, and how much of it has arrived. */
  private direct: Buffer | undefined;
  private filled = 0;
  private wordSeen = false;
  private stopped = false;

  constructor(private readonly maxFrameBytes: number) {}

  /** Stops handing on frames; the connection is closing. */
  stop(): void {
    this.stopped = true;
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
      if (this.filled < this.direct.length) return;
      const frame = this.direct;
      this.direct = undefined;
      this.filled = 0;
      this.sink!.frame(frame);
      return;
    }
    this.end += n;
    this.takeFrames();
  };

  /** Feeds bytes that arrived some other way (a 'data' event, a test), as if read. */
  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.stopped) {
      const into = this.nextBuffer();
      const n = chunk.copy(into, 0, at);
      at += n;
      this.received(n);
    }
  }

  private takeFrames(): void {
    while (!this.stopped && this.end - this.start >= 4) {
      const word = this.scratch.readInt32BE(this.start);
      if (!this.wordSeen) {
        this.wordSeen = true;
        if (this.sink!.firstWord?.(word)) return this.stop();
      }
      if (word < 0) return this.fail(`negative frame size ${word}`);
      if (word > this.maxFrameBytes) return this.fail(`frame of ${word} bytes exceeds the limit of ${this.maxFrameBytes}`);
      const have = this.end - this.start - 4;
      if (have >= word) {
        const frame = Buffer.allocUnsafe(word);
        this.scratch.copy(frame, 0, this.start + 4, this.start + 4 + word);
        this.start += 4 + word;
        this.sink!.frame(frame);
        continue;
      }
      if (word >= DIRECT_READ_BYTES) {
        this.direct = Buffer.allocUnsafe(word);
        this.filled = this.scratch.copy(this.direct, 0, this.start + 4, this.end);
        this.start = this.end;
      }
      break;
    }
    if (this.start === this.end) this.start = this.end = 0;
    else if (SCRATCH_BYTES - this.end < DIRECT_READ_BYTES) this.compact();
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
