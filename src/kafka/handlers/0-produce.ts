// Produce (0), v0-13: one v2 record batch per partition, checked without decompressing (CRC, size, codec,
// counts, CreateTime bounds), appended as received (only its offsets, leader epoch and, under
// LogAppendTime, its timestamp are rewritten in place) unless the topic's compression.type names a codec
// the batch is not in, which rewrites it in that codec, and acknowledged by acks:
//   0  no response at all; a failure closes the connection, the only way Kafka can tell the producer;
//   1  once the bytes reached the OS (PartitionLog.waitWritten);
//  -1  once an fsync covered them (PartitionLog.waitDurable, group commit) and min.insync.replicas held;
//      on a replicated partition, once the high watermark covers them (fsynced on the leader, written
//      by every ISR member), refused with NOT_ENOUGH_REPLICAS before the append while the ISR is below
//      min.insync.replicas, and REQUEST_TIMED_OUT after the request's timeout_ms.
//
// A batch carrying a producer id (an idempotent producer's) is checked against the partition's producer
// state right before the append, in the same turn, so batches are checked in the order they are appended
// (producer-state.ts): a retried batch already written is answered with its original offsets and not
// written again, once it is as safe as acks asks; an old epoch or a sequence gap is refused. A
// transactional batch opens the producer's transaction on the partition (its first offset holds the last
// stable offset back until the coordinator's marker); a plain batch from a producer whose transaction is
// open is INVALID_TXN_STATE. As in Kafka 3.x without KIP-890, the broker does not ask the coordinator
// whether the partition was added to the transaction. A request carrying transactional batches without a
// transactional_id is refused whole with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, as Kafka's handler does
// (it authorizes the transactional id before anything else); so is one whose principal may not WRITE the
// transactional id. A topic the principal may not WRITE is TOPIC_AUTHORIZATION_FAILED for its partitions.
//
// v0-2 are served because librdkafka before 2.10 (Debian's 2.0.2: kcat, confluent-kafka) only compresses
// with gzip, snappy or lz4 when the broker's Produce range includes v0, and otherwise sends those batches
// uncompressed. Like Kafka, v0-2 requests may carry v2 batches. The v0/v1 message sets of pre-0.11 clients
// are refused with UNSUPPORTED_FOR_MESSAGE_FORMAT: Kafka would convert them to v2 batches, which means
// re-encoding every record, and Skein stores batches only as they were produced.
//
// v10 (KIP-951) answers NOT_LEADER_OR_FOLLOWER with the current leader and its endpoint. v11 and v12 only
// allow errors of transactions Skein does not serve (KIP-890's TRANSACTION_ABORTABLE, and adding a
// partition to a transaction implicitly, which clients do only when transaction.version 2 is finalized,
// and Skein finalizes no feature). v13 (KIP-516) names topics by id: an id this broker does not know is
// UNKNOWN_TOPIC_ID for each of its partitions.
import { ApiKey, ErrorCode, type ProduceRequest, type ProduceResponseInput } from '../../../protocol/kafka/index.js';
import { ATTRIBUTES_AT, BATCH_HEADER_BYTES, MAGIC_AT, TRANSACTIONAL_BIT } from '../../../protocol/kafka/records/batch-header.js';
import { DecodeError } from '../../../protocol/bytes.js';
import { recompressBatch } from '../../../protocol/kafka/records/batch-recompression.js';
import { checkProduceBatch, InvalidBatchError } from '../../../protocol/kafka/records/batch-validation.js';
import { NO_RESPONSE, defineHandler, type RequestContext } from '../handler.js';
import { isInternalTopic } from '../metadata/topic-name.js';
import { leaderHints, type PartitionAnswer } from '../metadata/leader-hints.js';
import { errorCodeOf } from '../fetch/partition-access.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { checkKeysForCompaction } from '../produce/compacted-keys.js';
import type { Recompression } from '../produce/produce-config.js';
import { checkTimestamps, type BatchRejection, type RecordError, withRecordsMaxTimestamp } from '../produce/timestamp-check.js';
import type { PartitionAccess } from '../services.js';
import type { AppendResult, PartitionLog } from '../../log/partition-log.js';

