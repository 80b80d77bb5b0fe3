// A three-broker `skein dev-cluster` as librdkafka sees it: kcat -L and confluent-kafka's list_topics
// through every broker show the same three brokers and controller, and a replication-factor-3 topic
// whose partitions are led by different brokers, each with all three replicas in sync.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startDevCluster, type DevCluster } from '../../test/helpers/dev-cluster.js';
import { run, runPythonJson } from '../helpers/commands.js';

let cluster: DevCluster;

beforeAll(async () => {
  cluster = await startDevCluster(3, ['controlled.shutdown.max.retries=0']);
});

afterAll(async () => {
  if (!cluster) return;
  await cluster.stop();
  cluster.remove();
});

interface View {
  brokers: number[];
  controller: number;
  partitions: Record<string, { leader: number; replicas: number[]; isr: number[] }> | null;
}

test('confluent-kafka and kcat -L see one cluster of three brokers with leaders spread', async () => {
  const views = await runPythonJson<View[]>(new URL('cluster_metadata.py', import.meta.url), { bootstrap: cluster.bootstrap, topic: 'spread', partitions: 6 });
  expect(views).toHaveLength(3);
  for (const v of views) {
    expect(v.brokers).toEqual([1, 2, 3]);
    expect(v.controller).toBe(views[0]!.controller);
    expect(v.partitions).toEqual(views[0]!.partitions);
  }
  const partitions = Object.values(views[0]!.partitions!);
  expect(new Set(partitions.map((p) => p.leader))).toEqual(new Set([1, 2, 3]));
  for (const p of partitions) {
    expect([...p.replicas].sort()).toEqual([1, 2, 3]);
    expect(p.isr).toEqual([1, 2, 3]);
    expect(p.leader).toBe(p.replicas[0]);
  }

  for (const b of cluster.brokers) {
    const listed = await run('kcat', ['-b', `127.0.0.1:${b.port}`, '-L', '-J', '-t', 'spread']);
    expect(listed.code, listed.stderr).toBe(0);
    const kcat = JSON.parse(listed.stdout) as {
      controllerid: number;
      brokers: { id: number; name: string }[];
      topics: { topic: string; partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[] }[];
    };
    expect(kcat.controllerid).toBe(views[0]!.controller);
    expect(kcat.brokers.map((x) => x.id).sort()).toEqual([1, 2, 3]);
    for (const x of kcat.brokers) expect(x.name).toBe(`127.0.0.1:${cluster.brokers.find((c) => c.id === x.id)!.port}`);
    const spread = kcat.topics.find((t) => t.topic === 'spread')!;
    expect(spread.partitions).toHaveLength(6);
    for (const p of spread.partitions) expect(p.leader).toBe(views[0]!.partitions![String(p.partition)]!.leader);
  }
});
