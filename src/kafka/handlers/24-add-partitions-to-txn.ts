// AddPartitionsToTxn (24), v0-5: partitions join the producer's open transaction (the first one opens
// it). Up to v3 a client names one transaction; v4+ (brokers, KIP-890) batches several and may only
// verify that partitions are in them. As in KafkaApis: a partition the cluster does not have makes the
// whole transaction's request fail, those partitions UNKNOWN_TOPIC_OR_PARTITION and the rest
// OPERATION_NOT_ATTEMPTED; otherwise the coordinator's one answer goes to every partition.
import { ApiKey, ErrorCode, type AddPartitionsToTxnResponseInput } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import type { MetadataView } from '../metadata/metadata-view.js';
import type { TransactionRequests } from '../services.js';
import type { TopicPartition } from '../txn/api.js';
import { fencedForVersion } from '../txn/legacy-errors.js';

/** The first version that knows PRODUCER_FENCED, and the first of the batched (broker) form. */
const PRODUCER_FENCED_VERSION = 2;
const BATCHED_VERSION = 4;
/** TRANSACTION_ABORTABLE (KIP-890) is v5's; a v4 verification hears INVALID_TXN_STATE, as Kafka answers it. */
const TRANSACTION_ABORTABLE_VERSION = 5;

interface Transaction {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  verifyOnly: boolean;
  topics: readonly { name: string; partitions: readonly number[] }[];
}

type TopicResult = { name: string; resultsByPartition: { partitionIndex: number; partitionErrorCode: number }[] };

function topicResults(answers: readonly (TopicPartition & { errorCode: number })[]): TopicResult[] {
  const byTopic = new Map<string, TopicResult>();
  for (const a of answers) {
    let t = byTopic.get(a.topic);
    if (!t) byTopic.set(a.topic, (t = { name: a.topic, resultsByPartition: [] }));
    t.resultsByPartition.push({ partitionIndex: a.partition, partitionErrorCode: a.errorCode });
  }
  return [...byTopic.values()];
}

/** What the requester may do: WRITE the transactional id, and WRITE which topics. */
interface Allowed {
  transactionalId(id: string): boolean;
  topic(name: string): boolean;
}

async function answer(txn: Transaction, version: number, transactions: TransactionRequests, metadata: MetadataView, allowed: Allowed): Promise<TopicResult[]> {
  const seen = new Set<string>();
  const partitions: TopicPartition[] = [];
  for (const t of txn.topics) {
    for (const partition of t.partitions) {
      const key = `${partition}:${t.name}`;
      if (!seen.has(key)) partitions.push({ topic: t.name, partition });
      seen.add(key);
    }
  }
  // Kafka's order: the transactional id, then each topic (the others are not attempted), then existence.
  if (!allowed.transactionalId(txn.transactionalId)) return topicResults(partitions.map((p) => ({ ...p, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED })));
  const refused = partitions.filter((p) => !allowed.topic(p.topic));
  if (refused.length > 0) {
    return topicResults(partitions.map((p) => ({ ...p, errorCode: refused.includes(p) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.OPERATION_NOT_ATTEMPTED })));
  }
  const unknown = partitions.filter((p) => metadata.partition(p.topic, p.partition) === undefined);
  if (unknown.length > 0) {
    return topicResults(partitions.map((p) => ({ ...p, errorCode: unknown.includes(p) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED })));
  }
  const request = { transactionalId: txn.transactionalId, producerId: txn.producerId, producerEpoch: txn.producerEpoch, partitions };
  if (txn.verifyOnly) {
    const verified = transactions.verifyPartitions(request);
    const each = typeof verified === 'number' ? partitions.map((p) => ({ ...p, errorCode: verified })) : verified;
    return topicResults(
      each.map((p) => ({ ...p, errorCode: p.errorCode === ErrorCode.TRANSACTION_ABORTABLE && version < TRANSACTION_ABORTABLE_VERSION ? ErrorCode.INVALID_TXN_STATE : p.errorCode })),
    );
  }
  const errorCode = fencedForVersion(await transactions.addPartitions(request), version, PRODUCER_FENCED_VERSION);
  return topicResults(partitions.map((p) => ({ ...p, errorCode })));
}

export const addPartitionsToTxnHandler = defineHandler({
  apiKey: ApiKey.AddPartitionsToTxn,
  minVersion: 0,
  maxVersion: 5,
  uses: ['transactions', 'metadata', 'acls'],
  async handle(request, ctx, { transactions, metadata, acls }): Promise<AddPartitionsToTxnResponseInput> {
    const allowed: Allowed = {
      transactionalId: (id) => acls.authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, id),
      topic: (name) => acls.authorize(ctx, AclOperation.WRITE, ResourceType.TOPIC, name),
    };
    if (ctx.apiVersion < BATCHED_VERSION) {
      const txn: Transaction = {
        transactionalId: request.v3AndBelowTransactionalId,
        producerId: request.v3AndBelowProducerId,
        producerEpoch: request.v3AndBelowProducerEpoch,
        verifyOnly: false,
        topics: request.v3AndBelowTopics,
      };
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: [], resultsByTopicV3AndBelow: await answer(txn, ctx.apiVersion, transactions, metadata, allowed) };
    }
    // v4+ is sent by brokers verifying partitions (KIP-890): an inter-broker request.
    if (!acls.authorize(ctx, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, resultsByTransaction: [], resultsByTopicV3AndBelow: [] };
    }
    const resultsByTransaction = await Promise.all(
      request.transactions.map(async (txn) => ({ transactionalId: txn.transactionalId, topicResults: await answer(txn, ctx.apiVersion, transactions, metadata, allowed) })),
    );
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction, resultsByTopicV3AndBelow: [] };
  },
});
