// A segment's time index, Kafka's .timeindex layout: entries of (timestamp: int64, offset relative to
// the segment's base: int32). An entry (t, o) says: no batch before the one holding offset o has a
// timestamp >= t, and that batch reaches t. Entries are added only when the maximum timestamp grows.
import { readInt64, writeInt64 } from '../../protocol/bytes.js';
import { IndexFile } from './index-file.js';

export const TIME_INDEX_ENTRY_BYTES = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends IndexFile {
  constructor(path: string, baseOffset: number) {
    super(path, TIME_INDEX_ENTRY_BYTES, baseOffset);
  }

  private timestampAt(slot: number): number {
    return readInt64(this.buf, slot * TIME_INDEX_ENTRY_BYTES);
  }

  private offsetAt(slot: number): number {
    return this.baseOffset + this.buf.readInt32BE(slot * TIME_INDEX_ENTRY_BYTES + 8);
  }

  /** The newest entry, or undefined when there is none. */
  last(): TimestampOffset | undefined {
    if (this.count === 0) return undefined;
    return { timestamp: this.timestampAt(this.count - 1), offset: this.offsetAt(this.count - 1) };
  }

  /** Adds (timestamp, offset) if the timestamp is newer than the last entry's. */
  maybeAppend(timestamp: number, offset: number): void {
    const last = this.last();
    if (last && (timestamp <= last.timestamp || offset < last.offset)) return;
    if (timestamp < 0) return;
    const at = this.slot();
    writeInt64(this.buf, at, timestamp);
    this.buf.writeInt32BE(offset - this.baseOffset, at + 8);
  }

  /** The offset to search from for the first record with timestamp >= `timestamp`. */
  lookup(timestamp: number): number {
    const slot = this.floorSlot(timestamp, (s) => this.timestampAt(s));
    return slot < 0 ? this.baseOffset : this.offsetAt(slot);
  }

  /** Removes entries for offsets >= `offset`. */
  truncateFrom(offset: number): void {
    let n = this.count;
    while (n > 0 && this.offsetAt(n - 1) >= offset) n--;
    this.keep(n);
  }

  /** Why this index cannot be trusted for offsets below `nextOffset`, or undefined if it can. */
  problem(nextOffset: number): string | undefined {
    let prevTimestamp = -1;
    let prevOffset = this.baseOffset;
    for (let s = 0; s < this.count; s++) {
      const timestamp = this.timestampAt(s);
      const offset = this.offsetAt(s);
      if (timestamp <= prevTimestamp) return `entry ${s} has timestamp ${timestamp} after ${prevTimestamp}`;
      if (offset < prevOffset || offset >= nextOffset) return `entry ${s} has offset ${offset} outside ${prevOffset}..${nextOffset - 1}`;
      prevTimestamp = timestamp;
      prevOffset = offset;
    }
    return undefined;
  }
}
