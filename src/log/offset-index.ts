// A segment's sparse offset index, Kafka's .index layout: entries of (offset relative to the segment's
// base: int32, byte position of a batch in the .log: int32). Each entry names the LAST offset of the
// batch starting at that position, so the entry at or below a target points at or before its batch.
import { IndexFile } from './index-file.js';

export const OFFSET_INDEX_ENTRY_BYTES = 8;

export class OffsetIndex extends IndexFile {
  constructor(path: string, baseOffset: number) {
    super(path, OFFSET_INDEX_ENTRY_BYTES, baseOffset);
  }

  private offsetAt(slot: number): number {
    return this.baseOffset + this.buf.readInt32BE(slot * OFFSET_INDEX_ENTRY_BYTES);
  }

  private positionAt(slot: number): number {
    return this.buf.readInt32BE(slot * OFFSET_INDEX_ENTRY_BYTES + 4);
  }

  get lastOffset(): number {
    return this.count === 0 ? this.baseOffset : this.offsetAt(this.count - 1);
  }

  append(offset: number, position: number): void {
    if (this.count > 0 && offset <= this.lastOffset) return;
    const at = this.slot();
    this.buf.writeInt32BE(offset - this.baseOffset, at);
    this.buf.writeInt32BE(position, at + 4);
  }

  /** Byte position to scan from for `offset`: the indexed batch at or before it, else the segment start. */
  lookup(offset: number): number {
    const slot = this.floorSlot(offset, (s) => this.offsetAt(s));
    return slot < 0 ? 0 : this.positionAt(slot);
  }

  /** Removes entries for offsets >= `offset`. */
  truncateFrom(offset: number): void {
    this.keep(this.floorSlot(offset - 1, (s) => this.offsetAt(s)) + 1);
  }

  /**
   * Why this index cannot be trusted for a segment whose .log has `logBytes` bytes and whose offsets
   * stay below `nextOffset`, or undefined if it can.
   */
  problem(logBytes: number, nextOffset: number): string | undefined {
    let prevOffset = -1;
    let prevPosition = -1;
    for (let s = 0; s < this.count; s++) {
      const rel = this.buf.readInt32BE(s * OFFSET_INDEX_ENTRY_BYTES);
      const position = this.positionAt(s);
      if (rel < 0 || rel <= prevOffset) return `entry ${s} has relative offset ${rel} after ${prevOffset}`;
      if (position < 0 || position <= prevPosition || position >= logBytes) {
        return `entry ${s} has position ${position} (previous ${prevPosition}, log ${logBytes} bytes)`;
      }
      if (this.baseOffset + rel >= nextOffset) return `entry ${s} names offset ${this.baseOffset + rel} beyond ${nextOffset - 1}`;
      prevOffset = rel;
      prevPosition = position;
    }
    return undefined;
  }
}
