// The aborted-transaction index: for every transaction an ABORT marker closed, its producer, first data
// offset, marker offset and the last stable offset when the marker was written. A read_committed Fetch
// returns the producers and first offsets of the aborted transactions overlapping what it read, and the
// consumer drops their records (Kafka's Log.collectAbortedTransactions).
//
// On disk it is Kafka's `<20-digit segment base>.txnindex` beside each segment, holding the entries whose
// marker lies in that segment, 34 bytes each:
//   int16 version (0) | int64 producerId | int64 firstOffset | int64 lastOffset | int64 lastStableOffset
// In memory all entries of the log are kept in marker order (34 bytes per aborted transaction still in
// the log). New entries are appended to their file (the active segment's) without an fsync; every file
// appended to is fsynced before the next producer-state snapshot is written, and a file whose entries
// changed otherwise (truncation, a cleaned segment, a first entry) is rewritten whole, atomically. So a
// crash loses at most entries of markers after the newest snapshot, which loading replays from the log
// anyway: loading reads every file (a torn last entry is ignored), keeps the entries the replay does not
// cover, and rewrites the files that disagree with the result.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readInt64, writeInt64 } from '../../protocol/bytes.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { openFile } from '../fs/file-layer.js';
import { writeAll } from '../fs/write-all.js';
import { unlinkIfExists } from './segment.js';

const TXN_INDEX_SUFFIX = '.txnindex';
const NAME_DIGITS = 20;
const VERSION = 0;
const ABORTED_TXN_BYTES = 34;

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** The ABORT marker's offset. */
  lastOffset: number;
  lastStableOffset: number;
}

/** What a read_committed Fetch returns per aborted transaction. */
export interface AbortedTxnRef {
  producerId: number;
  firstOffset: number;
}

function txnIndexFileName(baseOffset: number): string {
  return String(baseOffset).padStart(NAME_DIGITS, '0') + TXN_INDEX_SUFFIX;
}

function parseTxnIndexFileName(name: string): number | undefined {
  if (!name.endsWith(TXN_INDEX_SUFFIX)) return undefined;
  const digits = name.slice(0, -TXN_INDEX_SUFFIX.length);
  if (digits.length !== NAME_DIGITS || !/^\d+$/.test(digits)) return undefined;
  const base = Number(digits);
  return Number.isSafeInteger(base) ? base : undefined;
}

export function encodeTxnIndex(entries: readonly AbortedTxn[]): Buffer {
  const buf = Buffer.alloc(entries.length * ABORTED_TXN_BYTES);
  entries.forEach((e, i) => {
    const at = i * ABORTED_TXN_BYTES;
    buf.writeInt16BE(VERSION, at);
    writeInt64(buf, at + 2, e.producerId);
    writeInt64(buf, at + 10, e.firstOffset);
    writeInt64(buf, at + 18, e.lastOffset);
    writeInt64(buf, at + 26, e.lastStableOffset);
  });
  return buf;
}

/** The entries of a .txnindex file; a torn last entry (a crash mid-write of Kafka's appends) is ignored. */
export function decodeTxnIndex(buf: Buffer): AbortedTxn[] | string {
  const out: AbortedTxn[] = [];
  for (let at = 0; at + ABORTED_TXN_BYTES <= buf.length; at += ABORTED_TXN_BYTES) {
    const version = buf.readInt16BE(at);
    if (version !== VERSION) return `aborted transaction entry version ${version} is not ${VERSION}`;
    out.push({ producerId: readInt64(buf, at + 2), firstOffset: readInt64(buf, at + 10), lastOffset: readInt64(buf, at + 18), lastStableOffset: readInt64(buf, at + 26) });
  }
  return out;
}

/** Every aborted transaction of one log, in marker order. Pure: the log persists it (see persist). */
export class AbortedTxnIndex {
  private entries: AbortedTxn[] = [];

  constructor(entries: readonly AbortedTxn[] = []) {
    this.entries = [...entries].sort((a, b) => a.lastOffset - b.lastOffset);
  }

  get size(): number {
    return this.entries.length;
  }

  all(): readonly AbortedTxn[] {
    return this.entries;
  }

  /** Markers are appended in offset order. */
  add(txn: AbortedTxn): void {
    const last = this.entries.at(-1);
    if (last && last.lastOffset >= txn.lastOffset) throw new RangeError(`aborted transaction marker ${txn.lastOffset} is not after ${last.lastOffset}`);
    this.entries.push(txn);
  }

