// The in-memory Raft log of one server: the last snapshot's position and the entries after it. The
// shell keeps the durable copy; this is the core's view, which may run ahead of the disk.
import type { Entry, Snapshot } from './types.js';

/** What an entry costs in a message besides its payload (index, term, counter, lengths). */
export const ENTRY_OVERHEAD_BYTES = 32;

export function entryBytes(e: Entry): number {
  return ENTRY_OVERHEAD_BYTES + (e.data?.length ?? 0);
}

export class RaftLog {
  private entries: Entry[];
  private snap: Snapshot | null;

  constructor(snapshot: Snapshot | null, entries: readonly Entry[]) {
    this.snap = snapshot;
    this.entries = [...entries];
    const first = this.snapshotIndex() + 1;
    this.entries.forEach((e, k) => {
      if (e.index !== first + k) throw new Error(`log entry ${e.index} found where ${first + k} belongs`);
    });
  }

  snapshot(): Snapshot | null {
    return this.snap;
  }

  snapshotIndex(): number {
    return this.snap?.index ?? 0;
  }

  firstIndex(): number {
    return this.snapshotIndex() + 1;
  }

  lastIndex(): number {
    return this.snapshotIndex() + this.entries.length;
  }

  /** The term at `index`, or undefined when it was compacted away or is beyond the log. */
  term(index: number): number | undefined {
    if (index === this.snapshotIndex()) return this.snap?.term ?? 0;
    return this.entry(index)?.term;
  }

  lastTerm(): number {
    return this.term(this.lastIndex())!;
  }

  lastCounter(): number {
    return this.entries.at(-1)?.counter ?? this.snap?.counter ?? 0;
  }

  entry(index: number): Entry | undefined {
    return this.entries[index - this.firstIndex()];
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Raft's election restriction: a candidate's log is at least as up to date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    return lastTerm > this.lastTerm() || (lastTerm === this.lastTerm() && lastIndex >= this.lastIndex());
  }

  /** Entries from `from` to `to` inclusive, stopping before `bytesMax` is exceeded but taking at least one. */
  slice(from: number, to: number, bytesMax = Infinity): Entry[] {
    if (from < this.firstIndex()) throw new Error(`entries from ${from} were compacted (first is ${this.firstIndex()})`);
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = from; i <= Math.min(to, this.lastIndex()); i++) {
      const e = this.entry(i)!;
      bytes += entryBytes(e);
      if (out.length > 0 && bytes > bytesMax) break;
      out.push(e);
    }
    return out;
  }

  /** The index of the first entry that is new or disagrees with ours, or 0 if we hold them all. */
  findConflict(entries: readonly Entry[]): number {
    for (const e of entries) if (!this.matchTerm(e.index, e.term)) return e.index;
    return 0;
  }

  /**
   * The largest index at or below `index` whose term is at most `term`: everything between it and
   * `index` belongs to terms the other log cannot share, so a probe may skip them in one step.
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    while (i > this.snapshotIndex() && this.term(i)! > term) i--;
    return i;
  }

  /** Replace everything from entries[0].index on with `entries`. */
  truncateAndAppend(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const from = entries[0]!.index;
    if (from < this.firstIndex() || from > this.lastIndex() + 1) throw new Error(`cannot append at ${from} to a log of ${this.firstIndex()}..${this.lastIndex()}`);
    this.entries.length = from - this.firstIndex();
    for (const e of entries) this.entries.push(e);
  }

  /** Drop the entries a local snapshot covers; the entries after it stay. */
  compact(snapshot: Snapshot): void {
    if (snapshot.index <= this.snapshotIndex() || snapshot.index > this.lastIndex()) throw new Error(`cannot compact to ${snapshot.index}`);
    this.entries = this.entries.slice(snapshot.index - this.snapshotIndex());
    this.snap = snapshot;
  }

  /** Replace the whole log with a leader's snapshot. */
  restore(snapshot: Snapshot): void {
    this.entries = [];
    this.snap = snapshot;
  }
}
