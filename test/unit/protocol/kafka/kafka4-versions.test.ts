// Golden bytes for the versions Kafka 4.x added that no captured client sends (captured-clients.test.ts
// has @platformatic/kafka's Fetch v13-17, ListOffsets v8-9 and ApiVersions v4), written by hand from
// Kafka's message JSON: each next to the version before it, so the difference is the new field.
import { describe, expect, test } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../../protocol/kafka/index.js';
import { ProduceRequestSpec, ProduceResponseSpec } from '../../../../protocol/kafka/messages/0-produce.js';
import { FetchRequestSpec } from '../../../../protocol/kafka/messages/1-fetch.js';
import { ListOffsetsRequestSpec, ListOffsetsResponseSpec } from '../../../../protocol/kafka/messages/2-list-offsets.js';
import { MetadataResponseSpec } from '../../../../protocol/kafka/messages/3-metadata.js';
import { OffsetCommitRequestSpec } from '../../../../protocol/kafka/messages/8-offset-commit.js';
import { OffsetFetchResponseSpec } from '../../../../protocol/kafka/messages/9-offset-fetch.js';

const hex = (chunks: Buffer[]) => Buffer.concat(chunks).toString('hex');

describe('Metadata response v13 (KIP-1102): a top-level error code after the topics', () => {
  const value = { throttleTimeMs: 0, brokers: [{ nodeId: 1, host: 'a', port: 9092, rack: null }], clusterId: null, controllerId: 1, topics: [], errorCode: 0 };
  // throttle, brokers[1] {id, "a", port, rack null, tags}, cluster id null, controller, topics[0]
  const common = '00000000' + '02' + '00000001' + '0261' + '00002384' + '00' + '00' + '00' + '00000001' + '01';
  test('v12 has no error code', () => {
    expect(hex(encodeMessage(MetadataResponseSpec, 12, value))).toBe(common + '00');
  });
  test('v13 ends with it', () => {
    const bytes = common + '0000' + '00';
    expect(hex(encodeMessage(MetadataResponseSpec, 13, value))).toBe(bytes);
    const rebootstrap = common + '0081' + '00';
    expect(decodeMessage(MetadataResponseSpec, 13, Buffer.from(rebootstrap, 'hex')).errorCode).toBe(129);
  });
});

describe('ListOffsets v11 (KIP-1023): the bytes of v10; the version only admits the -6 spec', () => {
  test('request: replica, isolation, topics[1] {name, partitions[1] {index, epoch, timestamp -6}}, timeout_ms', () => {
    const value = { replicaId: -1, isolationLevel: 0, topics: [{ name: 'a', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -6, maxNumOffsets: 1 }] }], timeoutMs: 500 };
    const bytes = 'ffffffff' + '00' + '02' + '0261' + '02' + '00000000' + 'ffffffff' + 'fffffffffffffffa' + '00' + '00' + '000001f4' + '00';
    expect(hex(encodeMessage(ListOffsetsRequestSpec, 10, value))).toBe(bytes);
    expect(hex(encodeMessage(ListOffsetsRequestSpec, 11, value))).toBe(bytes);
    expect(decodeMessage(ListOffsetsRequestSpec, 11, Buffer.from(bytes, 'hex'))).toEqual({ ...value, topics: [{ name: 'a', partitions: [{ ...value.topics[0]!.partitions[0]! }] }] });
  });
  test('response: nothing pending upload on a log without tiered storage', () => {
    const value = { throttleTimeMs: 0, topics: [{ name: 'a', partitions: [{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 }] }] };
    const bytes = '00000000' + '02' + '0261' + '02' + '00000000' + '0000' + 'ffffffffffffffff' + 'ffffffffffffffff' + 'ffffffff' + '00' + '00' + '00';
    expect(hex(encodeMessage(ListOffsetsResponseSpec, 10, value))).toBe(bytes);
    expect(hex(encodeMessage(ListOffsetsResponseSpec, 11, value))).toBe(bytes);
  });
});

describe('Produce v13 (KIP-516): the topic id in place of the name', () => {
  const id = '0102030405060708090a0b0c0d0e0f10';
  test('request', () => {
    const value = { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'a', topicId: id, partitionData: [{ index: 0, records: null }] }] };
    // transactional id null, acks -1, timeout, topics[1]
    const head = '00' + 'ffff' + '000003e8' + '02';
    // partitions[1] {index 0, records null, tags}, topic tags, message tags
    const tail = '02' + '00000000' + '00' + '00' + '00' + '00';
    expect(hex(encodeMessage(ProduceRequestSpec, 12, value))).toBe(head + '0261' + tail);
    expect(hex(encodeMessage(ProduceRequestSpec, 13, value))).toBe(head + id + tail);
    expect(decodeMessage(ProduceRequestSpec, 13, Buffer.from(head + id + tail, 'hex')).topicData[0]).toEqual({ name: '', topicId: id, partitionData: [{ index: 0, records: null }] });
  });
  test('response', () => {
    const partition = { index: 0, errorCode: 0, baseOffset: 5, logAppendTimeMs: -1, logStartOffset: 0, recordErrors: [], errorMessage: null };
    const value = { responses: [{ name: 'a', topicId: id, partitionResponses: [partition] }], throttleTimeMs: 0 };
    // partitions[1] {index, error, base offset, append time, log start, record errors[0], message null, tags}, topic tags
    const partitions = '02' + '00000000' + '0000' + '0000000000000005' + 'ffffffffffffffff' + '0000000000000000' + '01' + '00' + '00' + '00';
    const end = '00000000' + '00';
    expect(hex(encodeMessage(ProduceResponseSpec, 12, value))).toBe('02' + '0261' + partitions + end);
    expect(hex(encodeMessage(ProduceResponseSpec, 13, value))).toBe('02' + id + partitions + end);
  });
});

