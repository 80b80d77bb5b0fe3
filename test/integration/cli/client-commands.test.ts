// The client commands as a user types them, each a `node dist/src/cli/main.js ...` process against one
// `skein start` node: topics through their whole life, produce and consume round trips, a group's lag
// and seeks, the cluster's state, znodes; and every kind of mistake answered in one line with exit 1 or 2.
import { spawn } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { partitionForKey } from '../../../src/kafka/client/partitioner.js';
import { SKEIN_MAIN } from '../../helpers/server-process.js';
import { expectOneLine, skein, skeinJson, SkeinNode } from '../../helpers/skein-cli.js';

let node: SkeinNode;

beforeAll(async () => {
  node = await SkeinNode.start();
}, 90_000);
afterAll(async () => {
  await node?.stop();
});

interface Described {
  partitions: { partition: number; leader: number; isr: number[]; logStartOffset: number; highWatermark: number; sizeBytes: number | null; replicaSizes: Record<string, number> }[];
  configs: { name: string; value: string | null; source: string }[];
}

interface Consumed {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
}

function jsonLines<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

test('the start summary is the last line of a start', () => {
  const lines = node.startOutput.trimEnd().split('\n');
  expect(lines[lines.length - 1]).toContain('"skein node started"');
});

test('a topic from create to delete: list, describe with configs and sources, alter-config, add-partitions', async () => {
  const created = await skein(node, ['topic', 'create', 'life', '-p', '3', '-c', 'retention.ms=3600000']);
  expect(created.code).toBe(0);
  expect(created.stdout).toMatch(/^TOPIC\s+STATUS\nlife\s+OK\n$/);
  expect(await skeinJson(node, ['topic', 'list'])).toContainEqual({ name: 'life', partitions: 3, replicas: 1, internal: false });
  const listed = await skein(node, ['topic', 'list']);
  expect(listed.stdout).toMatch(/^NAME\s+PARTITIONS\s+REPLICAS\n/);
  expect(listed.stdout).not.toContain('__consumer_offsets');

  let d = await skeinJson<Described>(node, ['topic', 'describe', 'life']);
  expect(d.partitions.map((p) => [p.partition, p.leader, p.isr, p.logStartOffset, p.highWatermark])).toEqual([
    [0, 0, [0], 0, 0],
    [1, 0, [0], 0, 0],
    [2, 0, [0], 0, 0],
  ]);
  expect(d.configs).toContainEqual({ name: 'retention.ms', value: '3600000', source: 'DYNAMIC_TOPIC_CONFIG', readOnly: false });
  expect(d.configs).toContainEqual(expect.objectContaining({ name: 'cleanup.policy', value: 'delete', source: 'DEFAULT_CONFIG' }));
  const table = await skein(node, ['topic', 'describe', 'life']);
  expect(table.stdout).toMatch(/PARTITIONS\nPARTITION\s+LEADER\s+EPOCH\s+REPLICAS\s+ISR\s+OFFLINE\s+LOG-START\s+HIGH-WATERMARK\s+RECORDS\s+SIZE-BYTES\n +0 +0 +\d+ +0 +0 +- +0 +0 +0 +0\n/);
  expect(table.stdout).toMatch(/retention\.ms\s+3600000\s+DYNAMIC_TOPIC_CONFIG/);

  expect((await skein(node, ['topic', 'alter-config', 'life', '--set', 'cleanup.policy=compact', '--delete', 'retention.ms'])).code).toBe(0);
  expect((await skein(node, ['topic', 'add-partitions', 'life', '--num', '2'])).code).toBe(0);
  d = await skeinJson<Described>(node, ['topic', 'describe', 'life']);
  expect(d.partitions).toHaveLength(5);
  expect(d.configs).toContainEqual(expect.objectContaining({ name: 'cleanup.policy', value: 'compact', source: 'DYNAMIC_TOPIC_CONFIG' }));
  expect(d.configs).toContainEqual(expect.objectContaining({ name: 'retention.ms', source: 'DEFAULT_CONFIG' }));

  const again = await skein(node, ['topic', 'create', 'life']);
  expect(again.stdout).toMatch(/life\s+TOPIC_ALREADY_EXISTS/);
  expectOneLine(again, 1, /^skein topic create: topic life: .*already exists \(TOPIC_ALREADY_EXISTS\); `skein topic describe` shows it\n$/);
  expect((await skein(node, ['topic', 'delete', 'life'])).code).toBe(0);
  expect((await skeinJson<{ name: string }[]>(node, ['topic', 'list'])).map((t) => t.name)).not.toContain('life');
});

