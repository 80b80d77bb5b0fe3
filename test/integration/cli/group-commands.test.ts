// The group commands and `consume --group` as a user types them, against one `skein start` node: a
// group's lag after a partial read, seeks with a dry run, a live kafkajs member in describe, two
// `skein consume -g` sharing a topic's partitions.
import { spawn } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SKEIN_MAIN } from '../../helpers/server-process.js';
import { expectOneLine, skein, skeinJson, SkeinNode } from '../../helpers/skein-cli.js';

let node: SkeinNode;

beforeAll(async () => {
  // No wait for more members before an empty group's first rebalance: each `consume -g` would pay 3 s.
  node = await SkeinNode.start({ 'group.initial.rebalance.delay.ms': '0' });
}, 90_000);
afterAll(async () => {
  await node?.stop();
});

test("a group: consume in it, its lag per partition, seek with a dry run, delete", async () => {
  expect((await skein(node, ['topic', 'create', 'orders', '-p', '2'])).code).toBe(0);
  const input = Array.from({ length: 20 }, (_, i) => `o${i}`).join('\n');
  expect((await skein(node, ['produce', 'orders', '-p', '0'], input)).code).toBe(0);
  expect((await skein(node, ['produce', 'orders', '-p', '1'], input)).code).toBe(0);
  // The only member of the group: both partitions are its.
  expect((await skein(node, ['consume', 'orders', '-g', 'billing', '-n', '15'])).stdout.split('\n').filter(Boolean)).toHaveLength(15);

  type Group = { state: string; totalLag: number; partitions: { topic: string; partition: number; currentOffset: number | null; logEndOffset: number; lag: number | null }[] };
  let g = await skeinJson<Group>(node, ['group', 'describe', 'billing']);
  expect(g.state).toBe('Empty');
  expect(g.totalLag).toBe(25);
  expect(g.partitions.map((p) => [p.topic, p.partition, p.logEndOffset])).toEqual([
    ['orders', 0, 20],
    ['orders', 1, 20],
  ]);
  // The group resumes where it committed.
  expect((await skein(node, ['consume', 'orders', '-g', 'billing'])).stdout.split('\n').filter(Boolean)).toHaveLength(25);
  expect((await skeinJson<{ groupId: string }[]>(node, ['group', 'list'])).map((x) => x.groupId)).toContain('billing');

  const plan = await skein(node, ['group', 'seek', 'billing', '--to', 'earliest', '--dry-run']);
  expect(plan.stdout).toMatch(/orders\s+0\s+20\s+0\norders\s+1\s+20\s+0\n\(dry run/);
  expect((await skeinJson<Group>(node, ['group', 'describe', 'billing'])).totalLag).toBe(0);
  expect((await skein(node, ['group', 'seek', 'billing', '--to', '3', '-t', 'orders'])).code).toBe(0);
  g = await skeinJson<Group>(node, ['group', 'describe', 'billing']);
  expect(g.partitions.map((p) => [p.partition, p.currentOffset, p.lag])).toEqual([
    [0, 3, 17],
    [1, 3, 17],
  ]);
  const table = await skein(node, ['group', 'describe', 'billing']);
  expect(table.stdout).toMatch(/TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG/);

  expect((await skein(node, ['group', 'delete', 'billing'])).code).toBe(0);
  expect((await skeinJson<{ groupId: string }[]>(node, ['group', 'list'])).map((x) => x.groupId)).not.toContain('billing');
});

test("a group with a live member (kafkajs): describe shows it and its partitions, seek refuses to move its offsets", async () => {
  expect((await skein(node, ['topic', 'create', 'live-topic', '-p', '2'])).code).toBe(0);
  const consumer = new Kafka({ brokers: [node.kafka], clientId: 'live-client', logLevel: logLevel.NOTHING }).consumer({ groupId: 'live', maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    let assigned!: () => void;
    const joined = new Promise<void>((resolve) => (assigned = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => assigned());
    await consumer.subscribe({ topic: 'live-topic', fromBeginning: true });
    await consumer.run({ eachMessage: async () => {} });
    await joined;
    type Group = { state: string; members: { clientId: string; assignment: { topic: string; partitions: number[] }[] }[] };
    const g = await skeinJson<Group>(node, ['group', 'describe', 'live']);
    expect(g.state).toBe('Stable');
    expect(g.members).toEqual([expect.objectContaining({ clientId: 'live-client', assignment: [{ topic: 'live-topic', partitions: [0, 1] }] })]);
    expect((await skein(node, ['group', 'describe', 'live'])).stdout).toMatch(/live-client\s+\S+\s+live-topic:0,1/);
    expectOneLine(await skein(node, ['group', 'seek', 'live', '--to', 'earliest', '-t', 'live-topic']), 1, /^skein group seek: group live is Stable with 1 member\(s\): stop its consumers/);
  } finally {
    await consumer.disconnect();
  }
});

test('two `consume --group --follow` share the partitions as group members and leave on Ctrl-C', async () => {
  expect((await skein(node, ['topic', 'create', 'shared-topic', '-p', '2'])).code).toBe(0);
  const members = [0, 1].map(() => {
    const child = spawn(process.execPath, [SKEIN_MAIN, 'consume', 'shared-topic', '-g', 'shared', '-f', '--format', '%p %v\\n'], { env: { ...process.env, SKEIN_BROKERS: node.kafka }, stdio: ['ignore', 'pipe', 'pipe'] });
    const m = { child, out: '', exited: new Promise<number | null>((resolve) => child.once('exit', resolve)) };
    child.stdout.on('data', (d: Buffer) => (m.out += d.toString()));
    return m;
  });
  try {
    type Group = { state: string; members: { assignment: { topic: string; partitions: number[] }[] }[] };
    // Both have joined once the group is stable with two members, one partition each.
    for (let i = 0; ; i++) {
      expect(i).toBeLessThan(150);
      const g = await skeinJson<Group>(node, ['group', 'describe', 'shared']).catch(() => undefined);
      if (g?.state === 'Stable' && g.members.length === 2 && g.members.every((m) => m.assignment[0]?.partitions.length === 1)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await skein(node, ['produce', 'shared-topic', '-p', '0'], 'zero\n');
    await skein(node, ['produce', 'shared-topic', '-p', '1'], 'one\n');
    for (let i = 0; !members.every((m) => m.out.trim() !== ''); i++) {
      expect(i).toBeLessThan(150);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(members.map((m) => m.out).sort()).toEqual(['0 zero\n', '1 one\n']);
  } finally {
    for (const m of members) m.child.kill('SIGINT');
  }
  expect(await Promise.all(members.map((m) => m.exited))).toEqual([0, 0]);
  const after = await skeinJson<{ state: string; members: unknown[]; totalLag: number }>(node, ['group', 'describe', 'shared']);
  expect(after).toMatchObject({ state: 'Empty', members: [], totalLag: 0 });
});
