// Which leader epoch wrote which part of the log: one (epoch, start offset) entry per epoch, as Kafka's
// LeaderEpochFileCache keeps it. A follower asks the leader where its last epoch ended
// (OffsetForLeaderEpoch) and truncates what the leader never had (KIP-101/279); consumers ask the same
// to notice a truncation after a leader change (KIP-320).
//
// On disk it is Kafka's `leader-epoch-checkpoint` text file: the version line `0`, the entry count, then
// `epoch startOffset` per line. The log writes it atomically before every partition checkpoint, so the
// entries below a checkpointed recovery point are always on disk; recovery rebuilds the rest (and all
// of it, when the file is missing or unreadable) from the batches' partitionLeaderEpoch.
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { readFileHead } from './checkpoint.js';

export const LEADER_EPOCH_FILE = 'leader-epoch-checkpoint';
/** Why readLeaderEpochFile found nothing when there is no file (a new log, or one from before the cache). */
export const NO_LEADER_EPOCH_FILE = 'no leader epoch file';
const FILE_VERSION = 0;
/** A file larger than this is not one we wrote (tens of thousands of leader changes): rebuilt instead. */
export const MAX_LEADER_EPOCH_FILE_BYTES = 1 << 20;
const MAX_EPOCH = 0x7fffffff;
/** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export interface EpochEndOffset {
  /** The largest known epoch at or below the one asked for, or UNDEFINED_EPOCH. */
  epoch: number;
  /** Where that epoch ended: the next epoch's start, or the log end for the latest; or UNDEFINED_EPOCH_OFFSET. */
  endOffset: number;
}

/** The entries, epochs and start offsets both strictly rising. */
export class LeaderEpochCache {
  private entries: EpochEntry[];
  private changes = 0;

  constructor(entries: readonly EpochEntry[] = []) {
    this.entries = entries.map((e) => ({ ...e }));
  }

  /** Bumped by every change, so the log knows whether its file is current. */
  get version(): number {
    return this.changes;
  }

  list(): EpochEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  get latestEpoch(): number | undefined {
    return this.entries[this.entries.length - 1]?.epoch;
  }

  /**
   * Records that `epoch` starts at `startOffset`, Kafka's assign: needed when the epoch differs from the
   * latest or starts earlier; entries that would break the rising order (an epoch or start at or past
   * the new one) go first. Returns whether anything changed.
   */
  assign(epoch: number, startOffset: number): boolean {
    if (!Number.isInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH || !Number.isSafeInteger(startOffset) || startOffset < 0) {
      throw new RangeError(`invalid leader epoch entry ${epoch}@${startOffset}`);
    }
    const latest = this.entries[this.entries.length - 1];
    if (latest && latest.epoch === epoch && latest.startOffset <= startOffset) return false;
    let keep = this.entries.length;
    while (keep > 0 && (this.entries[keep - 1]!.epoch >= epoch || this.entries[keep - 1]!.startOffset >= startOffset)) keep--;
    this.entries.length = keep;
    this.entries.push({ epoch, startOffset });
    this.changes++;
    return true;
  }

  /**
   * What recovery makes of a stored batch (Kafka's LogSegment.recover): a batch stamped with an epoch
   * newer than the latest starts that epoch. Batches without an epoch (-1) say nothing.
   */
  observeBatch(epoch: number, baseOffset: number): void {
    if (epoch >= 0 && epoch > (this.latestEpoch ?? -1)) this.assign(epoch, baseOffset);
  }

