import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory } from '../log/dir-sync.js';

/**
 * Replaces `path` with `data` so that a crash leaves either the old or the new content: write a temp
 * file, fsync it, rename over the target, fsync the directory so the rename itself is durable.
 */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  await syncDirectory(dirname(path));
}
