// ListTransactions (66), v0-1: the transactional ids this broker coordinates, filtered by state, producer
// id and (v1, KIP-994) how long their transaction has been running. COORDINATOR_LOAD_IN_PROGRESS with
// an empty list while a __transaction_state partition loads, as Kafka answers.
import { ApiKey, type ListTransactionsResponseInput } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const listTransactionsHandler = defineHandler({
  apiKey: ApiKey.ListTransactions,
  minVersion: 0,
  maxVersion: 1,
  uses: ['transactions'],
  handle(request, _ctx, { transactions }): ListTransactionsResponseInput {
    const listed = transactions.list(request.stateFilters, request.producerIdFilters, request.durationFilter);
    return {
      throttleTimeMs: 0,
      errorCode: listed.errorCode,
      unknownStateFilters: listed.unknownStateFilters,
      transactionStates: listed.transactions.map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state })),
    };
  },
});
