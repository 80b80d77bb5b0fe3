// FindCoordinator (10), v0-4: where a group's (or a transactional id's) coordinator is. v4 batches keys.
// The first lookup for a group (a transactional id) creates __consumer_offsets (__transaction_state)
// and is answered COORDINATOR_NOT_AVAILABLE until it exists, as Kafka does; clients retry.
import { ApiKey, ErrorCode, errorInfo, type FindCoordinatorResponseInput } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import type { CoordinatorLocation } from '../services.js';

/** Kafka's CoordinatorType.TRANSACTION: the key is a transactional id (0, GROUP, is the group service's). */
const TRANSACTION_KEY_TYPE = 1;

/** Kafka's Node.noNode, which an error carries in place of a broker. */
const NO_NODE = { nodeId: -1, host: '', port: -1 };

/**
 * Before v4 Kafka puts Errors.message() in the response: the exception's message for an error, and
 * the enum's name, "NONE", for success.
 */
function legacyMessage(errorCode: number): string {
  return errorCode === ErrorCode.NONE ? 'NONE' : errorInfo(errorCode).message;
}

export const findCoordinatorHandler = defineHandler({
  apiKey: ApiKey.FindCoordinator,
  minVersion: 0,
  maxVersion: 4,
  uses: ['groups', 'transactions', 'acls'],
  handle(request, ctx, { groups, transactions, acls }): FindCoordinatorResponseInput {
    const txn = request.keyType === TRANSACTION_KEY_TYPE;
    // DESCRIBE on the group or transactional id, checked before anything is located (or created).
    const locate = (key: string): CoordinatorLocation => {
      if (!acls.authorize(ctx, AclOperation.DESCRIBE, txn ? ResourceType.TRANSACTIONAL_ID : ResourceType.GROUP, key)) {
        return { errorCode: txn ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED : ErrorCode.GROUP_AUTHORIZATION_FAILED, node: undefined };
      }
      return txn ? transactions.findCoordinator(key, ctx.listener) : groups.findCoordinator(request.keyType, key, ctx.listener);
    };
    if (ctx.apiVersion >= 4) {
      return {
        throttleTimeMs: 0,
        coordinators: request.coordinatorKeys.map((key) => {
          const { errorCode, node } = locate(key);
          return { key, ...(node ?? NO_NODE), errorCode, errorMessage: null };
        }),
      };
    }
    const { errorCode, node } = locate(request.key);
    return { throttleTimeMs: 0, errorCode, errorMessage: legacyMessage(errorCode), ...(node ?? NO_NODE) };
  },
});
