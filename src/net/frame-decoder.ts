// Splits a TCP byte stream into int32-size-prefixed frames, the framing both Kafka and ZooKeeper use.

/** The peer broke framing: a negative or oversized length. The connection cannot continue. */
export class FramingError extends Error {
  override readonly name = 'FramingError';
}

export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Bytes received but not yet part of a whole frame. */
  get buffered(): number {
    return this.pendingBytes;
  }

  /** Feeds received bytes; returns every frame they complete (payloads without the size prefix). */
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const frames: Buffer[] = [];
    while (this.pendingBytes >= 4) {
      const head = this.gather(4);
      const size = head.readInt32BE(0);
      if (size < 0) throw new FramingError(`negative frame size ${size}`);
      if (size > this.maxFrameBytes) {
        throw new FramingError(`frame of ${size} bytes exceeds the limit of ${this.maxFrameBytes}`);
      }
      if (this.pendingBytes < 4 + size) break;
      const whole = this.gather(4 + size);
      frames.push(whole.subarray(4, 4 + size));
      this.consume(4 + size);
    }
    return frames;
  }

  /** Makes the first chunk hold at least `n` bytes, joining chunks only when a frame spans them. */
  private gather(n: number): Buffer {
    let first = this.pending[0]!;
    if (first.length >= n) return first;
    first = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [first];
    return first;
  }

  private consume(n: number): void {
    const first = this.pending[0]!;
    if (first.length === n) this.pending.shift();
    else this.pending[0] = first.subarray(n);
    this.pendingBytes -= n;
  }
}