type TopicResponse = NonNullable<ProduceResponseInput['responses']>[number];
type PartitionResponse = NonNullable<TopicResponse['partitionResponses']>[number];
type PartitionData = ProduceRequest['topicData'][number]['partitionData'][number];

const FIRST_VERSION_WITH_LEADER_ENDPOINTS = 10;
const FIRST_VERSION_WITH_TOPIC_IDS = 13;
/** Kafka tells a producer the current leader after this error only (KafkaApis.handleProduceRequest). */
const WRONG_LEADER: ReadonlySet<number> = new Set([ErrorCode.NOT_LEADER_OR_FOLLOWER]);

const ACKS_NONE = 0;
const ACKS_LEADER = 1;
const ACKS_ALL = -1;
/** Produce v3 introduced record batches (magic 2); older versions may carry the older message sets. */
const FIRST_PRODUCE_VERSION_WITH_BATCHES = 3;
const RECORD_BATCH_MAGIC = 2;

function failed(index: number, errorCode: number, errorMessage: string | null = null, recordErrors: RecordError[] = []): PartitionResponse {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors, errorMessage };
}

function refused(index: number, why: BatchRejection, recordErrorCode: number): PartitionResponse {
  return failed(index, why.corrupt ? ErrorCode.CORRUPT_MESSAGE : recordErrorCode, why.message, why.recordErrors);
}

/**
 * The batch in the topic's codec (compression.type other than producer), as Kafka rewrites it on append;
 * why not, when its records section does not decompress.
 */
function recompressed(batch: Buffer, to: Recompression): Buffer | string {
  try {
    return recompressBatch(batch, to.codec, { level: to.level });
  } catch (err) {
    if (err instanceof DecodeError) return `record batch does not decompress: ${err.message}`;
    throw err;
  }
}

/** What a duplicate batch is answered with: its original offsets, no append time (Kafka's NO_TIMESTAMP). */
function duplicateOf(dup: { firstOffset: number; lastOffset: number }, plog: PartitionLog): AppendResult {
  const recordCount = dup.lastOffset - dup.firstOffset + 1;
  return { baseOffset: dup.firstOffset, lastOffset: dup.lastOffset, logAppendTime: -1, logStartOffset: plog.logStartOffset, recordCount, batchCount: 1, sizeBytes: 0 };
}

interface Appended {
  response: PartitionResponse;
  /** Settles once the write is as safe as acks asks; it marks `response` failed if it is not. */
  done?: Promise<void>;
}

