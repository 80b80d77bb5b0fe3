// Just enough DER (X.690) to walk a PKCS#12 file and Kerberos messages: tag, length, contents, object
// identifiers and integers, and to write the few elements Kerberos answers are made of. Node reads
// keystores itself (the `pfx` option) but refuses a PKCS#12 file that holds certificates and no key, which
// is what a truststore is; Node has no Kerberos at all.

/** A DER element: its tag byte and its contents (a view of the input). */
export interface DerNode {
  tag: number;
  contents: Buffer;
}

export const DerTag = {
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  OID: 0x06,
  BIT_STRING: 0x03,
  GENERALIZED_TIME: 0x18,
  GENERAL_STRING: 0x1b,
  SEQUENCE: 0x30,
  SET: 0x31,
  /** [0] constructed (EXPLICIT, or IMPLICIT of a constructed type). */
  CONTEXT_0: 0xa0,
  /** [0] primitive (IMPLICIT OCTET STRING). */
  CONTEXT_0_PRIMITIVE: 0x80,
} as const;

/** Lengths beyond this many bytes are refused: no field of a keystore comes near 2^32. */
const MAX_LENGTH_BYTES = 4;

export class DerError extends Error {
  override readonly name = 'DerError';
}

/** The elements one after another in `bytes` (a SEQUENCE's or SET's contents). */
export function derChildren(bytes: Buffer): DerNode[] {
  const out: DerNode[] = [];
  let at = 0;
  while (at < bytes.length) {
    const { node, next } = readNode(bytes, at);
    out.push(node);
    at = next;
  }
  return out;
}

/** The single element `bytes` holds. */
export function derRoot(bytes: Buffer): DerNode {
  const { node, next } = readNode(bytes, 0);
  if (next !== bytes.length) throw new DerError(`${bytes.length - next} bytes after the outermost element`);
  return node;
}

function readNode(bytes: Buffer, at: number): { node: DerNode; next: number } {
  if (at + 2 > bytes.length) throw new DerError('element cut short');
  const tag = bytes[at]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not used in keystores or Kerberos');
  let length = bytes[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > MAX_LENGTH_BYTES) throw new DerError(`length of ${n} bytes`);
    if (start + n > bytes.length) throw new DerError('length cut short');
    length = bytes.readUIntBE(start, n);
    start += n;
  }
  const end = start + length;
  if (end > bytes.length) throw new DerError(`element of ${length} bytes runs past the end`);
  return { node: { tag, contents: bytes.subarray(start, end) }, next: end };
}

/** Checks the tag and returns the node (for reading a structure field by field). */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node || node.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got ${node ? `0x${node.tag.toString(16)}` : 'nothing'}`);
  return node;
}

/** An OBJECT IDENTIFIER's contents in dotted form. */
export function oidString(contents: Buffer): string {
  if (contents.length === 0) throw new DerError('empty object identifier');
  const arcs: number[] = [];
  let value = 0;
  for (const byte of contents) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

/** A non-negative INTEGER's contents as a number (iteration counts, key lengths). */
export function smallInteger(contents: Buffer): number {
  if (contents.length === 0 || contents.length > 6) throw new DerError(`integer of ${contents.length} bytes`);
  return contents.readUIntBE(0, contents.length);
}

/** A (possibly negative) INTEGER's contents as a number; Kerberos's Int32, UInt32 and Microseconds fit. */
export function signedInteger(contents: Buffer): number {
  if (contents.length === 0 || contents.length > 6) throw new DerError(`integer of ${contents.length} bytes`);
  return contents.readIntBE(0, contents.length);
}

/** One element: tag, DER length, contents. */
export function derElement(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : n < 0x10000 ? Buffer.from([0x82, n >> 8, n & 0xff]) : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

/** An INTEGER in the fewest bytes two's complement allows. */
export function derInteger(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v !== 0 && v !== -1);
  // A positive number whose top bit is set needs a leading zero; a negative one whose top bit is clear, 0xff.
  if (value >= 0 && bytes[0]! & 0x80) bytes.unshift(0);
  if (value < 0 && !(bytes[0]! & 0x80)) bytes.unshift(0xff);
  return derElement(DerTag.INTEGER, Buffer.from(bytes));
}
