// Control records: the transaction markers a transaction coordinator has written to each partition.
// In a control batch (attributes bit 5) every record's key is (version int16, type int16); an end
// transaction marker's value is (version int16, coordinatorEpoch int32).
import { DecodeError } from '../../bytes.js';
import { buildRecordBatch } from './batch-builder.js';
import { batchRecords } from './batch-records.js';

export const ControlRecordType = { Abort: 0, Commit: 1 } as const;
export type ControlRecordType = (typeof ControlRecordType)[keyof typeof ControlRecordType];

export interface ControlRecordKey {
  version: number;
  /** ControlRecordType for markers; other ids (KRaft's) pass through so callers can ignore them. */
  type: number;
}

export interface EndTxnMarker {
  version: number;
  coordinatorEpoch: number;
}

const CURRENT_VERSION = 0;
const KEY_BYTES = 4;
const MARKER_VALUE_BYTES = 6;

export function encodeControlRecordKey(type: number): Buffer {
  const b = Buffer.allocUnsafe(KEY_BYTES);
  b.writeInt16BE(CURRENT_VERSION, 0);
  b.writeInt16BE(type, 2);
  return b;
}

/** Like Kafka, reads newer versions as version 0 (fields are only ever appended). */
export function decodeControlRecordKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < KEY_BYTES) throw new DecodeError('control record key needs 4 bytes');
  const version = key.readInt16BE(0);
  if (version < 0) throw new DecodeError(`invalid control record key version ${version}`);
  return { version, type: key.readInt16BE(2) };
}

export function encodeEndTxnMarker(coordinatorEpoch: number): Buffer {
  const b = Buffer.allocUnsafe(MARKER_VALUE_BYTES);
  b.writeInt16BE(CURRENT_VERSION, 0);
  b.writeInt32BE(coordinatorEpoch, 2);
  return b;
}

export function decodeEndTxnMarker(value: Buffer | null): EndTxnMarker {
  if (value === null || value.length < MARKER_VALUE_BYTES) {
    throw new DecodeError('end transaction marker value needs 6 bytes');
  }
  const version = value.readInt16BE(0);
  if (version < 0) throw new DecodeError(`invalid end transaction marker version ${version}`);
  return { version, coordinatorEpoch: value.readInt32BE(2) };
}

export interface EndTxnMarkerBatchOptions {
  type: ControlRecordType;
  coordinatorEpoch: number;
  producerId: number;
  producerEpoch: number;
  timestamp: number;
  baseOffset?: number;
  partitionLeaderEpoch?: number;
}

/** The batch a partition leader appends to end a transaction: transactional, control, no sequence, uncompressed. */
export function buildEndTxnMarkerBatch(o: EndTxnMarkerBatchOptions): Buffer {
  return buildRecordBatch(
    [{ key: encodeControlRecordKey(o.type), value: encodeEndTxnMarker(o.coordinatorEpoch), timestamp: o.timestamp }],
    {
      baseOffset: o.baseOffset,
      partitionLeaderEpoch: o.partitionLeaderEpoch,
      producerId: o.producerId,
      producerEpoch: o.producerEpoch,
      baseSequence: -1,
      transactional: true,
      control: true,
    },
  );
}

/** What an end-transaction marker batch says: COMMIT or ABORT, and the coordinator epoch that wrote it. */
export interface EndTxnMarkerOfBatch {
  commit: boolean;
  coordinatorEpoch: number;
}

/**
 * The end-transaction marker a control batch carries (its first record), or undefined when its control
 * record is of another type (KRaft's) or does not decode: such a batch ends no transaction.
 */
export function readEndTxnMarkerBatch(batch: Buffer, pos = 0): EndTxnMarkerOfBatch | undefined {
  try {
    for (const record of batchRecords(batch, pos)) {
      const key = decodeControlRecordKey(record.key);
      if (key.type !== ControlRecordType.Abort && key.type !== ControlRecordType.Commit) return undefined;
      return { commit: key.type === ControlRecordType.Commit, coordinatorEpoch: decodeEndTxnMarker(record.value).coordinatorEpoch };
    }
    return undefined;
  } catch (err) {
    if (err instanceof DecodeError) return undefined;
    throw err;
  }
}
