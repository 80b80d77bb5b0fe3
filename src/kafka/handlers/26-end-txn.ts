// EndTxn (26), v0-4: commits or aborts the producer's open transaction. Answered once PrepareCommit or
// PrepareAbort is durable in __transaction_state; the markers are written afterwards, and until they are
// the id answers CONCURRENT_TRANSACTIONS (clients retry).
import { ApiKey, ErrorCode, type EndTxnResponseInput } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { fencedForVersion } from '../txn/legacy-errors.js';

const PRODUCER_FENCED_VERSION = 2;

export const endTxnHandler = defineHandler({
  apiKey: ApiKey.EndTxn,
  minVersion: 0,
  maxVersion: 4,
  uses: ['transactions', 'acls'],
  async handle(request, ctx, { transactions, acls }): Promise<EndTxnResponseInput> {
    if (!acls.authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
    const errorCode = await transactions.endTxn(request);
    return { throttleTimeMs: 0, errorCode: fencedForVersion(errorCode, ctx.apiVersion, PRODUCER_FENCED_VERSION) };
  },
});
