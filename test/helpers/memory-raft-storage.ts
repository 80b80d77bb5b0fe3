// An in-memory RaftStorage for tests of the quorum server that do not need files: Persists become
// durable on the next turn of the event loop (several queued in one turn share the pass, as group
// commit does), applied by the same DurableImage rules the file storage's recovery and the Raft
// simulation's disks follow. The disk outlives its storages: crash() drops what was not yet durable,
// and disk.open() is a restart. failWith() makes the next pass fail, as a full disk does.
import { DurableImage } from '../../src/consensus/durable-image.js';
import type { DurableState, Persist } from '../../src/consensus/types.js';
import type { RaftStorage, RaftStorageStats } from '../../src/zookeeper/quorum/raft-storage.js';

export interface MemoryStorageCallbacks {
  onDurable(seq: number): void;
  onFailure(err: Error): void;
}

export class MemoryDisk {
  readonly image = new DurableImage();
  /** The error the next write pass fails with, if set. */
  failure: Error | undefined;

  /** A storage over this disk, as a server (re)starting on it opens it. */
  open(callbacks: MemoryStorageCallbacks): MemoryRaftStorage {
    return new MemoryRaftStorage(this, callbacks);
  }

  failWith(err: Error): void {
    this.failure = err;
  }
}

export class MemoryRaftStorage implements RaftStorage {
  readonly durable: DurableState;
  private queue: Persist[] = [];
  private scheduled = false;
  private stopped = false;
  private counts = { persists: 0, batches: 0 };

  constructor(
    private readonly disk: MemoryDisk,
    private readonly callbacks: MemoryStorageCallbacks,
  ) {
    this.durable = disk.image.state();
  }

  write(p: Persist): void {
    if (this.stopped) return;
    this.queue.push(p);
    this.counts.persists++;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.pass());
  }

  /** The process died: what was queued is lost, and nothing more is reported. */
  crash(): void {
    this.stopped = true;
    this.queue = [];
  }

  async close(): Promise<void> {
    if (this.scheduled) this.pass();
    this.stopped = true;
  }

  stats(): RaftStorageStats {
    return { ...this.counts, segments: 1 };
  }

  private pass(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0);
    if (this.stopped || batch.length === 0) return;
    const err = this.disk.failure;
    if (err) {
      this.stopped = true;
      this.callbacks.onFailure(err);
      return;
    }
    for (const p of batch) this.disk.image.apply(p);
    this.counts.batches++;
    this.callbacks.onDurable(batch.at(-1)!.seq);
  }
}
