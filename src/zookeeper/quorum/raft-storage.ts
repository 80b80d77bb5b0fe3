// The durable Raft state of one ensemble server: hard state, log entries and the latest snapshot, in a
// directory of its own.
//
//   raft-log.<n>        segments (n = 1, 2, ... in hex), framed as protocol/record-segment.ts describes
//                       ("SKRL"), holding the records of protocol/consensus/storage-records.ts
//   raft-snapshot.<i>   the snapshot of index i, written to a temporary name, fsynced and renamed
//
// Each write pass (one or more Persists, group commit) appends their records — snapshot reference,
// truncation, entries, hard state, in that order — and a seal record in one write to a segment opened
// with O_DSYNC, so the write returns only once its bytes are on disk (an fdatasync folded into the
// write: one trip to libuv's thread pool per pass instead of two, which on a busy machine is much of a
// follower's time to acknowledge); only then are the Persists reported durable. Recovery replays
// sealed records only, so a pass is atomic: a crash at any byte opens to the state after some prefix
// of the passes, never part of one (a snapshot installed from a leader and the truncation of the log
// it replaces land together). A truncation is a record too, so a truncated suffix cannot come back, and it works the same whatever segment the
// entries were in. A snapshot file is durable before the record that puts it in force is written.
//
// A new segment starts with the hard state and snapshot reference in force, so older segments are not
// needed for those. Once a snapshot is in force, the oldest segments whose entries it covers are deleted,
// oldest first (only a prefix, as a segment's truncations may reach back into older ones); recovery
// treats segments before a hole in the numbering as left over from such a deletion. A segment is
// started for every pass that carries a snapshot and once one outgrows segmentBytes; at open the last
// segment is cut after its last seal (a torn tail) and appends go to a fresh one. Damage anywhere else
// is refused (RaftRecoveryError): records that were reported durable would be lost.
//
// A write the disk refuses (full: DiskFullError, or any I/O error) is final: nothing in that pass or after
// it is reported durable, and onFailure is called once; the server stops (exit 74, as on a failing
// transaction log) and recovery cuts whatever part of the pass reached the disk.
// Memory: recovery keeps every entry after the snapshot (the core's RaftLog holds them anyway), reading
// one segment at a time; the writer keeps only what is queued.
import { constants } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { DecodeError } from '../../../protocol/bytes.js';
import { PEER_FRAME_BYTES_MAX } from '../../../protocol/consensus/frames.js';
import { decodeSnapshotFile, decodeStorageRecord, encodeSnapshotFile, encodeStorageRecord, type StorageRecord } from '../../../protocol/consensus/storage-records.js';
import { frameRecords, RECORD_OVERHEAD_BYTES, scanSegment, SEGMENT_HEADER_BYTES, segmentHeader, type SegmentFormat } from '../../../protocol/record-segment.js';
import { CONSENSUS_DEFAULTS } from '../../consensus/config.js';
import { DurableImage, DurableImageError } from '../../consensus/durable-image.js';
import { entryBytes } from '../../consensus/log.js';
import type { DurableState, HardState, Persist, Snapshot } from '../../consensus/types.js';
import { writeFileAtomic } from '../../fs/atomic-file.js';
import { syncDirectory } from '../../fs/dir-sync.js';
import { openFile } from '../../fs/file-layer.js';
import { writeAll } from '../../fs/write-all.js';
import { zeroFillTo } from '../../fs/zero-fill.js';
import type { Logger } from '../../logger.js';
import { listZxidFiles, zxidName } from '../persistence/files.js';

export const RAFT_LOG_FORMAT: SegmentFormat = { magic: Buffer.from('SKRL', 'latin1'), version: 1 };
const SEGMENT_PREFIX = 'raft-log';
const SNAPSHOT_PREFIX = 'raft-snapshot';
/** What an entry record takes beyond the entry's data: kind, index, zxid, flags, lengths, a membership. */
export const RECORD_SLACK_BYTES = 64 * 1024;

