// OffsetForLeaderEpoch (23) golden bytes, written by hand from Kafka 3.9's OffsetForLeaderEpochRequest.json
// and OffsetForLeaderEpochResponse.json: no client library at hand sends it (see captured-clients.test.ts).
import { describe, expect, test } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../../protocol/kafka/index.js';
import {
  OffsetForLeaderEpochRequestSpec as Request,
  OffsetForLeaderEpochResponseSpec as Response,
} from '../../../../protocol/kafka/messages/23-offset-for-leader-epoch.js';

const hex = (chunks: Buffer[]) => Buffer.concat(chunks).toString('hex');
const A = '61';

describe('request', () => {
  const value = { replicaId: -1, topics: [{ topic: 'a', partitions: [{ partition: 0, currentLeaderEpoch: 5, leaderEpoch: 4 }] }] };
  const golden: Record<number, string> = {
    // topics[1]: name "a", partitions[1]: partition, leader epoch
    0: '00000001' + '0001' + A + '00000001' + '00000000' + '00000004',
    1: '00000001' + '0001' + A + '00000001' + '00000000' + '00000004',
    // + current leader epoch before the leader epoch
    2: '00000001' + '0001' + A + '00000001' + '00000000' + '00000005' + '00000004',
    // + replica id first
    3: 'ffffffff' + '00000001' + '0001' + A + '00000001' + '00000000' + '00000005' + '00000004',
    // compact lengths (n + 1) and a tag section closing each struct
    4: 'ffffffff' + '02' + '02' + A + '02' + '00000000' + '00000005' + '00000004' + '00' + '00' + '00',
  };

  test.each(Object.entries(golden))('v%s', (v, bytes) => {
    expect(hex(encodeMessage(Request, Number(v), value))).toBe(bytes);
    const decoded = decodeMessage(Request, Number(v), Buffer.from(bytes, 'hex'));
    // Fields a version lacks decode to Kafka's defaults: replica -2 (a debugging consumer), no current epoch.
    expect(decoded).toEqual({
      replicaId: Number(v) >= 3 ? -1 : -2,
      topics: [{ topic: 'a', partitions: [{ partition: 0, currentLeaderEpoch: Number(v) >= 2 ? 5 : -1, leaderEpoch: 4 }] }],
    });
  });
});

describe('response', () => {
  const value = { throttleTimeMs: 0, topics: [{ topic: 'a', partitions: [{ errorCode: 0, partition: 0, leaderEpoch: 4, endOffset: 5 }] }] };
  const partitionV0 = '0000' + '00000000' + '0000000000000005';
  const partitionV1 = '0000' + '00000000' + '00000004' + '0000000000000005';
  const golden: Record<number, string> = {
    0: '00000001' + '0001' + A + '00000001' + partitionV0,
    1: '00000001' + '0001' + A + '00000001' + partitionV1,
    2: '00000000' + '00000001' + '0001' + A + '00000001' + partitionV1,
    3: '00000000' + '00000001' + '0001' + A + '00000001' + partitionV1,
    4: '00000000' + '02' + '02' + A + '02' + partitionV1 + '00' + '00' + '00',
  };

  test.each(Object.entries(golden))('v%s', (v, bytes) => {
    expect(hex(encodeMessage(Response, Number(v), value))).toBe(bytes);
    const decoded = decodeMessage(Response, Number(v), Buffer.from(bytes, 'hex'));
    expect(decoded.topics[0]!.partitions[0]).toEqual({ errorCode: 0, partition: 0, leaderEpoch: Number(v) >= 1 ? 4 : -1, endOffset: 5 });
  });
});
