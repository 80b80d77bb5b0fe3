// Bounds-checked big-endian byte reading and chunked writing, shared by the Kafka and ZooKeeper codecs.
//
// 64-bit integers travel as JS numbers: every offset, timestamp, zxid and session id a real cluster
// produces fits in 2^53. Values beyond that (Long.MAX_VALUE sentinels) decode with lost precision and
// encode saturated to the int64 range, so a sentinel read and written back keeps its meaning.

/** Malformed input: the bytes do not describe a valid value. Callers turn it into a protocol error. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

const TWO_32 = 0x1_0000_0000;
const INT64_MAX = 9223372036854775807;
const INT64_MIN = -9223372036854775808;

export class Reader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    pos = 0,
    end = buf.length,
  ) {
    if (pos < 0 || end > buf.length || pos > end) throw new RangeError(`bad reader window ${pos}..${end}`);
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws DecodeError unless `n` more bytes are available. */
  need(n: number): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new DecodeError(`need ${n} bytes at ${this.pos}, have ${this.end - this.pos}`);
    }
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  uint8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): number {
    this.need(8);
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  /** An int64 exactly, as a bigint (ids and zxids that may exceed 2^53). */
  bigint64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  float64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Unsigned varint of at most 32 bits (KIP-482 lengths and tags). */
  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.uint8();
      if (shift === 28 && b > 0x0f) throw new DecodeError('unsigned varint exceeds 32 bits');
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new DecodeError('unsigned varint longer than 5 bytes');
  }

  /** Zigzag-encoded signed varint of at most 32 bits (record fields). */
  varint(): number {
    const raw = this.uvarint();
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** Zigzag-encoded signed varint of at most 64 bits (record timestamp deltas). */
  varlong(): number {
    let raw = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      const b = this.uint8();
      if (shift === 63 && b > 0x01) throw new DecodeError('varlong exceeds 64 bits');
      raw += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    }
    throw new DecodeError('varlong longer than 10 bytes');
  }

  /** The next `n` bytes as a view of the underlying buffer (no copy). */
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  utf8(n: number): string {
    this.need(n);
    const v = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** A reader over the next `n` bytes; this reader moves past them. */
  sub(n: number): Reader {
    this.need(n);
    const r = new Reader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
}

/** Byte count of `value` as an unsigned varint. */
export function uvarintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

function zigzag32(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Byte count of `value` as a zigzag signed varint. */
export function varintSize(value: number): number {
  return uvarintSize(zigzag32(value));
}

const CHUNK_BYTES = 16 * 1024;
/** Buffers at least this large are kept by reference instead of copied. */
const BY_REFERENCE_BYTES = 1024;

/**
 * Writes into a list of chunks. Large buffers handed to `raw` are kept by reference, so stored record
 * batches pass from disk to socket without a copy; the caller must not change them afterwards.
 */
export class Writer {
  private chunks: Buffer[] = [];
  private cur: Buffer;
  private pos = 0;
  private doneBytes = 0;

  constructor(initialBytes = 256) {
    this.cur = Buffer.allocUnsafe(initialBytes);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.doneBytes + this.pos;
  }

  private room(n: number): void {
    if (this.pos + n <= this.cur.length) return;
    this.seal();
    this.cur = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, n));
  }

  private seal(): void {
    if (this.pos > 0) {
      this.chunks.push(this.cur.subarray(0, this.pos));
      this.doneBytes += this.pos;
    }
    this.cur = this.cur.subarray(this.pos);
    this.pos = 0;
  }

  int8(v: number): this {
    this.room(1);
    this.cur.writeInt8(v, this.pos++);
    return this;
  }

  uint8(v: number): this {
    this.room(1);
    this.cur[this.pos++] = v;
    return this;
  }

  int16(v: number): this {
    this.room(2);
    this.cur.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  uint16(v: number): this {
    this.room(2);
    this.cur.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.room(4);
    this.cur.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.room(4);
    this.cur.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: number): this {
    this.room(8);
    writeInt64(this.cur, this.pos, v);
    this.pos += 8;
    return this;
  }

  /** An int64 exactly; values outside the signed 64-bit range are a bug, not saturated. */
  bigint64(v: bigint): this {
    this.room(8);
    this.cur.writeBigInt64BE(v, this.pos);
    this.pos += 8;
    return this;
  }

  float64(v: number): this {
    this.room(8);
    this.cur.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  uvarint(v: number): this {
    if (v < 0 || !Number.isInteger(v)) throw new RangeError(`uvarint out of range: ${v}`);
    this.room(10);
    while (v >= 0x80) {
      this.cur[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.cur[this.pos++] = v;
    return this;
  }

  varint(v: number): this {
    return this.uvarint(zigzag32(v));
  }

  varlong(v: number): this {
    return this.uvarint(zigzag32(v));
  }

  /** Appends bytes; large ones by reference (see the class comment). */
  raw(b: Uint8Array): this {
    if (b.length >= BY_REFERENCE_BYTES) {
      this.seal();
      this.chunks.push(b instanceof Buffer ? b : Buffer.from(b.buffer, b.byteOffset, b.length));
      this.doneBytes += b.length;
      return this;
    }
    this.room(b.length);
    this.cur.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  utf8(s: string): this {
    const n = Buffer.byteLength(s);
    this.room(n);
    this.cur.write(s, this.pos, 'utf8');
    this.pos += n;
    return this;
  }

  /** Reserves an int32 to be filled in later, such as a size prefix. */
  reserveInt32(): (value: number) => void {
    this.room(4);
    const buf = this.cur;
    const at = this.pos;
    this.pos += 4;
    return (value) => buf.writeInt32BE(value, at);
  }

  /** The written bytes as chunks; the writer must not be used afterwards. */
  chunksOut(): Buffer[] {
    this.seal();
    return this.chunks;
  }

  toBuffer(): Buffer {
    const chunks = this.chunksOut();
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.doneBytes);
  }
}

/** Writes a saturated int64 at `offset`, without BigInt on the hot path. */
export function writeInt64(buf: Buffer, offset: number, v: number): void {
  if (!Number.isInteger(v)) throw new RangeError(`int64 must be an integer: ${v}`);
  if (v >= INT64_MAX) {
    buf.writeUInt32BE(0x7fffffff, offset);
    buf.writeUInt32BE(0xffffffff, offset + 4);
    return;
  }
  if (v <= INT64_MIN) {
    buf.writeUInt32BE(0x80000000, offset);
    buf.writeUInt32BE(0, offset + 4);
    return;
  }
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi, offset);
  buf.writeUInt32BE(v - hi * TWO_32, offset + 4);
}

export function readInt64(buf: Buffer, offset: number): number {
  return buf.readInt32BE(offset) * TWO_32 + buf.readUInt32BE(offset + 4);
}
