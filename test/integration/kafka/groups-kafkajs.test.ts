// kafkajs consumer groups against Skein: partitions split among members (a member too many sits idle),
// handed over when a member leaves, every record consumed once per group; groups independent of each
// other; kafkajs' admin group operations; and a broker restart that the group rides through.
import { AssignerProtocol, Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestBroker, type TestBroker } from '../../helpers/kafka-broker.js';
import { waitFor } from './groups-harness.js';

/** kafkajs' default is 30 s; the hand-over must happen well within the session timeout regardless. */
const SESSION_TIMEOUT_MS = 10_000;

let broker: TestBroker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const running: Consumer[] = [];

beforeAll(async () => {
  // A short initial delay lets members starting together join one generation, as Kafka's 3 s default does.
  broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '300' });
  kafka = new Kafka({ brokers: [broker.bootstrap], clientId: 'groups-kafkajs', logLevel: logLevel.NOTHING, retry: { initialRetryTime: 100, retries: 10 } });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
});

afterAll(async () => {
  await Promise.all(running.map((c) => c.disconnect()));
  await producer.disconnect();
  await admin.disconnect();
  await broker.close();
});

interface Consumed {
  member: string;
  partition: number;
  offset: string;
  value: string;
}

interface Member {
  name: string;
  consumer: Consumer;
  memberId(): string | undefined;
  /** The partitions of the last assignment this member received. */
  partitions(): number[];
}

async function startMember(groupId: string, topic: string, name: string, sink: Consumed[]): Promise<Member> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: SESSION_TIMEOUT_MS, heartbeatInterval: 250, maxWaitTimeInMs: 100 });
  running.push(consumer);
  let memberId: string | undefined;
  let partitions: number[] = [];
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    memberId = payload.memberId;
    partitions = [...(payload.memberAssignment[topic] ?? [])].sort();
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  // Committing after every record: what is processed is committed before a rebalance hands it on.
  await consumer.run({
    autoCommitThreshold: 1,
    eachMessage: async ({ partition, message }) => {
      sink.push({ member: name, partition, offset: message.offset, value: message.value!.toString() });
    },
  });
  return { name, consumer, memberId: () => memberId, partitions: () => partitions };
}

async function stopMember(member: Member): Promise<void> {
  await member.consumer.disconnect();
  running.splice(running.indexOf(member.consumer), 1);
}

async function produce(topic: string, partitions: number, perPartition: number, tag: string): Promise<void> {
  const messages = [];
  for (let p = 0; p < partitions; p++) for (let i = 0; i < perPartition; i++) messages.push({ partition: p, value: `${tag}-${p}-${i}` });
  await producer.send({ topic, messages });
}

/** The group as the broker has it: state, and each member's partitions of `topic` decoded from its assignment. */
async function brokerView(groupId: string, topic: string) {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups[0]!;
  const members = group.members.map((m) => ({
    memberId: m.memberId,
    clientHost: m.clientHost,
    partitions: [...(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? [])].sort(),
  }));
  return { state: group.state, members };
}

function expectEachOnce(sink: Consumed[], total: number): void {
  const keys = sink.map((c) => `${c.partition}@${c.offset}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys).toHaveLength(total);
}

test('four members on three partitions: three take one each, the fourth idles and takes over from one that leaves', async () => {
  const topic = 'orders';
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
  await produce(topic, 3, 10, 'before');
  const sink: Consumed[] = [];
  const members = await Promise.all(['a', 'b', 'c', 'd'].map((name) => startMember('services', topic, name, sink)));

  const settled = await waitFor('four members with three partitions between them', async () => {
    const view = await brokerView('services', topic);
    if (view.state !== 'Stable' || view.members.length !== 4) return undefined;
    // Each client has seen the same assignment the broker holds for it.
    const agree = view.members.every((m) => members.find((x) => x.memberId() === m.memberId)?.partitions().join() === m.partitions.join());
    return agree ? view : undefined;
  });
  expect(settled.members.map((m) => m.partitions).sort()).toEqual([[], [0], [1], [2]]);
  expect(settled.members.every((m) => m.clientHost === '/127.0.0.1')).toBe(true);
  await waitFor('the first records', () => (sink.length >= 30 ? true : undefined));

  // kafkajs' round-robin assignor deals partitions to members in member id order, so the idle member is
  // the last, and the member holding partition 2 is the one whose partition it inherits.
  const idle = members.find((m) => m.partitions().length === 0)!;
  const leaver = members.find((m) => m.partitions().join() === '2')!;
  const stayers = members.filter((m) => m !== idle && m !== leaver).map((m) => [m, m.partitions().join()] as const);
  const left = Date.now();
  const leaving = stopMember(leaver);
  await produce(topic, 3, 10, 'during');
  await leaving;
  await waitFor('the idle member to take partition 2', () => (idle.partitions().join() === '2' ? true : undefined));
  expect(Date.now() - left).toBeLessThan(SESSION_TIMEOUT_MS);
  for (const [member, partitions] of stayers) expect(member.partitions().join()).toBe(partitions);

  await waitFor('every record', () => (sink.length >= 60 ? true : undefined));
  expectEachOnce(sink, 60);
  const handedOver = sink.filter((c) => c.partition === 2 && c.value.startsWith('during'));
  expect(new Set(handedOver.map((c) => c.member))).toEqual(new Set([idle.name]));
  const after = await brokerView('services', topic);
  expect(after.members.map((m) => m.partitions).sort()).toEqual([[0], [1], [2]]);
  await Promise.all(members.filter((m) => m !== leaver).map(stopMember));
});

test('two groups read the same topic independently, each committing its own offsets', async () => {
  const topic = 'events';
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
  await produce(topic, 2, 10, 'e');
  const billing: Consumed[] = [];
  const shipping: Consumed[] = [];
  const members = [await startMember('billing', topic, 'billing-1', billing), await startMember('shipping', topic, 'shipping-1', shipping)];
  await waitFor('both groups to read everything', () => (billing.length >= 20 && shipping.length >= 20 ? true : undefined));
  expectEachOnce(billing, 20);
  expectEachOnce(shipping, 20);
  for (const groupId of ['billing', 'shipping']) {
    await waitFor(`${groupId}'s commits`, async () => {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return offsets!.partitions.every((p) => p.offset === '10') ? true : undefined;
    });
  }
  await Promise.all(members.map(stopMember));
});

