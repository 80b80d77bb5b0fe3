// What a simulated server's disk holds for its consensus core, and how one Persist changes it: the
// snapshot (dropping the entries it covers), then the log truncated and appended, then the hard state.
// Shared by every simulation that runs RaftNode, so they all make durable exactly what the core asked.
import type { DurableState, Entry, HardState, Persist, Snapshot } from '../../../src/consensus/types.js';
import { fail } from './trace.js';

export interface DiskImage extends DurableState {
  hardState: HardState;
  snapshot: Snapshot | null;
  entries: Entry[];
}

export function emptyDisk(): DiskImage {
  return { hardState: { term: 0, vote: 0, commit: 0 }, snapshot: null, entries: [] };
}

/** Makes `p` durable on `d`; a log that stops being contiguous fails the run (naming `server`). */
export function writePersist(d: DiskImage, p: Persist, server: number): void {
  if (p.snapshot) {
    d.snapshot = p.snapshot;
    d.entries = d.entries.filter((e) => e.index > p.snapshot!.index);
  }
  if (p.truncateFrom !== null) d.entries = d.entries.filter((e) => e.index < p.truncateFrom!);
  d.entries.push(...p.entries);
  const first = (d.snapshot?.index ?? 0) + 1;
  d.entries.forEach((e, k) => {
    if (e.index !== first + k) fail(`server ${server}'s disk holds entry ${e.index} where ${first + k} belongs`);
  });
  if (p.hardState) d.hardState = p.hardState;
}
