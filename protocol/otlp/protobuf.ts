// Protocol Buffers wire format, reading only: what the OTLP metrics decoder needs. Every read is
// bounds-checked against the message's own window, so a length that points past its parent, a varint
// longer than ten bytes or a wire type protobuf does not define is a DecodeError, never a crash or a read
// of a neighbour's bytes.
import { DecodeError } from '../bytes.js';

export const WireType = { Varint: 0, Fixed64: 1, Len: 2, Fixed32: 5 } as const;

export interface FieldTag {
  readonly field: number;
  readonly wireType: number;
}

export class ProtoReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new DecodeError(`protobuf: need ${n} bytes at ${this.pos}, message ends at ${this.end}`);
  }

  /** A varint of up to 64 bits, as a bigint (two's complement: int64's negatives come back as 2^64 - n). */
  varintBig(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new DecodeError('protobuf: varint longer than 10 bytes');
  }

  /** A varint that must fit 32 bits unsigned: tags, lengths, enums, uint32 fields. */
  uint32(): number {
    const v = this.varintBig();
    if (v > 0xffff_ffffn) throw new DecodeError('protobuf: varint exceeds 32 bits');
    return Number(v);
  }

  int64(): number {
    return Number(BigInt.asIntN(64, this.varintBig()));
  }

  bool(): boolean {
    return this.varintBig() !== 0n;
  }

  fixed64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  sfixed64(): number {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return Number(v);
  }

  double(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  tag(): FieldTag {
    const key = this.uint32();
    const field = key >>> 3;
    if (field === 0) throw new DecodeError('protobuf: field number 0');
    return { field, wireType: key & 7 };
  }

  /** The window of a length-delimited field, consumed here; read it with a reader of its own. */
  sub(): ProtoReader {
    const len = this.uint32();
    this.need(len);
    const r = new ProtoReader(this.buf, this.pos, this.pos + len);
    this.pos += len;
    return r;
  }

  bytes(): Buffer {
    const len = this.uint32();
    this.need(len);
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  string(): string {
    return this.bytes().toString('utf8');
  }

  /** Skips a field of any defined wire type (unknown fields are ignored, as protobuf readers must). */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.varintBig();
        return;
      case WireType.Fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.Len:
        this.sub();
        return;
      case WireType.Fixed32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        // 3 and 4 are proto2 groups, which OTLP never uses; 6 and 7 are undefined.
        throw new DecodeError(`protobuf: unsupported wire type ${wireType}`);
    }
  }

  /** Throws unless a field has the wire type its schema gives it. */
  static expect(tag: FieldTag, wireType: number): void {
    if (tag.wireType !== wireType) throw new DecodeError(`protobuf: field ${tag.field} has wire type ${tag.wireType}, expected ${wireType}`);
  }
}
