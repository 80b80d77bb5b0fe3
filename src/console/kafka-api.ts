// The console's Kafka pages, answered through the cluster's own protocol with Skein's admin client (so
// they show the whole cluster, not only this broker, and a future authorizer sees the console as a
// client). Sizes come from this broker's logs where it hosts the partition. Every answer is bounded:
// lists are paged, a message page holds at most MESSAGES_PAGE_MAX records and each key/value at most
// PREVIEW_BYTES (the rest is a download).
import { ApiKey, ErrorCode, KafkaProtocolError } from '../../protocol/kafka/index.js';
import { CONTROL_BIT } from '../../protocol/kafka/records/batch-header.js';
import { batchRecords, type BatchRecord } from '../../protocol/kafka/records/batch-records.js';
import { check, ResourceType, type KafkaAdmin, type TopicInfo } from '../kafka/client/admin.js';
import { fetchPartition } from '../kafka/client/consumer.js';
import { lagOf, membersOf, offsetPlan, type Member, type OffsetTarget } from '../kafka/client/group-offsets.js';
import { partitionForKey } from '../kafka/client/partitioner.js';
import { produceRecords } from '../kafka/client/producer.js';
import type { BrokerView } from '../metrics/broker-view.js';
import { configSourceName } from '../cli/commands/topic.js';
import { badRequest, ApiError, notFound } from './api-error.js';

/** Topics per page of the topic list. */
export const TOPICS_PAGE_MAX = 200;
/** Records per page of the message browser. */
export const MESSAGES_PAGE_MAX = 200;
/** Bytes of a key or value shown in the browser; the whole value is a download. */
export const PREVIEW_BYTES = 8 * 1024;
/** Bytes one browser page fetches from a partition at most (a larger first batch still comes whole: KIP-74). */
const PAGE_FETCH_BYTES = 1024 * 1024;
/** Fetches one page makes at most: a partition of tiny batches still answers promptly. */
const PAGE_FETCHES_MAX = 8;

export type BrokerSizes = Pick<BrokerView, 'replicas'> | undefined;

function sizeOf(local: BrokerSizes, topic: string, partition: number): number | null {
  return local?.replicas.partition(topic, partition)?.log.sizeBytes ?? null;
}

