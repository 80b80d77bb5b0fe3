// DescribeTransactions (65), v0: the state of transactional ids this broker coordinates (KIP-664, what
// kafka-transactions.sh describe shows). An id coordinated elsewhere is NOT_COORDINATOR, an unknown one
// TRANSACTIONAL_ID_NOT_FOUND.
import { ApiKey, ErrorCode, type DescribeTransactionsResponseInput } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const describeTransactionsHandler = defineHandler({
  apiKey: ApiKey.DescribeTransactions,
  minVersion: 0,
  maxVersion: 0,
  uses: ['transactions', 'acls'],
  handle(request, ctx, { transactions, acls }): DescribeTransactionsResponseInput {
    return {
      throttleTimeMs: 0,
      transactionStates: request.transactionalIds.map((transactionalId) => {
        const { errorCode, transaction: t } = acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, transactionalId)
          ? transactions.describe(transactionalId)
          : { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, transaction: undefined };
        if (!t) {
          return { errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [] };
        }
        const byTopic = new Map<string, number[]>();
        for (const p of t.partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
        return {
          errorCode: ErrorCode.NONE,
          transactionalId,
          transactionState: t.state,
          transactionTimeoutMs: t.transactionTimeoutMs,
          transactionStartTimeMs: t.transactionStartTimeMs,
          producerId: t.producerId,
          producerEpoch: t.producerEpoch,
          topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
        };
      }),
    };
  },
});
