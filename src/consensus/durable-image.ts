// What a server's disk holds, changed as Persist writes change it. The one statement of those rules:
// the simulation's disks, the in-memory storage of tests, and the file storage's recovery (replaying
// its records) all go through it.
import type { DurableState, Entry, HardState, Persist, Snapshot } from './types.js';

export const INITIAL_HARD_STATE: HardState = { term: 0, vote: 0, commit: 0 };

/** A write that cannot apply to the image: the log would have a hole or go backwards. */
export class DurableImageError extends Error {
  override readonly name = 'DurableImageError';
}

/**
 * The snapshot type is open so recovery can replay with references to snapshot files (index and term)
 * and load only the file in force at the end.
 */
export class DurableImage<S extends { readonly index: number } = Snapshot> {
  hardState: HardState = INITIAL_HARD_STATE;
  snapshot: S | null = null;
  private entries: Entry[] = [];

  snapshotIndex(): number {
    return this.snapshot?.index ?? 0;
  }

  lastIndex(): number {
    return this.entries.at(-1)?.index ?? this.snapshotIndex();
  }

  /** The snapshot is in force; the entries it covers go. A snapshot never moves back. */
  installSnapshot(s: S): void {
    if (s.index < this.snapshotIndex()) throw new DurableImageError(`snapshot ${s.index} is older than the one in force (${this.snapshotIndex()})`);
    this.snapshot = s;
    this.entries = this.entries.slice(Math.max(0, s.index - this.firstEntryIndex() + 1));
  }

  /** Entries at and after `from` go. */
  truncate(from: number): void {
    this.entries.length = Math.min(this.entries.length, Math.max(0, from - this.firstEntryIndex()));
  }

  /** Entries are consecutive (append sees to it), so positions follow from the first index. */
  private firstEntryIndex(): number {
    return this.entries[0]?.index ?? this.snapshotIndex() + 1;
  }

  /**
   * Appends the entry after the last one. Into an empty log any index past the snapshot is taken:
   * recovery may begin reading after entries a later snapshot covers; `gap()` says whether they line up.
   */
  append(e: Entry): void {
    const last = this.entries.at(-1);
    if (last ? e.index !== last.index + 1 : e.index <= this.snapshotIndex()) {
      throw new DurableImageError(`entry ${e.index} cannot follow ${last ? `entry ${last.index}` : `snapshot ${this.snapshotIndex()}`}`);
    }
    this.entries.push(e);
  }

  /** Why the entries do not begin right after the snapshot, or null when they do (or there are none). */
  gap(): string | null {
    const first = this.entries[0];
    return first && first.index !== this.snapshotIndex() + 1 ? `entries ${this.snapshotIndex() + 1} to ${first.index - 1} are missing` : null;
  }

  /** Applies one Persist, in its documented order; throws DurableImageError if it leaves a hole. */
  apply(this: DurableImage<Snapshot>, p: Persist): void {
    if (p.snapshot) this.installSnapshot(p.snapshot);
    if (p.truncateFrom !== null) this.truncate(p.truncateFrom);
    for (const e of p.entries) this.append(e);
    if (p.hardState) this.hardState = p.hardState;
    const gap = this.gap();
    if (gap) throw new DurableImageError(`persist ${p.seq}: ${gap}`);
  }

  /** The image as a restarted core takes it (entries are immutable, the list is a copy). */
  state(this: DurableImage<Snapshot>): DurableState {
    return { hardState: this.hardState, snapshot: this.snapshot, entries: [...this.entries] };
  }

  /** The entries, oldest first (do not change them). */
  log(): readonly Entry[] {
    return this.entries;
  }
}