async function topicOrNotFound(admin: KafkaAdmin, name: string): Promise<TopicInfo> {
  try {
    return await admin.topic(name);
  } catch (err) {
    if (err instanceof KafkaProtocolError && err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw notFound(`no topic ${name}`);
    throw err;
  }
}

/** `visible`: the topics the requester may describe (the others are left out, as Kafka's Metadata does). */
export async function listTopics(admin: KafkaAdmin, local: BrokerSizes, search: string, page: number, limit: number, visible: (topic: string) => boolean) {
  const { topics } = await admin.metadata();
  const needle = search.toLowerCase();
  const matching = topics.filter((t) => visible(t.name) && t.name.toLowerCase().includes(needle)).sort((a, b) => a.name.localeCompare(b.name));
  const slice = matching.slice(page * limit, (page + 1) * limit);
  const rows = await Promise.all(
    slice.map(async (t) => {
      let messages: number | null = null;
      try {
        messages = (await admin.partitionOffsets(t)).reduce((n, p) => n + (p.latest - p.earliest), 0);
      } catch {
        // A partition without a leader right now: the row still shows, without a count.
      }
      const sizes = t.partitions.map((p) => sizeOf(local, t.name, p.partition));
      return {
        name: t.name,
        internal: t.isInternal,
        partitions: t.partitions.length,
        replicationFactor: t.partitions[0]?.replicas.length ?? 0,
        underReplicated: t.partitions.filter((p) => p.isr.length < p.replicas.length).length,
        offline: t.partitions.filter((p) => p.leader < 0).length,
        messages,
        sizeBytes: sizes.every((s) => s === null) ? null : sizes.reduce<number>((n, s) => n + (s ?? 0), 0),
      };
    }),
  );
  return { total: matching.length, page, limit, topics: rows };
}

/** `withConfigs` false: configs left out (the requester may not DESCRIBE_CONFIGS). */
export async function describeTopic(admin: KafkaAdmin, local: BrokerSizes, name: string, withConfigs: boolean) {
  const topic = await topicOrNotFound(admin, name);
  const [offsets, configs] = await Promise.all([admin.partitionOffsets(topic).catch(() => []), withConfigs ? admin.describeConfigs(ResourceType.TOPIC, name) : []]);
  return {
    name,
    internal: topic.isInternal,
    partitions: topic.partitions.map((p) => {
      const o = offsets.find((x) => x.partition === p.partition);
      return { partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr, offline: p.offline, earliest: o?.earliest ?? null, latest: o?.latest ?? null, sizeBytes: sizeOf(local, name, p.partition) };
    }),
    configs: configs.map((c) => ({ name: c.name, value: c.sensitive ? null : c.value, source: configSourceName(c.source), readOnly: c.readOnly, sensitive: c.sensitive })),
  };
}

/** A key, value or header value as the page gets it: its size and its first PREVIEW_BYTES, base64. */
function preview(b: Buffer | null) {
  if (b === null) return null;
  return { size: b.length, truncated: b.length > PREVIEW_BYTES, base64: b.subarray(0, PREVIEW_BYTES).toString('base64') };
}

function recordView(r: BatchRecord) {
  return {
    offset: r.offset,
    timestamp: r.timestamp,
    key: preview(r.key),
    value: preview(r.value),
    headers: r.headers.map((h) => ({ key: h.key, value: preview(h.value) })),
  };
}

/** Data records from `offset` on (transaction markers skipped), at most `limit`, fetched from the leader. */
async function readRecords(admin: KafkaAdmin, topic: TopicInfo, partition: number, offset: number, limit: number) {
  const conn = await admin.leader(topic, partition);
  const out: BatchRecord[] = [];
  let at = offset;
  let highWatermark = offset;
  let logStartOffset = 0;
  for (let i = 0; i < PAGE_FETCHES_MAX && out.length < limit; i++) {
    const f = await fetchPartition(conn, topic.name, partition, at, { partitionMaxBytes: PAGE_FETCH_BYTES, maxBytes: PAGE_FETCH_BYTES });
    highWatermark = f.highWatermark;
    logStartOffset = f.logStartOffset;
    f.batches.forEach((batch, n) => {
      if ((f.headers[n]!.attributes & CONTROL_BIT) !== 0) return;
      for (const r of batchRecords(batch)) if (r.offset >= at && out.length < limit) out.push(r);
    });
    if (f.nextOffset <= at || f.nextOffset >= f.highWatermark) {
      at = f.nextOffset;
      break;
    }
    at = f.nextOffset;
  }
  const last = out[out.length - 1];
  return { records: out, next: last ? last.offset + 1 : at, highWatermark, logStartOffset };
}

function partitionOf(topic: TopicInfo, partition: number): void {
  if (!topic.partitions.some((p) => p.partition === partition)) throw notFound(`${topic.name} has no partition ${partition}`);
}

export async function browseMessages(admin: KafkaAdmin, name: string, partition: number, from: { offset: number } | { timestamp: number }, limit: number) {
  const topic = await topicOrNotFound(admin, name);
  partitionOf(topic, partition);
  let offset: number;
  if ('offset' in from) offset = from.offset;
  else {
    const found = (await admin.listOffsets(topic, [partition], from.timestamp)).get(partition)!.offset;
    // No record at or after the time: the page starts at the end, empty.
    offset = found < 0 ? (await admin.listOffsets(topic, [partition], -1)).get(partition)!.offset : found;
  }
  const { records, next, highWatermark, logStartOffset } = await readRecords(admin, topic, partition, Math.max(0, offset), limit);
  return { topic: name, partition, offset, nextOffset: next, logStartOffset, highWatermark, records: records.map(recordView) };
}

/** The whole value of one record, for the download link of a truncated one. */
export async function recordValue(admin: KafkaAdmin, name: string, partition: number, offset: number): Promise<Buffer> {
  const topic = await topicOrNotFound(admin, name);
  partitionOf(topic, partition);
  const { records } = await readRecords(admin, topic, partition, offset, 1);
  const r = records[0];
  if (r === undefined || r.offset !== offset) throw notFound(`no record at ${name}-${partition} offset ${offset}`);
  return r.value ?? Buffer.alloc(0);
}

/** Sets one topic config, or with `value` null removes the topic's own value so the broker's applies again. */
export async function alterTopicConfig(admin: KafkaAdmin, name: string, config: string, value: string | null) {
  await topicOrNotFound(admin, name);
  await admin.alterTopicConfigs(name, value === null ? [] : [{ name: config, value }], value === null ? [config] : []);
  return { topic: name, config, value };
}

export interface TestMessage {
  partition: number | null;
  key: string | null;
  value: string;
  headers: { key: string; value: string }[];
}

export async function produceTestMessage(admin: KafkaAdmin, name: string, m: TestMessage) {
  const topic = await topicOrNotFound(admin, name);
  const key = m.key === null ? null : Buffer.from(m.key);
  // Where a producer with the default partitioner would put it; partition 0 for a message without a key.
  const partition = m.partition ?? (key === null ? 0 : partitionForKey(key, topic.partitions.length));
  partitionOf(topic, partition);
  const r = await produceRecords(await admin.leader(topic, partition), name, partition, [{ key, value: Buffer.from(m.value), headers: m.headers.map((h) => ({ key: h.key, value: Buffer.from(h.value) })) }]);
  return { partition, offset: r.baseOffset };
}

/** `visible`: the groups the requester may describe (as Kafka's ListGroups leaves the others out). */
export async function listGroups(admin: KafkaAdmin, visible: (group: string) => boolean) {
  return { groups: (await admin.listGroups()).filter((g) => visible(g.groupId)) };
}

/** KIP-848 groups' members with their current assignments, by ConsumerGroupDescribe. */
async function consumerGroupMembers(admin: KafkaAdmin, groupId: string): Promise<{ state: string; assignor: string; members: Member[] }> {
  return admin.toCoordinator(groupId, async (conn) => {
    const r = await admin.send(conn, ApiKey.ConsumerGroupDescribe, { groupIds: [groupId], includeAuthorizedOperations: false });
    const g = r.groups[0];
    if (!g) throw new ApiError(502, `no description of group ${groupId} in the answer`);
    check(g.errorCode, `group ${groupId}`, g.errorMessage);
    const members = g.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      host: m.clientHost,
      assignment: m.assignment.topicPartitions.map((tp) => ({ topic: tp.topicName, partitions: [...tp.partitions] })),
    }));
    return { state: g.groupState, assignor: g.assignorName, members };
  });
}

