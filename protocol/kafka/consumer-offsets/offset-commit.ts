// __consumer_offsets offset commit records. Key: an int16 version (0 or 1, same layout) then group,
// topic, partition. Value: an int16 version then the fields of that version, as Kafka's
// OffsetCommitKey.json / OffsetCommitValue.json lay them out:
//   v0: offset, metadata, commitTimestamp
//   v1: offset, metadata, commitTimestamp, expireTimestamp
//   v2: offset, metadata, commitTimestamp
//   v3: offset, leaderEpoch, metadata, commitTimestamp
// Kafka writes v3, or v1 when the commit carries its own expiry; so do we.
import { DecodeError, Reader, Writer } from '../../bytes.js';
import { readString, writeString } from '../primitives.js';

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const OFFSET_COMMIT_VALUE_MAX_VERSION = 3;

export interface OffsetCommitKey {
  group: string;
  topic: string;
  partition: number;
}

export interface OffsetCommitValue {
  offset: number;
  /** -1 when unknown (and in versions before 3). */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** -1 when absent (every version but 1). */
  expireTimestamp: number;
}

export function encodeOffsetCommitKey(key: OffsetCommitKey): Buffer {
  const w = new Writer(64);
  w.int16(OFFSET_COMMIT_KEY_VERSION);
  writeString(w, key.group);
  writeString(w, key.topic);
  w.int32(key.partition);
  return w.toBuffer();
}

/** Reads the fields after the version prefix (the caller dispatched on it). */
export function readOffsetCommitKeyFields(r: Reader): OffsetCommitKey {
  return { group: readString(r), topic: readString(r), partition: r.int32() };
}

export function encodeOffsetCommitValue(value: OffsetCommitValue): Buffer {
  const version = value.expireTimestamp >= 0 ? 1 : OFFSET_COMMIT_VALUE_MAX_VERSION;
  const w = new Writer(64);
  w.int16(version);
  w.int64(value.offset);
  if (version === 3) w.int32(value.leaderEpoch);
  writeString(w, value.metadata);
  w.int64(value.commitTimestamp);
  if (version === 1) w.int64(value.expireTimestamp);
  return w.toBuffer();
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0 || version > OFFSET_COMMIT_VALUE_MAX_VERSION) {
    throw new DecodeError(`unknown offset commit value version ${version}`);
  }
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = readString(r);
  const commitTimestamp = r.int64();
  const expireTimestamp = version === 1 ? r.int64() : -1;
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}