export interface RaftStorageLimits {
  /** A new segment starts once the current one holds this many bytes. */
  segmentBytes: number;
  /** Bytes a log record may take; recovery refuses a longer one as damage. Above the core's entryBytesMax. */
  recordBytesMax: number;
  /** Persists queued beyond this many entry bytes wait for the next write pass (one Persist always goes). */
  batchBytesMax: number;
  /** Bytes a snapshot file may take; a snapshot must travel in one peer frame anyway. */
  snapshotBytesMax: number;
}

export const RAFT_STORAGE_DEFAULTS: RaftStorageLimits = {
  segmentBytes: 64 * 1024 * 1024,
  recordBytesMax: CONSENSUS_DEFAULTS.entryBytesMax + RECORD_SLACK_BYTES,
  batchBytesMax: 8 * 1024 * 1024,
  snapshotBytesMax: PEER_FRAME_BYTES_MAX,
};

export interface RaftStorageStats {
  /** Persists queued by write(). */
  persists: number;
  /** Write passes completed, each made durable at once (group commit: often fewer than persists). */
  batches: number;
  /** Segment files now in the directory. */
  segments: number;
}

export interface RaftStorage {
  /** What the disk held when opened: hard state, latest snapshot, log entries after it (validated, torn tail cut). */
  readonly durable: DurableState;
  /**
   * Queues `p` (from RaftNode.ready().persist); seqs must increase. Written in seq order, several queued
   * Persists sharing one fsync; onDurable(seq) then reports the highest seq made durable.
   */
  write(p: Persist): void;
  /** Writes what is queued, then closes the files; Persists queued after this are dropped. */
  close(): Promise<void>;
  stats(): RaftStorageStats;
}

export interface RaftStorageOptions extends Partial<RaftStorageLimits> {
  log: Logger;
  /** Every Persist up to and including `seq` is durable. */
  onDurable(seq: number): void;
  /** Writing failed for good (DiskFullError when the disk is full); called once, nothing more becomes durable. */
  onFailure(err: Error): void;
  /** Make each pass durable before reporting it (O_DSYNC; ZooKeeper's forceSync); off only for tests. */
  forceSync?: boolean;
  /** A pass took `ms` to write and make durable (ZooKeeper's fsynctime metric). */
  onSynced?(ms: number): void;
}

/** The directory holds damage that is not a torn tail: starting would lose what was reported durable. */
export class RaftRecoveryError extends Error {
  override readonly name = 'RaftRecoveryError';
}

/** A record larger than the limits allow, or a snapshot file that recovery would refuse. */
export class RaftStorageLimitError extends Error {
  override readonly name = 'RaftStorageLimitError';
}

/**
 * Write passes under way at once (each one O_DSYNC write on libuv's thread pool, which has 4 threads by
 * default); more Persists wait in the queue.
 */
export const PASSES_IN_FLIGHT_MAX = 4;

/** A pass under way, until it is reported durable. */
interface Pass {
  readonly seq: number;
  done: boolean;
  /** It put a snapshot in force: files it covers may go once it is durable. */
  readonly snapshot: boolean;
}

interface PassPlan {
  readonly bytes: Buffer;
  /** It starts a new segment. */
  readonly roll: boolean;
  readonly snapshot: boolean;
  readonly hardState: HardState;
  readonly snapshotRef: SnapshotRef | null;
  readonly lastIndex: number;
  readonly maxEntryIndex: number;
}

interface SnapshotRef {
  readonly index: number;
  readonly term: number;
}

interface SegmentInfo {
  readonly n: number;
  readonly path: string;
  /** The highest entry index the segment holds (0 for none): it may go once a snapshot covers that. */
  maxEntryIndex: number;
}

interface ActiveSegment {
  readonly info: SegmentInfo;
  readonly file: FileHandle;
  pos: number;
  allocated: number;
}

export async function openRaftStorage(dir: string, opts: RaftStorageOptions): Promise<RaftStorage> {
  const limits = storageLimits(opts);
  await mkdir(dir, { recursive: true });
  const recovered = await recover(dir, limits, opts.log);
  return new FileRaftStorage(dir, limits, opts, recovered);
}

