// The disk-level half of "committed entries never disappear", for any simulation of RaftNode servers:
// whatever some server applied is on enough disks (in the log or under a snapshot) that every majority
// that could elect a leader includes one, and no disk holds a different entry at an index it has
// recorded as committed. Checked after every disk write, it catches an acknowledgement sent before its
// entry was durable long before a run happens to crash the servers that would lose it.
import type { DurableImage } from '../../../src/consensus/durable-image.js';
import type { Entry, Membership } from '../../../src/consensus/types.js';

export interface Disk {
  readonly id: number;
  readonly image: DurableImage;
}

/**
 * `committed[i]` is the entry applied at index i (1..top). `memberships` are those a leader could be
 * elected under: the one in force at `top` in the committed log, and the newest leader's if it differs.
 * Returns what is wrong, or null.
 */
export function committedDurability(committed: readonly (Entry | undefined)[], disks: Iterable<Disk>, memberships: readonly Membership[]): string | null {
  const top = committed.length - 1;
  const holding = new Set<number>();
  for (const { id, image } of disks) {
    let agrees = image.snapshotIndex();
    for (const e of image.log()) {
      const c = committed[e.index];
      if (c === undefined) break;
      if (c.term !== e.term) {
        if (e.index <= image.hardState.commit) return `server ${id}'s disk holds ${e.index}@${e.term} at committed index ${e.index}, committed was ${c.index}@${c.term}`;
        break;
      }
      agrees = e.index;
    }
    if (agrees >= top) holding.add(id);
  }
  if (top <= 0) return null;
  for (const m of memberships) {
    const without = m.voters.filter((v) => !holding.has(v));
    if (without.length >= Math.floor(m.voters.length / 2) + 1) {
      return `committed entry ${top} is durable only on [${[...holding]}]: voters [${without}] of ${JSON.stringify(m)} could elect a leader without it`;
    }
  }
  return null;
}
