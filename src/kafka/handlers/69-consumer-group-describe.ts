// ConsumerGroupDescribe (69), v0-1: KIP-848 groups with their epochs, assignor, and each member's
// subscription, current and target assignment. Authorized operations are not computed (no ACLs).
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const consumerGroupDescribeHandler = defineHandler({
  apiKey: ApiKey.ConsumerGroupDescribe,
  minVersion: 0,
  maxVersion: 1,
  uses: ['groups'],
  async handle(request, _ctx, { groups }) {
    return { throttleTimeMs: 0, groups: await groups.consumerGroupDescribe(request.groupIds) };
  },
});
