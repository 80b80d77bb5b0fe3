// Producing through a KafkaConnection: one record batch to one partition per request, the answer's
// per-partition error turned into a KafkaProtocolError.
import { ApiKey, ErrorCode, KafkaProtocolError, errorInfo } from '../../../protocol/kafka/index.js';
import { buildRecordBatch, type BatchOptions, type RecordInput } from '../../../protocol/kafka/records/batch-builder.js';
import type { KafkaConnection } from './connection.js';

/** The newest Produce version this client writes; v9 is the newest Skein serves. */
export const PRODUCE_VERSION = 9;

export interface ProduceOptions {
  /** 0, 1 or -1 (all); -1 by default. */
  acks?: number;
  /** How long the broker may wait for replication (Kafka's timeout_ms). */
  timeoutMs?: number;
  version?: number;
  /** A transactional producer's id: Kafka refuses transactional batches in a request without one. */
  transactionalId?: string;
}

export interface ProduceResult {
  baseOffset: number;
  /** The broker's append time under LogAppendTime, else -1. */
  logAppendTime: number;
  logStartOffset: number;
}

/**
 * Sends one encoded batch to `topic`/`partition`. With acks=0 nothing comes back: it resolves with
 * offsets of -1 once the request is written.
 */
export async function produceBatch(conn: KafkaConnection, topic: string, partition: number, batch: Buffer, options: ProduceOptions = {}): Promise<ProduceResult> {
  const acks = options.acks ?? -1;
  const version = options.version ?? PRODUCE_VERSION;
  const body = { transactionalId: options.transactionalId ?? null, acks, timeoutMs: options.timeoutMs ?? 30_000, topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }] };
  if (acks === 0) {
    conn.sendWithoutResponse(ApiKey.Produce, version, body);
    return { baseOffset: -1, logAppendTime: -1, logStartOffset: -1 };
  }
  const response = await conn.send(ApiKey.Produce, version, body);
  const p = response.responses[0]?.partitionResponses[0];
  if (!p) throw new KafkaProtocolError(ErrorCode.UNKNOWN_SERVER_ERROR, `no answer for ${topic}-${partition} in the produce response`);
  if (p.errorCode !== ErrorCode.NONE) {
    throw new KafkaProtocolError(p.errorCode, `produce to ${topic}-${partition} failed: ${p.errorMessage ?? errorInfo(p.errorCode).name}`);
  }
  return { baseOffset: p.baseOffset, logAppendTime: p.logAppendTimeMs, logStartOffset: p.logStartOffset };
}

/** Encodes `records` as one batch (timestamps default to now) and produces it. */
export function produceRecords(
  conn: KafkaConnection,
  topic: string,
  partition: number,
  records: readonly RecordInput[],
  options: ProduceOptions & { batch?: BatchOptions } = {},
): Promise<ProduceResult> {
  const batch = buildRecordBatch(records, { baseTimestamp: Date.now(), ...options.batch });
  return produceBatch(conn, topic, partition, batch, options);
}
