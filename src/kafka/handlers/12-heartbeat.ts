// Heartbeat (12), v0-4: a member shows it is alive; REBALANCE_IN_PROGRESS tells it to rejoin.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const heartbeatHandler = defineHandler({
  apiKey: ApiKey.Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  uses: ['groups'],
  async handle(request, _ctx, { groups }) {
    const { errorCode } = await groups.heartbeat(request);
    return { throttleTimeMs: 0, errorCode };
  },
});
