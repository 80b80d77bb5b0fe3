// ListGroups (16), v0-4: every group this coordinator has, with its state from v4, which may also filter
// by state.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const listGroupsHandler = defineHandler({
  apiKey: ApiKey.ListGroups,
  minVersion: 0,
  maxVersion: 4,
  uses: ['groups'],
  async handle(request, _ctx, { groups }) {
    const response = await groups.listGroups({ statesFilter: request.statesFilter });
    return { throttleTimeMs: 0, ...response };
  },
});
