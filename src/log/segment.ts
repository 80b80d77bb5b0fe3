// One segment of a partition log: `<base>.log` holding batches back to back, with its `.index` and
// `.timeindex`, and what the log tracks about it in memory (sizes, end offset, newest timestamp).
import { rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { openFile } from '../fs/file-layer.js';
import { OffsetIndex } from './offset-index.js';
import { TimeIndex } from './time-index.js';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
const SEGMENT_SUFFIXES = [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX] as const;
export type SegmentSuffix = (typeof SEGMENT_SUFFIXES)[number];

const NAME_DIGITS = 20;
/** Offsets inside a segment are stored relative to its base as int32. */
export const MAX_RELATIVE_OFFSET = 2 ** 31 - 1;

export function segmentFileName(baseOffset: number, suffix: SegmentSuffix): string {
  return String(baseOffset).padStart(NAME_DIGITS, '0') + suffix;
}

/** The base offset and kind of a segment file name, or undefined for any other file. */
export function parseSegmentFileName(name: string): { baseOffset: number; suffix: SegmentSuffix } | undefined {
  for (const suffix of SEGMENT_SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    const digits = name.slice(0, -suffix.length);
    if (digits.length !== NAME_DIGITS || !/^\d+$/.test(digits)) return undefined;
    const baseOffset = Number(digits);
    return Number.isSafeInteger(baseOffset) ? { baseOffset, suffix } : undefined;
  }
  return undefined;
}

export class Segment {
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  private file: FileHandle | undefined;
  /** Settles once the files are open; the writer waits on it for a freshly rolled segment. */
  ready: Promise<void> = Promise.resolve();

  /** Bytes of the .log including batches still queued for writing. */
  size = 0;
  /** Bytes of the .log handed to the OS. */
  writtenSize = 0;
  /** One past the last offset held. */
  nextOffset: number;
  /** Newest batch timestamp held, -1 if none, and the last offset of the first batch reaching it. */
  maxTimestamp = -1;
  offsetOfMaxTimestamp: number;
  /** The first batch's timestamp (Kafka rolls by time relative to it); undefined while empty. */
  rollingTimestamp: number | undefined;
  /** When this segment object came to be: the roll clock when no batch has a timestamp. */
  createdMs: number;
  /** File modification time, for time retention of segments without timestamps. */
  lastModifiedMs: number;
  bytesSinceIndexEntry = 0;
  /** Bytes were written to the .log since its last fsync. */
  logDirty = false;
  /** Removed from the log: the writer and syncer must leave its files alone. */
  deleted = false;

  constructor(
    readonly dir: string,
    readonly baseOffset: number,
    nowMs: number,
    /**
     * Appended to every file name: a segment the cleaner is writing (`.cleaned`), swapping in (`.swap`) or
     * swapping out (`.deleted`); empty for a segment of the log.
     */
    private fileSuffix = '',
  ) {
    this.offsetIndex = new OffsetIndex(this.path(INDEX_SUFFIX), baseOffset);
    this.timeIndex = new TimeIndex(this.path(TIME_INDEX_SUFFIX), baseOffset);
    this.nextOffset = baseOffset;
    this.offsetOfMaxTimestamp = baseOffset;
    this.createdMs = nowMs;
    this.lastModifiedMs = nowMs;
  }

  path(suffix: SegmentSuffix): string {
    return join(this.dir, segmentFileName(this.baseOffset, suffix) + this.fileSuffix);
  }

  /**
   * Renames the three files to carry `fileSuffix` instead of the current one, the .log first or last
   * (the order is what a crash in between leaves; see cleaner/swap.ts). Open descriptors stay valid.
   */
  async renameFiles(fileSuffix: string, logFirst: boolean): Promise<void> {
    const oldLog = this.path(LOG_SUFFIX);
    this.fileSuffix = fileSuffix;
    const moveLog = (): Promise<void> => rename(oldLog, this.path(LOG_SUFFIX));
    if (logFirst) await moveLog();
    await this.offsetIndex.moveTo(this.path(INDEX_SUFFIX));
    await this.timeIndex.moveTo(this.path(TIME_INDEX_SUFFIX));
    if (!logFirst) await moveLog();
  }

  /** A new, empty segment; its files are created in the background (see `ready`). */
  static create(dir: string, baseOffset: number, nowMs: number, fileSuffix = ''): Segment {
    const seg = new Segment(dir, baseOffset, nowMs, fileSuffix);
    seg.ready = seg.openFiles(true).then(() => undefined);
    return seg;
  }

  /**
   * An existing segment's .log, its size and mtime read; indexes are opened (created if missing) but
   * not loaded. `indexesExisted` is false if either index file was missing.
   */
  static async openExisting(dir: string, baseOffset: number, nowMs: number): Promise<{ seg: Segment; indexesExisted: boolean }> {
    const seg = new Segment(dir, baseOffset, nowMs);
    const indexesExisted = await seg.openFiles(false);
    const st = await seg.log.stat();
    seg.size = st.size;
    seg.writtenSize = st.size;
    seg.lastModifiedMs = st.mtimeMs;
    return { seg, indexesExisted };
  }

  private async openFiles(create: boolean): Promise<boolean> {
    this.file = await openFile(this.path(LOG_SUFFIX), create ? 'w+' : 'r+');
    const offsetIndexExisted = await this.offsetIndex.open(create);
    const timeIndexExisted = await this.timeIndex.open(create);
    return offsetIndexExisted && timeIndexExisted;
  }

  get log(): FileHandle {
    if (!this.file) throw new Error(`${this.path(LOG_SUFFIX)} is not open`);
    return this.file;
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** Kafka's retention timestamp: the newest batch timestamp, or the file's mtime when there is none. */
  get largestTimestamp(): number {
    return this.maxTimestamp >= 0 ? this.maxTimestamp : this.lastModifiedMs;
  }

  /**
   * Accounts for a batch placed at `position`: end offset, newest timestamp, and an index entry once
   * more than `indexIntervalBytes` went by since the last. Appends and recovery both come through here,
   * so a rebuilt index equals the one built live.
   */
  track(position: number, sizeBytes: number, lastOffset: number, maxTimestamp: number, indexIntervalBytes: number): void {
    if (position === 0) this.rollingTimestamp = maxTimestamp;
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp;
      this.offsetOfMaxTimestamp = lastOffset;
    }
    if (this.bytesSinceIndexEntry > indexIntervalBytes) {
      this.offsetIndex.append(lastOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += sizeBytes;
    this.size = position + sizeBytes;
    this.nextOffset = lastOffset + 1;
  }

  /** Forgets all batches (before a rescan or after truncating everything). */
  resetTracking(nowMs: number): void {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.size = 0;
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = this.baseOffset;
    this.rollingTimestamp = undefined;
    this.createdMs = nowMs;
    this.bytesSinceIndexEntry = 0;
  }

  /** Seals the time index with the segment's newest timestamp, as Kafka does when a segment stops growing. */
  sealTimeIndex(): void {
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
  }

  get indexesPending(): boolean {
    return this.offsetIndex.pending || this.timeIndex.pending;
  }

  get indexesDirty(): boolean {
    return this.offsetIndex.dirty || this.timeIndex.dirty;
  }

  async writeIndexes(): Promise<void> {
    await this.offsetIndex.write();
    await this.timeIndex.write();
  }

  /** Gives back the index files' descriptors when they have nothing left to write (a finished segment). */
  async releaseIndexFiles(): Promise<void> {
    await Promise.all([this.offsetIndex.release(), this.timeIndex.release()]);
  }

  /** fsyncs the .log, and the indexes too when asked; the three files in parallel. */
  async sync(withIndexes: boolean): Promise<void> {
    this.logDirty = false;
    const work = [this.log.datasync()];
    if (withIndexes) work.push(this.offsetIndex.sync(), this.timeIndex.sync());
    await Promise.all(work);
  }

  /** Cuts the .log to `bytes` (whole batches; the caller fixed the indexes and counters). */
  async truncateLog(bytes: number): Promise<void> {
    await this.log.truncate(bytes);
    this.writtenSize = Math.min(this.writtenSize, bytes);
    this.logDirty = true;
  }

  async close(): Promise<void> {
    // Files still being created would otherwise appear after the close (or the unlink).
    await this.ready.catch(() => undefined);
    const file = this.file;
    this.file = undefined;
    await Promise.all([file?.close(), this.offsetIndex.close(), this.timeIndex.close()]);
  }

  /** Closes (waiting for reads in flight) and removes the files, the .log first. */
  async delete(): Promise<void> {
    this.deleted = true;
    await this.close();
    for (const suffix of SEGMENT_SUFFIXES) await unlinkIfExists(this.path(suffix));
  }
}

export async function unlinkIfExists(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