  /**
   * Kafka's endOffsetFor: for the latest epoch the log end; for an older one the largest known epoch at
   * or below it and the start of the next; for one below every entry that epoch itself and the first
   * entry's start (the log's records before it are gone); undefined for -1 or an epoch above all.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): EpochEndOffset {
    const undefinedAnswer = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (requestedEpoch === UNDEFINED_EPOCH) return undefinedAnswer;
    if (this.latestEpoch === requestedEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higher = this.entries.findIndex((e) => e.epoch > requestedEpoch);
    if (higher < 0) return undefinedAnswer;
    const next = this.entries[higher]!;
    if (higher === 0) return { epoch: requestedEpoch, endOffset: next.startOffset };
    return { epoch: this.entries[higher - 1]!.epoch, endOffset: next.startOffset };
  }

  /** Removes the entries starting at or after `endOffset` (the log was cut there). */
  truncateFromEnd(endOffset: number): void {
    let keep = this.entries.length;
    while (keep > 0 && this.entries[keep - 1]!.startOffset >= endOffset) keep--;
    if (keep === this.entries.length) return;
    this.entries.length = keep;
    this.changes++;
  }

  /**
   * The log now starts at `startOffset`: entries starting at or below it go, and the last of them comes
   * back starting at `startOffset` (the epoch its first remaining records belong to), as Kafka clamps.
   */
  truncateFromStart(startOffset: number): void {
    let removed = 0;
    while (removed < this.entries.length && this.entries[removed]!.startOffset <= startOffset) removed++;
    if (removed === 0) return;
    const clamped = { epoch: this.entries[removed - 1]!.epoch, startOffset };
    if (removed === 1 && this.entries[0]!.startOffset === startOffset) return;
    this.entries.splice(0, removed, clamped);
    this.changes++;
  }

  clear(): void {
    if (this.entries.length === 0) return;
    this.entries = [];
    this.changes++;
  }
}

export function encodeLeaderEpochFile(entries: readonly EpochEntry[]): string {
  return [String(FILE_VERSION), String(entries.length), ...entries.map((e) => `${e.epoch} ${e.startOffset}`)].join('\n') + '\n';
}

const INTEGER = /^(0|[1-9][0-9]*)$/;

/** The entries in a leader-epoch-checkpoint file, or why it cannot be used. */
export function decodeLeaderEpochFile(text: string): EpochEntry[] | string {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length < 2) return 'leader epoch file has no header';
  if (lines[0] !== String(FILE_VERSION)) return `leader epoch file version ${JSON.stringify(lines[0]!.slice(0, 20))} is not ${FILE_VERSION}`;
  if (!INTEGER.test(lines[1]!)) return 'leader epoch file count is not a number';
  const count = Number(lines[1]);
  if (count !== lines.length - 2) return `leader epoch file announces ${count} entries and holds ${lines.length - 2}`;
  const entries: EpochEntry[] = [];
  for (const line of lines.slice(2)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 2 || !INTEGER.test(fields[0]!) || !INTEGER.test(fields[1]!)) return `malformed leader epoch line ${JSON.stringify(line.slice(0, 60))}`;
    const entry = { epoch: Number(fields[0]), startOffset: Number(fields[1]) };
    if (entry.epoch > MAX_EPOCH || !Number.isSafeInteger(entry.startOffset)) return `leader epoch line ${JSON.stringify(line)} is out of range`;
    const last = entries[entries.length - 1];
    if (last && (entry.epoch <= last.epoch || entry.startOffset <= last.startOffset)) return `leader epoch entries do not rise at ${JSON.stringify(line)}`;
    entries.push(entry);
  }
  return entries;
}

/** The entries of the partition's file, or why there are none to use (missing, too large, malformed). */
export async function readLeaderEpochFile(dir: string): Promise<EpochEntry[] | string> {
  const bytes = await readFileHead(join(dir, LEADER_EPOCH_FILE), MAX_LEADER_EPOCH_FILE_BYTES + 1);
  if (!bytes) return NO_LEADER_EPOCH_FILE;
  if (bytes.length > MAX_LEADER_EPOCH_FILE_BYTES) return `leader epoch file is larger than ${MAX_LEADER_EPOCH_FILE_BYTES} bytes`;
  return decodeLeaderEpochFile(bytes.toString('latin1'));
}

export function writeLeaderEpochFile(dir: string, entries: readonly EpochEntry[]): Promise<void> {
  return writeFileAtomic(join(dir, LEADER_EPOCH_FILE), encodeLeaderEpochFile(entries));
}
