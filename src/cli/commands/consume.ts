// `skein consume TOPIC`: reads partitions from the beginning (or --offset / --from), prints each record
// through a kcat-style template or as JSON lines, and stops at the end offsets it found when it started
// (or after --num records), unless --follow keeps it waiting for more. With --group it is a member of
// that consumer group: it reads the partitions the group gives it, from the group's committed offsets,
// commits what it printed, and leaves the group when it ends.
import { Option, type Command } from 'commander';
import { ApiKey, ErrorCode, errorInfo, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { batchRecords, type BatchRecord } from '../../../protocol/kafka/records/batch-records.js';
import { isRetriable, type KafkaAdmin, type TopicInfo } from '../../kafka/client/admin.js';
import { FETCH_VERSION, splitBatches } from '../../kafka/client/consumer.js';
import { intIn, parsePartitionList, UsageError } from '../args.js';
import { withExamples, withKafkaConnection, type KafkaConnectOptions } from '../client-options.js';
import { CommandFailure } from '../failure.js';
import { renderJson } from '../output.js';
import { GroupMember } from '../../kafka/client/group-member.js';
import { withAdmin } from './connect.js';

/** How long one fetch waits on the broker for new records when caught up (the long poll). */
const FETCH_WAIT_MS = 500;
/** Bytes one fetch answer carries at most, and per partition (the consumer defaults). */
const FETCH_MAX_BYTES = 50 * 1024 * 1024;
const PARTITION_FETCH_MAX_BYTES = 1024 * 1024;
/** How long fetches may fail on a moved leader before the command gives up (a dead leader is replaced once its ZooKeeper session expires), and the pause after each. */
const FETCH_RETRY_MS = 60_000;
const RETRY_BACKOFF_MS = 300;
/** With --group, offsets are committed this often (the consumer's auto.commit.interval.ms), and at the end. */
const COMMIT_INTERVAL_MS = 5000;

export const DEFAULT_TEMPLATE = '%v\\n';

interface ConsumeOptions extends KafkaConnectOptions {
  partitions?: number[];
  offset: string;
  from?: number;
  group?: string;
  num?: number;
  follow?: boolean;
  format: string;
}

/** Where to start: an absolute offset, the beginning, the end, or `back` records before the end. */
export type StartAt = { kind: 'beginning' } | { kind: 'end' } | { kind: 'offset'; offset: number } | { kind: 'back'; count: number };

export function parseStartOffset(raw: string): StartAt {
  if (raw === 'beginning' || raw === 'earliest' || raw === 'start') return { kind: 'beginning' };
  if (raw === 'end' || raw === 'latest') return { kind: 'end' };
  if (/^\d+$/.test(raw)) return { kind: 'offset', offset: Number(raw) };
  if (/^-\d+$/.test(raw)) return { kind: 'back', count: -Number(raw) };
  throw new UsageError(`--offset ${raw}: expected beginning, end, an offset, or -N for N records before the end`);
}

/** `--from`: an ISO date/time or milliseconds since the epoch. */
export function parseTime(raw: string): number {
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) throw new UsageError(`--from ${raw}: expected a date such as 2026-12-03T10:00:00Z or epoch milliseconds`);
  return ms;
}

function text(b: Buffer | null): string {
  return b === null ? '' : b.toString('utf8');
}

/**
 * Renders a record through a kcat-style template: %t topic, %p partition, %o offset, %k key, %v value,
 * %h headers (k=v,...), %T timestamp (ms), %d timestamp as ISO date, %K and %S key and value lengths
 * (-1 when null), %% a percent sign; \n, \t and \\ as in C.
 */
export function renderRecord(template: string, topic: string, partition: number, r: BatchRecord): string {
  return template.replace(/%[tpokvhTdKS%]|\\[nt\\]/g, (token) => {
    switch (token) {
      case '%t':
        return topic;
      case '%p':
        return String(partition);
      case '%o':
        return String(r.offset);
      case '%k':
        return text(r.key);
      case '%v':
        return text(r.value);
      case '%h':
        return r.headers.map((h) => `${h.key}=${text(h.value)}`).join(',');
      case '%T':
        return String(r.timestamp);
      case '%d':
        return new Date(r.timestamp).toISOString();
      case '%K':
        return String(r.key?.length ?? -1);
      case '%S':
        return String(r.value?.length ?? -1);
      case '%%':
        return '%';
      case '\\n':
        return '\n';
      case '\\t':
        return '\t';
      default:
        return '\\';
    }
  });
}

function recordJson(topic: string, partition: number, r: BatchRecord): string {
  return renderJson({
    topic,
    partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key === null ? null : text(r.key),
    value: r.value === null ? null : text(r.value),
    headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : text(h.value) })),
  });
}

interface Position {
  partition: number;
  next: number;
  /** Non-follow mode stops a partition here: the high watermark when the command started. */
  end: number;
}

