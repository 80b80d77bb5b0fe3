// Telling __consumer_offsets records apart by their key's version prefix: 0 and 1 are offset commits,
// 2 is group metadata (Kafka: GroupMetadataManager.readMessageKey), 3 to 8 are KIP-848 consumer group
// records (consumer-group.ts), 9 to 15 KIP-932 share group records (share-group.ts); the values of
// both are decoded by whoever rebuilds the group. Other versions
// are left for a newer broker; a reader skips them, as Kafka does.
import { Reader } from '../../bytes.js';
import { isConsumerGroupRecordType, readConsumerGroupRecordKeyFields, type ConsumerGroupRecordKey } from './consumer-group.js';
import { isShareGroupRecordType, readShareGroupRecordKeyFields, type ShareGroupRecordKey } from './share-group.js';
import { decodeGroupMetadataValue, readGroupMetadataKeyFields, type GroupMetadataValue } from './group-metadata.js';
import { decodeOffsetCommitValue, readOffsetCommitKeyFields, type OffsetCommitValue } from './offset-commit.js';

export type ConsumerOffsetsKey =
  | { type: 'offset'; group: string; topic: string; partition: number }
  | { type: 'group'; group: string }
  | ({ type: 'consumerGroup' } & ConsumerGroupRecordKey)
  | ({ type: 'shareGroup' } & ShareGroupRecordKey)
  | { type: 'unknown'; version: number };

export type ConsumerOffsetsEntry =
  | { type: 'offset'; group: string; topic: string; partition: number; value: OffsetCommitValue | null }
  | { type: 'group'; group: string; value: GroupMetadataValue | null }
  | ({ type: 'consumerGroup'; value: Buffer | null } & ConsumerGroupRecordKey)
  | ({ type: 'shareGroup'; value: Buffer | null } & ShareGroupRecordKey)
  | { type: 'unknown'; version: number };

export function decodeConsumerOffsetsKey(buf: Buffer): ConsumerOffsetsKey {
  const r = new Reader(buf);
  const version = r.int16();
  if (version === 0 || version === 1) return { type: 'offset', ...readOffsetCommitKeyFields(r) };
  if (version === 2) return { type: 'group', group: readGroupMetadataKeyFields(r) };
  if (isConsumerGroupRecordType(version)) return { type: 'consumerGroup', ...readConsumerGroupRecordKeyFields(r, version) };
  if (isShareGroupRecordType(version)) return { type: 'shareGroup', ...readShareGroupRecordKeyFields(r, version) };
  return { type: 'unknown', version };
}

/** Decodes a whole record; a null value is a tombstone. Throws DecodeError (protocol/bytes.ts) on malformed bytes. */
export function decodeConsumerOffsetsRecord(key: Buffer, value: Buffer | null): ConsumerOffsetsEntry {
  const k = decodeConsumerOffsetsKey(key);
  switch (k.type) {
    case 'offset':
      return { ...k, value: value === null ? null : decodeOffsetCommitValue(value) };
    case 'group':
      return { ...k, value: value === null ? null : decodeGroupMetadataValue(value) };
    case 'consumerGroup':
    case 'shareGroup':
      return { ...k, value };
    default:
      return k;
  }
}