function storageLimits(opts: Partial<RaftStorageLimits>): RaftStorageLimits {
  const limits: RaftStorageLimits = {
    segmentBytes: opts.segmentBytes ?? RAFT_STORAGE_DEFAULTS.segmentBytes,
    recordBytesMax: opts.recordBytesMax ?? RAFT_STORAGE_DEFAULTS.recordBytesMax,
    batchBytesMax: opts.batchBytesMax ?? RAFT_STORAGE_DEFAULTS.batchBytesMax,
    snapshotBytesMax: opts.snapshotBytesMax ?? RAFT_STORAGE_DEFAULTS.snapshotBytesMax,
  };
  for (const [name, v] of Object.entries(limits)) {
    // A record length is an int32 on disk.
    if (!Number.isInteger(v) || v < 1 || v > 0x7fff_ffff) throw new RangeError(`${name} must be an integer from 1 to 2^31-1, not ${v}`);
  }
  return limits;
}

// ---- recovery

interface Recovered {
  durable: DurableState;
  segments: SegmentInfo[];
  nextSegment: number;
}

async function recover(dir: string, limits: RaftStorageLimits, log: Logger): Promise<Recovered> {
  let changed = false;
  // Temporary snapshot files (writeFileAtomic's) of a write a crash interrupted.
  for (const name of await readdir(dir)) {
    if (name.startsWith(`${SNAPSHOT_PREFIX}.`) && name.endsWith('.tmp')) {
      await rm(join(dir, name));
      changed = true;
    }
  }
  const listed = (await listZxidFiles(dir, SEGMENT_PREFIX)).map((f) => ({ n: Number(f.zxid), path: f.path }));
  // Segments are numbered without holes and deleted oldest first: those before a hole were being deleted.
  let start = listed.length - 1;
  while (start > 0 && listed[start - 1]!.n === listed[start]!.n - 1) start--;
  for (const seg of listed.slice(0, Math.max(start, 0))) {
    log.warn({ path: seg.path }, 'removing Raft log segment left over from an interrupted deletion');
    await rm(seg.path);
    changed = true;
  }
  const run = listed.slice(Math.max(start, 0));
  const image = new DurableImage<SnapshotRef>();
  const segments: SegmentInfo[] = [];
  for (let i = 0; i < run.length; i++) {
    const seg = run[i]!;
    const last = i === run.length - 1;
    const buf = await readFile(seg.path);
    const scan = scanSegment(buf, RAFT_LOG_FORMAT, limits.recordBytesMax);
    const info: SegmentInfo = { n: seg.n, path: seg.path, maxEntryIndex: 0 };
    let sealedEnd = 0;
    let pending: StorageRecord[] = [];
    for (let k = 0; k < scan.payloads.length; k++) {
      const rec = decodeRecord(scan.payloads[k]!, seg.path);
      if (rec.kind !== 'seal') {
        pending.push(rec);
        continue;
      }
      for (const r of pending) replay(image, info, r, seg.path);
      pending = [];
      sealedEnd = scan.ends[k]!;
    }
    const torn = scan.problem ?? (pending.length > 0 ? `${pending.length} records after the last seal` : undefined);
    if (!last) {
      if (torn !== undefined) throw new RaftRecoveryError(`Raft log segment ${seg.path} is damaged (${torn}) before later segments`);
      segments.push(info);
      continue;
    }
    if (sealedEnd === 0) {
      // Not one pass completed here: the segment holds nothing that was reported durable.
      log.warn({ path: seg.path, problem: torn }, 'removing Raft log segment without a sealed write');
      await rm(seg.path);
      changed = true;
      continue;
    }
    if (torn !== undefined) log.warn({ path: seg.path, problem: torn, cutAt: sealedEnd, droppedBytes: buf.length - sealedEnd }, 'cutting torn Raft log tail');
    // Appends go to a new segment; the zero fill (and any torn pass) goes, so stale bytes cannot read as records later.
    if (buf.length > sealedEnd) await cutFile(seg.path, sealedEnd);
    segments.push(info);
  }
  const gap = image.gap();
  if (gap) throw new RaftRecoveryError(`Raft log in ${dir} is incomplete: ${gap}`);
  const snapshot = image.snapshot ? await loadSnapshot(dir, image.snapshot, limits) : null;
  for (const f of await listZxidFiles(dir, SNAPSHOT_PREFIX)) {
    if (Number(f.zxid) === snapshot?.index) continue;
    // Older snapshots, or one whose record never became durable.
    await rm(f.path);
    changed = true;
  }
  if (changed) await syncDirectory(dir);
  const durable: DurableState = { hardState: image.hardState, snapshot, entries: [...image.log()] };
  log.info(
    { dir, segments: segments.length, snapshotIndex: snapshot?.index ?? 0, entries: durable.entries.length, hardState: durable.hardState },
    'opened Raft storage',
  );
  // Numbering goes on from the last segment kept: a hole would make the next recovery drop those before it.
  return { durable, segments, nextSegment: (segments.at(-1)?.n ?? 0) + 1 };
}