  /**
   * The aborted transactions a read of [fetchOffset, upperBound) overlaps (Kafka's collectAbortedTxns):
   * marker at or after fetchOffset, first offset below upperBound. The walk ends at the first entry whose
   * last stable offset reaches upperBound: no transaction still open when that marker was written starts
   * below upperBound, and later ones start after the marker.
   */
  collect(fetchOffset: number, upperBound: number): AbortedTxnRef[] {
    const out: AbortedTxnRef[] = [];
    for (let i = this.firstAtOrAfter(fetchOffset); i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.firstOffset < upperBound) out.push({ producerId: e.producerId, firstOffset: e.firstOffset });
      if (e.lastStableOffset >= upperBound) break;
    }
    return out;
  }

  /** Forgets entries whose marker is at or past `offset` (a truncated log end). */
  truncateFrom(offset: number): void {
    this.entries = this.entries.filter((e) => e.lastOffset < offset);
  }

  /** Forgets entries whose marker left the log (below the log start). */
  dropBelow(offset: number): void {
    this.entries = this.entries.filter((e) => e.lastOffset >= offset);
  }

  private firstAtOrAfter(offset: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Every entry of every .txnindex file in `dir`, deduplicated by marker offset, with the files' bases. */
export async function readTxnIndexFiles(dir: string): Promise<{ entries: AbortedTxn[]; files: TxnIndexFiles; problems: string[] }> {
  const files = new Map<number, AbortedTxn[]>();
  const byMarker = new Map<number, AbortedTxn>();
  const problems: string[] = [];
  for (const name of await readdir(dir)) {
    const base = parseTxnIndexFileName(name);
    if (base === undefined) continue;
    const decoded = decodeTxnIndex(await readFile(join(dir, name)));
    if (typeof decoded === 'string') {
      problems.push(`${name}: ${decoded}`);
      files.set(base, []);
      continue;
    }
    files.set(base, decoded);
    for (const e of decoded) byMarker.set(e.lastOffset, e);
  }
  return { entries: [...byMarker.values()], files: { onDisk: files, unsynced: new Set() }, problems };
}

/** What the .txnindex files of a log hold, by segment base, and which were appended to since their fsync. */
export interface TxnIndexFiles {
  onDisk: Map<number, AbortedTxn[]>;
  unsynced: Set<number>;
}

function sameEntry(a: AbortedTxn, b: AbortedTxn): boolean {
  return a.producerId === b.producerId && a.firstOffset === b.firstOffset && a.lastOffset === b.lastOffset && a.lastStableOffset === b.lastStableOffset;
}

/** Whether `prefix` is where `entries` begin. */
function startsWith(entries: readonly AbortedTxn[], prefix: readonly AbortedTxn[]): boolean {
  return prefix.length <= entries.length && prefix.every((e, i) => sameEntry(e, entries[i]!));
}

async function appendEntries(path: string, at: number, entries: readonly AbortedTxn[]): Promise<void> {
  const file = await openFile(path, 'r+');
  try {
    await writeAll(file, [encodeTxnIndex(entries)], at * ABORTED_TXN_BYTES);
  } finally {
    await file.close();
  }
}

/**
 * Makes the .txnindex files of `dir` hold `index` split by segment (`bases` ascending): a file per
 * segment with entries, none for the others. Entries added after a file's last one are appended (and
 * the file noted unsynced); a file that differs otherwise is replaced atomically. Updates `files`.
 */
export async function persistTxnIndex(dir: string, index: AbortedTxnIndex, bases: readonly number[], files: TxnIndexFiles): Promise<void> {
  // Entries and bases both ascend: one walk puts each entry in the segment holding its marker.
  const wanted = new Map<number, AbortedTxn[]>();
  let segment = 0;
  for (const entry of index.all()) {
    while (segment + 1 < bases.length && bases[segment + 1]! <= entry.lastOffset) segment++;
    const base = bases[segment];
    if (base === undefined || entry.lastOffset < base) continue;
    let list = wanted.get(base);
    if (!list) wanted.set(base, (list = []));
    list.push(entry);
  }
  for (const [base, entries] of wanted) {
    const current = files.onDisk.get(base);
    const path = join(dir, txnIndexFileName(base));
    if (current && current.length > 0 && startsWith(entries, current)) {
      if (entries.length === current.length) continue;
      await appendEntries(path, current.length, entries.slice(current.length));
      files.unsynced.add(base);
    } else {
      await writeFileAtomic(path, encodeTxnIndex(entries));
      files.unsynced.delete(base);
    }
    files.onDisk.set(base, entries);
  }
  for (const base of [...files.onDisk.keys()]) {
    if (wanted.has(base)) continue;
    await unlinkIfExists(join(dir, txnIndexFileName(base)));
    files.onDisk.delete(base);
    files.unsynced.delete(base);
  }
}

/**
 * Adds one new entry (a marker just written) to the file of segment `base`: appended, or the file
 * created; nothing if the file has it already (a full persist ran after the entry was indexed).
 */
export async function appendTxnIndexEntry(dir: string, base: number, entry: AbortedTxn, files: TxnIndexFiles): Promise<void> {
  const current = files.onDisk.get(base);
  if (current && current.length > 0 && current.at(-1)!.lastOffset >= entry.lastOffset) return;
  const path = join(dir, txnIndexFileName(base));
  if (current && current.length > 0) {
    await appendEntries(path, current.length, [entry]);
    files.unsynced.add(base);
    current.push(entry);
    return;
  }
  await writeFileAtomic(path, encodeTxnIndex([entry]));
  files.unsynced.delete(base);
  files.onDisk.set(base, [entry]);
}

/** fsyncs the files appended to since their last fsync (before a snapshot that relies on them). */
export async function syncTxnIndexFiles(dir: string, files: TxnIndexFiles): Promise<void> {
  for (const base of [...files.unsynced]) {
    const file = await openFile(join(dir, txnIndexFileName(base)), 'r+');
    try {
      await file.datasync();
    } finally {
      await file.close();
    }
    files.unsynced.delete(base);
  }
}
