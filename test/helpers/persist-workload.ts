// Persists shaped as the consensus core issues them (appends in the current term, truncations of the
// uncommitted tail followed by a new term's entries, commit and vote changes, compaction snapshots up to
// the commit point, a leader's snapshot that replaces the whole log), drawn from a seed, for tests of
// Raft storage. `expected` gives what a disk holds after each Persist, by the DurableImage rules.
import { DurableImage } from '../../src/consensus/durable-image.js';
import type { DurableState, Entry, Membership, Persist, Snapshot } from '../../src/consensus/types.js';
import { Rng } from '../sim/harness/rng.js';

export interface WorkloadOptions {
  snapshots?: boolean;
  restores?: boolean;
  truncations?: boolean;
  dataBytesMax?: number;
}

const MEMBERSHIPS: Membership[] = [
  { voters: [1, 2, 3], learners: [] },
  { voters: [1, 2, 3], learners: [4] },
  { voters: [1, 2, 3, 4], learners: [] },
];

export class PersistWorkload {
  private readonly rng: Rng;
  private snapshot: Snapshot | null = null;
  private entries: Entry[] = [];
  private term = 1;
  private vote = 1;
  private commit = 0;
  private counter = 0;
  private membership = MEMBERSHIPS[0]!;
  private readonly image = new DurableImage();

  constructor(
    seed: number,
    private readonly opts: WorkloadOptions = {},
  ) {
    this.rng = new Rng(seed);
  }

  /** The next Persist (numbered `seq`: each incarnation of a storage counts from 1) and the image after it. */
  next(seq: number): { persist: Persist; expected: DurableState } {
    const r = this.rng;
    const o = { snapshots: true, restores: true, truncations: true, dataBytesMax: 300, ...this.opts };
    let snapshot: Snapshot | null = null;
    let truncateFrom: number | null = null;
    const roll = r.next();
    if (o.restores && roll < 0.04) {
      // A leader's snapshot beyond this log: everything here goes.
      if (r.chance(0.5)) this.newTerm();
      this.counter += r.int(1, 5);
      snapshot = { index: this.lastIndex() + r.int(1, 8), term: this.term, counter: this.counter, membership: this.membership, data: this.bytes(o.dataBytesMax * 4) };
      this.snapshot = snapshot;
      this.entries = [];
      this.commit = snapshot.index;
      truncateFrom = snapshot.index + 1;
    } else if (o.snapshots && roll < 0.12 && this.commit > this.snapshotIndex()) {
      const e = this.entry(r.int(this.snapshotIndex() + 1, this.commit));
      snapshot = { index: e.index, term: e.term, counter: e.counter, membership: this.membership, data: this.bytes(o.dataBytesMax * 4) };
      this.entries = this.entries.filter((x) => x.index > e.index);
      this.snapshot = snapshot;
    } else if (o.truncations && roll < 0.25 && this.lastIndex() > this.commit) {
      truncateFrom = r.int(Math.max(this.commit, this.snapshotIndex()) + 1, this.lastIndex());
      this.entries = this.entries.filter((x) => x.index < truncateFrom!);
      this.newTerm();
    }
    if (truncateFrom !== null || r.chance(0.8)) {
      const n = r.int(truncateFrom === null ? 1 : 0, 4);
      truncateFrom ??= this.lastIndex() + 1;
      for (let i = 0; i < n; i++) this.append(o.dataBytesMax);
    }
    if (r.chance(0.5)) this.commit = r.int(this.commit, this.lastIndex());
    if (r.chance(0.05)) this.newTerm();
    const persist: Persist = {
      seq,
      snapshot,
      truncateFrom,
      entries: truncateFrom === null ? [] : this.entries.filter((e) => e.index >= truncateFrom!),
      hardState: r.chance(0.9) ? { term: this.term, vote: this.vote, commit: this.commit } : null,
    };
    this.image.apply(persist);
    return { persist, expected: this.image.state() };
  }

  private append(dataBytesMax: number): void {
    const r = this.rng;
    const index = this.lastIndex() + 1;
    this.counter++;
    if (r.chance(0.05)) {
      this.membership = r.pick(MEMBERSHIPS);
      this.entries.push({ index, term: this.term, counter: this.counter, data: null, membership: this.membership });
    } else {
      this.entries.push({ index, term: this.term, counter: this.counter, data: r.chance(0.1) ? null : this.bytes(dataBytesMax) });
    }
  }

  private newTerm(): void {
    this.term++;
    this.vote = this.rng.int(1, 3);
    this.counter = 0;
  }

  private bytes(max: number): Uint8Array {
    const out = new Uint8Array(this.rng.int(0, max));
    for (let i = 0; i < out.length; i++) out[i] = this.rng.below(256);
    return out;
  }

  private snapshotIndex(): number {
    return this.snapshot?.index ?? 0;
  }

  private lastIndex(): number {
    return this.entries.at(-1)?.index ?? this.snapshotIndex();
  }

  private entry(index: number): Entry {
    return this.entries[index - this.snapshotIndex() - 1]!;
  }
}
