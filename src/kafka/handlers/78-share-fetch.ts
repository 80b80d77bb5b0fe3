// ShareFetch (78), v1-2 (KIP-932): a share group member's fetch from the partition leader. It
// acknowledges what it processed (piggybacked), and the leader acquires records for it under an
// acquisition lock, within its share session. v2's acquire modes and renew flag are accepted; records
// are always acquired batch-aligned within max_records, which both modes allow.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import type { Asker, Authorization } from '../services.js';

/**
 * ShareFetch's and ShareAcknowledge's answer when the asker may not READ the group (Kafka's first check),
 * else undefined. The topics' READ is checked per partition (shareTopicRead).
 */
export function refusedShareRead(acls: Authorization, ctx: Asker, groupId: string | null) {
  if (acls.authorize(ctx, AclOperation.READ, ResourceType.GROUP, groupId ?? '')) return undefined;
  return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, acquisitionLockTimeoutMs: 0, responses: [], nodeEndpoints: [] };
}

/** Whether the asker may READ a topic: partitions of one it may not are TOPIC_AUTHORIZATION_FAILED. */
export function shareTopicRead(acls: Authorization, ctx: Asker): (topic: string) => boolean {
  return (topic) => acls.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, topic);
}

export const shareFetchHandler = defineHandler({
  apiKey: ApiKey.ShareFetch,
  minVersion: 1,
  maxVersion: 2,
  uses: ['shares', 'acls'],
  handle(request, ctx, { shares, acls }) {
    return refusedShareRead(acls, ctx, request.groupId) ?? shares.fetch(request, ctx, shareTopicRead(acls, ctx));
  },
});