/** The starting position of every partition read. */
async function startPositions(admin: KafkaAdmin, topic: TopicInfo, partitions: number[], o: ConsumeOptions): Promise<Position[]> {
  const [earliest, latest] = await Promise.all([admin.listOffsets(topic, partitions, -2), admin.listOffsets(topic, partitions, -1)]);
  const committed = o.group === undefined ? new Map<number, number>() : new Map((await admin.committedOffsets(o.group, partitions.map((partition) => ({ topic: topic.name, partition })))).map((c) => [c.partition, c.offset]));
  const byTime = o.from === undefined ? undefined : await admin.listOffsets(topic, partitions, o.from);
  const start = parseStartOffset(o.offset);
  return partitions.map((partition) => {
    const low = earliest.get(partition)!.offset;
    const high = latest.get(partition)!.offset;
    let next: number;
    const fromGroup = committed.get(partition);
    if (fromGroup !== undefined) next = fromGroup;
    // No record at or after the time: start at the end.
    else if (byTime) next = byTime.get(partition)!.offset < 0 ? high : byTime.get(partition)!.offset;
    else if (start.kind === 'beginning') next = low;
    else if (start.kind === 'end') next = high;
    else if (start.kind === 'back') next = Math.max(low, high - start.count);
    else {
      if (start.offset < low || start.offset > high) throw new CommandFailure(`offset ${start.offset} is outside ${topic.name}-${partition}, which holds ${low} to ${high - 1} (${high} is the next to be written)`);
      next = start.offset;
    }
    return { partition, next, end: high };
  });
}

interface Fetched {
  records: BatchRecord[];
  /** After the last whole batch: past offsets compaction removed and control records, which print nothing. */
  nextOffset: number;
}

/** Fetches from partitions that share a leader in one request; returns each partition's records from its position. */
async function fetchFrom(admin: KafkaAdmin, topicInfo: TopicInfo, positions: Position[], waitMs: number): Promise<Map<number, Fetched>> {
  const topic = topicInfo.name;
  const conn = await admin.leader(topicInfo, positions[0]!.partition);
  await conn.apiVersions();
  const r = await conn.send(
    ApiKey.Fetch,
    conn.versionFor(ApiKey.Fetch, FETCH_VERSION),
    {
      replicaId: -1,
      maxWaitMs: waitMs,
      minBytes: 1,
      maxBytes: FETCH_MAX_BYTES,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: positions.map((p) => ({ partition: p.partition, currentLeaderEpoch: -1, fetchOffset: p.next, logStartOffset: -1, partitionMaxBytes: PARTITION_FETCH_MAX_BYTES })) }],
      forgottenTopicsData: [],
      rackId: '',
    },
    { timeoutMs: 30_000 + waitMs },
  );
  if (r.errorCode !== ErrorCode.NONE) throw new KafkaProtocolError(r.errorCode, `fetch from ${conn.address}: ${errorInfo(r.errorCode).name}`);
  const out = new Map<number, Fetched>();
  for (const t of r.responses) {
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE) throw new KafkaProtocolError(p.errorCode, `fetch from ${topic}-${p.partitionIndex}`);
      const from = positions.find((x) => x.partition === p.partitionIndex)!.next;
      const records: BatchRecord[] = [];
      const { batches, headers } = splitBatches(p.records);
      for (const batch of batches) for (const rec of batchRecords(batch)) if (rec.offset >= from) records.push(rec);
      const last = headers[headers.length - 1];
      out.set(p.partitionIndex, { records, nextOffset: last ? last.baseOffset + last.lastOffsetDelta + 1 : from });
    }
  }
  return out;
}