describe('produce and consume', () => {
  const N = 2000;
  const lines = Array.from({ length: N }, (_, i) => `key-${i % 50}:value ${i}`);

  beforeAll(async () => {
    expect((await skein(node, ['topic', 'create', 'events', '-p', '4'])).code).toBe(0);
  });

  test('keyed lines with a header go where Kafka puts their keys, and come back in order per partition', async () => {
    const summary = await skeinJson<{ records: number; partitions: { partition: number; records: number }[] }>(node, ['produce', 'events', '-k', ':', '-H', 'source=test', '-z', 'lz4'], lines.join('\n') + '\n');
    expect(summary.records).toBe(N);
    expect(summary.partitions.reduce((n, p) => n + p.records, 0)).toBe(N);

    const consumed = jsonLines<Consumed>((await skein(node, ['consume', 'events', '--format', 'json'])).stdout);
    expect(consumed).toHaveLength(N);
    for (const r of consumed) {
      expect(r.partition).toBe(partitionForKey(Buffer.from(r.key!), 4));
      expect(r.headers).toEqual([{ key: 'source', value: 'test' }]);
    }
    for (let p = 0; p < 4; p++) {
      const mine = consumed.filter((r) => r.partition === p);
      expect(mine.map((r) => r.offset)).toEqual(mine.map((_, i) => i));
      const expected = lines.filter((l) => partitionForKey(Buffer.from(l.split(':')[0]!), 4) === p).map((l) => l.slice(l.indexOf(':') + 1));
      expect(mine.map((r) => r.value)).toEqual(expected);
    }
  });

  test('templates, --num, --offset (absolute and from the end), --partitions and --from', async () => {
    const first = await skein(node, ['consume', 'events', '-p', '1', '-n', '3', '--format', '%p/%o %k=%v|%h\\n']);
    expect(first.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect(first.stdout).toMatch(/^1\/0 key-\d+=value \d+\|source=test\n1\/1 /);
    const tail = await skein(node, ['consume', 'events', '-p', '2', '-o', '-2', '--format', '%o\\n']);
    const d = await skeinJson<Described>(node, ['topic', 'describe', 'events']);
    // Each partition's size is what its segment files hold (DescribeLogDirs).
    for (const p of d.partitions) {
      const dir = join(node.dataDir, 'kafka', `events-${p.partition}`);
      const onDisk = readdirSync(dir).filter((f) => f.endsWith('.log')).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
      expect(onDisk).toBeGreaterThan(0);
      expect([p.sizeBytes, p.replicaSizes]).toEqual([onDisk, { 0: onDisk }]);
    }
    const hw = d.partitions[2]!.highWatermark;
    expect(tail.stdout).toBe(`${hw - 2}\n${hw - 1}\n`);
    expect((await skein(node, ['consume', 'events', '-p', '2', '-o', String(hw - 1), '--format', '%o\\n'])).stdout).toBe(`${hw - 1}\n`);
    expect((await skein(node, ['consume', 'events', '--from', String(Date.now() + 3_600_000)])).stdout).toBe('');
    expect((await skein(node, ['consume', 'events', '-o', 'end'])).stdout).toBe('');
  });

  test('a file, gzip, a fixed partition, no key', async () => {
    expect((await skein(node, ['topic', 'create', 'files', '-p', '2'])).code).toBe(0);
    const file = join(node.dataDir, 'input.txt');
    writeFileSync(file, 'a\nb\nc\n');
    const r = await skein(node, ['produce', 'files', '-f', file, '-z', 'gzip', '-p', '1']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^produced 3 records \(6 bytes\) to files in /);
    expect((await skein(node, ['consume', 'files', '--format', '%p %k%v\\n'])).stdout).toBe('1 a\n1 b\n1 c\n');
  });

  test('trim-prefix moves the start of a partition', async () => {
    const trimmed = await skeinJson<{ partition: number; logStartOffset: number }[]>(node, ['topic', 'trim-prefix', 'events', '--offset', '5', '-p', '0']);
    expect(trimmed).toEqual([{ topic: 'events', partition: 0, logStartOffset: 5 }]);
    expect((await skein(node, ['consume', 'events', '-p', '0', '-n', '1', '--format', '%o\\n'])).stdout).toBe('5\n');
    expectOneLine(await skein(node, ['consume', 'events', '-p', '0', '-o', '1']), 1, /^skein consume: offset 1 is outside events-0, which holds 5 to \d+/);
  });

  test('--follow prints records produced after it started, and Ctrl-C ends it cleanly', async () => {
    const child = spawn(process.execPath, [SKEIN_MAIN, 'consume', 'events', '-f', '-o', 'end', '--format', '%v\\n'], { env: { ...process.env, SKEIN_BROKERS: node.kafka }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // Produce until the follower prints it: it may still be finding its start offsets when the first record goes.
    for (let i = 0; !out.includes('live'); i++) {
      expect(i).toBeLessThan(100);
      await skein(node, ['produce', 'events', '-p', '3'], 'live\n');
      await new Promise((r) => setTimeout(r, 200));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

test('cluster info and health, with the ZooKeeper server found through the controller or named', async () => {
  // The ZooKeeper servers come from the controller's zookeeper.connect when --server does not name them.
  const info = await skeinJson<{ controllerId: number; brokers: { nodeId: number; controller: boolean }[]; zookeeper: { mode: string }[] }>(node, ['cluster', 'info']);
  expect(info.controllerId).toBe(0);
  expect(info.brokers).toEqual([expect.objectContaining({ nodeId: 0, controller: true })]);
  expect(info.zookeeper).toEqual([expect.objectContaining({ server: node.zookeeper, mode: 'standalone' })]);
  const health = await skein(node, ['cluster', 'health', '--server', node.zookeeper]);
  expect((await skein(node, ['cluster', 'health', '--server', '127.0.0.1:1'])).stdout).toMatch(/zookeeper quorum\s+FAILED\s+127\.0\.0\.1:1 down/);
  expect(health.code).toBe(0);
  expect(health.stdout).toMatch(/zookeeper quorum\s+ok/);
  expect(health.stdout).toMatch(/healthy\n$/);
});

test('znodes: create with parents and sequence, get, set, stat, ls -R, delete -R', async () => {
  expect((await skein(node, ['zk', 'create', '/cli/app/config', '{"on":true}', '--parents'])).stdout).toBe('/cli/app/config\n');
  expect((await skein(node, ['zk', 'create', '/cli/jobs/job-', '-', '-s', '-p'], 'payload')).stdout).toBe('/cli/jobs/job-0000000000\n');
  expect((await skein(node, ['zk', 'get', '/cli/app/config'])).stdout).toBe('{"on":true}');
  expect((await skein(node, ['zk', 'get', '/cli/jobs/job-0000000000'])).stdout).toBe('payload');
  expect((await skein(node, ['zk', 'set', '/cli/app/config', 'off', '-v', '0'])).code).toBe(0);
  expectOneLine(await skein(node, ['zk', 'set', '/cli/app/config', 'x', '-v', '0']), 1, /^skein zk set: \/cli\/app\/config: the znode changed/);
  const stat = await skeinJson<{ dataVersion: number; dataLength: number; numChildren: number }>(node, ['zk', 'stat', '/cli/app/config']);
  expect(stat).toMatchObject({ dataVersion: 1, dataLength: 3, numChildren: 0 });
  expect((await skein(node, ['zk', 'ls', '-R', '/cli'])).stdout).toBe(['/cli', '├── app', '│   └── config', '└── jobs', '    └── job-0000000000', ''].join('\n'));
  expect(await skeinJson(node, ['zk', 'ls', '/cli'])).toEqual(['app', 'jobs']);
  expectOneLine(await skein(node, ['zk', 'delete', '/cli']), 1, /^skein zk delete: \/cli: the znode has children/);
  expect((await skein(node, ['zk', 'delete', '-R', '/cli'])).stdout).toBe('deleted /cli and 4 znodes below it\n');
  expectOneLine(await skein(node, ['zk', 'get', '/cli']), 1, /^skein zk get: \/cli: no such znode/);
});

test('zk watch prints every change below a znode until Ctrl-C', async () => {
  const child = spawn(process.execPath, [SKEIN_MAIN, 'zk', 'watch', '/watched', '--format', 'json'], { env: { ...process.env, SKEIN_ZOOKEEPER: node.zookeeper }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  for (let i = 0; !err.includes('watching /watched'); i++) {
    expect(i).toBeLessThan(100);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect((await skein(node, ['zk', 'create', '/watched/a', 'x', '--parents'])).code).toBe(0);
  expect((await skein(node, ['zk', 'set', '/watched/a', 'y'])).code).toBe(0);
  expect((await skein(node, ['zk', 'delete', '-R', '/watched'])).code).toBe(0);
  for (let i = 0; out.split('\n').filter(Boolean).length < 5; i++) {
    expect(i, out).toBeLessThan(100);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(jsonLines<{ type: string; path: string }>(out).map((e) => `${e.type} ${e.path}`)).toEqual([
    'nodeCreated /watched',
    'nodeCreated /watched/a',
    'nodeDataChanged /watched/a',
    'nodeDeleted /watched/a',
    'nodeDeleted /watched',
  ]);
});

test('mistakes are one line with a non-zero exit and no stack trace', async () => {
  expectOneLine(await skein(node, ['topic', 'describe', 'nope']), 1, /^skein topic describe: topic nope.*UNKNOWN_TOPIC_OR_PARTITION.*skein topic list/);
  expectOneLine(await skein(node, ['consume', 'nope']), 1, /^skein consume: topic nope/);
  expectOneLine(await skein(node, ['consume', 'events', '-o', 'soon']), 2, /^skein consume: --offset soon: expected beginning, end/);
  expectOneLine(await skein(node, ['produce', 'events', '-p', '9'], 'x\n'), 1, /^skein produce: events has no partition 9 \(it has 4\)/);
  expectOneLine(await skein(node, ['topic', 'create', 'x', '-r', '3']), 1, /^skein topic create: topic x: .*\(INVALID_REPLICATION_FACTOR\); it can be at most the number of brokers/);
  expectOneLine(await skein(node, ['topic', 'list', '--bogus']), 2, /^skein topic list: unknown option '--bogus'/);
  expectOneLine(await skein(undefined, ['topic', 'list', '-b', '127.0.0.1:1']), 1, /^skein topic list: cannot connect to 127\.0\.0\.1:1: .*--bootstrap-server or SKEIN_BROKERS/);
  expectOneLine(await skein(undefined, ['group', 'seek', 'g', '--to', 'x', '--to-time', '1', '-b', node.kafka]), 2, /^skein group seek: give one of --to/);
  expectOneLine(await skein(undefined, ['zk', 'ls', '/', '--server', '127.0.0.1:1']), 1, /^skein zk ls: cannot connect to ZooKeeper \(127\.0\.0\.1:1: .*ECONNREFUSED.*\): is it running\?/);
  expectOneLine(await skein(node, ['produce', 'events', '-f', '/nonexistent/input.txt']), 1, /^skein produce: cannot read \/nonexistent\/input\.txt: no such file or directory\n$/);
});
