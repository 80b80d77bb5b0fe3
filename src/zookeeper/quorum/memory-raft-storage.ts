// Raft storage held in memory: the stand-in for the file-backed storage (raft-storage.ts of the
// zk-storage slice) with the same contract, for in-process tests. Nothing survives the process, so a
// server on it must never be restarted as if it had a disk.
import type { DurableState, Entry, Persist, Snapshot } from '../../consensus/types.js';

export interface RaftStorage {
  /** What the disk held when opened. */
  readonly durable: DurableState;
  /** Queues `p`; writes complete in seq order and several share one flush (group commit). */
  write(p: Persist): void;
  close(): Promise<void>;
}

export interface RaftStorageHooks {
  /** Every Persist up to `seq` is durable. */
  onDurable(seq: number): void;
  onFailure(err: Error): void;
}

export class MemoryRaftStorage implements RaftStorage {
  private snapshot: Snapshot | null = null;
  private entries: Entry[] = [];
  private hardState = { term: 0, vote: 0, commit: 0 };
  private queued: Persist[] = [];
  private closed = false;

  constructor(private readonly hooks: RaftStorageHooks) {}

  get durable(): DurableState {
    return { hardState: this.hardState, snapshot: this.snapshot, entries: [...this.entries] };
  }

  write(p: Persist): void {
    if (this.closed) return;
    this.queued.push(p);
    // One flush per turn of the event loop, as a disk's group commit would do it.
    if (this.queued.length === 1) setImmediate(() => this.flush());
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private flush(): void {
    if (this.closed || this.queued.length === 0) return;
    const batch = this.queued;
    this.queued = [];
    for (const p of batch) {
      if (p.snapshot) {
        this.entries = this.entries.filter((e) => e.index > p.snapshot!.index);
        this.snapshot = p.snapshot;
      }
      if (p.truncateFrom !== null) {
        this.entries = this.entries.filter((e) => e.index < p.truncateFrom!);
        this.entries.push(...p.entries);
      }
      if (p.hardState) this.hardState = p.hardState;
    }
    this.hooks.onDurable(batch.at(-1)!.seq);
  }
}
