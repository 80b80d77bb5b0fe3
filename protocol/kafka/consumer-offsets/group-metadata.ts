// __consumer_offsets group metadata records. Key: int16 version 2, then the group id. Value: an int16
// version then, as Kafka's GroupMetadataValue.json lays them out:
//   protocolType, generation, protocol (nullable), leader (nullable), currentStateTimestamp (v2+),
//   members: memberId, groupInstanceId (v3+, nullable), clientId, clientHost, rebalanceTimeout (v1+),
//   sessionTimeout, subscription, assignment
// Kafka writes v3; so do we. A null value (tombstone) deletes the group.
import { DecodeError, Reader, Writer } from '../../bytes.js';
import {
  readArrayCount,
  readBytes,
  readNullableString,
  readString,
  writeBytes,
  writeNullableString,
  writeString,
} from '../primitives.js';

export const GROUP_METADATA_KEY_VERSION = 2;
export const GROUP_METADATA_VALUE_MAX_VERSION = 3;

export interface GroupMetadataMember {
  memberId: string;
  /** v3+; null for a dynamic member. */
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** v1+; a v0 record has only the session timeout, which Kafka then uses for both. */
  rebalanceTimeout: number;
  sessionTimeout: number;
  /** The member's metadata for the group's protocol. */
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  /** v2+; -1 when absent. */
  currentStateTimestamp: number;
  members: GroupMetadataMember[];
}

/** memberId, clientId and clientHost strings, session timeout and two byte arrays, all empty. */
const MIN_MEMBER_BYTES = 3 * 2 + 4 + 2 * 4;

export function encodeGroupMetadataKey(group: string): Buffer {
  const w = new Writer(64);
  w.int16(GROUP_METADATA_KEY_VERSION);
  writeString(w, group);
  return w.toBuffer();
}

/** Reads the fields after the version prefix (the caller dispatched on it). */
export function readGroupMetadataKeyFields(r: Reader): string {
  return readString(r);
}

export function encodeGroupMetadataValue(value: GroupMetadataValue): Buffer {
  const w = new Writer();
  w.int16(GROUP_METADATA_VALUE_MAX_VERSION);
  writeString(w, value.protocolType);
  w.int32(value.generation);
  writeNullableString(w, value.protocol);
  writeNullableString(w, value.leader);
  w.int64(value.currentStateTimestamp);
  w.int32(value.members.length);
  for (const m of value.members) {
    writeString(w, m.memberId);
    writeNullableString(w, m.groupInstanceId);
    writeString(w, m.clientId);
    writeString(w, m.clientHost);
    w.int32(m.rebalanceTimeout);
    w.int32(m.sessionTimeout);
    writeBytes(w, m.subscription);
    writeBytes(w, m.assignment);
  }
  return w.toBuffer();
}

function readMember(r: Reader, version: number): GroupMetadataMember {
  const memberId = readString(r);
  const groupInstanceId = version >= 3 ? readNullableString(r) : null;
  const clientId = readString(r);
  const clientHost = readString(r);
  const rebalanceTimeout = version >= 1 ? r.int32() : -1;
  const sessionTimeout = r.int32();
  const subscription = readBytes(r);
  const assignment = readBytes(r);
  return {
    memberId,
    groupInstanceId,
    clientId,
    clientHost,
    rebalanceTimeout: version >= 1 ? rebalanceTimeout : sessionTimeout,
    sessionTimeout,
    subscription,
    assignment,
  };
}

/** Decodes a group metadata value; byte fields are views into `buf`. */
export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0 || version > GROUP_METADATA_VALUE_MAX_VERSION) {
    throw new DecodeError(`unknown group metadata value version ${version}`);
  }
  const protocolType = readString(r);
  const generation = r.int32();
  const protocol = readNullableString(r);
  const leader = readNullableString(r);
  const currentStateTimestamp = version >= 2 ? r.int64() : -1;
  const count = readArrayCount(r, MIN_MEMBER_BYTES);
  const members: GroupMetadataMember[] = [];
  for (let i = 0; i < count; i++) members.push(readMember(r, version));
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}
