// ShareAcknowledge (79), v1-2 (KIP-932): a share group member accepts, releases, rejects (or, v2,
// renews the lock of) records it holds, within its share session; durable before it is answered.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const shareAcknowledgeHandler = defineHandler({
  apiKey: ApiKey.ShareAcknowledge,
  minVersion: 1,
  maxVersion: 2,
  uses: ['shares'],
  handle(request, ctx, { shares }) {
    return shares.acknowledge(request, ctx);
  },
});