function decodeRecord(payload: Buffer, path: string): StorageRecord {
  try {
    return decodeStorageRecord(payload);
  } catch (err) {
    // Its checksum holds, so it was written like this: not a torn write.
    if (err instanceof DecodeError) throw new RaftRecoveryError(`${path}: unreadable record (${err.message})`);
    throw err;
  }
}

function replay(image: DurableImage<SnapshotRef>, info: SegmentInfo, rec: StorageRecord, path: string): void {
  try {
    switch (rec.kind) {
      case 'entry':
        image.append(rec.entry);
        info.maxEntryIndex = Math.max(info.maxEntryIndex, rec.entry.index);
        return;
      case 'truncate':
        return image.truncate(rec.from);
      case 'hardState':
        image.hardState = { term: rec.term, vote: rec.vote, commit: rec.commit };
        return;
      case 'snapshot':
        return image.installSnapshot({ index: rec.index, term: rec.term });
      case 'seal':
        return;
    }
  } catch (err) {
    if (err instanceof DurableImageError) throw new RaftRecoveryError(`${path}: ${err.message}`);
    throw err;
  }
}

async function cutFile(path: string, size: number): Promise<void> {
  const file = await openFile(path, 'r+');
  try {
    await file.truncate(size);
    await file.sync();
  } finally {
    await file.close();
  }
}

async function loadSnapshot(dir: string, ref: SnapshotRef, limits: RaftStorageLimits): Promise<Snapshot> {
  const path = snapshotPath(dir, ref.index);
  const size = await stat(path).then(
    (s) => s.size,
    () => {
      throw new RaftRecoveryError(`the Raft log puts snapshot ${ref.index} in force, but ${path} is missing`);
    },
  );
  if (size > limits.snapshotBytesMax) throw new RaftRecoveryError(`${path} is ${size} bytes, above snapshotBytesMax (${limits.snapshotBytesMax})`);
  let s: Snapshot;
  try {
    s = decodeSnapshotFile(await readFile(path));
  } catch (err) {
    if (err instanceof DecodeError) throw new RaftRecoveryError(`${path} is damaged: ${err.message}`);
    throw err;
  }
  if (s.index !== ref.index || s.term !== ref.term) {
    throw new RaftRecoveryError(`${path} holds snapshot ${s.index} of term ${s.term}, the log expects ${ref.index} of term ${ref.term}`);
  }
  return s;
}

function snapshotPath(dir: string, index: number): string {
  return join(dir, zxidName(SNAPSHOT_PREFIX, BigInt(index)));
}

// ---- writing

