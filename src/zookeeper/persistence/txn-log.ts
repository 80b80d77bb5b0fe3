// The transaction log: segment files of checksummed records, appended with group commit.
//
// Segment layout: "SKZL", int32 version, then records [int32 length][uint32 CRC-32C of payload]
// [payload = TxnHeader + txn record]. Segments are zero-filled ahead of the write position, so an
// fdatasync rarely has to persist a size change, and a zero length marks the end of the written part.
// Recovery stops at the first record that is short, has a bad length or a bad checksum, and truncates
// the file there: a torn tail from a crash mid-write, never an acknowledged transaction, because
// nothing is acknowledged before the fdatasync covering it returns. A write that cannot be completed
// (a full disk) is fatal: the records it carried are never reported durable, and the server stops.
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { frameRecords, RECORD_OVERHEAD_BYTES, SEGMENT_HEADER_BYTES, segmentHeader, type SegmentFormat } from '../../../protocol/record-segment.js';
import { openFile } from '../../fs/file-layer.js';
import { writeAll } from '../../fs/write-all.js';
import { zeroFillTo } from '../../fs/zero-fill.js';
import type { Logger } from '../../logger.js';
import { syncDirectory } from '../../fs/dir-sync.js';
import { zxidName } from './files.js';

/** "SKZL", version 1, framed as protocol/record-segment.ts describes. */
export const TXN_LOG_FORMAT: SegmentFormat = { magic: Buffer.from('SKZL', 'latin1'), version: 1 };
export interface TxnLogOptions {
  dir: string;
  /** fdatasync each batch before acknowledging it (ZooKeeper's forceSync); off only for tests. */
  forceSync: boolean;
  /** An fdatasync took `ms` (ZooKeeper's fsynctime metric). */
  onSynced?(ms: number): void;
  /** Start a new segment once one grows past this. */
  segmentBytes: number;
  log: Logger;
  /** Every transaction up to and including `zxid` is durable, in append order. */
  onDurable(zxid: bigint): void;
  /** Writing failed; nothing more will be made durable. The caller reports it (this log does not). */
  onFatal(err: Error): void;
}

/** Where appends continue: the current segment and the end of its intact records. */
export interface LogTail {
  path: string;
  end: number;
  size: number;
}

interface Segment {
  file: FileHandle;
  pos: number;
  /** Bytes of the file already written (records or zero fill). */
  allocated: number;
}

/**
 * Appends records and makes them durable in batches: every record appended while a batch is being
 * written and synced joins the next batch, so one fdatasync covers many transactions under load and a
 * lone write still goes out at once.
 */
export class TxnLog {
  private segment: Segment | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingFirstZxid = 0n;
  private pendingLastZxid = 0n;
  private flushing = false;
  private scheduled = false;
  private failed: Error | undefined;
  private closing: (() => void) | undefined;

  private constructor(private readonly opts: TxnLogOptions) {}

  /** Opens the log for appending after `tail` (or in a fresh segment when there is none). */
  static async open(opts: TxnLogOptions, tail: LogTail | undefined): Promise<TxnLog> {
    const log = new TxnLog(opts);
    if (tail) {
      const file = await openFile(tail.path, 'r+');
      log.segment = { file, pos: tail.end, allocated: tail.size };
    }
    return log;
  }

  append(zxid: bigint, payload: Buffer): void {
    if (this.failed) return;
    if (this.pending.length === 0) this.pendingFirstZxid = zxid;
    this.pending.push(payload);
    this.pendingBytes += RECORD_OVERHEAD_BYTES + payload.length;
    this.pendingLastZxid = zxid;
    if (!this.flushing && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Waits for appended records to be written, then closes the segment. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        const seg = this.segment;
        this.segment = undefined;
        if (seg) void seg.file.close().finally(resolve);
        else resolve();
      };
      if (!this.flushing && !this.scheduled && this.pending.length === 0) finish();
      else this.closing = finish;
    });
  }

  private flush(): void {
    if (this.failed || this.pending.length === 0) {
      this.flushing = false;
      this.closing?.();
      return;
    }
    this.flushing = true;
    const batch = this.pending;
    const bytes = this.pendingBytes;
    const firstZxid = this.pendingFirstZxid;
    const lastZxid = this.pendingLastZxid;
    this.pending = [];
    this.pendingBytes = 0;
    this.writeBatch(batch, bytes, firstZxid).then(
      () => {
        this.opts.onDurable(lastZxid);
        this.flush();
      },
      (err: Error) => {
        this.failed = err;
        this.flushing = false;
        this.opts.onFatal(err);
        this.closing?.();
      },
    );
  }

  private async writeBatch(batch: Buffer[], bytes: number, firstZxid: bigint): Promise<void> {
    let fresh = false;
    if (!this.segment || this.segment.pos >= this.opts.segmentBytes) {
      await this.roll(firstZxid);
      fresh = true;
    }
    const seg = this.segment!;
    const out = frameRecords(batch);
    // A zero-filled area ahead keeps fdatasync from persisting a new file size on most batches.
    const end = seg.pos + bytes;
    seg.allocated = await zeroFillTo(seg.file, seg.allocated, end + RECORD_OVERHEAD_BYTES);
    await writeAll(seg.file, [out], seg.pos);
    seg.pos = end;
    if (this.opts.forceSync) {
      const started = performance.now();
      await seg.file.datasync();
      this.opts.onSynced?.(performance.now() - started);
    }
    if (fresh) await syncDirectory(this.opts.dir);
  }

  private async roll(firstZxid: bigint): Promise<void> {
    const old = this.segment;
    this.segment = undefined;
    if (old) await old.file.close();
    const path = join(this.opts.dir, zxidName('log', firstZxid));
    const file = await openFile(path, 'wx');
    this.segment = { file, pos: SEGMENT_HEADER_BYTES, allocated: SEGMENT_HEADER_BYTES };
    await writeAll(file, [segmentHeader(TXN_LOG_FORMAT)], 0);
    this.opts.log.info({ path }, 'started transaction log segment');
  }
}