/** A group's state, members, assignments and lag per partition (the group page and its live lag stream). */
export async function describeGroup(admin: KafkaAdmin, groupId: string) {
  const listed = (await admin.listGroups()).find((g) => g.groupId === groupId);
  let state: string;
  let protocol: string;
  let members: Member[];
  if (listed?.type === 'consumer') {
    const d = await consumerGroupMembers(admin, groupId);
    ({ state, members } = d);
    protocol = d.assignor;
  } else {
    const d = await admin.describeGroup(groupId);
    state = d.groupState;
    protocol = d.protocolData;
    members = membersOf(d);
  }
  const partitions = await lagOf(admin, groupId, members);
  if (listed === undefined && partitions.length === 0) throw notFound(`no group ${groupId}`);
  const totalLag = partitions.reduce((n, p) => n + (p.lag ?? 0), 0);
  return { groupId, type: listed?.type ?? 'classic', state, protocol, members, totalLag, partitions };
}

/** The live group stream's sample: the whole group page now, so an open page makes no requests of its own. */
export async function groupLagSample(admin: KafkaAdmin, groupId: string) {
  return { t: Date.now(), ...(await describeGroup(admin, groupId)) };
}

/** Moves an idle group's offsets (or with `preview` only says where they would go). */
export async function resetGroupOffsets(admin: KafkaAdmin, groupId: string, topics: string[], target: OffsetTarget, preview: boolean) {
  const g = await describeGroup(admin, groupId);
  // Kafka refuses commits from outside the membership of an active group; saying so first is clearer.
  if (!['Empty', 'Dead'].includes(g.state)) throw new ApiError(409, `group ${groupId} is ${g.state} with ${g.members.length} member(s): stop its consumers before moving its offsets`);
  const committed = await admin.committedOffsets(groupId);
  const names = topics.length > 0 ? topics : [...new Set(committed.map((c) => c.topic))];
  if (names.length === 0) throw badRequest(`group ${groupId} has no committed offsets: name the topics`);
  for (const t of names) await topicOrNotFound(admin, t);
  const plan = await offsetPlan(admin, committed, names, undefined, target);
  if (!preview) await admin.commitOffsets(groupId, plan.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.newOffset })));
  return { groupId, preview, offsets: plan };
}