class FileRaftStorage implements RaftStorage {
  readonly durable: DurableState;
  private readonly segments: SegmentInfo[];
  private nextSegment: number;
  private active: ActiveSegment | null = null;
  /** What the records written so far leave in force: a new segment begins by restating it. */
  private hardState: HardState;
  private snapshotRef: SnapshotRef | null;
  /** The log's last index as written (the snapshot's when no entry follows it). */
  private lastIndex: number;
  private queue: Persist[] = [];
  private lastSeq = 0;
  /** A pump of the queue is due once the current callback returns. */
  private scheduled = false;
  /** Passes written or being written, oldest first, until reported durable (in this order). */
  private readonly passes: Pass[] = [];
  /** A pass that starts a segment, writes a snapshot file or zero-fills is under way: no other may start. */
  private alone = false;
  private failed: Error | undefined;
  private closed = false;
  /** Deleting what the newest durable snapshot covers (deleteCovered), beside the passes. */
  private deleting: Promise<void> | null = null;
  private idle: (() => void)[] = [];
  private counts = { persists: 0, batches: 0 };

  constructor(
    private readonly dir: string,
    private readonly limits: RaftStorageLimits,
    private readonly opts: RaftStorageOptions,
    recovered: Recovered,
  ) {
    this.durable = recovered.durable;
    this.segments = recovered.segments;
    this.nextSegment = recovered.nextSegment;
    this.hardState = recovered.durable.hardState;
    const s = recovered.durable.snapshot;
    this.snapshotRef = s && { index: s.index, term: s.term };
    this.lastIndex = recovered.durable.entries.at(-1)?.index ?? s?.index ?? 0;
  }

  write(p: Persist): void {
    if (p.seq <= this.lastSeq) throw new Error(`persist ${p.seq} queued after ${this.lastSeq}`);
    this.lastSeq = p.seq;
    // Never reported durable, so the core never vouches for it: a server shutting down may still hand some over.
    if (this.failed || this.closed) return;
    this.queue.push(p);
    this.counts.persists++;
    this.schedule();
  }

