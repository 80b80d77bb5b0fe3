// A file of fixed-size entries kept whole in memory: lookups never touch the disk, and appends reach the
// file as one write of the bytes added since the last one. Offset and time indexes build on it. The
// file is open only while it may change: a finished segment's indexes give their descriptor back.
import { rename, type FileHandle } from 'node:fs/promises';
import { openFile } from '../fs/file-layer.js';
import { writeAll } from '../fs/write-all.js';
import { readAt } from './batch-scan.js';

const INITIAL_ENTRIES = 64;

export abstract class IndexFile {
  protected buf: Buffer;
  /** Entries held in memory (all of them, persisted or not). */
  protected count = 0;
  /** Bytes of `buf` already written to the file. */
  private persistedBytes = 0;
  /** The file's old content is void (after reset); the next write starts it over. */
  private restart = false;
  /** Entries were written but not yet fsynced. */
  dirty = false;
  private file: Promise<FileHandle> | undefined;

  protected constructor(
    private filePath: string,
    readonly entryBytes: number,
    readonly baseOffset: number,
  ) {
    this.buf = Buffer.alloc(INITIAL_ENTRIES * entryBytes);
  }

  get path(): string {
    return this.filePath;
  }

  /** Renames the file (open or not); later reopens use the new name. */
  async moveTo(path: string): Promise<void> {
    await rename(this.filePath, path);
    this.filePath = path;
  }

  get entries(): number {
    return this.count;
  }

  get sizeBytes(): number {
    return this.count * this.entryBytes;
  }

  /**
   * Opens the file, creating it if missing (so an index rebuilt in memory has somewhere to go).
   * Returns whether it existed.
   */
  async open(create: boolean): Promise<boolean> {
    if (create) {
      this.file = openFile(this.filePath, 'w+');
      await this.file;
      return false;
    }
    try {
      this.file = openFile(this.path, 'r+');
      await this.file;
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.file = openFile(this.path, 'w+');
      await this.file;
      return false;
    }
  }

  /**
   * Reads the file's entries into memory. Returns why they cannot be used: a file larger than
   * `maxBytes` (not read at all) or not made of whole entries.
   */
  async load(maxBytes: number): Promise<string | undefined> {
    const file = await this.handle();
    const size = (await file.stat()).size;
    if (size > maxBytes) return `${size} bytes, more than the ${maxBytes} its segment could need`;
    if (size % this.entryBytes !== 0) return `${size} bytes is not a whole number of ${this.entryBytes}-byte entries`;
    const bytes = await readAt(file, 0, size);
    if (bytes.length !== size) return 'file shrank while read';
    this.buf = Buffer.alloc(Math.max(size, INITIAL_ENTRIES * this.entryBytes));
    bytes.copy(this.buf);
    this.count = size / this.entryBytes;
    this.persistedBytes = size;
    return undefined;
  }

  /** Forgets every entry, in memory and (at the next write) on disk: for a rebuild. */
  reset(): void {
    this.count = 0;
    this.persistedBytes = 0;
    this.restart = true;
  }

  /** Room for one more entry; returns the byte position to fill. */
  protected slot(): number {
    const at = this.count * this.entryBytes;
    if (at + this.entryBytes > this.buf.length) {
      const grown = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(grown, 0, 0, at);
      this.buf = grown;
    }
    this.count++;
    return at;
  }

  /** Drops entries from index `n` on. */
  protected keep(n: number): void {
    if (n < this.count) this.count = n;
  }

  /** Binary search: the last entry whose key is <= target, or -1. Keys must not decrease. */
  protected floorSlot(target: number, keyAt: (slot: number) => number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (keyAt(mid) <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** True if entries were added or removed since the last write. */
  get pending(): boolean {
    return this.restart || this.persistedBytes !== this.sizeBytes;
  }

  /** Brings the file in line with memory: truncates removed entries, writes added ones. */
  async write(): Promise<void> {
    if (!this.pending) return;
    const file = await this.handle();
    const size = this.sizeBytes;
    if (this.restart) {
      this.restart = false;
      await file.truncate(0);
      this.dirty = true;
    }
    if (size < this.persistedBytes) {
      await file.truncate(size);
      this.persistedBytes = size;
      this.dirty = true;
    }
    if (size > this.persistedBytes) {
      // A copy: the in-memory buffer may be regrown (and keeps changing) while the write is in flight.
      const bytes = Buffer.from(this.buf.subarray(this.persistedBytes, size));
      const at = this.persistedBytes;
      this.dirty = true;
      await writeAll(file, [bytes], at);
      // Only now: a write that failed (a full disk) stays pending and is tried again by the next one.
      this.persistedBytes = size;
    }
  }

  /** fsyncs what was written since the last fsync, if anything. */
  async sync(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    await (await this.handle()).datasync();
  }

  /** Closes the file if nothing is left to write or fsync; a later change reopens it. */
  async release(): Promise<void> {
    if (!this.pending && !this.dirty) await this.close();
  }

  async close(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await (await file?.catch(() => undefined))?.close();
  }

  private handle(): Promise<FileHandle> {
    this.file ??= openFile(this.path, 'r+');
    return this.file;
  }
}