test('admin: describeGroups, listGroups, fetchOffsets, resetOffsets, setOffsets and deleteGroups', async () => {
  const topic = 'events';
  const { groups } = await admin.describeGroups(['billing', 'shipping', 'no-such-group']);
  expect(groups.map((g) => [g.groupId, g.state, g.protocolType, g.members.length])).toEqual([
    ['billing', 'Empty', 'consumer', 0],
    ['shipping', 'Empty', 'consumer', 0],
    ['no-such-group', 'Dead', '', 0],
  ]);
  const listed = await admin.listGroups();
  expect(listed.groups.filter((g) => ['billing', 'shipping'].includes(g.groupId)).sort((a, b) => a.groupId.localeCompare(b.groupId))).toEqual([
    { groupId: 'billing', protocolType: 'consumer' },
    { groupId: 'shipping', protocolType: 'consumer' },
  ]);

  await admin.resetOffsets({ groupId: 'billing', topic, earliest: true });
  await admin.setOffsets({ groupId: 'shipping', topic, partitions: [{ partition: 0, offset: '4' }] });
  const [shipping] = await admin.fetchOffsets({ groupId: 'shipping', topics: [topic] });
  expect(shipping!.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual(['4', '10']);

  // A member of the reset group reads everything again; one of the other group reads from offset 4 of partition 0.
  const again: Consumed[] = [];
  const rereading = await startMember('billing', topic, 'billing-2', again);
  const resumed: Consumed[] = [];
  const resuming = await startMember('shipping', topic, 'shipping-2', resumed);
  await waitFor('the reset group to read everything again', () => (again.length >= 20 && resumed.length >= 6 ? true : undefined));
  expectEachOnce(again, 20);
  expect(resumed.map((c) => `${c.partition}@${c.offset}`).sort()).toEqual(['0@4', '0@5', '0@6', '0@7', '0@8', '0@9']);

  const running = await waitFor('billing to be stable', async () => {
    const view = await brokerView('billing', topic);
    return view.state === 'Stable' ? view : undefined;
  });
  expect(running.members[0]!.partitions).toEqual([0, 1]);
  await expect(admin.deleteGroups(['billing'])).rejects.toMatchObject({ groups: [{ groupId: 'billing', errorCode: 68 }] });
  await Promise.all([stopMember(rereading), stopMember(resuming)]);

  expect(await admin.deleteGroups(['billing'])).toEqual([{ groupId: 'billing', errorCode: 0 }]);
  await expect(admin.deleteGroups(['no-such-group'])).rejects.toMatchObject({ groups: [{ groupId: 'no-such-group', errorCode: 69 }] });
  expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain('billing');
  const [gone] = await admin.fetchOffsets({ groupId: 'billing', topics: [topic] });
  expect(gone!.partitions.map((p) => p.offset)).toEqual(['-1', '-1']);
  // kafkajs' resetOffsets and setOffsets each run a paused consumer that stops after one fetch wait (5 s).
}, 60_000);

test('a broker restart: the group carries on from its committed offsets, nothing read twice', async () => {
  const topic = 'ledger';
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
  await produce(topic, 2, 5, 'first');
  const sink: Consumed[] = [];
  const member = await startMember('ledger-readers', topic, 'reader', sink);
  await waitFor('the first records, committed', async () => {
    if (sink.length < 10) return undefined;
    const [offsets] = await admin.fetchOffsets({ groupId: 'ledger-readers', topics: [topic] });
    return offsets!.partitions.every((p) => p.offset === '5') ? true : undefined;
  });
  const memberId = member.memberId();

  broker = await broker.restart();
  const view = await brokerView('ledger-readers', topic);
  expect(view.members.map((m) => m.memberId)).toEqual([memberId]);

  await produce(topic, 2, 5, 'second');
  await waitFor('the records produced after the restart', () => (sink.length >= 20 ? true : undefined));
  expectEachOnce(sink, 20);
  expect(sink.slice(10).every((c) => c.value.startsWith('second'))).toBe(true);
  await stopMember(member);
  const [offsets] = await admin.fetchOffsets({ groupId: 'ledger-readers', topics: [topic] });
  expect(offsets!.partitions.map((p) => p.offset)).toEqual(['10', '10']);
});
