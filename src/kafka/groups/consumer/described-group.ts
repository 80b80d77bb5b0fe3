// A KIP-848 group as ConsumerGroupDescribe reports it: Kafka's state names, assignments by topic id and
// name. Kept apart from the coordinator, which knows topics by id only.
import { parsePartitionKey, type PartitionKey } from './assignors.js';
import type { ConsumerGroupView } from './coordinator.js';

export interface DescribedAssignment {
  topicPartitions: Array<{ topicId: string; topicName: string; partitions: number[] }>;
}

export interface DescribedConsumerGroup {
  errorCode: number;
  errorMessage: string | null;
  groupId: string;
  groupState: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: Array<{
    memberId: string;
    instanceId: string | null;
    rackId: string | null;
    memberEpoch: number;
    clientId: string;
    clientHost: string;
    subscribedTopicNames: string[];
    subscribedTopicRegex: string | null;
    assignment: DescribedAssignment;
    targetAssignment: DescribedAssignment;
    /** v1: 1 for a member of the consumer protocol, 0 for a classic member of a converted group. */
    memberType: number;
  }>;
}

/** Kafka's ConsumerGroup.ConsumerGroupState names, as ConsumerGroupDescribe and ListGroups spell them. */
const STATE_NAMES = { empty: 'Empty', assigning: 'Assigning', reconciling: 'Reconciling', stable: 'Stable' } as const;

export function consumerGroupStateName(state: ConsumerGroupView['state']): string {
  return STATE_NAMES[state];
}
const CONSUMER_MEMBER_TYPE = 1;
const CLASSIC_MEMBER_TYPE = 0;

function described(keys: readonly PartitionKey[], nameOf: (topicId: string) => string): DescribedAssignment {
  const byTopic = new Map<string, number[]>();
  for (const key of keys) {
    const { topicId, partition } = parsePartitionKey(key);
    byTopic.set(topicId, [...(byTopic.get(topicId) ?? []), partition]);
  }
  return { topicPartitions: [...byTopic].map(([topicId, partitions]) => ({ topicId, topicName: nameOf(topicId), partitions: partitions.sort((a, b) => a - b) })) };
}

export function describedConsumerGroup(groupId: string, errorCode: number, view: ConsumerGroupView | undefined, nameOf: (topicId: string) => string): DescribedConsumerGroup {
  if (!view) {
    const errorMessage = errorCode === 0 ? null : `Group ${groupId} is not a consumer group here.`;
    return { errorCode, errorMessage, groupId, groupState: 'Dead', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [] };
  }
  return {
    errorCode,
    errorMessage: null,
    groupId,
    groupState: consumerGroupStateName(view.state),
    groupEpoch: view.groupEpoch,
    assignmentEpoch: view.assignmentEpoch,
    assignorName: view.assignor,
    members: view.members.map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      memberEpoch: m.memberEpoch,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: m.subscribedTopicNames,
      subscribedTopicRegex: m.subscribedTopicRegex,
      // What the member owns includes what it is still revoking, as Kafka's current assignment does.
      assignment: described([...m.assigned, ...m.revoking], nameOf),
      targetAssignment: described(m.target, nameOf),
      memberType: m.classic ? CLASSIC_MEMBER_TYPE : CONSUMER_MEMBER_TYPE,
    })),
  };
}
