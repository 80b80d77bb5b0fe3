// ShareAcknowledge (79), v1-2 (KIP-932): a share group member accepts, releases, rejects (or, v2,
// renews the lock of) records it holds, within its share session; durable before it is answered.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';
import { refusedShareRead, shareTopicRead } from './78-share-fetch.js';

export const shareAcknowledgeHandler = defineHandler({
  apiKey: ApiKey.ShareAcknowledge,
  minVersion: 1,
  maxVersion: 2,
  uses: ['shares', 'acls'],
  handle(request, ctx, { shares, acls }) {
    return refusedShareRead(acls, ctx, request.groupId) ?? shares.acknowledge(request, ctx, shareTopicRead(acls, ctx));
  },
});
