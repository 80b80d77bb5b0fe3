// ShareAcknowledge (79), v1-2 (KIP-932): a share group member accepts, releases, rejects (or, v2,
// renews the lock of) records it holds, within its share session; durable before it is answered.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const shareAcknowledgeHandler = defineHandler({
  apiKey: ApiKey.ShareAcknowledge,
  minVersion: 1,
  maxVersion: 2,
  uses: ['shares', 'acls'],
  handle(request, ctx, { shares, acls }) {
    // Kafka: READ on the group (the topics' READ is not checked yet: docs/acls.md).
    if (!acls.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId ?? '')) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] };
    }
    return shares.acknowledge(request, ctx);
  },
});
