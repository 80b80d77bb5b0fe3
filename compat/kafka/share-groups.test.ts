// @kafkats/client 0.12 (npm; its ShareConsumer speaks KIP-932 as Kafka 4.2 does: ShareGroupHeartbeat v1,
// ShareFetch and ShareAcknowledge v2) against a `skein kafka` process: six share consumers on a
// two-partition topic all get work (a consumer group would leave four idle), every record is processed
// once when all acknowledge, and the records a consumer held when it was killed -9 go to the others
// at once (its connection closed: its share session ends and its records are released), delivered a
// second time and processed once. One server and one group for the whole file.
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { ApiKey } from '../../protocol/kafka/index.js';
import { JsonLinesChild, type ClientEvent } from '../helpers/json-lines-child.js';
import { createTopic, withConnection } from '../helpers/kafka-admin.js';
import { runNodeJson } from '../helpers/npm-clients.js';
import { kafkaForTests } from '../helpers/skein-process.js';

const DRIVER = new URL('kafkats_share.mjs', import.meta.url);
const TOPIC = 'share-work';
const GROUP = 'share-queue';
const PARTITIONS = 2;
const MEMBERS = 6;

const kafka = kafkaForTests({
  'offsets.topic.num.partitions': '1',
  'group.share.heartbeat.interval.ms': '500',
  // Membership outlives a restart (it is in __consumer_offsets): the member killed -9 below keeps its
  // share of the partitions after the broker's restart until its session runs out, as in Kafka.
  'group.share.session.timeout.ms': '10000',
  // Members start before anything is produced, but a partition new to the group starts at the log
  // start so no record produced before a member's first fetch is skipped.
  'share.auto.offset.reset': 'earliest',
  // Long enough that a killed member's records can only come back through its closed connection.
  'group.share.record.lock.duration.ms': '60000',
});

const members: JsonLinesChild[] = [];
afterAll(() => JsonLinesChild.killAll());

function produce(from: number, count: number): Promise<{ produced: number }> {
  return runNodeJson(DRIVER, 'produce', { bootstrap: kafka().bootstrap, topic: TOPIC, from, count, partitions: PARTITIONS });
}

const processed = (programs: readonly JsonLinesChild[]): ClientEvent[] => programs.flatMap((m) => m.all('record'));
const values = (events: readonly ClientEvent[]): string[] => events.map((e) => e.value as string);
const until = (what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> => JsonLinesChild.until(what, condition, members, timeoutMs);

test('six share consumers on two partitions all get work; every record is processed once', async () => {
  await createTopic(kafka().bootstrap, TOPIC, PARTITIONS);
  for (let i = 0; i < MEMBERS; i++) {
    const clientId = `share-${i}`;
    members.push(new JsonLinesChild(clientId, process.execPath, [fileURLToPath(DRIVER), 'member', JSON.stringify({ bootstrap: kafka().bootstrap, topic: TOPIC, groupId: GROUP, clientId })]));
  }
  await until('every member assigned', () => members.every((m) => m.all('assigned').length > 0));

  const described = await withConnection(kafka().bootstrap, (conn) => conn.send(ApiKey.ShareGroupDescribe, 1, { groupIds: [GROUP], includeAuthorizedOperations: false }));
  const group = described.groups[0]!;
  expect(group.errorCode).toBe(0);
  expect(group.members).toHaveLength(MEMBERS);
  // Six members, two partitions: each member gets one, each partition goes to three.
  for (const m of group.members) expect(m.assignment.topicPartitions.flatMap((t) => t.partitions)).toHaveLength(1);

  const count = 300;
  await produce(0, count);
  await until(`${count} records processed`, () => new Set(values(processed(members))).size === count);
  const events = processed(members);
  expect(events).toHaveLength(count);
  expect(new Set(values(events)).size).toBe(count);
  for (const m of members) expect(m.all('record').length, m.name).toBeGreaterThan(0);
  expect(events.every((e) => e.deliveryCount === 1)).toBe(true);
});

test("a consumer killed while holding records: they go to the others and each is processed once", async () => {
  const [victim, ...others] = members as [JsonLinesChild, ...JsonLinesChild[]];
  victim.send('hold');
  await victim.waitFor('holding', (e) => e.event === 'holding');
  // The others pause: each keeps at most the one fetch it gets next and fetches no more, so the records of
  // a few rounds must reach the victim. Which member wins a race for new records is up to timing: with the
  // five others free to fetch, the victim once got nothing in 35 rounds in CI.
  for (const m of others) m.send('pause');
  await Promise.all(others.map((m) => m.waitFor('paused', (e) => e.event === 'paused')));
  let next = 300;
  while (victim.all('held').length === 0) {
    if (next >= 400) throw new Error(`the victim got no records\n${victim.report()}`);
    await produce(next, 20);
    next += 20;
    await victim.waitFor('a record held', (e) => e.event === 'held', 2_000).catch(() => undefined);
  }
  for (const m of others) m.send('resume');
  const held = values(victim.all('held'));
  await victim.kill();

  const wanted = Array.from({ length: next }, (_, i) => `v${i}`);
  await until('every record processed after the kill', () => {
    const seen = new Set(values(processed(others)).concat(values(victim.all('record'))));
    return wanted.every((v) => seen.has(v));
  });
  const all = processed(members);
  // Nothing processed (acknowledged) twice, the held ones included.
  expect(values(all)).toHaveLength(new Set(values(all)).size);
  for (const v of held) {
    const redelivered = processed(others).find((e) => e.value === v);
    expect(redelivered, v).toBeDefined();
    expect(redelivered!.deliveryCount as number).toBeGreaterThanOrEqual(2);
  }
  await Promise.all(others.map((m) => m.stop()));
});

test('kill -9 of the broker: no record acknowledged before is delivered again, and new records flow', async () => {
  await kafka().kill();
  await kafka().launch();
  const late = new JsonLinesChild('share-late', process.execPath, [fileURLToPath(DRIVER), 'member', JSON.stringify({ bootstrap: kafka().bootstrap, topic: TOPIC, groupId: GROUP, clientId: 'share-late' })]);
  await late.waitFor('assigned', (e) => e.event === 'assigned');
  await produce(1000, 20);
  // The member killed in the test above is still in the group the broker read back: its partition comes
  // to the late member when its session (10 s from the restart) runs out.
  await JsonLinesChild.until('the new records', () => new Set(values(late.all('record'))).size === 20, [late], 30_000);
  // Every record before 1000 was accepted and its acknowledgement answered: the durable state says so.
  expect(values(late.all('record')).filter((v) => Number(v.slice(1)) < 1000)).toEqual([]);
  await late.stop();
});
