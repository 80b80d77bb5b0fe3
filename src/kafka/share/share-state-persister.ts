// How a share-partition leader keeps its share-partitions' state durable (Kafka's persister): through
// the share coordinator of each share-partition's key, the leader of its __share_group_state partition,
// with ReadShareGroupState / WriteShareGroupState; in-process when that is this broker, over an
// inter-broker connection otherwise. So whichever broker leads a partition next reads the state the
// previous leader wrote, and a write is answered only once the state topic's ISR has it.
//
// Writes of one share-partition are serialized and coalesced: while one is under way, later snapshots
// replace each other and the newest goes next, so a burst of acknowledgements costs two writes, not one
// per request. A coordinator that is moving, loading or not created yet is retried with a backoff for
// up to share.coordinator.write.timeout.ms and a little more, as Kafka's persister retries it.
import { ApiKey, ErrorCode, errorInfo, type DeleteShareGroupStateResponseInput, type ReadShareGroupStateResponseInput, type WriteShareGroupStateResponseInput } from '../../../protocol/kafka/index.js';
import { SHARE_GROUP_STATE_TOPIC } from '../../../protocol/kafka/share-group-state/records.js';
import type { Logger } from '../../logger.js';
import type { BrokerConnections } from '../cluster/broker-connections.js';
import type { MetadataView } from '../metadata/metadata-view.js';
import type { DeliveryState, SharePartitionSnapshot } from './share-partition.js';
import type { ShareStateCoordinator } from './share-state-coordinator.js';

/** The first wait before asking a coordinator again; doubled up to RETRY_MAX_MS. */
const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 1_000;
/** Beyond the coordinator's own write timeout: room for a coordinator to move and load. */
const RETRY_EXTRA_MS = 10_000;

/** A share-partition's state could not be read or written: the error code of the last attempt. */
export class ShareStateError extends Error {
  constructor(readonly errorCode: number, what: string) {
    super(`${what}: ${errorInfo(errorCode).name}`);
  }
}

export interface ShareStatePersisterDeps {
  readonly brokerId: number;
  readonly metadata: MetadataView;
  /** This broker's share coordinator, for the keys whose state partition it leads. */
  readonly coordinator: ShareStateCoordinator;
  readonly connections: BrokerConnections;
  readonly writeTimeoutMs: number;
  readonly log: Logger;
  now(): number;
}

export interface ShareStateKey {
  readonly groupId: string;
  readonly topicId: string;
  readonly partition: number;
}

interface Pending {
  snapshot: SharePartitionSnapshot;
  leaderEpoch: number;
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

interface Slot {
  writing: boolean;
  next: Pending | undefined;
}

/** Retriable answers: the coordinator moves, loads or is being created; the ISR is short for now. */
function retriable(errorCode: number): boolean {
  return errorCode !== ErrorCode.FENCED_LEADER_EPOCH && errorCode !== ErrorCode.FENCED_STATE_EPOCH && errorInfo(errorCode).retriable;
}

export class ShareStatePersister {
  private readonly slots = new Map<string, Slot>();
  private stopped = false;

  constructor(private readonly deps: ShareStatePersisterDeps) {}

  /** Gives up on retries under way (their callers get COORDINATOR_NOT_AVAILABLE). */
  stop(): void {
    this.stopped = true;
  }

  /** The durable state, or undefined when the group never used the partition. `leaderEpoch` fences older leaders' writes. */
  async load(key: ShareStateKey, leaderEpoch: number): Promise<SharePartitionSnapshot | undefined> {
    const body = { groupId: key.groupId, topics: [{ topicId: key.topicId, partitions: [{ partition: key.partition, leaderEpoch }] }] };
    const answer = await this.retrying(key, 'reading share-partition state', async (leader) => {
      const response: ReadShareGroupStateResponseInput = leader === this.deps.brokerId ? this.deps.coordinator.read(body) : await this.deps.connections.with(leader, (conn) => conn.send(ApiKey.ReadShareGroupState, 0, body));
      const p = response.results?.[0]?.partitions?.[0];
      return p ? { errorCode: p.errorCode ?? ErrorCode.NONE, value: p } : { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, value: undefined };
    });
    if (!answer || answer.startOffset === undefined || answer.startOffset < 0) return undefined;
    return {
      startOffset: answer.startOffset,
      stateEpoch: answer.stateEpoch ?? 0,
      stateBatches: (answer.stateBatches ?? []).map((b) => ({ firstOffset: b.firstOffset ?? 0, lastOffset: b.lastOffset ?? 0, deliveryState: (b.deliveryState ?? 0) as DeliveryState, deliveryCount: b.deliveryCount ?? 0 })),
    };
  }

