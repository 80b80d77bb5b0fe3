// Online migration between the classic and the KIP-848 group protocols (group.consumer.migration.policy,
// bidirectional by default) with real clients against a `skein kafka` process: kafkajs consumers (classic
// JoinGroup/SyncGroup, eager) and @confluentinc/kafka-javascript consumers with group.protocol=consumer
// (ConsumerGroupHeartbeat) in one group while records flow. Upgrade: a KIP-848 member joins the kafkajs
// group, which becomes a consumer group serving the kafkajs members as classic members, and the kafkajs
// members leave one by one. Downgrade: kafkajs members join a KIP-848 group, the KIP-848 members leave,
// and the group is classic again; the same with librdkafka's classic protocol (group.protocol=classic).
// Static: a librdkafka group.protocol=classic process restarted under the group.instance.id of a crashed
// KIP-848 member takes its place and partitions at once, and the group is classic again.
// Every member commits each record before reporting it, so: no record is lost, none is read twice
// (commits carry over from one kind of member to the other), and on each partition the offsets read, in
// the order they were read across all members, only go up (no partition is consumed by two members at
// once).
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, afterEach, expect, test } from 'vitest';
import { JsonLinesChild } from '../helpers/json-lines-child.js';
import { ApiKey } from '../../protocol/kafka/index.js';
import { createTopic, withConnection } from '../helpers/kafka-admin.js';
import { runNodeJson } from '../helpers/npm-clients.js';
import { kafkaForTests } from '../helpers/skein-process.js';

const CKJS = new URL('confluent_javascript.mjs', import.meta.url);
const PARTITIONS = 4;

// KIP-848 members heartbeat as often as the kafkajs ones (500 ms), so both kinds notice a new epoch
// quickly; the migration policy is Kafka 4.0's default, bidirectional.
const kafka = kafkaForTests({ 'offsets.topic.num.partitions': '1', 'group.initial.rebalance.delay.ms': '0', 'group.consumer.heartbeat.interval.ms': '500' });

afterEach(() => JsonLinesChild.killAll());

/** A record as a member reported it, after committing it. */
interface Read {
  t: number;
  member: string;
  partition: number;
  offset: number;
  key: string;
}

/** A kafkajs (classic protocol) member, in this process. */
class KafkajsMember {
  readonly reads: Read[] = [];
  assigned: number[] = [];
  private constructor(
    readonly name: string,
    private readonly consumer: Consumer,
  ) {}

  static async start(name: string, topic: string, groupId: string): Promise<KafkajsMember> {
    const client = new Kafka({ brokers: [kafka().bootstrap], clientId: name, logLevel: logLevel.NOTHING });
    const consumer = client.consumer({ groupId, sessionTimeout: 10_000, rebalanceTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 250 });
    const member = new KafkajsMember(name, consumer);
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      member.assigned = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        await consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]);
        member.reads.push({ t: Date.now(), member: name, partition, offset: Number(message.offset), key: String(message.key) });
      },
    });
    return member;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    this.assigned = [];
  }
}

/** A @confluentinc/kafka-javascript member, group.protocol=consumer unless told classic, in a child process. */
function kip848Member(name: string, topic: string, groupId: string, protocol: 'consumer' | 'classic' = 'consumer', instanceId?: string): JsonLinesChild {
  const input = { bootstrap: kafka().bootstrap, topic, groupId, clientId: name, protocol, instanceId };
  return new JsonLinesChild(name, process.execPath, [fileURLToPath(CKJS), 'member', JSON.stringify(input)]);
}

const running: KafkajsMember[] = [];
afterAll(async () => {
  await Promise.all(running.map((m) => m.stop().catch(() => undefined)));
});

function readsOf(kafkajs: readonly KafkajsMember[], kip848: readonly JsonLinesChild[]): Read[] {
  const fromChildren = kip848.flatMap((c) => c.all('record').map((e) => ({ t: Number(e.t), member: c.name, partition: Number(e.partition), offset: Number(e.offset), key: String(e.key) })));
  return [...kafkajs.flatMap((m) => m.reads), ...fromChildren];
}

const assignedOf = (m: KafkajsMember | JsonLinesChild): number[] =>
  m instanceof KafkajsMember ? m.assigned : ((m.all('assigned').at(-1)?.partitions as number[] | undefined) ?? []);

/** Every partition owned by exactly one of `members`, each of which owns some. */
function split(members: ReadonlyArray<KafkajsMember | JsonLinesChild>): boolean {
  const owned = members.flatMap(assignedOf).sort((a, b) => a - b);
  return members.every((m) => assignedOf(m).length > 0) && JSON.stringify(owned) === JSON.stringify(Array.from({ length: PARTITIONS }, (_, i) => i));
}

function until(what: string, condition: () => boolean, children: JsonLinesChild[], timeoutMs = 25_000): Promise<void> {
  return JsonLinesChild.until(what, condition, children, timeoutMs);
}

