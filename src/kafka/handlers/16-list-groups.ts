// ListGroups (16), v0-5: every group this coordinator has, with its state from v4, which may also filter
// by state, and its type (classic or KIP-848 consumer) from v5, which may filter by type.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const listGroupsHandler = defineHandler({
  apiKey: ApiKey.ListGroups,
  minVersion: 0,
  maxVersion: 5,
  uses: ['groups', 'acls'],
  async handle(request, ctx, { groups, acls }) {
    const response = await groups.listGroups({ statesFilter: request.statesFilter, typesFilter: request.typesFilter });
    // As Kafka: DESCRIBE on the cluster lists every group, otherwise those the principal may DESCRIBE.
    const everyGroup = acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME);
    const listed = everyGroup ? response.groups : response.groups.filter((g) => acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId));
    return { throttleTimeMs: 0, errorCode: response.errorCode, groups: listed.map((g) => ({ ...g, groupType: g.groupType ?? 'classic' })) };
  },
});
