// What each group API answers when the request is refused as a whole before the coordinator sees it:
// the coordinator is loading or not available, the handler found the request invalid, or the
// coordinator failed on it. The shapes are Kafka's (GroupCoordinator's error results, and the
// requests' getErrorResponse): every group, partition or member named carries the error.
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupResponse,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupResponse,
} from './api.js';

const EMPTY = Buffer.alloc(0);

export function refuseJoinGroup(request: Pick<JoinGroupRequest, 'memberId'>, errorCode: number): JoinGroupResponse {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId: request.memberId,
    members: [],
  };
}

export function refuseSyncGroup(errorCode: number): SyncGroupResponse {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

export function refuseHeartbeat(errorCode: number): HeartbeatResponse {
  return { errorCode };
}

export function refuseLeaveGroup(errorCode: number): LeaveGroupResponse {
  return { errorCode, members: [] };
}

export function refuseOffsetCommit(request: { topics: ReadonlyArray<{ name: string; partitions: ReadonlyArray<{ partitionIndex: number }> }> }, errorCode: number): OffsetCommitResponse {
  return {
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
}

export function refuseOffsetFetch(request: OffsetFetchRequest, errorCode: number): OffsetFetchResponse {
  return { groups: request.groups.map((g) => ({ groupId: g.groupId, topics: [], errorCode })) };
}

/** Kafka's DescribeGroupsResponse.forError: an unknown state, protocol type and protocol. */
export function refuseDescribeGroups(request: DescribeGroupsRequest, errorCode: number): DescribeGroupsResponse {
  return {
    groups: request.groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [] })),
  };
}

export function refuseListGroups(errorCode: number): ListGroupsResponse {
  return { errorCode, groups: [] };
}

export function refuseDeleteGroups(request: DeleteGroupsRequest, errorCode: number): DeleteGroupsResponse {
  // Kafka answers each distinct group once.
  return { results: [...new Set(request.groupsNames)].map((groupId) => ({ groupId, errorCode })) };
}

export function refuseOffsetDelete(errorCode: number): OffsetDeleteResponse {
  return { errorCode, topics: [] };
}