async function consume(admin: KafkaAdmin, topicName: string, o: ConsumeOptions): Promise<void> {
  let topic = await admin.topic(topicName);
  const all = topic.partitions.map((p) => p.partition);
  for (const p of o.partitions ?? []) if (!all.includes(p)) throw new CommandFailure(`${topicName} has no partition ${p} (it has ${all.length})`);
  const member = o.group === undefined ? undefined : new GroupMember(admin, o.group, [topicName]);
  // In a group, the group decides which partitions this reads, at every rebalance.
  const assigned = async () => (member ? (await member.join()).filter((tp) => tp.topic === topicName).map((tp) => tp.partition) : (o.partitions ?? all));
  let positions = await startPositions(admin, topic, await assigned(), o);
  const json = o.format === 'json';
  const template = json ? '' : o.format;
  let printed = 0;
  let stopped = false;
  const stop = () => (stopped = true);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  /** Commits the positions; 'rejoin' if the group rebalanced first (they are read again by whoever gets them). */
  const commit = async (): Promise<'ok' | 'rejoin'> => {
    if (!member || positions.length === 0) return 'ok';
    return member.commit(positions.map((p) => ({ topic: topicName, partition: p.partition, offset: p.next })));
  };
  let lastCommit = performance.now();
  let failingSince: number | undefined;
  try {
    while (!stopped) {
      if (member && (await member.heartbeat()) === 'rejoin') {
        // The group is rebalancing: what was read so far is committed if the old generation still may, then
        // this member takes whatever partitions the new generation gives it, from their committed offsets.
        await commit();
        positions = await startPositions(admin, topic, await assigned(), o);
        continue;
      }
      const open = o.follow ? positions : positions.filter((p) => p.next < p.end);
      if (o.num !== undefined && printed >= o.num) break;
      if (open.length === 0) {
        if (!o.follow) break;
        // Following with no partitions (more members than partitions): wait for a rebalance to give some.
        await new Promise((resolve) => setTimeout(resolve, FETCH_WAIT_MS));
        continue;
      }
      const byLeader = new Map<number, Position[]>();
      for (const p of open) {
        const leader = topic.partitions.find((x) => x.partition === p.partition)!.leader;
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
      }
      let fetched: Map<number, Fetched>[];
      try {
        // Caught-up partitions in follow mode long-poll; otherwise records are there to read at once.
        fetched = await Promise.all([...byLeader.values()].map((ps) => fetchFrom(admin, topic, ps, o.follow ? FETCH_WAIT_MS : 0)));
        failingSince = undefined;
      } catch (err) {
        // A leader moved or its broker went away: find the new leaders and go on from the same positions.
        failingSince ??= Date.now();
        if (!isRetriable(err) || Date.now() - failingSince > FETCH_RETRY_MS) throw err;
        await new Promise((resolve) => setTimeout(resolve, RETRY_BACKOFF_MS));
        topic = await admin.topic(topicName);
        continue;
      }
      for (const answer of fetched) {
        for (const [partition, { records, nextOffset }] of answer) {
          const position = positions.find((p) => p.partition === partition)!;
          let cut = false;
          for (const r of records) {
            if ((o.num !== undefined && printed >= o.num) || (!o.follow && r.offset >= position.end)) {
              cut = true;
              break;
            }
            process.stdout.write(json ? recordJson(topicName, partition, r) : renderRecord(template, topicName, partition, r));
            position.next = r.offset + 1;
            printed++;
          }
          if (!cut) position.next = Math.max(position.next, o.follow ? nextOffset : Math.min(nextOffset, position.end));
        }
      }
      if (member && performance.now() - lastCommit >= COMMIT_INTERVAL_MS) {
        // A refusal because the group rebalanced shows at the next heartbeat, which rejoins.
        await commit();
        lastCommit = performance.now();
      }
    }
    if ((await commit()) === 'rejoin') {
      process.stderr.write(`skein consume: group ${o.group} rebalanced before the last offsets were committed; those records will be read again\n`);
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    // Best effort: a member that cannot say goodbye is dropped when its session times out anyway.
    await member?.leave().catch(() => undefined);
  }
}

export function registerConsumeCommand(program: Command): void {
  withExamples(
    withKafkaConnection(
      program
        .command('consume')
        .description('print records of a topic, from the beginning to the end (or on with --follow)')
        .argument('<topic>')
        .option('-p, --partitions <list>', 'read only these partitions, e.g. 0,2 (default: all)', parsePartitionList)
        .option('-o, --offset <start>', 'where to start: beginning, end, an offset, or -N for N records before the end', 'beginning')
        .addOption(new Option('--from <time>', 'start at the first record at or after this time (ISO date or epoch ms)').argParser(parseTime))
        .option('-g, --group <group>', "read as a member of this consumer group: its share of the partitions, from the group's committed offsets, committing what was printed")
        .addOption(new Option('-n, --num <n>', 'stop after this many records').argParser(intIn(1, Number.MAX_SAFE_INTEGER)))
        .option('-f, --follow', 'keep waiting for new records (Ctrl-C stops)')
        .option('--format <template>', 'json (one object per line), or a template: %t topic, %p partition, %o offset, %k key, %v value, %h headers, %T timestamp, %d date, %K/%S key/value length', DEFAULT_TEMPLATE),
    ),
    [
      ['skein consume orders', 'every record from the beginning, then exit'],
      ['skein consume orders -f -o end', 'new records as they arrive'],
      ['skein consume orders --format "%p:%o %k=%v\\n" -n 10', 'ten records with partition, offset and key'],
      ['skein consume orders --from 2026-12-03T09:00:00Z --format json', 'since 9:00 UTC, as JSON lines'],
      ['skein consume orders -g audit -f', 'as a member of group audit, sharing the partitions with its other consumers'],
    ],
  ).action(async (topic: string, o: ConsumeOptions) => {
    if (o.from !== undefined && o.offset !== 'beginning') throw new UsageError('give --offset or --from, not both');
    if (o.group !== undefined && o.partitions !== undefined) throw new UsageError('a group member reads the partitions its group assigns: give --group or --partitions, not both');
    parseStartOffset(o.offset);
    await withAdmin(o, (admin) => consume(admin, topic, o));
  });
}
