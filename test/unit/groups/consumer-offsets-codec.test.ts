import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { DecodeError } from '../../../protocol/bytes.js';
import {
  decodeConsumerAssignment,
  decodeConsumerSubscription,
  decodeSubscribedTopics,
  encodeConsumerAssignment,
  encodeConsumerSubscription,
} from '../../../protocol/kafka/consumer-offsets/consumer-protocol.js';
import {
  decodeGroupMetadataValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
} from '../../../protocol/kafka/consumer-offsets/group-metadata.js';
import { javaStringHashCode, partitionForGroup } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import {
  decodeOffsetCommitValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from '../../../protocol/kafka/consumer-offsets/offset-commit.js';
import { decodeConsumerOffsetsKey, decodeConsumerOffsetsRecord } from '../../../protocol/kafka/consumer-offsets/records.js';

const require = createRequire(import.meta.url);
// kafkajs' own consumer-protocol encoders: the bytes a real client puts in JoinGroup and SyncGroup.
const { MemberMetadata, MemberAssignment } = require('kafkajs/src/consumer/assignerProtocol.js') as {
  MemberMetadata: {
    encode(m: { version: number; topics: string[]; userData?: Buffer }): Buffer;
    decode(b: Buffer): { version: number; topics: string[]; userData: Buffer };
  };
  MemberAssignment: {
    encode(a: { version: number; assignment: Record<string, number[]>; userData?: Buffer }): Buffer;
    decode(b: Buffer): { version: number; assignment: Record<string, number[]>; userData: Buffer } | null;
  };
};

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('offset commit records', () => {
  test('key v1 and value v3 have the layout of OffsetCommitKey/OffsetCommitValue.json', () => {
    const key = encodeOffsetCommitKey({ group: 'g1', topic: 't', partition: 3 });
    expect(key).toEqual(hex('0001 0002 6731 0001 74 00000003'));
    const value = encodeOffsetCommitValue({
      offset: 42,
      leaderEpoch: 5,
      metadata: 'm',
      commitTimestamp: 1000,
      expireTimestamp: -1,
    });
    expect(value).toEqual(hex('0003 000000000000002a 00000005 0001 6d 00000000000003e8'));
    expect(decodeConsumerOffsetsRecord(key, value)).toEqual({
      type: 'offset',
      group: 'g1',
      topic: 't',
      partition: 3,
      value: { offset: 42, leaderEpoch: 5, metadata: 'm', commitTimestamp: 1000, expireTimestamp: -1 },
    });
  });

  test('a commit with its own expiry is written as v1, as Kafka does', () => {
    const value = encodeOffsetCommitValue({ offset: 42, leaderEpoch: 7, metadata: '', commitTimestamp: 1000, expireTimestamp: 2000 });
    expect(value).toEqual(hex('0001 000000000000002a 0000 00000000000003e8 00000000000007d0'));
    // v1 has no leader epoch: it reads back as unknown.
    expect(decodeOffsetCommitValue(value)).toEqual({
      offset: 42,
      leaderEpoch: -1,
      metadata: '',
      commitTimestamp: 1000,
      expireTimestamp: 2000,
    });
  });

  test('v0 and v2 values, written by older brokers, decode', () => {
    const v0 = hex('0000 0000000000000007 0002 6869 0000000000000009');
    expect(decodeOffsetCommitValue(v0)).toEqual({ offset: 7, leaderEpoch: -1, metadata: 'hi', commitTimestamp: 9, expireTimestamp: -1 });
    const v2 = hex('0002 0000000000000007 0000 0000000000000009');
    expect(decodeOffsetCommitValue(v2)).toEqual({ offset: 7, leaderEpoch: -1, metadata: '', commitTimestamp: 9, expireTimestamp: -1 });
  });

  test('a key of version 0 is an offset key too; a null value is a tombstone', () => {
    const key0 = hex('0000 0001 67 0001 74 00000000');
    expect(decodeConsumerOffsetsRecord(key0, null)).toEqual({ type: 'offset', group: 'g', topic: 't', partition: 0, value: null });
  });
});

describe('group metadata records', () => {
  const member = {
    memberId: 'm1',
    groupInstanceId: null,
    clientId: 'c',
    clientHost: '/h',
    rebalanceTimeout: 300,
    sessionTimeout: 10,
    subscription: hex('01'),
    assignment: hex('0203'),
  };
  const value = {
    protocolType: 'consumer',
    generation: 1,
    protocol: 'range',
    leader: 'm1',
    currentStateTimestamp: 7,
    members: [member],
  };

  test('key v2 and value v3 have the layout of GroupMetadataKey/GroupMetadataValue.json', () => {
    expect(encodeGroupMetadataKey('g1')).toEqual(hex('0002 0002 6731'));
    const bytes = encodeGroupMetadataValue(value);
    expect(bytes).toEqual(
      hex(`0003 0008 636f6e73756d6572 00000001 0005 72616e6765 0002 6d31 0000000000000007
           00000001 0002 6d31 ffff 0001 63 0002 2f68 0000012c 0000000a 00000001 01 00000002 0203`),
    );
    expect(decodeConsumerOffsetsRecord(encodeGroupMetadataKey('g1'), bytes)).toEqual({ type: 'group', group: 'g1', value });
  });

  test('static members keep their instance id', () => {
    const v = { ...value, members: [{ ...member, groupInstanceId: 'i-1' }] };
    expect(decodeGroupMetadataValue(encodeGroupMetadataValue(v))).toEqual(v);
  });

  test('an empty group has no protocol and no leader', () => {
    const empty = { ...value, protocol: null, leader: null, members: [] };
    const bytes = encodeGroupMetadataValue(empty);
    expect(bytes).toEqual(hex('0003 0008 636f6e73756d6572 00000001 ffff ffff 0000000000000007 00000000'));
    expect(decodeGroupMetadataValue(bytes)).toEqual(empty);
  });

  test('a v0 value (no rebalance timeout, no state timestamp) uses the session timeout for both', () => {
    const v0 = hex(`0000 0008 636f6e73756d6572 00000002 0005 72616e6765 0002 6d31
                    00000001 0002 6d31 0001 63 0002 2f68 0000000a 00000000 00000000`);
    expect(decodeGroupMetadataValue(v0)).toEqual({
      protocolType: 'consumer',
      generation: 2,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: -1,
      members: [
        { ...member, rebalanceTimeout: 10, sessionTimeout: 10, subscription: Buffer.alloc(0), assignment: Buffer.alloc(0) },
      ],
    });
  });
});

describe('malformed __consumer_offsets records', () => {
  test('truncated values and keys throw DecodeError', () => {
    const value = encodeOffsetCommitValue({ offset: 1, leaderEpoch: 0, metadata: 'abc', commitTimestamp: 1, expireTimestamp: -1 });
    for (let n = 0; n < value.length; n++) {
      expect(() => decodeOffsetCommitValue(value.subarray(0, n))).toThrow(DecodeError);
    }
    const key = encodeOffsetCommitKey({ group: 'g', topic: 't', partition: 1 });
    expect(() => decodeConsumerOffsetsKey(key.subarray(0, key.length - 1))).toThrow(DecodeError);
  });

  test('a huge member count is refused before anything is allocated', () => {
    const bytes = hex('0003 0001 63 00000001 ffff ffff 0000000000000000 7fffffff');
    expect(() => decodeGroupMetadataValue(bytes)).toThrow(DecodeError);
  });

  test('value versions beyond those Kafka writes are refused; unknown key versions are reported', () => {
    expect(() => decodeOffsetCommitValue(hex('0009 0000000000000001'))).toThrow(DecodeError);
    expect(() => decodeGroupMetadataValue(hex('ffff'))).toThrow(DecodeError);
    // 3 to 8 are KIP-848 consumer group records, 9 to 15 share group records (*-records-codec.test.ts);
    // 16 (ConsumerGroupRegularExpression) and up are not ours.
    expect(decodeConsumerOffsetsRecord(hex('0010 0001 67'), hex('00'))).toEqual({ type: 'unknown', version: 16 });
  });
});

describe('consumer protocol', () => {
  test('decodes the subscription kafkajs sends in JoinGroup', () => {
    const bytes = MemberMetadata.encode({ version: 0, topics: ['orders', 'payments'], userData: Buffer.from('u') });
    expect(decodeConsumerSubscription(bytes)).toEqual({
      version: 0,
      topics: ['orders', 'payments'],
      userData: Buffer.from('u'),
      ownedPartitions: [],
      generationId: -1,
      rackId: null,
    });
    expect(decodeSubscribedTopics(bytes)).toEqual(['orders', 'payments']);
  });

  test('decodes the assignment kafkajs hands out through SyncGroup, and kafkajs reads ours', () => {
    const bytes = MemberAssignment.encode({ version: 0, assignment: { orders: [0, 2], payments: [1] } });
    expect(decodeConsumerAssignment(bytes)).toEqual({
      version: 0,
      assignedPartitions: [
        { topic: 'orders', partitions: [0, 2] },
        { topic: 'payments', partitions: [1] },
      ],
      userData: Buffer.alloc(0),
    });
    const ours = encodeConsumerAssignment({ version: 0, assignedPartitions: [{ topic: 't', partitions: [3] }], userData: Buffer.alloc(0) });
    expect(MemberAssignment.decode(ours)).toEqual({ version: 0, assignment: { t: [3] }, userData: Buffer.alloc(0) });
    expect(MemberMetadata.decode(encodeConsumerSubscription({ version: 0, topics: ['t'], userData: Buffer.alloc(0) }))).toEqual({
      version: 0,
      topics: ['t'],
      userData: Buffer.alloc(0),
    });
  });

  test('v3 subscriptions carry owned partitions, generation and rack', () => {
    const s = {
      version: 3,
      topics: ['t'],
      userData: null,
      ownedPartitions: [{ topic: 't', partitions: [0, 1] }],
      generationId: 4,
      rackId: 'r1',
    };
    expect(decodeConsumerSubscription(encodeConsumerSubscription(s))).toEqual(s);
  });

  test('a newer version is read as the newest known, ignoring what follows', () => {
    const v3 = encodeConsumerSubscription({ version: 3, topics: ['t'], rackId: 'r' });
    const v9 = Buffer.concat([hex('0009'), v3.subarray(2), hex('deadbeef')]);
    expect(decodeConsumerSubscription(v9)).toMatchObject({ version: 3, topics: ['t'], rackId: 'r' });
  });

  test('garbage is a DecodeError, not a crash', () => {
    expect(() => decodeSubscribedTopics(hex('0000 7fffffff'))).toThrow(DecodeError);
    expect(() => decodeConsumerSubscription(hex('ffff'))).toThrow(DecodeError);
    expect(() => decodeConsumerAssignment(hex(''))).toThrow(DecodeError);
  });
});

describe('partitionForGroup', () => {
  test("Java's String.hashCode, over UTF-16 code units", () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('a')).toBe(97);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('my-group')).toBe(-1906497762);
    expect(javaStringHashCode('g😀')).toBe(1871882);
  });

  test('abs(hashCode) % partitions, with Integer.MIN_VALUE mapping to 0 as in Kafka Utils.abs', () => {
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
    expect(partitionForGroup('polygenelubricants', 50)).toBe(0);
    expect(partitionForGroup('my-group', 50)).toBe(12);
    expect(partitionForGroup('console-consumer-12345', 50)).toBe(6);
    expect(partitionForGroup('group-€', 50)).toBe(14);
    expect(partitionForGroup('a', 50)).toBe(47);
    expect(partitionForGroup('anything', 1)).toBe(0);
    expect(() => partitionForGroup('g', 0)).toThrow(RangeError);
  });
});