async function produce(producer: ReturnType<Kafka['producer']>, topic: string, from: number, count: number): Promise<string[]> {
  const keys = Array.from({ length: count }, (_, i) => `k${from + i}`);
  await producer.send({ topic, acks: -1, messages: keys.map((key, i) => ({ key, value: `value of ${key}`, partition: (from + i) % PARTITIONS })) });
  return keys;
}

/** Nothing lost, nothing read twice, and on each partition the offsets read only go up in time across all members. */
function expectEachRecordOnceInOrder(reads: Read[], sent: string[]): void {
  expect(reads.map((r) => r.key).sort()).toEqual([...sent].sort());
  for (let p = 0; p < PARTITIONS; p++) {
    const onP = reads.filter((r) => r.partition === p).sort((a, b) => a.t - b.t || a.offset - b.offset);
    const offsets = onP.map((r) => r.offset);
    expect(offsets, `partition ${p}: ${onP.map((r) => `${r.member}@${r.offset}`).join(' ')}`).toEqual([...offsets].sort((a, b) => a - b));
  }
}

/** What the group has committed on each partition, as OffsetFetch answers. */
function committed(groupId: string, topic: string): Promise<number[]> {
  return withConnection(kafka().bootstrap, async (conn) => {
    const r = await conn.send(ApiKey.OffsetFetch, 8, { groups: [{ groupId, topics: [{ name: topic, partitionIndexes: Array.from({ length: PARTITIONS }, (_, i) => i) }] }], requireStable: true });
    return r.groups[0]!.topics[0]!.partitions.map((p) => Number(p.committedOffset));
  });
}