  /** Settles once `snapshot` (or a later one of the same share-partition) is durable; rejects with a ShareStateError. */
  save(key: ShareStateKey, leaderEpoch: number, snapshot: SharePartitionSnapshot): Promise<void> {
    const id = `${key.groupId}\0${key.topicId}\0${key.partition}`;
    let slot = this.slots.get(id);
    if (!slot) {
      slot = { writing: false, next: undefined };
      this.slots.set(id, slot);
    }
    const s = slot;
    return new Promise<void>((resolve, reject) => {
      if (s.next) {
        s.next.snapshot = snapshot;
        s.next.leaderEpoch = leaderEpoch;
      } else {
        s.next = { snapshot, leaderEpoch, waiters: [] };
      }
      s.next.waiters.push({ resolve, reject });
      if (!s.writing) void this.drain(id, key, s);
    });
  }

  private async drain(id: string, key: ShareStateKey, slot: Slot): Promise<void> {
    slot.writing = true;
    while (slot.next) {
      const { snapshot, leaderEpoch, waiters } = slot.next;
      slot.next = undefined;
      try {
        await this.write(key, leaderEpoch, snapshot);
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    slot.writing = false;
    this.slots.delete(id);
  }

  private async write(key: ShareStateKey, leaderEpoch: number, snapshot: SharePartitionSnapshot): Promise<void> {
    const body = {
      groupId: key.groupId,
      topics: [{ topicId: key.topicId, partitions: [{ partition: key.partition, stateEpoch: snapshot.stateEpoch, leaderEpoch, startOffset: snapshot.startOffset, stateBatches: snapshot.stateBatches }] }],
    };
    await this.retrying(key, 'writing share-partition state', async (leader) => {
      const response: WriteShareGroupStateResponseInput = leader === this.deps.brokerId ? await this.deps.coordinator.write(body) : await this.deps.connections.with(leader, (conn) => conn.send(ApiKey.WriteShareGroupState, 0, body));
      return { errorCode: response.results?.[0]?.partitions?.[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, value: undefined };
    });
  }

  /**
   * Moves the share-partition's start to `startOffset`, every record before it done and none after it
   * delivered yet (AlterShareGroupOffsets), as the group coordinator: leader epoch -1, the state epoch one
   * on, so the partition leader's older state is fenced and read again.
   */
  async reset(key: ShareStateKey, startOffset: number): Promise<void> {
    const current = await this.load(key, -1);
    await this.write(key, -1, { startOffset, stateEpoch: (current?.stateEpoch ?? 0) + 1, stateBatches: [] });
  }

  /** Forgets the share-partition's state (DeleteShareGroupOffsets): its next use starts as a new one. */
  async delete(key: ShareStateKey): Promise<void> {
    const body = { groupId: key.groupId, topics: [{ topicId: key.topicId, partitions: [{ partition: key.partition }] }] };
    await this.retrying(key, 'deleting share-partition state', async (leader) => {
      const response: DeleteShareGroupStateResponseInput = leader === this.deps.brokerId ? await this.deps.coordinator.delete(body) : await this.deps.connections.with(leader, (conn) => conn.send(ApiKey.DeleteShareGroupState, 0, body));
      return { errorCode: response.results?.[0]?.partitions?.[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, value: undefined };
    });
  }

  /** Asks the key's coordinator until it answers NONE, a final error, or time runs out. */
  private async retrying<T>(key: ShareStateKey, what: string, ask: (leader: number) => Promise<{ errorCode: number; value: T }>): Promise<T> {
    const deadline = this.deps.now() + this.deps.writeTimeoutMs + RETRY_EXTRA_MS;
    let backoff = RETRY_MIN_MS;
    for (;;) {
      let errorCode: number = ErrorCode.COORDINATOR_NOT_AVAILABLE;
      const statePartition = this.deps.coordinator.partitionOf(key.groupId, key.topicId, key.partition);
      const leader = statePartition === undefined ? undefined : this.deps.metadata.partition(SHARE_GROUP_STATE_TOPIC, statePartition)?.leader;
      if (leader !== undefined && leader >= 0) {
        try {
          const answer = await ask(leader);
          if (answer.errorCode === ErrorCode.NONE) return answer.value;
          errorCode = answer.errorCode;
        } catch (err) {
          // The coordinator's broker went away or the request timed out: ask again where the partition leads next.
          this.deps.log.debug({ err: (err as Error).message, leader, ...key }, `${what}: no answer from the coordinator`);
        }
      }
      if (!retriable(errorCode) || this.stopped || this.deps.now() + backoff > deadline) throw new ShareStateError(errorCode, what);
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, RETRY_MAX_MS);
    }
  }
}
