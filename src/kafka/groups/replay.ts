// Rebuilding the coordinator's durable state from __consumer_offsets, record by record in log order:
// the last group metadata record of a group and the last commit of each of its partitions win, and a
// tombstone deletes (Kafka: GroupMetadataManager.doLoadGroupsAndOffsets). The broker feeds it the
// partition logs at start and hands the result to the GroupCoordinator.
//
// KIP-848 consumer group and KIP-932 share group records are kept by key, last value winning and a
// tombstone deleting, for the consumer group coordinator (consumer/group-records.ts) and the share
// group coordinator (share/share-group-records.ts) to rebuild their groups from.
//
// Offset records of a transactional producer (TxnOffsetCommit) wait for the producer's marker: a COMMIT
// makes them the group's offsets, an ABORT drops them; those still waiting at the end stay pending.
import { DecodeError } from '../../../protocol/bytes.js';
import type { GroupMetadataValue } from '../../../protocol/kafka/consumer-offsets/group-metadata.js';
import type { OffsetCommitValue } from '../../../protocol/kafka/consumer-offsets/offset-commit.js';
import type { ConsumerGroupRecordKey } from '../../../protocol/kafka/consumer-offsets/consumer-group.js';
import type { GroupRecordKey } from '../../../protocol/kafka/consumer-offsets/coordinator-record.js';
import type { ShareGroupRecordKey } from '../../../protocol/kafka/consumer-offsets/share-group.js';
import { decodeConsumerOffsetsRecord } from '../../../protocol/kafka/consumer-offsets/records.js';
import type { ConsumerOffsetsRecord } from './api.js';

export interface ReplayedGroup {
  groupId: string;
  /** The group's last metadata record; null when it has only offsets (or its metadata was deleted). */
  metadata: GroupMetadataValue | null;
  /** Offsets by topic and partition. */
  offsets: Map<string, Map<number, OffsetCommitValue>>;
  /** Transactional offsets whose marker the log does not hold yet, by producer id, topic and partition. */
  pendingTxnOffsets: Map<number, Map<string, Map<number, OffsetCommitValue>>>;
}

type Offsets = Map<string, Map<number, OffsetCommitValue>>;

/** One group's live records: its key's bytes (hex) to the decoded key and the value's bytes. */
export type GroupRecords<K extends GroupRecordKey> = Map<string, { key: K; value: Buffer }>;
export type ConsumerGroupRecords = GroupRecords<ConsumerGroupRecordKey>;
export type ShareGroupRecords = GroupRecords<ShareGroupRecordKey>;

/** Keeps a record's last value under its key (a tombstone removes it); groups without records go. */
function keep<K extends GroupRecordKey>(byGroup: Map<string, GroupRecords<K>>, keyBytes: Buffer, key: K, value: Buffer | null): void {
  let records = byGroup.get(key.group);
  if (!records) byGroup.set(key.group, (records = new Map()));
  const id = keyBytes.toString('hex');
  if (value === null) records.delete(id);
  else records.set(id, { key, value: Buffer.from(value) });
  if (records.size === 0) byGroup.delete(key.group);
}

export class ConsumerOffsetsReplay {
  private readonly byGroup = new Map<string, ReplayedGroup>();
  private readonly consumerGroupRecords = new Map<string, ConsumerGroupRecords>();
  private readonly shareGroupRecords = new Map<string, ShareGroupRecords>();
  /** Records that could not be read (no key, malformed bytes): left out, as a torn write would be. */
  malformed = 0;
  /** Records with a key version this broker does not know, left out as Kafka leaves them. */
  unknown = 0;

  /**
   * One record; `producerId` when it came in a transactional batch (its offsets then wait for the
   * producer's marker).
   */
  apply(record: { key: Buffer | null; value: Buffer | null }, producerId?: number): void {
    if (record.key === null) {
      this.malformed++;
      return;
    }
    let entry;
    try {
      entry = decodeConsumerOffsetsRecord(record.key, record.value);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      this.malformed++;
      return;
    }
    switch (entry.type) {
      case 'offset': {
        const group = this.group(entry.group);
        let offsets = group.offsets;
        if (producerId !== undefined) {
          let pending = group.pendingTxnOffsets.get(producerId);
          if (!pending) group.pendingTxnOffsets.set(producerId, (pending = new Map()));
          offsets = pending;
        }
        setOffset(offsets, entry.topic, entry.partition, entry.value);
        break;
      }
      case 'group':
        this.group(entry.group).metadata = entry.value === null ? null : ownBuffers(entry.value);
        break;
      case 'consumerGroup': {
        const { type: _type, value, ...key } = entry;
        keep(this.consumerGroupRecords, record.key, key, value);
        break;
      }
      case 'shareGroup': {
        const { type: _type, value, ...key } = entry;
        keep(this.shareGroupRecords, record.key, key, value);
        break;
      }
      case 'unknown':
        this.unknown++;
        break;
    }
  }

  /** KIP-848 consumer groups with live records, by group id. */
  consumerGroups(): Map<string, ConsumerGroupRecords> {
    return this.consumerGroupRecords;
  }

  /** KIP-932 share groups with live records, by group id. */
  shareGroups(): Map<string, ShareGroupRecords> {
    return this.shareGroupRecords;
  }

  /** A marker of `producerId` in this partition: its waiting offsets take effect (commit) or go. */
  applyMarker(producerId: number, commit: boolean): void {
    for (const group of this.byGroup.values()) {
      const pending = group.pendingTxnOffsets.get(producerId);
      if (!pending) continue;
      group.pendingTxnOffsets.delete(producerId);
      if (!commit) continue;
      for (const [topic, partitions] of pending) for (const [partition, value] of partitions) setOffset(group.offsets, topic, partition, value);
    }
  }

  /** Groups that have metadata or offsets, in the order they first appeared. */
  groups(): ReplayedGroup[] {
    return [...this.byGroup.values()].filter((g) => g.metadata !== null || g.offsets.size > 0 || g.pendingTxnOffsets.size > 0);
  }

  private group(groupId: string): ReplayedGroup {
    let g = this.byGroup.get(groupId);
    if (!g) this.byGroup.set(groupId, (g = { groupId, metadata: null, offsets: new Map(), pendingTxnOffsets: new Map() }));
    return g;
  }
}

/** Sets (or, with a null value, deletes) one partition's offset. */
function setOffset(offsets: Offsets, topic: string, partition: number, value: OffsetCommitValue | null): void {
  let partitions = offsets.get(topic);
  if (value !== null) {
    if (!partitions) offsets.set(topic, (partitions = new Map()));
    partitions.set(partition, value);
  } else if (partitions) {
    partitions.delete(partition);
    if (partitions.size === 0) offsets.delete(topic);
  }
}

export function replayConsumerOffsets(records: Iterable<ConsumerOffsetsRecord>): ConsumerOffsetsReplay {
  const replay = new ConsumerOffsetsReplay();
  for (const r of records) replay.apply(r);
  return replay;
}

/**
 * Decoded byte fields are views into the record as read from the log; copies keep a whole read
 * buffer from staying alive behind each loaded member.
 */
function ownBuffers(value: GroupMetadataValue): GroupMetadataValue {
  return {
    ...value,
    members: value.members.map((m) => ({
      ...m,
      subscription: Buffer.from(m.subscription),
      assignment: Buffer.from(m.assignment),
    })),
  };
}
