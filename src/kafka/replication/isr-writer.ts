// How a leader's ISR change reaches the controller. Kafka's ZooKeeper mode (before AlterPartition): the
// leader writes the partition state znode itself, conditionally on the version it holds (the partition
// epoch), then leaves an /isr_change_notification for the controller, which tells the other brokers.
// The ZooKeeper implementation lives with the broker's ZooKeeper session (zk-isr-writer.ts); tests that
// play the controller give their own.
import type { IsrChangeResult } from '../../consensus/partition-replication.js';

/** The partition state a leader asks to write: the state znode's fields. */
export interface IsrUpdate {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly controllerEpoch: number;
}

export interface IsrWriter {
  /**
   * Writes `update` for `topic`-`partition` if the state is still at `partitionEpoch` (the znode
   * version). Resolves with the new committed state, or a refusal the core understands
   * (INVALID_UPDATE_VERSION when the state moved on, OPERATION_NOT_ATTEMPTED when nothing was tried).
   * Rejects when the outcome is unknown (a lost connection): the change is sent again.
   */
  write(topic: string, partition: number, update: IsrUpdate, partitionEpoch: number): Promise<IsrChangeResult>;
}
