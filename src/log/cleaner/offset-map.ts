// The cleaner's map from key to the latest offset holding it (Kafka's SkimpyOffsetMap): one block of
// memory of fixed-size slots, each a SHA-256 digest of a key and an offset, probed linearly. Its size is
// the limit (log.cleaner.dedupe.buffer.size), so how many keys one cleaning round can map is known in
// advance, and keys of any length cost the same.
import { createHash } from 'node:crypto';

const DIGEST_BYTES = 32;
const OFFSET_BYTES = 8;
/** Memory one key takes in the map. */
export const OFFSET_MAP_SLOT_BYTES = DIGEST_BYTES + OFFSET_BYTES;

export class OffsetMap {
  private readonly buf: Buffer;
  private entries = 0;
  private latest = -1;

  /** A map of `slots` slots (slots × OFFSET_MAP_SLOT_BYTES bytes). */
  constructor(readonly slots: number) {
    if (!Number.isSafeInteger(slots) || slots < 1) throw new RangeError(`an offset map needs at least one slot, not ${slots}`);
    this.buf = Buffer.alloc(slots * OFFSET_MAP_SLOT_BYTES);
  }

  /** Keys held. */
  get size(): number {
    return this.entries;
  }

  /** The largest offset put or noted; -1 while empty. Records past it are not covered by the map. */
  get latestOffset(): number {
    return this.latest;
  }

  get utilization(): number {
    return this.entries / this.slots;
  }

  /** Records that offsets up to `offset` were looked at (a batch without keys still advances the map). */
  noteOffset(offset: number): void {
    this.latest = Math.max(this.latest, offset);
  }

  /** Records that `key` was last seen at `offset` (offsets arrive in increasing order). */
  put(key: Buffer, offset: number): void {
    const digest = createHash('sha256').update(key).digest();
    const slot = this.find(digest);
    const at = slot * OFFSET_MAP_SLOT_BYTES;
    // Stored plus one, so an all-zero slot reads as empty.
    if (this.buf.readDoubleLE(at + DIGEST_BYTES) === 0) {
      if (this.entries + 1 >= this.slots) throw new RangeError('offset map is full');
      digest.copy(this.buf, at);
      this.entries++;
    }
    this.buf.writeDoubleLE(offset + 1, at + DIGEST_BYTES);
    this.latest = Math.max(this.latest, offset);
  }

  /** The latest offset of `key`, or -1 if the map does not hold it. */
  get(key: Buffer): number {
    const at = this.find(createHash('sha256').update(key).digest()) * OFFSET_MAP_SLOT_BYTES;
    return this.buf.readDoubleLE(at + DIGEST_BYTES) - 1;
  }

  /** The slot holding `digest`, or the empty one where it would go. One slot always stays empty. */
  private find(digest: Buffer): number {
    let slot = digest.readUInt32BE(0) % this.slots;
    for (;;) {
      const at = slot * OFFSET_MAP_SLOT_BYTES;
      if (this.buf.readDoubleLE(at + DIGEST_BYTES) === 0) return slot;
      if (this.buf.compare(digest, 0, DIGEST_BYTES, at, at + DIGEST_BYTES) === 0) return slot;
      slot = slot + 1 === this.slots ? 0 : slot + 1;
    }
  }
}
