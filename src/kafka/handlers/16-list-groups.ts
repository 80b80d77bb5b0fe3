// ListGroups (16), v0-5: every group this coordinator has, with its state from v4, which may also filter
// by state, and its type (classic, KIP-848 consumer or KIP-932 share) from v5, which may filter by type.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const listGroupsHandler = defineHandler({
  apiKey: ApiKey.ListGroups,
  minVersion: 0,
  maxVersion: 5,
  uses: ['groups', 'shares', 'acls'],
  async handle(request, ctx, { groups, shares, acls }) {
    const response = await groups.listGroups({ statesFilter: request.statesFilter, typesFilter: request.typesFilter });
    // Share groups, filtered as Kafka filters every type: by state and type, case-insensitively.
    const states = new Set(request.statesFilter.map((s) => s.toLowerCase()));
    const types = new Set((request.typesFilter ?? []).map((t) => t.toLowerCase()));
    const shareGroups = types.size > 0 && !types.has('share') ? [] : shares.list().filter((g) => states.size === 0 || states.has(g.groupState.toLowerCase()));
    const all = [
      ...response.groups.map((g) => ({ ...g, groupType: g.groupType ?? 'classic' })),
      ...shareGroups.map((g) => ({ groupId: g.groupId, protocolType: 'share', groupState: g.groupState, groupType: 'share' })),
    ];
    // As Kafka: DESCRIBE on the cluster lists every group, otherwise those the principal may DESCRIBE.
    const everyGroup = acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_NAME);
    const groupsListed = everyGroup ? all : all.filter((g) => acls.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId));
    return { throttleTimeMs: 0, errorCode: response.errorCode, groups: groupsListed };
  },
});
