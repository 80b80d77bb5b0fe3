// A consumer group's offsets as the tools show and move them: its members with their decoded
// assignments, the lag of every partition it has an offset for or owns, and the plan for moving its
// offsets to the earliest, the latest, an offset or a time. `skein group` and the web console share them.
import { decodeConsumerAssignment } from '../../../protocol/kafka/consumer-offsets/consumer-protocol.js';
import { KafkaProtocolError } from '../../../protocol/kafka/index.js';
import type { KafkaAdmin } from './admin.js';

export interface Member {
  memberId: string;
  clientId: string;
  host: string;
  assignment: { topic: string; partitions: number[] }[];
}

/** Members with their assignments decoded (only the "consumer" protocol's are readable). */
export function membersOf(group: Awaited<ReturnType<KafkaAdmin['describeGroup']>>): Member[] {
  return group.members.map((m) => {
    let assignment: Member['assignment'] = [];
    if (group.protocolType === 'consumer' && m.memberAssignment.length > 0) {
      try {
        assignment = decodeConsumerAssignment(m.memberAssignment).assignedPartitions.map((a) => ({ topic: a.topic, partitions: [...a.partitions] }));
      } catch {
        // An assignment in some other format: the member is still listed, without partitions.
      }
    }
    return { memberId: m.memberId, clientId: m.clientId, host: m.clientHost, assignment };
  });
}

/** Committed offset, end offset and lag of every partition the group has an offset for or a member owns. */
export async function lagOf(admin: KafkaAdmin, groupId: string, members: Member[]) {
  const committed = await admin.committedOffsets(groupId);
  const owner = new Map<string, Member>();
  const keys = new Set<string>();
  for (const c of committed) keys.add(`${c.topic}\0${c.partition}`);
  for (const m of members) for (const a of m.assignment) for (const p of a.partitions) {
    owner.set(`${a.topic}\0${p}`, m);
    keys.add(`${a.topic}\0${p}`);
  }
  const byTopic = new Map<string, number[]>();
  for (const key of keys) {
    const [topic, p] = key.split('\0') as [string, string];
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), Number(p)]);
  }
  const rows = [];
  for (const [topicName, partitions] of [...byTopic].sort(([a], [b]) => a.localeCompare(b))) {
    let ends: Map<number, { offset: number }> | undefined;
    try {
      ends = await admin.listOffsets(await admin.topic(topicName), partitions, -1);
    } catch (err) {
      // A topic deleted since the group committed: its offsets are shown without an end.
      if (!(err instanceof KafkaProtocolError)) throw err;
    }
    for (const partition of partitions.sort((a, b) => a - b)) {
      const current = committed.find((c) => c.topic === topicName && c.partition === partition)?.offset ?? null;
      const end = ends?.get(partition)?.offset ?? null;
      const m = owner.get(`${topicName}\0${partition}`);
      rows.push({
        topic: topicName,
        partition,
        currentOffset: current,
        logEndOffset: end,
        lag: current === null || end === null ? null : Math.max(0, end - current),
        memberId: m?.memberId ?? null,
        clientId: m?.clientId ?? null,
        host: m?.host ?? null,
      });
    }
  }
  return rows;
}

/** Where a reset moves each partition's offset: an end, an offset (clamped to the log), or the first offset at or after a time. */
export type OffsetTarget = 'earliest' | 'latest' | number | { time: number };

export interface PlannedOffset {
  topic: string;
  partition: number;
  currentOffset: number | null;
  newOffset: number;
}

/** The new offset of each partition of `topics` (all of each topic's partitions unless `partitions`), nothing committed. */
export async function offsetPlan(
  admin: KafkaAdmin,
  committed: readonly { topic: string; partition: number; offset: number }[],
  topics: readonly string[],
  partitions: readonly number[] | undefined,
  target: OffsetTarget,
): Promise<PlannedOffset[]> {
  const plan: PlannedOffset[] = [];
  for (const name of [...topics].sort()) {
    const topic = await admin.topic(name);
    const ps = partitions ?? topic.partitions.map((p) => p.partition);
    const [earliest, latest] = await Promise.all([admin.listOffsets(topic, ps, -2), admin.listOffsets(topic, ps, -1)]);
    const byTime = typeof target === 'object' ? await admin.listOffsets(topic, ps, target.time) : undefined;
    for (const partition of ps) {
      const low = earliest.get(partition)!.offset;
      const high = latest.get(partition)!.offset;
      let offset: number;
      if (byTime) offset = byTime.get(partition)!.offset < 0 ? high : byTime.get(partition)!.offset;
      else if (target === 'earliest') offset = low;
      else if (target === 'latest') offset = high;
      // An offset beyond either end is clamped, as kafka-consumer-groups --to-offset does.
      else offset = Math.min(Math.max(target as number, low), high);
      plan.push({ topic: name, partition, currentOffset: committed.find((c) => c.topic === name && c.partition === partition)?.offset ?? null, newOffset: offset });
    }
  }
  return plan;
}