  stats(): RaftStorageStats {
    return { ...this.counts, segments: this.segments.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (!this.isIdle()) await new Promise<void>((resolve) => this.idle.push(resolve));
    const active = this.active;
    this.active = null;
    await active?.file.close();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Whatever else the current callback queues (the runtime's whole drain of ready()) joins the pass,
    // which starts as soon as that callback returns rather than after another poll of the event loop.
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private isIdle(): boolean {
    return this.passes.length === 0 && this.deleting === null && (this.queue.length === 0 || this.failed !== undefined);
  }

  /**
   * Starts passes for what is queued, up to PASSES_IN_FLIGHT_MAX at once. A plain pass (records into
   * the zero-filled part of the current segment) takes its byte range now and writes it while earlier
   * passes are still on their way to the disk: with O_DSYNC each is durable when its own write
   * returns, and they are reported durable in order, so a pass is never reported before the ones
   * before it. A crash can leave a later pass on disk behind a torn earlier one; recovery ends the log
   * at the tear, dropping only passes never reported. A pass that starts a segment, puts a snapshot in
   * force or needs zero fill runs alone.
   */
  private pump(): void {
    while (this.queue.length > 0 && !this.failed && !this.alone && this.passes.length < PASSES_IN_FLIGHT_MAX) {
      const batch = this.takeBatch();
      let plan: PassPlan;
      try {
        plan = this.plan(batch);
      } catch (err) {
        this.fail(err as Error);
        break;
      }
      const plain = !plan.roll && !plan.snapshot && this.active !== null && this.active.pos + plan.bytes.length + RECORD_OVERHEAD_BYTES <= this.active.allocated;
      if (!plain && this.passes.length > 0) {
        // Waits for the passes under way; pump() runs again as each finishes.
        this.queue.unshift(...batch);
        break;
      }
      const pass: Pass = { seq: batch.at(-1)!.seq, done: false, snapshot: plan.snapshot };
      this.passes.push(pass);
      this.alone = !plain;
      const started = performance.now();
      const written = plain ? this.writePlain(plan) : this.writeAlone(batch, plan);
      written.then(
        () => {
          this.opts.onSynced?.(performance.now() - started);
          this.finished(pass);
        },
        (err: Error) => this.fail(err),
      );
    }
    this.wakeIfIdle();
  }

  private finished(pass: Pass): void {
    pass.done = true;
    this.counts.batches++;
    while (!this.failed && this.passes[0]?.done) {
      const head = this.passes[0];
      this.opts.onDurable(head.seq);
      if (head.snapshot) this.deleteInBackground();
      this.passes.shift();
    }
    if (this.alone && this.passes.length === 0) this.alone = false;
    if (this.queue.length > 0) this.pump();
    this.wakeIfIdle();
  }

  /** A write failed: it and everything after it is never reported durable. */
  private fail(err: Error): void {
    if (!this.failed) {
      this.failed = err;
      this.queue = [];
      this.opts.log.error({ err, dir: this.dir }, 'Raft storage write failed; nothing more becomes durable');
      this.opts.onFailure(err);
    }
    // Passes still on their way are not waited for: nothing of theirs will be reported.
    this.passes.length = 0;
    this.wakeIfIdle();
  }

  private wakeIfIdle(): void {
    if (this.isIdle()) for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Queued Persists up to batchBytesMax of entries, at least one. */
  private takeBatch(): Persist[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length) {
      const p = this.queue[n]!;
      bytes += p.entries.reduce((sum, e) => sum + entryBytes(e), 0) + (p.snapshot?.data.length ?? 0);
      if (n > 0 && bytes > this.limits.batchBytesMax) break;
      n++;
    }
    return this.queue.splice(0, n);
  }

  /** The records of a pass and the state they leave in force (nothing written or changed yet). */
  private plan(batch: readonly Persist[]): PassPlan {
    const snapshot = batch.some((p) => p.snapshot);
    const roll = !this.active || this.active.pos >= this.limits.segmentBytes || snapshot;
    let hardState = this.hardState;
    let snapshotRef = this.snapshotRef;
    let lastIndex = this.lastIndex;
    let maxEntryIndex = 0;
    const records: StorageRecord[] = [];
    if (roll) {
      if (snapshotRef) records.push({ kind: 'snapshot', ...snapshotRef });
      records.push({ kind: 'hardState', ...hardState });
    }
    for (const p of batch) {
      if (p.snapshot) {
        snapshotRef = { index: p.snapshot.index, term: p.snapshot.term };
        records.push({ kind: 'snapshot', ...snapshotRef });
        lastIndex = Math.max(lastIndex, snapshotRef.index);
      }
      // A truncation at the log's end (a plain append) removes nothing: no record.
      if (p.truncateFrom !== null && p.truncateFrom <= lastIndex) {
        records.push({ kind: 'truncate', from: p.truncateFrom });
        lastIndex = Math.max(snapshotRef?.index ?? 0, p.truncateFrom - 1);
      }
      for (const entry of p.entries) {
        records.push({ kind: 'entry', entry });
        maxEntryIndex = Math.max(maxEntryIndex, entry.index);
        lastIndex = entry.index;
      }
      if (p.hardState) hardState = p.hardState;
    }
    // The pass is atomic, so only its last hard state can ever be read back.
    if (hardState !== this.hardState) records.push({ kind: 'hardState', ...hardState });
    records.push({ kind: 'seal', seq: batch.at(-1)!.seq });
    const payloads = records.map(encodeStorageRecord);
    for (const payload of payloads) {
      // Recovery would refuse it, losing the pass and everything after it: refuse it now instead.
      if (payload.length > this.limits.recordBytesMax) {
        throw new RaftStorageLimitError(`a Raft log record of ${payload.length} bytes exceeds recordBytesMax (${this.limits.recordBytesMax})`);
      }
    }
    return { bytes: frameRecords(payloads), roll, snapshot, hardState, snapshotRef, lastIndex, maxEntryIndex };
  }

  /** Takes the pass's byte range in the current segment now, so the next pass can start behind it. */
  private writePlain(plan: PassPlan): Promise<void> {
    const seg = this.active!;
    const at = seg.pos;
    this.advance(seg, plan);
    // Durable on return when forceSync: the segment is open with O_DSYNC (roll()).
    return writeAll(seg.file, [plan.bytes], at);
  }

  /** A pass with nothing else under way: snapshot files, a new segment, zero fill as needed. */
  private async writeAlone(batch: readonly Persist[], plan: PassPlan): Promise<void> {
    // Snapshot files first: no record may put a snapshot in force before its file is durable.
    for (const p of batch) if (p.snapshot) await this.writeSnapshotFile(p.snapshot);
    if (plan.roll) await this.roll();
    const seg = this.active!;
    seg.allocated = await zeroFillTo(seg.file, seg.allocated, seg.pos + plan.bytes.length + RECORD_OVERHEAD_BYTES);
    await writeAll(seg.file, [plan.bytes], seg.pos);
    // The new segment's name must be durable before anything in it counts.
    if (plan.roll) await syncDirectory(this.dir);
    this.advance(seg, plan);
  }

  private advance(seg: ActiveSegment, plan: PassPlan): void {
    seg.pos += plan.bytes.length;
    seg.info.maxEntryIndex = Math.max(seg.info.maxEntryIndex, plan.maxEntryIndex);
    this.hardState = plan.hardState;
    this.snapshotRef = plan.snapshotRef;
    this.lastIndex = plan.lastIndex;
  }

  private async writeSnapshotFile(s: Snapshot): Promise<void> {
    const bytes = encodeSnapshotFile(s);
    if (bytes.length > this.limits.snapshotBytesMax) {
      throw new RaftStorageLimitError(`snapshot ${s.index} takes ${bytes.length} bytes, above snapshotBytesMax (${this.limits.snapshotBytesMax})`);
    }
    await writeFileAtomic(snapshotPath(this.dir, s.index), bytes);
  }

  private async roll(): Promise<void> {
    const old = this.active;
    this.active = null;
    if (old) {
      // Its zero fill is not needed any more; if the cut is lost in a crash, zeros after the last seal are harmless.
      await old.file.truncate(old.pos);
      await old.file.close();
    }
    const n = this.nextSegment++;
    const info: SegmentInfo = { n, path: join(this.dir, zxidName(SEGMENT_PREFIX, BigInt(n))), maxEntryIndex: 0 };
    const file = await openFile(info.path, this.segmentFlags());
    this.segments.push(info);
    this.active = { info, file, pos: SEGMENT_HEADER_BYTES, allocated: SEGMENT_HEADER_BYTES };
    await writeAll(file, [segmentHeader(RAFT_LOG_FORMAT)], 0);
  }

  /** A new segment, created here ('wx'), each write durable on return when forceSync. */
  private segmentFlags(): number {
    const { O_WRONLY, O_CREAT, O_EXCL, O_DSYNC } = constants;
    return O_WRONLY | O_CREAT | O_EXCL | ((this.opts.forceSync ?? true) ? O_DSYNC : 0);
  }

  /**
   * Deletion runs beside the passes that follow, not before them: every server reaches a snapshot
   * about as often, and a few unlinks on a busy disk held its writes (and so commits) for tens of ms.
   * One deletion at a time; close() waits for it.
   */
  private deleteInBackground(): void {
    const run = (this.deleting ?? Promise.resolve()).then(() => this.deleteCovered());
    this.deleting = run;
    void run.then(() => {
      if (this.deleting !== run) return;
      this.deleting = null;
      this.wakeIfIdle();
    });
  }

  /**
   * After a snapshot became durable: the oldest segments whose entries it covers, and older snapshot
   * files. A failure here costs only space, so it is logged and the rest waits for the next snapshot.
   */
  private async deleteCovered(): Promise<void> {
    const covered = this.snapshotRef!.index;
    try {
      // The last segment is the one being written.
      while (this.segments.length > 1 && this.segments[0]!.maxEntryIndex <= covered) {
        await rm(this.segments[0]!.path);
        this.segments.shift();
      }
      for (const f of await listZxidFiles(this.dir, SNAPSHOT_PREFIX)) if (Number(f.zxid) < covered) await rm(f.path);
    } catch (err) {
      this.opts.log.warn({ err, dir: this.dir }, 'could not delete Raft log files a snapshot covers');
    }
  }
}
