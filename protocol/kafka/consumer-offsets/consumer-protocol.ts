// The "consumer" embedded protocol: what a consumer puts in JoinGroup protocol metadata (its
// subscription) and what the leader hands each member through SyncGroup (its assignment). The
// coordinator reads subscriptions to know which topics a group consumes (OffsetDelete, offset expiry),
// and __consumer_offsets keeps both inside group metadata records.
//
// Both start with an int16 version. A version newer than we know is read as the newest we know: Kafka
// promises later versions only append fields (ConsumerProtocolSubscription.json).
import { DecodeError, Reader, Writer } from '../../bytes.js';
import {
  readArrayCount,
  readNullableBytes,
  readNullableString,
  readString,
  writeNullableBytes,
  writeNullableString,
  writeString,
} from '../primitives.js';

export const CONSUMER_PROTOCOL_TYPE = 'consumer';
export const CONSUMER_PROTOCOL_MAX_VERSION = 3;

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface ConsumerSubscription {
  version: number;
  topics: string[];
  userData: Buffer | null;
  /** v1+ */
  ownedPartitions: TopicPartitions[];
  /** v2+; -1 when absent. */
  generationId: number;
  /** v3+ */
  rackId: string | null;
}

export interface ConsumerAssignment {
  version: number;
  assignedPartitions: TopicPartitions[];
  userData: Buffer | null;
}

const INT16_BYTES = 2;
const INT32_BYTES = 4;
/** A topic-partitions entry is at least an empty string and an empty array. */
const MIN_TOPIC_PARTITIONS_BYTES = INT16_BYTES + INT32_BYTES;

function readVersion(r: Reader): number {
  const version = r.int16();
  if (version < 0) throw new DecodeError(`consumer protocol version ${version}`);
  return Math.min(version, CONSUMER_PROTOCOL_MAX_VERSION);
}

function readStrings(r: Reader): string[] {
  const n = readArrayCount(r, INT16_BYTES);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(readString(r));
  return out;
}

function readInt32s(r: Reader): number[] {
  const n = readArrayCount(r, INT32_BYTES);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.int32());
  return out;
}

function readTopicPartitions(r: Reader): TopicPartitions[] {
  const n = readArrayCount(r, MIN_TOPIC_PARTITIONS_BYTES);
  const out: TopicPartitions[] = [];
  for (let i = 0; i < n; i++) out.push({ topic: readString(r), partitions: readInt32s(r) });
  return out;
}

function writeTopicPartitions(w: Writer, list: readonly TopicPartitions[]): void {
  w.int32(list.length);
  for (const tp of list) {
    writeString(w, tp.topic);
    w.int32(tp.partitions.length);
    for (const p of tp.partitions) w.int32(p);
  }
}

/** Decodes a subscription; throws DecodeError on malformed bytes. */
export function decodeConsumerSubscription(buf: Buffer): ConsumerSubscription {
  const r = new Reader(buf);
  const version = readVersion(r);
  const topics = readStrings(r);
  const userData = readNullableBytes(r);
  const ownedPartitions = version >= 1 ? readTopicPartitions(r) : [];
  const generationId = version >= 2 ? r.int32() : -1;
  const rackId = version >= 3 ? readNullableString(r) : null;
  return { version, topics, userData, ownedPartitions, generationId, rackId };
}

/**
 * Just the subscribed topics, reading only the v0 prefix every version shares, so a subscription
 * whose later fields we cannot read still says what it consumes.
 */
export function decodeSubscribedTopics(buf: Buffer): string[] {
  const r = new Reader(buf);
  r.int16();
  return readStrings(r);
}

export function encodeConsumerSubscription(s: Partial<ConsumerSubscription> & { topics: string[] }): Buffer {
  const version = s.version ?? CONSUMER_PROTOCOL_MAX_VERSION;
  const w = new Writer();
  w.int16(version);
  w.int32(s.topics.length);
  for (const t of s.topics) writeString(w, t);
  writeNullableBytes(w, s.userData ?? null);
  if (version >= 1) writeTopicPartitions(w, s.ownedPartitions ?? []);
  if (version >= 2) w.int32(s.generationId ?? -1);
  if (version >= 3) writeNullableString(w, s.rackId ?? null);
  return w.toBuffer();
}

/** Decodes an assignment; throws DecodeError on malformed bytes. */
export function decodeConsumerAssignment(buf: Buffer): ConsumerAssignment {
  const r = new Reader(buf);
  const version = readVersion(r);
  const assignedPartitions = readTopicPartitions(r);
  const userData = readNullableBytes(r);
  return { version, assignedPartitions, userData };
}

export function encodeConsumerAssignment(a: Partial<ConsumerAssignment> & { assignedPartitions: TopicPartitions[] }): Buffer {
  const w = new Writer();
  w.int16(a.version ?? CONSUMER_PROTOCOL_MAX_VERSION);
  writeTopicPartitions(w, a.assignedPartitions);
  writeNullableBytes(w, a.userData ?? null);
  return w.toBuffer();
}
