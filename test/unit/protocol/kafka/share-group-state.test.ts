// __share_group_state records as Kafka's share coordinator writes them: a ShareSnapshot key (type 0, not
// flexible) and value (version 0, flexible) round trip; other record types are recognised and skipped;
// the state partition is Kafka's hash of "groupId:topicId:partition" with the id in base64url.
import { expect, test } from 'vitest';
import { partitionForGroup } from '../../../../protocol/kafka/consumer-offsets/group-partition.js';
import { decodeShareSnapshotValue, decodeShareStateKey, encodeShareSnapshotKey, encodeShareSnapshotValue, ShareRecordType, shareStatePartition } from '../../../../protocol/kafka/share-group-state/records.js';

const TOPIC_ID = '0123456789abcdef0123456789abcdef';

test('a ShareSnapshot key and value round trip, with the layout Kafka writes', () => {
  const key = encodeShareSnapshotKey({ groupId: 'g', topicId: TOPIC_ID, partition: 7 });
  // type 0, then non-flexible: int16 length + "g", 16 uuid bytes, int32 partition.
  expect(key.toString('hex')).toBe(`0000` + `0001` + Buffer.from('g').toString('hex') + TOPIC_ID + `00000007`);
  expect(decodeShareStateKey(key)).toEqual({ type: ShareRecordType.ShareSnapshot, snapshot: { groupId: 'g', topicId: TOPIC_ID, partition: 7 } });
  const value = { snapshotEpoch: 0, stateEpoch: 3, leaderEpoch: 9, startOffset: 100, stateBatches: [{ firstOffset: 100, lastOffset: 104, deliveryState: 2, deliveryCount: 1 }] };
  const bytes = encodeShareSnapshotValue(value);
  expect(bytes.readInt16BE(0)).toBe(0);
  expect(decodeShareSnapshotValue(bytes)).toEqual(value);
});

test('a ShareUpdate key is recognised and has no snapshot; an unknown value version is refused', () => {
  const update = Buffer.concat([Buffer.from([0, ShareRecordType.ShareUpdate]), encodeShareSnapshotKey({ groupId: 'g', topicId: TOPIC_ID, partition: 0 }).subarray(2)]);
  expect(decodeShareStateKey(update)).toEqual({ type: ShareRecordType.ShareUpdate, snapshot: undefined });
  const v1 = encodeShareSnapshotValue({ snapshotEpoch: 0, stateEpoch: 0, leaderEpoch: 0, startOffset: 0, stateBatches: [] });
  v1.writeInt16BE(1, 0);
  expect(() => decodeShareSnapshotValue(v1)).toThrow(RangeError);
});

test('the state partition hashes "groupId:topicId:partition" with the topic id as Kafka prints it', () => {
  const base64 = Buffer.from(TOPIC_ID, 'hex').toString('base64url');
  expect(base64).toHaveLength(22);
  for (let p = 0; p < 20; p++) expect(shareStatePartition('grp', TOPIC_ID, p, 50)).toBe(partitionForGroup(`grp:${base64}:${p}`, 50));
});
