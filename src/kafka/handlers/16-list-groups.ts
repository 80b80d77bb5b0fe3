// ListGroups (16), v0-5: every group this coordinator has, with its state from v4, which may also filter
// by state, and its type (classic or KIP-848 consumer) from v5, which may filter by type.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const listGroupsHandler = defineHandler({
  apiKey: ApiKey.ListGroups,
  minVersion: 0,
  maxVersion: 5,
  uses: ['groups'],
  async handle(request, _ctx, { groups }) {
    const response = await groups.listGroups({ statesFilter: request.statesFilter, typesFilter: request.typesFilter });
    return { throttleTimeMs: 0, errorCode: response.errorCode, groups: response.groups.map((g) => ({ ...g, groupType: g.groupType ?? 'classic' })) };
  },
});
