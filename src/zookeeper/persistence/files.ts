// File naming shared by the transaction log and snapshots. Files are named by
// zxid in fixed-width hex (log.<first zxid>, snapshot.<zxid>), so names sort in zxid order.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export function zxidName(prefix: string, zxid: bigint): string {
  return `${prefix}.${zxid.toString(16).padStart(16, '0')}`;
}

export interface ZxidFile {
  path: string;
  zxid: bigint;
}

/** Files in `dir` named `<prefix>.<16 hex digits>`, ascending by zxid. */
export async function listZxidFiles(dir: string, prefix: string): Promise<ZxidFile[]> {
  const pattern = new RegExp(`^${prefix}\\.([0-9a-f]{16})$`);
  const out: ZxidFile[] = [];
  for (const name of await readdir(dir)) {
    const m = pattern.exec(name);
    if (m) out.push({ path: join(dir, name), zxid: BigInt(`0x${m[1]!}`) });
  }
  return out.sort((a, b) => (a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0));
}

