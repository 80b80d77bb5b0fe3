// The layout Kafka's group coordinator gives its newer __consumer_offsets records (KIP-848 consumer
// groups, KIP-932 share groups): a key of an int16 record type, the group id and, for per-member
// records, the member id, as non-flexible strings; a value of an int16 version (0, the one Kafka
// defines and writes) then a flexible structure, so fields a later Kafka adds as tags are skipped.
import { DecodeError, Reader, Writer } from '../../bytes.js';
import { messageCodec } from '../codec.js';
import { readString, writeString } from '../primitives.js';
import type { DataSpec, MessageInput, MessageValue } from '../spec.js';

/** The one value version Kafka defines (and writes) for each of them. */
const VALUE_VERSION = 0;

/** A flexible version-0 value spec, as every one of these records has. */
export function valueSpec<const F extends DataSpec['fields']>(name: string, fields: F) {
  return { name, validVersions: '0', flexibleVersions: '0+', fields } as const;
}

/** Kafka's TopicPartitions structs: a topic id and its partitions. */
export const TopicPartitionsFields = [
  { name: 'TopicId', type: 'uuid', versions: '0+' },
  { name: 'Partitions', type: '[]int32', versions: '0+' },
] as const;

/** A key: the record type, the group and, for per-member types, the member ('' otherwise). */
export interface GroupRecordKey<T extends number = number> {
  recordType: T;
  group: string;
  memberId: string;
}

export function encodeGroupRecordKey(key: GroupRecordKey, perMember: boolean): Buffer {
  const w = new Writer(64);
  w.int16(key.recordType);
  writeString(w, key.group);
  if (perMember) writeString(w, key.memberId);
  return w.toBuffer();
}

/** Reads the fields after the record type (the caller dispatched on it). */
export function readGroupRecordKeyFields<T extends number>(r: Reader, recordType: T, perMember: boolean): GroupRecordKey<T> {
  const group = readString(r);
  const memberId = perMember ? readString(r) : '';
  return { recordType, group, memberId };
}

export function encodeGroupRecordValue<S extends DataSpec>(spec: S, value: MessageInput<S>): Buffer {
  const w = new Writer(64);
  w.int16(VALUE_VERSION);
  messageCodec(spec, VALUE_VERSION).encode(w, value as never);
  return w.toBuffer();
}

/** Decodes a value of `spec`; throws DecodeError on malformed bytes or an unknown version. */
export function decodeGroupRecordValue<S extends DataSpec>(spec: S, buf: Buffer): MessageValue<S> {
  const r = new Reader(buf);
  const version = r.int16();
  if (version !== VALUE_VERSION) throw new DecodeError(`unknown ${spec.name} version ${version}`);
  const value = messageCodec(spec, VALUE_VERSION).decode(r);
  if (r.remaining !== 0) throw new DecodeError(`${spec.name} has ${r.remaining} trailing bytes`);
  return value as MessageValue<S>;
}
