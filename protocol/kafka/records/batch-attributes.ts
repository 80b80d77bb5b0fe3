// The flags packed into a v2 batch's int16 attributes.
import {
  COMPRESSION_MASK,
  CONTROL_BIT,
  type Compression,
  TIMESTAMP_TYPE_BIT,
  TRANSACTIONAL_BIT,
} from './batch-header.js';

/** Where a batch's timestamps come from: the producer (CreateTime) or the broker (LogAppendTime). */
export const TimestampType = { CreateTime: 0, LogAppendTime: 1 } as const;
export type TimestampType = (typeof TimestampType)[keyof typeof TimestampType];

/** The compression id as stored; it may be an id no codec has (5-7), which callers must reject. */
export function compressionId(attributes: number): number {
  return attributes & COMPRESSION_MASK;
}

export function timestampTypeOf(attributes: number): TimestampType {
  return attributes & TIMESTAMP_TYPE_BIT ? TimestampType.LogAppendTime : TimestampType.CreateTime;
}

export function isTransactional(attributes: number): boolean {
  return (attributes & TRANSACTIONAL_BIT) !== 0;
}

export function isControl(attributes: number): boolean {
  return (attributes & CONTROL_BIT) !== 0;
}

export function encodeAttributes(
  compression: Compression,
  timestampType: TimestampType,
  transactional: boolean,
  control: boolean,
): number {
  return (
    compression |
    (timestampType === TimestampType.LogAppendTime ? TIMESTAMP_TYPE_BIT : 0) |
    (transactional ? TRANSACTIONAL_BIT : 0) |
    (control ? CONTROL_BIT : 0)
  );
}
