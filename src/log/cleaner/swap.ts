// Swapping a cleaned segment into a partition directory in place of the segments it replaces, so that a
// crash at any point leaves either all the old segments or the new one. As in Kafka, the new files go
// .cleaned -> .swap -> final names; the replaced segments are first set aside as .deleted, so recovery
// knows exactly which files a committed swap replaces without reading anything:
//
//   1. the cleaner writes `<base>.log.cleaned` and its indexes and fsyncs them;
//   2. setAside: every file of the replaced segments is renamed to `<name>.deleted`; directory fsynced;
//   3. commit: the new files become `.swap`, the indexes first and the .log last (the commit point);
//      directory fsynced;
//   4. finish: the `.deleted` files are removed, then the `.swap` files take their final names, the .log
//      first; directory fsynced.
//
// recoverSwaps, run before the loader looks for segments: a `.log.swap` means the swap was committed, so
// step 4 is completed. Otherwise a `.log.cleaned` means it was not: the new files go and the `.deleted`
// ones get their names back. Index `.swap` files with neither are what step 4 had left to rename.
import { readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../logger.js';
import { syncDirectory } from '../../fs/dir-sync.js';
import { LOG_SUFFIX, parseSegmentFileName, type Segment, unlinkIfExists } from '../segment.js';

export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';
export const DELETED_SUFFIX = '.deleted';

/** Step 2: the replaced segments' files become `.deleted` (their open descriptors keep serving reads). */
export async function setAside(dir: string, replaced: readonly Segment[]): Promise<void> {
  for (const seg of replaced) await seg.renameFiles(DELETED_SUFFIX, true);
  await syncDirectory(dir);
}

/** Step 3: the cleaned segment becomes `.swap`; once this returns, a crash completes the swap. */
export async function commitSwap(dir: string, cleaned: Segment): Promise<void> {
  await cleaned.renameFiles(SWAP_SUFFIX, false);
  await syncDirectory(dir);
}

/** Step 4: the replaced segments' files go (closed once reads in flight finish); the new ones take their names. */
export async function finishSwap(dir: string, cleaned: Segment, replaced: readonly Segment[]): Promise<void> {
  for (const seg of replaced) await seg.delete();
  await cleaned.renameFiles('', true);
  await syncDirectory(dir);
}

interface SwapFile {
  name: string;
  /** The segment file name it will have or had. */
  finalName: string;
  isLog: boolean;
}

function swapFilesOf(names: readonly string[], suffix: string): SwapFile[] {
  const out: SwapFile[] = [];
  for (const name of names) {
    if (!name.endsWith(suffix)) continue;
    const finalName = name.slice(0, -suffix.length);
    const parsed = parseSegmentFileName(finalName);
    if (parsed) out.push({ name, finalName, isLog: parsed.suffix === LOG_SUFFIX });
  }
  return out;
}

/**
 * Completes a committed swap or undoes an uncommitted one that a crash interrupted in `dir` (see the
 * steps above). Returns whether anything was changed.
 */
export async function recoverSwaps(dir: string, log: Logger): Promise<boolean> {
  const names = await readdir(dir);
  const cleaned = swapFilesOf(names, CLEANED_SUFFIX);
  const swapped = swapFilesOf(names, SWAP_SUFFIX);
  const deleted = swapFilesOf(names, DELETED_SUFFIX);
  if (cleaned.length + swapped.length + deleted.length === 0) return false;
  const at = (f: SwapFile): string => join(dir, f.name);
  const committed = swapped.some((f) => f.isLog);
  if (committed || !cleaned.some((f) => f.isLog)) {
    // Committed (or past the .log's final rename): the old segments go, the new one keeps its files.
    log.info({ dir, swapped: swapped.map((f) => f.name), replaced: deleted.map((f) => f.finalName) }, 'completing an interrupted segment swap');
    for (const f of deleted) await unlinkIfExists(at(f));
    for (const f of cleaned) await unlinkIfExists(at(f));
    for (const f of swapped) await rename(at(f), join(dir, f.finalName));
  } else {
    log.info({ dir, cleaned: cleaned.map((f) => f.name), restored: deleted.map((f) => f.finalName) }, 'undoing an uncommitted segment swap');
    for (const f of [...cleaned, ...swapped]) await unlinkIfExists(at(f));
    for (const f of deleted) await rename(at(f), join(dir, f.finalName));
  }
  await syncDirectory(dir);
  return true;
}
