// DeleteGroups (42), v0-2: removes empty groups and their offsets; a group with members gets
// NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const deleteGroupsHandler = defineHandler({
  apiKey: ApiKey.DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  uses: ['groups'],
  async handle(request, _ctx, { groups }) {
    const response = await groups.deleteGroups({ groupsNames: request.groupsNames });
    return { throttleTimeMs: 0, ...response };
  },
});
