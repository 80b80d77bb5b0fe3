// Where a leader's log keeps the payloads it was handed. The log holds every entry until a snapshot
// covers it (snapCount, 100,000 by default), so whatever an entry's bytes pin stays alive that long.
// A proposer's bytes are usually a slice of Node's shared 8 KiB Buffer pool, and one such slice pins
// its whole pool block, with every other short-lived buffer carved from it: under write load that was
// most of the process's small allocations kept alive, a growing external heap and frequent full
// collections. Copied into blocks of their own, entries pin only their own bytes, in a few large
// ArrayBuffers rather than one per entry (each of which every collection visits). Entries leave the
// log oldest first, so a block is freed with the last entry that lives in it.

/** Bytes per shared block. */
export const ARENA_BLOCK_BYTES = 64 * 1024;
/** Payloads above this get an exact copy of their own, so a large one does not waste a block's tail. */
export const ARENA_SHARED_BYTES_MAX = 4 * 1024;

export class EntryArena {
  private block = new Uint8Array(0);
  private used = 0;

  /** `data`'s bytes in memory that nothing else shares. */
  copy(data: Uint8Array): Uint8Array {
    const n = data.length;
    if (n > ARENA_SHARED_BYTES_MAX) return new Uint8Array(data);
    if (this.used + n > this.block.length) {
      this.block = new Uint8Array(ARENA_BLOCK_BYTES);
      this.used = 0;
    }
    const out = this.block.subarray(this.used, this.used + n);
    out.set(data);
    this.used += n;
    return out;
  }
}