async function scenario(topic: string, groupId: string, body: (producer: ReturnType<Kafka['producer']>, sent: string[]) => Promise<Read[]>): Promise<void> {
  await createTopic(kafka().bootstrap, topic, PARTITIONS);
  const producer = new Kafka({ brokers: [kafka().bootstrap], clientId: `${topic}-producer`, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    const sent: string[] = [];
    const reads = await body(producer, sent);
    expectEachRecordOnceInOrder(reads, sent);
    // Whichever kind of member read a partition last, the group's commits reached its end.
    expect(await committed(groupId, topic)).toEqual(Array.from({ length: PARTITIONS }, (_, p) => sent.filter((_, i) => i % PARTITIONS === p).length));
  } finally {
    await producer.disconnect();
  }
}

test('rolling upgrade: a KIP-848 member joins a kafkajs group and the kafkajs members leave one by one', async () => {
  const topic = 'migrate-up';
  const groupId = 'migrate-up-group';
  await scenario(topic, groupId, async (producer, sent) => {
    sent.push(...(await produce(producer, topic, 0, 20)));
    const k1 = await KafkajsMember.start('kafkajs-1', topic, groupId);
    running.push(k1);
    const k2 = await KafkajsMember.start('kafkajs-2', topic, groupId);
    running.push(k2);
    await until('two kafkajs members splitting the partitions', () => split([k1, k2]), []);
    const c = kip848Member('ckjs-1', topic, groupId);
    await until('the KIP-848 member sharing the partitions with both kafkajs members', () => split([k1, k2, c]), [c]);
    // The group is a consumer group now, as librdkafka's admin sees it, its kafkajs members classic
    // members of it (ConsumerGroupDescribe's member type 0).
    const described = await runNodeJson<Array<{ type: number; members: Array<{ clientId: string }> }>>(CKJS, 'describe', { bootstrap: kafka().bootstrap, groupId });
    expect(described[0]!.type).toBe(1);
    expect(described[0]!.members.map((m) => m.clientId).sort()).toEqual(['ckjs-1', 'kafkajs-1', 'kafkajs-2']);
    const types = await withConnection(kafka().bootstrap, async (conn) => {
      const r = await conn.send(ApiKey.ConsumerGroupDescribe, 1, { groupIds: [groupId], includeAuthorizedOperations: false });
      return r.groups[0]!.members.map((m) => [m.clientId, m.memberType]).sort();
    });
    expect(types).toEqual([['ckjs-1', 1], ['kafkajs-1', 0], ['kafkajs-2', 0]]);
    sent.push(...(await produce(producer, topic, 20, 20)));
    await until('the first 40 records read', () => readsOf([k1, k2], [c]).length >= 40, [c]);
    await k1.stop();
    await until('one kafkajs and one KIP-848 member splitting the partitions', () => split([k2, c]), [c]);
    sent.push(...(await produce(producer, topic, 40, 20)));
    await k2.stop();
    await until('the KIP-848 member owning every partition', () => split([c]), [c]);
    sent.push(...(await produce(producer, topic, 60, 20)));
    await until('every record read', () => readsOf([k1, k2], [c]).length >= sent.length, [c]);
    await c.stop();
    return readsOf([k1, k2], [c]);
  });
}, 60_000);

test('rolling downgrade: kafkajs members join a KIP-848 group, the KIP-848 members leave, and the group is classic again', async () => {
  const topic = 'migrate-down';
  const groupId = 'migrate-down-group';
  await scenario(topic, groupId, async (producer, sent) => {
    sent.push(...(await produce(producer, topic, 0, 20)));
    const c1 = kip848Member('ckjs-1', topic, groupId);
    const c2 = kip848Member('ckjs-2', topic, groupId);
    await until('two KIP-848 members splitting the partitions', () => split([c1, c2]), [c1, c2]);
    const k1 = await KafkajsMember.start('kafkajs-1', topic, groupId);
    running.push(k1);
    await until('a kafkajs member sharing the partitions with both KIP-848 members', () => split([c1, c2, k1]), [c1, c2]);
    sent.push(...(await produce(producer, topic, 20, 20)));
    await c1.stop();
    await until('one KIP-848 and one kafkajs member splitting the partitions', () => split([c2, k1]), [c2]);
    sent.push(...(await produce(producer, topic, 40, 20)));
    await c2.stop();
    await until('the kafkajs member owning every partition', () => split([k1]), []);
    // Classic again: a second kafkajs member joins through an ordinary classic rebalance.
    const k2 = await KafkajsMember.start('kafkajs-2', topic, groupId);
    running.push(k2);
    await until('two kafkajs members splitting the partitions', () => split([k1, k2]), []);
    const described = await runNodeJson<Array<{ type: number }>>(CKJS, 'describe', { bootstrap: kafka().bootstrap, groupId });
    expect(described[0]!.type).toBe(2);
    sent.push(...(await produce(producer, topic, 60, 20)));
    await until('every record read', () => readsOf([k1, k2], [c1, c2]).length >= sent.length, []);
    await k1.stop();
    await k2.stop();
    return readsOf([k1, k2], [c1, c2]);
  });
}, 60_000);

test('librdkafka on both sides: a group.protocol=classic member joins a KIP-848 one, which leaves, and the group is classic for the next', async () => {
  const topic = 'migrate-rdkafka';
  const groupId = 'migrate-rdkafka-group';
  await scenario(topic, groupId, async (producer, sent) => {
    sent.push(...(await produce(producer, topic, 0, 20)));
    const c = kip848Member('ckjs-consumer', topic, groupId);
    await until('the KIP-848 member owning every partition', () => split([c]), [c]);
    const k1 = kip848Member('ckjs-classic-1', topic, groupId, 'classic');
    await until('a librdkafka classic member sharing the partitions with the KIP-848 one', () => split([c, k1]), [c, k1]);
    sent.push(...(await produce(producer, topic, 20, 20)));
    await c.stop();
    await until('the classic member owning every partition', () => split([k1]), [k1]);
    const k2 = kip848Member('ckjs-classic-2', topic, groupId, 'classic');
    await until('two classic members splitting the partitions', () => split([k1, k2]), [k1, k2]);
    sent.push(...(await produce(producer, topic, 40, 20)));
    await until('every record read', () => readsOf([], [c, k1, k2]).length >= sent.length, [k1, k2]);
    await k1.stop();
    await k2.stop();
    return readsOf([], [c, k1, k2]);
  });
}, 60_000);

test('static librdkafka: a group.protocol=classic process under a crashed KIP-848 member\'s group.instance.id takes its place, and the group is classic again', async () => {
  const topic = 'migrate-static';
  const groupId = 'migrate-static-group';
  await scenario(topic, groupId, async (producer, sent) => {
    sent.push(...(await produce(producer, topic, 0, 20)));
    const c = kip848Member('ckjs-static-consumer', topic, groupId, 'consumer', 'instance-1');
    await until('the static KIP-848 member owning every partition', () => split([c]), [c]);
    await until('its records read', () => readsOf([], [c]).length >= sent.length, [c]);
    await c.kill();
    sent.push(...(await produce(producer, topic, 20, 20)));
    // The crashed member's session (45 s) has not run out: only the replacement gives the new process its partitions now.
    const k = kip848Member('ckjs-static-classic', topic, groupId, 'classic', 'instance-1');
    await until('the classic process owning every partition', () => split([k]), [k]);
    // Classic (librdkafka's group type 2), with the new process its only member.
    const [described] = await runNodeJson<{ type: number; members: { clientId: string }[] }[]>(CKJS, 'describe', { bootstrap: kafka().bootstrap, groupId });
    expect(described).toMatchObject({ type: 2, members: [{ clientId: 'ckjs-static-classic' }] });
    await until('every record read', () => readsOf([], [c, k]).length >= sent.length, [k]);
    await k.stop();
    return readsOf([], [c, k]);
  });
}, 60_000);