function appendPartition(
  ctx: RequestContext,
  partitions: PartitionAccess,
  topic: string,
  /** v13+: the id the producer named the topic by; the zero id before. */
  topicId: string,
  data: PartitionData,
  acks: number,
  timeoutMs: number,
  now: number,
): Appended {
  const { index } = data;
  const partition = partitions.leader(topic, index, undefined, topicId);
  if (typeof partition === 'number') return { response: failed(index, partition) };
  const plog = partition.log;
  const records = data.records;
  if (records === null) return { response: failed(index, ErrorCode.INVALID_RECORD, 'no record batch') };
  if (ctx.apiVersion < FIRST_PRODUCE_VERSION_WITH_BATCHES && records.length > MAGIC_AT && records[MAGIC_AT]! < RECORD_BATCH_MAGIC) {
    return { response: failed(index, ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, `message format v${records[MAGIC_AT]} is not stored; send v2 record batches`) };
  }
  let header;
  try {
    header = checkProduceBatch(records, { maxBatchBytes: plog.config.maxMessageBytes, produceVersion: ctx.apiVersion });
  } catch (err) {
    if (err instanceof InvalidBatchError) return { response: failed(index, err.code, err.message) };
    throw err;
  }
  if (acks !== ACKS_NONE && acks !== ACKS_LEADER && acks !== ACKS_ALL) return { response: failed(index, ErrorCode.INVALID_REQUIRED_ACKS) };
  if (isInternalTopic(topic)) return { response: failed(index, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic}`) };
  const cfg = partitions.produceConfig(topic, plog);
  const replicated = partition.replication?.isReplicated ? partition.replication : undefined;
  if (replicated) {
    const refusal = replicated.checkAppend(acks === ACKS_ALL);
    if (refusal !== ErrorCode.NONE) return { response: failed(index, refusal, refusal === ErrorCode.NOT_ENOUGH_REPLICAS ? `The in-sync replicas are fewer than min.insync.replicas ${cfg.minInsyncReplicas}` : null) };
  } else if (acks === ACKS_ALL && partition.isr.length < cfg.minInsyncReplicas) {
    return {
      response: failed(index, ErrorCode.NOT_ENOUGH_REPLICAS, `The size of the current ISR ${partition.isr.length} is insufficient to satisfy the min.isr requirement of ${cfg.minInsyncReplicas}`),
    };
  }
  const topicLogAppendTime = plog.config.timestampType === 'LogAppendTime';
  const timed = withRecordsMaxTimestamp(records, header, topicLogAppendTime);
  if (typeof timed === 'string') return { response: failed(index, ErrorCode.CORRUPT_MESSAGE, timed) };
  header = timed;
  const badTimestamps = checkTimestamps(records, header, topicLogAppendTime, cfg, now);
  if (badTimestamps) return { response: refused(index, badTimestamps, ErrorCode.INVALID_TIMESTAMP) };
  const keyless = plog.config.compact ? checkKeysForCompaction(records, partition.name) : undefined;
  if (keyless) return { response: refused(index, keyless, ErrorCode.INVALID_RECORD) };
  const stored = cfg.recompression ? recompressed(records, cfg.recompression) : records;
  if (typeof stored === 'string') return { response: failed(index, ErrorCode.CORRUPT_MESSAGE, stored) };
  if (stored.length > plog.config.maxMessageBytes) {
    return { response: failed(index, ErrorCode.MESSAGE_TOO_LARGE, `recompressed record batch of ${stored.length} bytes exceeds ${plog.config.maxMessageBytes}`) };
  }
  const verdict = header.producerId >= 0 ? plog.producers.checkClientBatch(header) : undefined;
  if (verdict?.kind === 'refused') return { response: failed(index, verdict.errorCode, verdict.message) };
  let result: AppendResult;
  try {
    result = verdict?.kind === 'duplicate' ? duplicateOf(verdict, plog) : plog.append(stored, now, { leaderEpoch: partition.leaderEpoch });
  } catch (err) {
    return { response: failed(index, errorCodeOf(err, ctx.log, { topic, partition: index }), (err as Error).message) };
  }
  if (verdict?.kind !== 'duplicate') {
    const counts = partitions.traffic.of(topic);
    counts.messagesIn += header.recordCount;
    counts.bytesIn += stored.length;
  }
  const response: PartitionResponse = {
    index,
    errorCode: ErrorCode.NONE,
    baseOffset: result.baseOffset,
    logAppendTimeMs: result.logAppendTime,
    logStartOffset: result.logStartOffset,
    recordErrors: [],
    errorMessage: null,
  };
  // A duplicate is acknowledged once its original is as safe as acks asks (Kafka waits the same way).
  const committed = verdict?.kind === 'duplicate' ? replicated?.duplicate(result.lastOffset, acks === ACKS_ALL ? timeoutMs : undefined) : replicated?.appended(result, acks === ACKS_ALL ? timeoutMs : undefined);
  if (acks === ACKS_NONE) return { response };
  if (committed && acks === ACKS_ALL) {
    const done = committed.then((errorCode) => {
      if (errorCode !== ErrorCode.NONE) Object.assign(response, failed(index, errorCode));
    });
    return { response, done };
  }
  const safe = acks === ACKS_ALL ? plog.waitDurable(result.lastOffset) : plog.waitWritten(result.lastOffset);
  const done = safe.catch((err: unknown) => {
    Object.assign(response, failed(index, errorCodeOf(err, ctx.log, { topic, partition: index }), (err as Error).message));
  });
  return { response, done };
}

/** Kafka's RequestUtils.hasTransactionalRecords, from the attributes of each partition's (first) batch. */
function hasTransactionalRecords(request: ProduceRequest): boolean {
  return request.topicData.some((t) =>
    t.partitionData.some(({ records }) => records !== null && records.length >= BATCH_HEADER_BYTES && records[MAGIC_AT] === RECORD_BATCH_MAGIC && (records.readInt16BE(ATTRIBUTES_AT) & TRANSACTIONAL_BIT) !== 0),
  );
}

export const produceHandler = defineHandler({
  apiKey: ApiKey.Produce,
  minVersion: 0,
  maxVersion: 13,
  uses: ['partitions', 'clock', 'topics', 'metadata', 'acls'],
  handle(request, ctx, { partitions, clock, topics, metadata, acls }) {
    const now = clock.now();
    const acks = request.acks;
    const txnIdRefused = request.transactionalId === null ? hasTransactionalRecords(request) : !acls.authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId);
    if (txnIdRefused) {
      const refused = request.topicData.map((t) => ({ name: t.name, partitionResponses: t.partitionData.map((p) => failed(p.index, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)) }));
      if (acks === ACKS_NONE) throw new Error('acks=0 produce refused for its transactional id; closing the connection as Kafka does');
      return { responses: refused, throttleTimeMs: 0 };
    }
    const pending: Promise<void>[] = [];
    const errors: string[] = [];
    const byId = ctx.apiVersion >= FIRST_VERSION_WITH_TOPIC_IDS;
    const answers: PartitionAnswer[] = [];
    const responses: TopicResponse[] = request.topicData.map((topic) => {
      const name = byId ? topics.getById(topic.topicId)?.name : topic.name;
      const label = name ?? `topic id ${topic.topicId}`;
      return {
        name: topic.name,
        topicId: topic.topicId,
        partitionResponses: topic.partitionData.map((data) => {
          let response: PartitionResponse;
          if (name === undefined) response = failed(data.index, ErrorCode.UNKNOWN_TOPIC_ID);
          else if (!acls.authorize(ctx, AclOperation.WRITE, ResourceType.TOPIC, name)) response = failed(data.index, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          else {
            const appended = appendPartition(ctx, partitions, name, topic.topicId, data, acks, request.timeoutMs, now);
            if (appended.done) pending.push(appended.done);
            response = appended.response;
            answers.push({ topic: name, partition: data.index, answer: response });
          }
          if (response.errorCode !== ErrorCode.NONE) {
            errors.push(`${label}-${data.index}: error ${response.errorCode}`);
            // Only topics that exist are counted: unknown names must not grow the metrics.
            if (name !== undefined && topics.get(name) !== undefined) partitions.traffic.of(name).failedProduce++;
          }
          return response;
        }),
      };
    });
    if (errors.length > 0) ctx.log.debug({ clientId: ctx.clientId, acks, errors }, 'produce request had partition errors');
    if (acks === ACKS_NONE) {
      // Kafka closes the connection: with acks=0 there is no other way to tell the producer.
      if (errors.length > 0) throw new Error(`acks=0 produce failed (${errors.join(', ')}); closing the connection as Kafka does`);
      return NO_RESPONSE;
    }
    // After the waits: an acks=all answer may turn NOT_LEADER_OR_FOLLOWER while it waits for the ISR.
    const answer = (): ProduceResponseInput => ({
      responses,
      throttleTimeMs: 0,
      nodeEndpoints: ctx.apiVersion >= FIRST_VERSION_WITH_LEADER_ENDPOINTS ? leaderHints(answers, WRONG_LEADER, metadata, ctx.listener) : [],
    });
    if (pending.length === 0) return answer();
    return Promise.all(pending).then(answer);
  },
});
