// Deterministic records for the produce/consume round trips with real clients, and the JSON form the
// Python drivers exchange (bytes as hex, null as null), so keys, values and headers compare byte for byte.

/** The codecs as the clients name them, in the order of Kafka's codec ids: a codec's id is its index. */
export const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/** A header as clients hand it over: a UTF-8 name and a value that may be null. */
export type Header = [name: string, value: Buffer | null];

export interface TestRecord {
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Header[];
  /** CreateTime in ms. */
  timestamp: number;
}

/** What a client read back: a record at an offset. */
export interface ReadRecord extends TestRecord {
  offset: number;
}

export type WireHeader = [name: string, value: string | null];

export interface WireRecord {
  partition: number;
  key: string | null;
  value: string | null;
  headers: WireHeader[];
  timestamp: number;
}

export interface WireReadRecord extends WireRecord {
  offset: number;
}

/** What a client can write, and so what the generator may ask of it. */
export interface Writable {
  nullKeys: boolean;
  nullValues: boolean;
  nullKeyEmptyValue: boolean;
  nullKeyNullValue: boolean;
  /** Headers on each record; kcat sets them per run instead. */
  headers: boolean;
  nullHeaderValues: boolean;
}

/** kcat: no null values (only -Z, which also turns empty keys null), and empty input is skipped. */
export const KCAT_WRITES: Writable = {
  nullKeys: true,
  nullValues: false,
  nullKeyEmptyValue: false,
  nullKeyNullValue: false,
  headers: false,
  nullHeaderValues: false,
};

/** confluent-kafka-python (librdkafka): everything. */
export const CONFLUENT_WRITES: Writable = {
  nullKeys: true,
  nullValues: true,
  nullKeyEmptyValue: true,
  nullKeyNullValue: true,
  headers: true,
  nullHeaderValues: true,
};

/** kafka-python: send() refuses a null key with a null value, and header values that are not bytes. */
export const KAFKA_PYTHON_WRITES: Writable = { ...CONFLUENT_WRITES, nullKeyNullValue: false, nullHeaderValues: false };

export interface RecordShape extends Writable {
  count: number;
  partitions: number;
  /** CreateTime of the first record; each next record is one second later. */
  baseTimestamp: number;
  /** Byte strings no key or value may contain (a text client's delimiters). */
  avoid?: Buffer[];
}

/** Bytes 0x00 to 0xff in order, `times` over. */
function everyByte(times: number): Buffer {
  return Buffer.from(Array.from({ length: 256 * times }, (_, i) => i & 0xff));
}

/** mulberry32: a small seeded generator, so every run writes the same records. */
function generator(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * below);
  };
}

const TEXT = Buffer.from('the quick brown fox jumps over the lazy dog; 0123456789 ');
const HEADER_NAMES = ['trace-id', 'content-type', 'héader-ü', 'x', 'retry.count'];
/** Long enough that codecs work across many blocks (lz4 frames hold 64 KiB blocks). */
const LARGE_VALUE_BYTES = 256 * 1024;

/**
 * `shape.count` records: first the edge cases the shape allows (every byte value, an empty key and value,
 * a null key, a null value, one large value), then keys, values and headers of random length and content,
 * half of the values text-like so that compression has something to do.
 */
export function makeRecords(seed: number, shape: RecordShape): TestRecord[] {
  const random = generator(seed);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => random(256)));
  const text = (n: number) => Buffer.from(Array.from({ length: n }, () => TEXT[random(TEXT.length)]!));
  const headers = (): Header[] => {
    if (!shape.headers) return [];
    return Array.from({ length: random(4) }, () => {
      const roll = random(8);
      const value = roll === 0 && shape.nullHeaderValues ? null : roll === 1 ? Buffer.alloc(0) : bytes(1 + random(32));
      return [HEADER_NAMES[random(HEADER_NAMES.length)]!, value];
    });
  };
  const edgeCases: Array<Pick<TestRecord, 'key' | 'value'>> = [
    { key: everyByte(1).reverse(), value: everyByte(4) },
    { key: Buffer.alloc(0), value: Buffer.alloc(0) },
    ...(shape.nullKeys ? [{ key: null, value: Buffer.from('a record without a key') }] : []),
    ...(shape.nullValues ? [{ key: Buffer.from('tombstone'), value: null }] : []),
    ...(shape.nullKeyNullValue ? [{ key: null, value: null }] : []),
    ...(shape.nullKeyEmptyValue ? [{ key: null, value: Buffer.alloc(0) }] : []),
    { key: Buffer.from('large'), value: text(LARGE_VALUE_BYTES) },
  ];
  const records = Array.from({ length: shape.count }, (_, i): TestRecord => {
    const edge = edgeCases[i];
    const key = edge ? edge.key : shape.nullKeys && random(8) === 0 ? null : bytes(random(25));
    const length = key === null && !shape.nullKeyEmptyValue ? 1 + random(400) : random(400);
    const value = edge ? edge.value : random(2) === 0 ? text(length) : bytes(length);
    return { partition: random(shape.partitions), key, value, headers: headers(), timestamp: shape.baseTimestamp + i * 1000 };
  });
  for (const { key, value } of records) {
    for (const part of [key, value]) {
      if (part && shape.avoid?.some((d) => part.includes(d))) throw new Error(`seed ${seed} writes a delimiter; pick another`);
    }
  }
  return records;
}

const hex = (b: Buffer | null) => (b === null ? null : b.toString('hex'));

export function toWire(r: TestRecord): WireRecord {
  return { partition: r.partition, key: hex(r.key), value: hex(r.value), headers: r.headers.map(([n, v]) => [n, hex(v)]), timestamp: r.timestamp };
}

export function toWireRead(r: ReadRecord): WireReadRecord {
  return { ...toWire(r), offset: r.offset };
}

/** Where a producer's delivery report says a record landed. */
export interface Delivery {
  partition: number;
  offset: number;
}

/**
 * The records as a consumer should read them, given where each landed: ordered by partition and offset.
 * Also checks what a fresh topic promises: each partition's offsets run 0, 1, 2, ... in the order sent.
 */
export function expectedReads(records: TestRecord[], deliveries: Delivery[]): ReadRecord[] {
  if (deliveries.length !== records.length) throw new Error(`${deliveries.length} delivery reports for ${records.length} records`);
  const next = new Map<number, number>();
  const reads = records.map((r, i): ReadRecord => {
    const { partition, offset } = deliveries[i]!;
    if (partition !== r.partition) throw new Error(`record ${i} was sent to partition ${r.partition} but landed in ${partition}`);
    const expected = next.get(partition) ?? 0;
    if (offset !== expected) throw new Error(`record ${i} landed at ${partition}@${offset}, not at the next offset ${expected}`);
    next.set(partition, offset + 1);
    return { ...r, offset };
  });
  return sortReads(reads);
}

export function sortReads<T extends { partition: number; offset: number }>(reads: T[]): T[] {
  return [...reads].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** Each partition's next offset once `records` are in a fresh topic of `partitions` partitions. */
export function endOffsets(records: TestRecord[], partitions: number): number[] {
  const ends = Array.from({ length: partitions }, () => 0);
  for (const r of records) ends[r.partition]!++;
  return ends;
}
