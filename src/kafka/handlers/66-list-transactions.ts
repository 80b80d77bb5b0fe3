// ListTransactions (66), v0-1: the transactional ids this broker coordinates, filtered by state, producer
// id and (v1, KIP-994) how long their transaction has been running. COORDINATOR_LOAD_IN_PROGRESS with
// an empty list while a __transaction_state partition loads, as Kafka answers.
import { ApiKey, type ListTransactionsResponseInput } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const listTransactionsHandler = defineHandler({
  apiKey: ApiKey.ListTransactions,
  minVersion: 0,
  maxVersion: 1,
  uses: ['transactions', 'acls'],
  handle(request, ctx, { transactions, acls }): ListTransactionsResponseInput {
    const listed = transactions.list(request.stateFilters, request.producerIdFilters, request.durationFilter);
    return {
      throttleTimeMs: 0,
      errorCode: listed.errorCode,
      unknownStateFilters: listed.unknownStateFilters,
      // Only the transactional ids the principal may DESCRIBE, as Kafka lists them.
      transactionStates: listed.transactions.filter((t) => acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, t.transactionalId)).map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state })),
    };
  },
});
