// Where share-partition state is kept durable: one small file per (group, topic id, partition) under
// the data directory's share-group-state/, replaced atomically (write, fsync, rename). Kafka keeps it in
// the __share_group_state topic through a share coordinator; a file per share-partition holds the same
// snapshot (start offset, state epoch, state batches) and survives a restart of this broker. Writes of
// one share-partition are serialized and coalesced: while one is on disk, later snapshots replace each
// other and the newest goes next, so a burst of acknowledgements costs two writes, not one per request.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-file.js';
import { DeliveryState, type SharePartitionSnapshot, type StateBatch } from './share-partition.js';

export const SHARE_STATE_DIR = 'share-group-state';

interface Pending {
  snapshot: SharePartitionSnapshot;
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

interface Slot {
  writing: boolean;
  next: Pending | undefined;
}

function isBatch(b: unknown): b is StateBatch {
  const x = b as StateBatch;
  const states: number[] = Object.values(DeliveryState);
  return typeof x === 'object' && x !== null && Number.isSafeInteger(x.firstOffset) && Number.isSafeInteger(x.lastOffset) && x.lastOffset >= x.firstOffset && states.includes(x.deliveryState) && Number.isSafeInteger(x.deliveryCount);
}

function groupHash(groupId: string): string {
  return createHash('sha256').update(groupId).digest('hex').slice(0, 32);
}

export class ShareStateStore {
  private readonly dir: string;
  private readonly slots = new Map<string, Slot>();
  private made = false;

  constructor(dataDir: string) {
    this.dir = join(dataDir, SHARE_STATE_DIR);
  }

  /** The file of one share-partition: the group id hashed, since ids may hold any character and be long. */
  private pathOf(groupId: string, topicId: string, partition: number): string {
    return join(this.dir, `${groupHash(groupId)}-${topicId}-${partition}.json`);
  }

  /** The share-partitions the group has state for on this broker. */
  async partitionsOf(groupId: string): Promise<Array<{ topicId: string; partition: number }>> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const prefix = `${groupHash(groupId)}-`;
    return names.flatMap((name) => {
      const m = name.startsWith(prefix) ? /^([0-9a-f]{32})-(\d+)\.json$/.exec(name.slice(prefix.length)) : null;
      return m ? [{ topicId: m[1]!, partition: Number(m[2]) }] : [];
    });
  }

  /** The persisted snapshot, or undefined when the group never used this partition here (or the file is not one this store wrote). */
  async load(groupId: string, topicId: string, partition: number): Promise<SharePartitionSnapshot | undefined> {
    let text: string;
    try {
      text = await readFile(this.pathOf(groupId, topicId, partition), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const parsed = JSON.parse(text) as { groupId?: unknown } & Partial<SharePartitionSnapshot>;
    if (parsed.groupId !== groupId || !Number.isSafeInteger(parsed.startOffset) || !Number.isSafeInteger(parsed.stateEpoch) || !Array.isArray(parsed.stateBatches) || !parsed.stateBatches.every(isBatch)) {
      throw new Error(`share-group state file for ${groupId} ${topicId}-${partition} is malformed`);
    }
    return { startOffset: parsed.startOffset!, stateEpoch: parsed.stateEpoch!, stateBatches: parsed.stateBatches };
  }

  /** Settles once `snapshot` (or a later one of the same share-partition) is durable. */
  save(groupId: string, topicId: string, partition: number, snapshot: SharePartitionSnapshot): Promise<void> {
    const path = this.pathOf(groupId, topicId, partition);
    let slot = this.slots.get(path);
    if (!slot) {
      slot = { writing: false, next: undefined };
      this.slots.set(path, slot);
    }
    const s = slot;
    return new Promise<void>((resolve, reject) => {
      if (s.next) s.next.snapshot = snapshot;
      else s.next = { snapshot, waiters: [] };
      s.next.waiters.push({ resolve, reject });
      if (!s.writing) void this.drain(path, groupId, s);
    });
  }

  private async drain(path: string, groupId: string, slot: Slot): Promise<void> {
    slot.writing = true;
    while (slot.next) {
      const { snapshot, waiters } = slot.next;
      slot.next = undefined;
      try {
        if (!this.made) {
          await mkdir(this.dir, { recursive: true });
          this.made = true;
        }
        await writeFileAtomic(path, JSON.stringify({ groupId, ...snapshot }));
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    slot.writing = false;
    this.slots.delete(path);
  }
}
