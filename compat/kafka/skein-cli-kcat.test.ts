// `skein produce` and `skein consume` cross-checked with kcat (librdkafka): what one writes the other
// reads with the same keys, values, headers and partitions, and a key lands on the partition librdkafka's
// murmur2 partitioner (the Java client's default) picks for it. `skein topic describe` and
// `skein cluster info` agree with kcat -L.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { partitionForKey } from '../../src/kafka/client/partitioner.js';
import { skein, skeinJson, SkeinNode } from '../../test/helpers/skein-cli.js';
import { run } from '../helpers/commands.js';

let node: SkeinNode;
const PARTITIONS = 5;

beforeAll(async () => {
  node = await SkeinNode.start();
  expect((await skein(node, ['topic', 'create', 'cross', '-p', String(PARTITIONS)])).code).toBe(0);
});
afterAll(async () => {
  await node?.stop();
});

const keys = Array.from({ length: 40 }, (_, i) => `user-${i}`);

test('kcat reads what skein produce wrote: keys, values, headers, and Kafka-default partitions', async () => {
  const input = keys.map((k, i) => `${k}\t{"n":${i}}`).join('\n');
  expect((await skein(node, ['produce', 'cross', '-k', '\t', '-H', 'origin=skein', '-H', 'v=1'], input)).code).toBe(0);
  const r = await run('kcat', ['-b', node.kafka, '-C', '-t', 'cross', '-o', 'beginning', '-e', '-q', '-f', '%p|%k|%s|%h\\n']);
  expect(r.code, r.stderr).toBe(0);
  const rows = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('|'));
  expect(rows).toHaveLength(keys.length);
  for (const [partition, key, value, headers] of rows) {
    const i = keys.indexOf(key!);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(value).toBe(`{"n":${i}}`);
    expect(headers).toBe('origin=skein,v=1');
    expect(Number(partition)).toBe(partitionForKey(Buffer.from(key!), PARTITIONS));
  }
});

test("skein consume reads what kcat wrote, and kcat's murmur2 partitioner put each key where skein produce does", async () => {
  const input = keys.map((k) => `${k}:from-kcat`).join('\n') + '\n';
  const w = await run('kcat', ['-b', node.kafka, '-P', '-t', 'cross', '-K', ':', '-H', 'origin=kcat', '-X', 'topic.partitioner=murmur2_random'], input);
  expect(w.code, w.stderr).toBe(0);
  const consumed = (await skein(node, ['consume', 'cross', '--format', '%p %k %v %h\\n'])).stdout.split('\n').filter(Boolean);
  const fromKcat = consumed.filter((l) => l.includes(' from-kcat '));
  expect(fromKcat).toHaveLength(keys.length);
  const skeinPartition = new Map(consumed.filter((l) => l.includes(' origin=skein')).map((l) => [l.split(' ')[1]!, l.split(' ')[0]!]));
  for (const line of fromKcat) {
    const [partition, key, , headers] = line.split(' ');
    expect(headers).toBe('origin=kcat');
    expect(partition, key).toBe(skeinPartition.get(key!));
  }
});

test('describe and cluster info agree with kcat -L', async () => {
  const listed = await run('kcat', ['-b', node.kafka, '-L', '-J', '-t', 'cross']);
  const kcat = JSON.parse(listed.stdout) as { controllerid: number; brokers: { id: number; name: string }[]; topics: { topic: string; partitions: { partition: number; leader: number; isrs: { id: number }[] }[] }[] };
  const described = await skeinJson<{ partitions: { partition: number; leader: number; isr: number[] }[] }>(node, ['topic', 'describe', 'cross']);
  expect(described.partitions.map((p) => ({ partition: p.partition, leader: p.leader, isrs: p.isr }))).toEqual(
    kcat.topics[0]!.partitions.map((p) => ({ partition: p.partition, leader: p.leader, isrs: p.isrs.map((r) => r.id) })).sort((a, b) => a.partition - b.partition),
  );
  const info = await skeinJson<{ controllerId: number; brokers: { nodeId: number; host: string; port: number }[] }>(node, ['cluster', 'info']);
  expect(info.controllerId).toBe(kcat.controllerid);
  expect(info.brokers.map((b) => ({ id: b.nodeId, name: `${b.host}:${b.port}` }))).toEqual(kcat.brokers.map((b) => ({ id: b.id, name: b.name })));
});
