// JoinGroup (11), v0-9: a member joins (or rejoins) a group and, once the rebalance completes, learns its
// generation and whether it leads. The reply waits for the rebalance. v4+ first joins get
// MEMBER_ID_REQUIRED with an id to come back with; v5+ carry group.instance.id (static membership).
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { refuseJoinGroup } from '../groups/refusals.js';
import { defineHandler } from '../handler.js';

/** Protocol names became nullable in v7; before, Kafka sends '' for "none chosen". */
const NULLABLE_PROTOCOL_NAME_MIN_VERSION = 7;

/**
 * The client's address as Kafka shows it in DescribeGroups (Java's InetAddress.toString: "/127.0.0.1"),
 * from the connection's "address:port". IPv4 clients of a dual-stack listener show as IPv4.
 */
export function clientHostOf(remote: string): string {
  const colon = remote.lastIndexOf(':');
  const address = colon < 0 ? remote : remote.slice(0, colon);
  return `/${address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address}`;
}

export const joinGroupHandler = defineHandler({
  apiKey: ApiKey.JoinGroup,
  minVersion: 0,
  maxVersion: 9,
  uses: ['groups', 'acls'],
  async handle(request, ctx, { groups, acls }) {
    if (!acls.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return { throttleTimeMs: 0, ...refuseJoinGroup(request, ErrorCode.GROUP_AUTHORIZATION_FAILED), protocolName: ctx.apiVersion >= NULLABLE_PROTOCOL_NAME_MIN_VERSION ? null : '' };
    }
    const client = { clientId: ctx.clientId ?? '', clientHost: clientHostOf(ctx.remote), apiVersion: ctx.apiVersion };
    const response = await groups.joinGroup(request, client);
    const protocolName = ctx.apiVersion >= NULLABLE_PROTOCOL_NAME_MIN_VERSION ? response.protocolName : (response.protocolName ?? '');
    return { throttleTimeMs: 0, ...response, protocolName };
  },
});
