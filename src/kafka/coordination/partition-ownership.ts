// Which partitions of a coordinator's state topic this broker serves. A coordinator whose state lives in
// an internal topic (groups in __consumer_offsets, transactions in __transaction_state) holds in memory
// only the partitions this broker leads: it loads one when it becomes leader and forgets it when it stops
// (Kafka: onElection/onResignation, with the partition's leader epoch). Requests for a partition still
// loading are told to retry here; requests for one not owned are told to look elsewhere.
//
// The leader epoch orders elections and resignations that arrive late: one older than the last seen for
// the partition is ignored, and a load overtaken by a resignation is abandoned when it finishes, so a
// slow load never installs state this broker gave up meanwhile.
import { ErrorCode } from '../../../protocol/kafka/errors.js';

export type OwnershipStatus = 'loading' | 'loaded' | 'unowned';

/** What the coordinator does as a partition comes and goes; L is what a load reads back. */
export interface PartitionLoadHooks<L> {
  /** Reads the partition's state back; `isCurrent` turns false once the load is overtaken. */
  load(partition: number, epoch: number, isCurrent: () => boolean): Promise<L>;
  /** The load finished and is still wanted: the partition's state goes live. */
  loaded(partition: number, epoch: number, state: L): void;
  /** The partition was loaded and is no longer ours: its state leaves memory. */
  unloaded(partition: number, epoch: number): void;
  /** The load failed: the partition stays unowned (Kafka logs it and serves the rest). */
  loadFailed(partition: number, epoch: number, err: unknown): void;
}

interface Entry {
  status: OwnershipStatus;
  /** The latest leader epoch seen for the partition, by election or resignation. */
  epoch: number;
  /** The load under way while loading. */
  load?: Promise<void>;
}

export class PartitionOwnership<L> {
  /** By partition; an entry is replaced (never reused) when ownership ends, which is what abandons a load. */
  private readonly entries = new Map<number, Entry>();

  constructor(private readonly hooks: PartitionLoadHooks<L>) {}

  status(partition: number): OwnershipStatus {
    return this.entries.get(partition)?.status ?? 'unowned';
  }

  /** The leader epoch last seen for the partition, if any. */
  epoch(partition: number): number | undefined {
    return this.entries.get(partition)?.epoch;
  }

  /** The error a request for the partition gets now: NONE once loaded (Kafka's validateGroupStatus order). */
  refusal(partition: number): number {
    switch (this.status(partition)) {
      case 'loaded':
        return ErrorCode.NONE;
      case 'loading':
        return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
      default:
        return ErrorCode.NOT_COORDINATOR;
    }
  }

  get anyLoading(): boolean {
    for (const entry of this.entries.values()) if (entry.status === 'loading') return true;
    return false;
  }

  /** Partitions loaded, in ascending order. */
  loaded(): number[] {
    return [...this.entries].filter(([, e]) => e.status === 'loaded').map(([p]) => p).sort((a, b) => a - b);
  }

  /**
   * This broker leads `partition` from `epoch` on: loads it unless it is loaded or loading already (then
   * only the epoch moves on). Settles once this load is installed, abandoned or failed.
   */
  onElection(partition: number, epoch: number): Promise<void> {
    const current = this.entries.get(partition);
    if (current && epoch < current.epoch) return Promise.resolve();
    if (current && current.status !== 'unowned') {
      current.epoch = epoch;
      return current.load ?? Promise.resolve();
    }
    const entry: Entry = { status: 'loading', epoch };
    this.entries.set(partition, entry);
    const isCurrent = () => this.entries.get(partition) === entry;
    entry.load = this.hooks.load(partition, epoch, isCurrent).then(
      (state) => {
        if (!isCurrent()) return;
        entry.status = 'loaded';
        entry.load = undefined;
        this.hooks.loaded(partition, entry.epoch, state);
      },
      (err: unknown) => {
        if (!isCurrent()) return;
        this.entries.set(partition, { status: 'unowned', epoch: entry.epoch });
        this.hooks.loadFailed(partition, entry.epoch, err);
      },
    );
    return entry.load;
  }

  /** This broker no longer leads `partition` as of `epoch`; a loaded partition is unloaded, a load under way abandoned. */
  onResignation(partition: number, epoch: number): void {
    const current = this.entries.get(partition);
    if (current && epoch < current.epoch) return;
    this.entries.set(partition, { status: 'unowned', epoch });
    if (current?.status === 'loaded') this.hooks.unloaded(partition, epoch);
  }

  /** Settles once no load started so far is under way. */
  async settled(): Promise<void> {
    const loads = [...this.entries.values()].map((e) => e.load).filter((l) => l !== undefined);
    await Promise.all(loads);
  }
}
