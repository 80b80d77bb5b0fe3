import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory } from './dir-sync.js';
import { openFile } from './file-layer.js';
import { writeAll } from './write-all.js';

/**
 * Replaces `path` with `data` so that a crash leaves either the old or the new content: write a temp
 * file, fsync it, rename over the target, fsync the directory so the rename itself is durable. A write
 * that fails (a full disk) leaves the old file and removes the temp one, giving its space back.
 */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp`;
  const file = await openFile(tmp, 'w');
  try {
    await writeAll(file, [typeof data === 'string' ? Buffer.from(data) : data], 0);
    await file.sync();
  } catch (err) {
    await file.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await file.close();
  await rename(tmp, path);
  await syncDirectory(dirname(path));
}
