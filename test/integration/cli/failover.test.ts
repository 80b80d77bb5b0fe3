// `skein produce` and `skein consume` through a lost leader: a three-broker dev-cluster, a replicated
// topic, the leader killed with -9 in the middle of a produce. The producer follows the new leader and
// every acknowledged record is read back; `skein cluster health` reports the cluster degraded meanwhile.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startDevCluster, type DevCluster } from '../../helpers/dev-cluster.js';
import { SKEIN_MAIN } from '../../helpers/server-process.js';
import { skein, skeinJson } from '../../helpers/skein-cli.js';

/** Short sessions, so the controller replaces the dead leader in seconds. */
const SESSION_TIMEOUT_MS = 4000;
let cluster: DevCluster;
let target: { kafka: string; zookeeper: string };

beforeAll(async () => {
  cluster = await startDevCluster(3, [`zookeeper.session.timeout.ms=${SESSION_TIMEOUT_MS}`], 1);
  target = { kafka: cluster.bootstrap, zookeeper: cluster.zookeeper };
}, 90_000);

afterAll(async () => {
  if (cluster) {
    await cluster.stop();
    cluster.remove();
  }
}, 90_000);

type Described = { partitions: { leader: number; isr: number[] }[] };

test('a produce goes on through a leader killed with -9, nothing acknowledged is lost, health reports it', async () => {
  expect((await skein(target, ['topic', 'create', 'ha', '-p', '1', '-r', '3'])).code).toBe(0);
  let leader = -1;
  for (let i = 0; leader < 0; i++) {
    expect(i).toBeLessThan(100);
    const p = (await skeinJson<Described>(target, ['topic', 'describe', 'ha'])).partitions[0]!;
    if (p.isr.length === 3) leader = p.leader;
    else await new Promise((r) => setTimeout(r, 100));
  }

  const producer = spawn(process.execPath, [SKEIN_MAIN, 'produce', 'ha', '--acks', 'all', '--format', 'json'], {
    env: { ...process.env, SKEIN_BROKERS: cluster.bootstrap },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  producer.stdout.on('data', (d: Buffer) => (out += d.toString()));
  producer.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => producer.once('exit', resolve));
  const N = 2000;
  producer.stdin.write(Array.from({ length: N / 2 }, (_, i) => `r${i}\n`).join(''));
  // The first half is on the leader (and its followers) before it dies.
  for (let i = 0; ; i++) {
    expect(i).toBeLessThan(100);
    const d = (await skein(target, ['consume', 'ha', '-o', '-1', '--format', '%v\\n'])).stdout;
    if (d === `r${N / 2 - 1}\n`) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  cluster.kill(leader);
  producer.stdin.end(Array.from({ length: N / 2 }, (_, i) => `r${N / 2 + i}\n`).join(''));
  expect(await exited, err).toBe(0);
  expect(JSON.parse(out)).toMatchObject({ records: N });

  const values = new Set((await skein(target, ['consume', 'ha', '--format', '%v\\n'])).stdout.split('\n').filter(Boolean));
  for (let i = 0; i < N; i++) expect(values.has(`r${i}`), `r${i}`).toBe(true);

  const health = await skein(target, ['cluster', 'health']);
  expect(health.code).toBe(1);
  expect(health.stdout).toMatch(/under-replicated partitions\s+FAILED\s+1: ha-0/);
  expect(health.stdout).toMatch(/NOT healthy\n$/);
}, 120_000);
