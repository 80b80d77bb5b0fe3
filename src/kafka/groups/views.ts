// Read-only answers about groups: DescribeGroups, ListGroups, OffsetFetch, and a full snapshot for
// diagnostics and tests. None of them changes a group.
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import type {
  DescribedGroup,
  ListGroupsResponse,
  OffsetFetchRequestGroup,
  OffsetFetchResponseGroup,
  OffsetFetchResponsePartition,
} from './api.js';
import type { ClassicGroup, GroupState } from './group.js';
import { isValidGroupId } from './group-id.js';
import type { OffsetAndMetadata, TopicPartition } from './group-offsets.js';

const EMPTY = Buffer.alloc(0);

export interface GroupMemberSnapshot {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** The member's metadata for the group's protocol; null while no protocol is chosen. */
  metadata: Buffer | null;
  assignment: Buffer;
}

export interface GroupSnapshot {
  groupId: string;
  state: GroupState;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  members: GroupMemberSnapshot[];
  offsets: Array<TopicPartition & OffsetAndMetadata>;
}

type Groups<T> = ReadonlyMap<string, ClassicGroup<T>>;

/** A group the coordinator does not have is described as Dead, without error (as Kafka does). */
export function describeGroup<T>(groups: Groups<T>, groupId: string): DescribedGroup {
  const valid = isValidGroupId(groupId, false);
  const group = valid ? groups.get(groupId) : undefined;
  if (!group) {
    const errorCode = valid ? ErrorCode.NONE : ErrorCode.INVALID_GROUP_ID;
    return { errorCode, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
  }
  // Member metadata and assignments are only meaningful once a generation is Stable.
  const stable = group.is('Stable') ? group.protocolName : null;
  return {
    errorCode: ErrorCode.NONE,
    groupId,
    groupState: group.state,
    protocolType: group.protocolType ?? '',
    protocolData: stable ?? '',
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: stable === null ? EMPTY : m.metadataFor(stable),
      memberAssignment: stable === null ? EMPTY : m.assignment,
    })),
  };
}

/** Every group, or those in one of `statesFilter` (compared case-insensitively). */
export function listGroups<T>(groups: Iterable<ClassicGroup<T>>, statesFilter: readonly string[]): ListGroupsResponse {
  const wanted = new Set(statesFilter.map((s) => s.trim().toLowerCase()));
  return {
    errorCode: ErrorCode.NONE,
    groups: [...groups]
      .filter((g) => wanted.size === 0 || wanted.has(g.state.toLowerCase()))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state })),
  };
}

/**
 * A group's committed offsets, whatever its state (it may use Kafka for offsets only). Null topics
 * asks for every partition with an offset; a partition without one reads -1.
 */
export function fetchGroupOffsets<T>(groups: Groups<T>, req: OffsetFetchRequestGroup, requireStable: boolean): OffsetFetchResponseGroup {
  if (!isValidGroupId(req.groupId, false)) return { groupId: req.groupId, topics: [], errorCode: ErrorCode.INVALID_GROUP_ID };
  const group = groups.get(req.groupId);
  const partitions = (name: string, indexes: Iterable<number>) => ({
    name,
    partitions: [...indexes].map((partition) => fetchOffset(group, name, partition, requireStable)),
  });
  const topics =
    req.topics !== null
      ? req.topics.map((t) => partitions(t.name, t.partitionIndexes))
      : [...(group?.offsets.byTopic() ?? [])].map(([name, committed]) => partitions(name, committed.keys()));
  return { groupId: req.groupId, topics, errorCode: ErrorCode.NONE };
}

/**
 * With requireStable, a partition with a commit on its way, or a transaction's offset its marker has
 * not settled, is reported unstable (UNSTABLE_OFFSET_COMMIT, retriable) rather than stale.
 */
function fetchOffset<T>(
  group: ClassicGroup<T> | undefined,
  topic: string,
  partition: number,
  requireStable: boolean,
): OffsetFetchResponsePartition {
  const unstable = requireStable && group !== undefined && (group.offsets.isInFlight(topic, partition) || group.offsets.hasPendingTxn(topic, partition));
  const o = unstable ? undefined : group?.offsets.get(topic, partition);
  return {
    partitionIndex: partition,
    committedOffset: o?.offset ?? -1,
    committedLeaderEpoch: o?.leaderEpoch ?? -1,
    metadata: o?.metadata ?? '',
    errorCode: unstable ? ErrorCode.UNSTABLE_OFFSET_COMMIT : ErrorCode.NONE,
  };
}

export function snapshotGroups<T>(groups: Iterable<ClassicGroup<T>>): GroupSnapshot[] {
  return [...groups]
    .sort((a, b) => compare(a.groupId, b.groupId))
    .map((g) => ({
      groupId: g.groupId,
      state: g.state,
      generationId: g.generationId,
      protocolType: g.protocolType,
      protocolName: g.protocolName,
      leaderId: g.leaderId,
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        sessionTimeoutMs: m.sessionTimeoutMs,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        metadata: g.protocolName === null ? null : m.metadataFor(g.protocolName),
        assignment: m.assignment,
      })),
      offsets: [...g.offsets.all()]
        .map(([tp, o]) => ({ ...tp, ...o }))
        .sort((a, b) => compare(a.topic, b.topic) || a.partition - b.partition),
    }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
