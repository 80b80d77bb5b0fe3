// Where the storage code opens the files it writes. Production opens them with node:fs; a test can put
// a layer in between (test/helpers/faulty-files.ts) that makes writes come up short or fail with
// ENOSPC at chosen bytes, to prove that nothing acknowledged is lost when the disk fills.
import { open, type FileHandle } from 'node:fs/promises';

export interface FileLayer {
  open(path: string, flags: string | number): Promise<FileHandle>;
}

const nodeFiles: FileLayer = { open: (path, flags) => open(path, flags) };
let current: FileLayer = nodeFiles;

/** Opens `path` (flags as node:fs takes them: a string, or O_* constants or-ed) through the current layer. */
export function openFile(path: string, flags: string | number): Promise<FileHandle> {
  return current.open(path, flags);
}

/** Routes every later openFile through `layer`; returns what puts the previous layer back. */
export function useFileLayer(layer: FileLayer): () => void {
  const previous = current;
  current = layer;
  return () => {
    current = previous;
  };
}
