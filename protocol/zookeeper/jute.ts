// Jute, ZooKeeper's record serialization, as data: each record is a list of typed fields, and one
// generic reader/writer walks that list. Every length read from the wire is checked against the bytes
// actually present before anything is allocated, so hostile lengths end in DecodeError, never in a
// huge allocation.
import { DecodeError, type Reader, type Writer } from '../bytes.js';

export interface JuteType<T> {
  read(r: Reader): T;
  write(w: Writer, v: T): void;
}

/** The value type a jute type describes. */
export type JuteValue<J> = J extends JuteType<infer T> ? T : never;

export const int: JuteType<number> = {
  read: (r) => r.int32(),
  write: (w, v) => void w.int32(v),
};

export const long: JuteType<number> = {
  read: (r) => r.int64(),
  write: (w, v) => void w.int64(v),
};

/** An int64 as an exact bigint: session ids carry the server id in their top byte. */
export const bigLong: JuteType<bigint> = {
  read: (r) => r.bigint64(),
  write: (w, v) => void w.bigint64(v),
};

const INT64_MAX = (1n << 63n) - 1n;

/**
 * A zxid. Clients compare zxids as the signed longs they are in Java, so one that wrapped negative
 * would sort before every earlier one: the only negative zxid a server writes is -1, the "no
 * transaction" of a watch notification. Anything else out of range is a bug, thrown here.
 */
export const zxid: JuteType<bigint> = {
  read: (r) => r.bigint64(),
  write(w, v) {
    if (v < -1n || v > INT64_MAX) throw new RangeError(`zxid ${v} is not in -1..2^63-1`);
    w.bigint64(v);
  },
};

export const bool: JuteType<boolean> = {
  read: (r) => r.uint8() !== 0,
  write: (w, v) => void w.uint8(v ? 1 : 0),
};

function length(r: Reader, what: string): number {
  const n = r.int32();
  if (n < -1) throw new DecodeError(`negative ${what} length ${n}`);
  if (n > r.remaining) throw new DecodeError(`${what} length ${n} exceeds the ${r.remaining} bytes left`);
  return n;
}

/** Bytes; jute's null (length -1) stays null, as ZooKeeper distinguishes null data from empty data. */
export const buffer: JuteType<Buffer | null> = {
  read(r) {
    const n = length(r, 'buffer');
    return n < 0 ? null : r.bytes(n);
  },
  write(w, v) {
    if (v === null) {
      w.int32(-1);
      return;
    }
    w.int32(v.length);
    w.raw(v);
  },
};

/** UTF-8 text; a null string (length -1) reads as empty, which no path or scheme may be. */
export const ustring: JuteType<string> = {
  read(r) {
    const n = length(r, 'string');
    return n <= 0 ? '' : r.utf8(n);
  },
  write(w, v) {
    w.int32(Buffer.byteLength(v));
    w.utf8(v);
  },
};

/** A counted list; a null vector (count -1) reads as empty. Each element takes at least one byte. */
export function vector<T>(item: JuteType<T>): JuteType<readonly T[]> {
  return {
    read(r) {
      const n = length(r, 'vector');
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(item.read(r));
      return out;
    },
    write(w, v) {
      w.int32(v.length);
      for (const x of v) item.write(w, x);
    },
  };
}

type Fields = Record<string, JuteType<any>>;
export type RecordValue<F extends Fields> = { [K in keyof F]: JuteValue<F[K]> };

export interface JuteRecord<F extends Fields> extends JuteType<RecordValue<F>> {
  readonly fields: F;
}

/** A record: its fields in wire order (object key order). */
export function record<F extends Fields>(fields: F): JuteRecord<F> {
  const names = Object.keys(fields);
  const types = names.map((n) => fields[n]!);
  const count = names.length;
  return {
    fields,
    read(r) {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) out[names[i]!] = types[i]!.read(r);
      return out as RecordValue<F>;
    },
    write(w, v) {
      const values = v as Record<string, unknown>;
      for (let i = 0; i < count; i++) types[i]!.write(w, values[names[i]!]);
    },
  };
}
