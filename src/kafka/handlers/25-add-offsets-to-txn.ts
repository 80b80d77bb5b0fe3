// AddOffsetsToTxn (25), v0-4: the group's __consumer_offsets partition joins the producer's transaction,
// so the TxnOffsetCommit that follows commits or aborts with it (KafkaApis adds exactly that partition).
import { CONSUMER_OFFSETS_TOPIC, partitionForGroup } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import { ApiKey, ErrorCode, type AddOffsetsToTxnResponseInput } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { fencedForVersion } from '../txn/legacy-errors.js';

const PRODUCER_FENCED_VERSION = 2;

export const addOffsetsToTxnHandler = defineHandler({
  apiKey: ApiKey.AddOffsetsToTxn,
  minVersion: 0,
  maxVersion: 4,
  uses: ['transactions', 'topics', 'config', 'acls'],
  async handle(request, ctx, { transactions, topics, config, acls }): Promise<AddOffsetsToTxnResponseInput> {
    if (!acls.authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    if (!acls.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    // The group's partition as the group coordinator places it: over the partitions the topic has, or
    // will have when the first group lookup creates it.
    const count = topics.get(CONSUMER_OFFSETS_TOPIC)?.replicas.length ?? config.values['offsets.topic.num.partitions'];
    const errorCode = await transactions.addPartitions({
      transactionalId: request.transactionalId,
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      partitions: [{ topic: CONSUMER_OFFSETS_TOPIC, partition: partitionForGroup(request.groupId, count) }],
    });
    return { throttleTimeMs: 0, errorCode: fencedForVersion(errorCode, ctx.apiVersion, PRODUCER_FENCED_VERSION) };
  },
});
