// ConsumerGroupHeartbeat requests for the coordinator's unit tests: a first join of group 'g' to topic
// 't' unless told otherwise, and the follow-up a client sends after a response.
import type { ConsumerHeartbeatRequest, ConsumerHeartbeatResponse } from '../../../../src/kafka/groups/consumer/coordinator.js';

export function hb(over: Partial<ConsumerHeartbeatRequest>): ConsumerHeartbeatRequest {
  return {
    groupId: 'g',
    memberId: '',
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: ['t'],
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: [],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    ...over,
  };
}

/** A follow-up heartbeat reporting `parts` of `topicId` as owned. */
export function followUp(topicId: string, r: ConsumerHeartbeatResponse, parts: number[]): Partial<ConsumerHeartbeatRequest> {
  return { memberId: r.memberId!, memberEpoch: r.memberEpoch, subscribedTopicNames: null, topicPartitions: [{ topicId, partitions: parts }] };
}
