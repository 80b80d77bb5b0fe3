// Kafka's `leader-epoch-checkpoint` file: the version line `0`, the entry count, then `epoch startOffset`
// per line. The log writes it atomically before every partition checkpoint, so the entries below a
// checkpointed recovery point are always on disk; recovery rebuilds the rest (and all of it, when the
// file is missing or unreadable) from the batches' partitionLeaderEpoch.
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { readFileHead } from './checkpoint.js';
import { MAX_LEADER_EPOCH, type EpochEntry } from './leader-epoch-cache.js';

export const LEADER_EPOCH_FILE = 'leader-epoch-checkpoint';
/** Why readLeaderEpochFile found nothing when there is no file (a new log, or one from before the cache). */
export const NO_LEADER_EPOCH_FILE = 'no leader epoch file';
const FILE_VERSION = 0;
/** A file larger than this is not one we wrote (tens of thousands of leader changes): rebuilt instead. */
export const MAX_LEADER_EPOCH_FILE_BYTES = 1 << 20;

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
    if (entry.epoch > MAX_LEADER_EPOCH || !Number.isSafeInteger(entry.startOffset)) return `leader epoch line ${JSON.stringify(line)} is out of range`;
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