describe('OffsetCommit and OffsetFetch v10: the topic id in place of the name', () => {
  const id = '0102030405060708090a0b0c0d0e0f10';
  test('OffsetCommit request', () => {
    const value = {
      groupId: 'g',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: 'a', topicId: id, partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null }] }],
    };
    // group "g", epoch -1, member "", instance null, topics[1]
    const head = '0267' + 'ffffffff' + '01' + '00' + '02';
    // partitions[1] {index, offset 5, epoch -1, metadata null, tags}, topic tags, message tags
    const tail = '02' + '00000000' + '0000000000000005' + 'ffffffff' + '00' + '00' + '00' + '00';
    expect(hex(encodeMessage(OffsetCommitRequestSpec, 9, value))).toBe(head + '0261' + tail);
    expect(hex(encodeMessage(OffsetCommitRequestSpec, 10, value))).toBe(head + id + tail);
  });
  test('OffsetFetch response', () => {
    const partition = { partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, metadata: '', errorCode: 0 };
    const value = { throttleTimeMs: 0, groups: [{ groupId: 'g', topics: [{ name: 'a', topicId: id, partitions: [partition] }], errorCode: 0 }] };
    // throttle, groups[1] {"g", topics[1]
    const head = '00000000' + '02' + '0267' + '02';
    // partitions[1] {index, offset 5, epoch -1, metadata "", error, tags}, topic tags, group error, group tags, message tags
    const tail = '02' + '00000000' + '0000000000000005' + 'ffffffff' + '01' + '0000' + '00' + '00' + '0000' + '00' + '00';
    expect(hex(encodeMessage(OffsetFetchResponseSpec, 9, value))).toBe(head + '0261' + tail);
    expect(hex(encodeMessage(OffsetFetchResponseSpec, 10, value))).toBe(head + id + tail);
    expect(decodeMessage(OffsetFetchResponseSpec, 10, Buffer.from(head + id + tail, 'hex')).groups[0]!.topics[0]!.topicId).toBe(id);
  });
});

describe('Fetch request v18 (KIP-1166): the fetcher\'s high watermark, a tagged field of each partition', () => {
  const id = '0102030405060708090a0b0c0d0e0f10';
  const request = (highWatermark: number) => ({
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 100,
    sessionEpoch: -1,
    topics: [{ topicId: id, partitions: [{ partition: 0, fetchOffset: 7, partitionMaxBytes: 100, highWatermark }] }],
  });
  // cluster id (tag 0) and replica state (tag 1) left out: wait, min, max bytes, isolation, session, epoch, topics[1]
  const head = '00000000' + '00000001' + '00000064' + '00' + '00000000' + 'ffffffff' + '02' + id;
  // partition 0, current epoch -1, offset 7, last fetched epoch -1, log start -1, max bytes
  const partition = '02' + '00000000' + 'ffffffff' + '0000000000000007' + 'ffffffff' + 'ffffffffffffffff' + '00000064';
  // topic tags, forgotten topics[0], rack "", message tags
  const tail = '00' + '01' + '01' + '00';
  test('the default (int64 max: "not supported") is left out, as in v17', () => {
    expect(hex(encodeMessage(FetchRequestSpec, 17, request(2 ** 63)))).toBe(head + partition + '00' + tail);
    expect(hex(encodeMessage(FetchRequestSpec, 18, request(2 ** 63)))).toBe(head + partition + '00' + tail);
  });
  test('a known high watermark travels as tag 1', () => {
    const bytes = head + partition + '01' + '01' + '08' + '0000000000000005' + tail;
    expect(hex(encodeMessage(FetchRequestSpec, 18, request(5)))).toBe(bytes);
    expect(decodeMessage(FetchRequestSpec, 18, Buffer.from(bytes, 'hex')).topics[0]!.partitions[0]!.highWatermark).toBe(5);
    expect(decodeMessage(FetchRequestSpec, 18, Buffer.from(head + partition + '00' + tail, 'hex')).topics[0]!.partitions[0]!.highWatermark).toBe(2 ** 63);
  });
});
