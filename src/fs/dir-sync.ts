import { open } from 'node:fs/promises';

/** fsyncs a directory, making file creations, renames and deletions in it durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
