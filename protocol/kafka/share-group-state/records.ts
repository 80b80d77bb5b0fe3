// __share_group_state records, as Kafka's share coordinator writes them (KIP-932). Key: an int16 record
// type then ShareSnapshotKey.json's fields (group id, topic id, partition; not flexible). Value: an int16
// version (0) then ShareSnapshotValue.json's fields (flexible). Each snapshot holds a share-partition's
// whole state, so the latest one per key is all a loader needs and compaction keeps just that. Kafka also
// writes ShareUpdate records (type 1, deltas between snapshots); Skein writes none and skips any it reads,
// since a snapshot always follows the state it summarizes here.
import { Reader } from '../../bytes.js';
import { decodeMessage, encodeMessage } from '../codec.js';
import { partitionForGroup } from '../consumer-offsets/group-partition.js';
import type { DataSpec, MessageValue } from '../spec.js';

export const SHARE_GROUP_STATE_TOPIC = '__share_group_state';

/** The record types of __share_group_state keys (Kafka's CoordinatorRecordType for the share coordinator). */
export const ShareRecordType = { ShareSnapshot: 0, ShareUpdate: 1 } as const;

const SHARE_SNAPSHOT_VALUE_VERSION = 0;

const ShareSnapshotKeySpec = {
  name: 'ShareSnapshotKey',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: [
    { name: 'GroupId', type: 'string', versions: '0' },
    { name: 'TopicId', type: 'uuid', versions: '0' },
    { name: 'Partition', type: 'int32', versions: '0' },
  ],
} as const satisfies DataSpec;

const ShareSnapshotValueSpec = {
  name: 'ShareSnapshotValue',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'SnapshotEpoch', type: 'uint16', versions: '0' },
    { name: 'StateEpoch', type: 'int32', versions: '0+' },
    { name: 'LeaderEpoch', type: 'int32', versions: '0+' },
    { name: 'StartOffset', type: 'int64', versions: '0' },
    {
      name: 'StateBatches',
      type: '[]StateBatch',
      versions: '0',
      fields: [
        { name: 'FirstOffset', type: 'int64', versions: '0' },
        { name: 'LastOffset', type: 'int64', versions: '0' },
        { name: 'DeliveryState', type: 'int8', versions: '0' },
        { name: 'DeliveryCount', type: 'int16', versions: '0' },
      ],
    },
  ],
} as const satisfies DataSpec;

export type ShareSnapshotKey = MessageValue<typeof ShareSnapshotKeySpec>;
export type ShareSnapshotValue = MessageValue<typeof ShareSnapshotValueSpec>;

/**
 * The __share_group_state partition of a share-partition: Kafka's abs(key.hashCode()) % partitions over
 * "groupId:topicId:partition", the topic id in Kafka's text form (unpadded base64url of its 16 bytes).
 */
export function shareStatePartition(groupId: string, topicIdHex: string, partition: number, partitions: number): number {
  const topicId = Buffer.from(topicIdHex.replaceAll('-', ''), 'hex').toString('base64url');
  return partitionForGroup(`${groupId}:${topicId}:${partition}`, partitions);
}

function withPrefix(prefix: number, body: Buffer[]): Buffer {
  const head = Buffer.alloc(2);
  head.writeInt16BE(prefix);
  return Buffer.concat([head, ...body]);
}

export function encodeShareSnapshotKey(key: ShareSnapshotKey): Buffer {
  return withPrefix(ShareRecordType.ShareSnapshot, encodeMessage(ShareSnapshotKeySpec, 0, key));
}

export function encodeShareSnapshotValue(value: ShareSnapshotValue): Buffer {
  return withPrefix(SHARE_SNAPSHOT_VALUE_VERSION, encodeMessage(ShareSnapshotValueSpec, SHARE_SNAPSHOT_VALUE_VERSION, value));
}

/** A record key's type and, for a snapshot, its fields; throws DecodeError on a malformed one. */
export function decodeShareStateKey(buf: Buffer): { type: number; snapshot: ShareSnapshotKey | undefined } {
  const type = new Reader(buf).int16();
  return { type, snapshot: type === ShareRecordType.ShareSnapshot ? decodeMessage(ShareSnapshotKeySpec, 0, buf.subarray(2)) : undefined };
}

/** A snapshot's value; throws DecodeError when malformed or of a version this broker does not know. */
export function decodeShareSnapshotValue(buf: Buffer): ShareSnapshotValue {
  const version = new Reader(buf).int16();
  if (version !== SHARE_SNAPSHOT_VALUE_VERSION) throw new RangeError(`ShareSnapshotValue version ${version} is not known`);
  return decodeMessage(ShareSnapshotValueSpec, version, buf.subarray(2));
}
