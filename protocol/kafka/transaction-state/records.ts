// __transaction_state records, as Kafka's TransactionLog writes them. Key: an int16 version (0) then the
// transactional id (TransactionLogKey.json). Value: an int16 version then TransactionLogValue.json's
// fields; a null value is the tombstone of an expired transactional id.
//   v0: producerId, producerEpoch, transactionTimeoutMs, transactionStatus (int8), transactionPartitions
//       (nullable array of topic + partition ids), lastUpdateTimestampMs, startTimestampMs
//   v1: the same, flexible (compact strings and arrays), with tagged fields 0 previousProducerId,
//       1 nextProducerId, 2 clientTransactionVersion (KIP-890's transaction version 2)
// Kafka 3.x writes v0 (v1 only once transaction.version 2 is enabled); so do we. Both are read.
import { DecodeError, Reader, Writer } from '../../bytes.js';
import {
  readArrayCount,
  readCompactArrayCount,
  readCompactString,
  readString,
  readTaggedFieldCount,
  skipTaggedFields,
  writeString,
} from '../primitives.js';

const TRANSACTION_LOG_KEY_VERSION = 0;
const TRANSACTION_LOG_VALUE_MAX_VERSION = 1;

/** TransactionState ids as Kafka stores them in transactionStatus. */
export const TxnStatus = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;
export type TxnStatusName = keyof typeof TxnStatus;

const STATUS_NAMES = Object.keys(TxnStatus) as TxnStatusName[];

export interface TxnLogPartitions {
  topic: string;
  partitionIds: number[];
}

export interface TransactionLogValue {
  producerId: number;
  /** -1 when absent (v0, or v1 without the tag). */
  previousProducerId: number;
  producerEpoch: number;
  transactionTimeoutMs: number;
  status: TxnStatusName;
  /** Empty for Empty (written as null, as Kafka writes it) and the Complete states. */
  partitions: TxnLogPartitions[];
  lastUpdateTimestampMs: number;
  /** -1 when no transaction has started. */
  startTimestampMs: number;
}

const INT16_BYTES = 2;
const INT32_BYTES = 4;
const PREVIOUS_PRODUCER_ID_TAG = 0;

export function encodeTransactionLogKey(transactionalId: string): Buffer {
  const w = new Writer(32 + transactionalId.length * 3);
  w.int16(TRANSACTION_LOG_KEY_VERSION);
  writeString(w, transactionalId);
  return w.toBuffer();
}

/** The transactional id of a key; DecodeError for a version Kafka never wrote. */
export function decodeTransactionLogKey(buf: Buffer): string {
  const r = new Reader(buf);
  const version = r.int16();
  if (version !== TRANSACTION_LOG_KEY_VERSION) throw new DecodeError(`transaction log key version ${version}`);
  return readString(r);
}

/** Encodes v0, as Kafka 3.x does. */
export function encodeTransactionLogValue(value: TransactionLogValue): Buffer {
  const w = new Writer(64);
  w.int16(0);
  w.int64(value.producerId);
  w.int16(value.producerEpoch);
  w.int32(value.transactionTimeoutMs);
  w.int8(TxnStatus[value.status]);
  // Kafka writes null partitions for Empty and a (possibly empty) list otherwise.
  if (value.status === 'Empty') w.int32(-1);
  else {
    w.int32(value.partitions.length);
    for (const p of value.partitions) {
      writeString(w, p.topic);
      w.int32(p.partitionIds.length);
      for (const id of p.partitionIds) w.int32(id);
    }
  }
  w.int64(value.lastUpdateTimestampMs);
  w.int64(value.startTimestampMs);
  return w.toBuffer();
}

export function decodeTransactionLogValue(buf: Buffer): TransactionLogValue {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0 || version > TRANSACTION_LOG_VALUE_MAX_VERSION) throw new DecodeError(`transaction log value version ${version}`);
  const flexible = version >= 1;
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const transactionTimeoutMs = r.int32();
  const statusId = r.int8();
  const status = STATUS_NAMES[statusId];
  if (status === undefined) throw new DecodeError(`transaction status ${statusId}`);
  const partitions = flexible ? readCompactPartitions(r) : readPartitions(r);
  const lastUpdateTimestampMs = r.int64();
  const startTimestampMs = r.int64();
  let previousProducerId = -1;
  if (flexible) previousProducerId = readPreviousProducerId(r);
  return { producerId, previousProducerId, producerEpoch, transactionTimeoutMs, status, partitions, lastUpdateTimestampMs, startTimestampMs };
}

function readPartitions(r: Reader): TxnLogPartitions[] {
  const n = readArrayCount(r, INT16_BYTES + INT32_BYTES);
  const out: TxnLogPartitions[] = [];
  for (let i = 0; i < n; i++) {
    const topic = readString(r);
    const count = readArrayCount(r, INT32_BYTES);
    const partitionIds: number[] = [];
    for (let j = 0; j < count; j++) partitionIds.push(r.int32());
    out.push({ topic, partitionIds });
  }
  return out;
}

function readCompactPartitions(r: Reader): TxnLogPartitions[] {
  const n = readCompactArrayCount(r, 3);
  const out: TxnLogPartitions[] = [];
  for (let i = 0; i < n; i++) {
    const topic = readCompactString(r);
    const count = readCompactArrayCount(r, INT32_BYTES);
    const partitionIds: number[] = [];
    for (let j = 0; j < count; j++) partitionIds.push(r.int32());
    skipTaggedFields(r);
    out.push({ topic, partitionIds });
  }
  return out;
}

/** Reads v1's tagged fields, keeping previousProducerId and skipping the rest. */
function readPreviousProducerId(r: Reader): number {
  let previous = -1;
  const count = readTaggedFieldCount(r);
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    if (tag === PREVIOUS_PRODUCER_ID_TAG && size === 8) previous = r.int64();
    else r.skip(size);
  }
  return previous;
}
