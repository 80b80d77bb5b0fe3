// ShareFetch (78), v1-2 (KIP-932): a share group member's fetch from the partition leader. It
// acknowledges what it processed (piggybacked), and the leader acquires records for it under an
// acquisition lock, within its share session. v2's acquire modes and renew flag are accepted; records
// are always acquired batch-aligned within max_records, which both modes allow.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const shareFetchHandler = defineHandler({
  apiKey: ApiKey.ShareFetch,
  minVersion: 1,
  maxVersion: 2,
  uses: ['shares'],
  handle(request, ctx, { shares }) {
    return shares.fetch(request, ctx);
  },
});
