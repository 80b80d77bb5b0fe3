// DeleteGroups (42), v0-2: removes empty groups and their offsets; a group with members gets
// NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND.
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { refuseDeleteGroups } from '../groups/refusals.js';
import { defineHandler } from '../handler.js';

export const deleteGroupsHandler = defineHandler({
  apiKey: ApiKey.DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  uses: ['groups', 'acls'],
  async handle(request, ctx, { groups, acls }) {
    const [allowed, refused] = [true, false].map((want) => request.groupsNames.filter((g) => acls.authorize(ctx, AclOperation.DELETE, ResourceType.GROUP, g) === want)) as [string[], string[]];
    const response = allowed.length > 0 ? await groups.deleteGroups({ groupsNames: allowed }) : { results: [] };
    return { throttleTimeMs: 0, results: [...response.results, ...refuseDeleteGroups({ groupsNames: refused }, ErrorCode.GROUP_AUTHORIZATION_FAILED).results] };
  },
});
