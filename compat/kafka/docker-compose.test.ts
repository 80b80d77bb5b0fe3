// docker-compose.yml without Docker: every service's command line, as the compose file gives it, runs
// as its own process on loopback, each "container" on its own address (127.0.0.11-13 for ZooKeeper,
// 127.0.0.21-23 for the brokers) so the same ports serve every one of them, as in containers. What a
// container has differently is mapped, and only that: service names resolve to those addresses, 0.0.0.0
// is the container's own address, /data is a temp dir per service, and a port published to the host
// (localhost:9093 -> the container's 9092) is the container's port. Then the 3-server ensemble forms
// from --myid alone, the brokers form a cluster over their INTERNAL listener, and kcat on each EXTERNAL
// listener sees the three brokers at their EXTERNAL endpoints and moves records through them.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROOT, SKEIN_MAIN, ServerProcess, skeinEnv, type CommandLine } from '../../test/helpers/server-process.js';
import { PYTHON, run } from '../helpers/commands.js';

interface Service {
  command: string[];
  /** The container's variables (KAFKA_CFG_* for the brokers). */
  environment?: Record<string, string>;
  ports: string[];
  volumes: string[];
}

/** A loopback address per service, standing for its container. */
const ADDRESSES: Record<string, string> = {
  'zookeeper-1': '127.0.0.11',
  'zookeeper-2': '127.0.0.12',
  'zookeeper-3': '127.0.0.13',
  'kafka-1': '127.0.0.21',
  'kafka-2': '127.0.0.22',
  'kafka-3': '127.0.0.23',
};

class Container extends ServerProcess {
  constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly env: Record<string, string>,
  ) {
    super(name.startsWith('kafka') ? '"kafka broker listening"' : '"ZooKeeper ensemble member listening"');
  }

  protected override commandLine(): CommandLine {
    return { file: process.execPath, args: [SKEIN_MAIN, ...this.args], cwd: ROOT, env: { ...skeinEnv(), ...this.env } };
  }
}

let dir: string;
let services: Record<string, Service>;
const containers: Container[] = [];

/** What running in container `name` changes about a line of its command or config. */
function inContainer(name: string, text: string, published: Map<string, string>): string {
  let out = text.replaceAll('0.0.0.0', ADDRESSES[name]!).replaceAll('/data', join(dir, name, 'data'));
  for (const [hostPort, containerEndpoint] of published) out = out.replaceAll(hostPort, containerEndpoint);
  for (const [service, address] of Object.entries(ADDRESSES)) out = out.replaceAll(`${service}:`, `${address}:`);
  return out.replaceAll('config/docker/', `${join(dir, name)}/`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skein-compose-'));
  const parsed = await run(PYTHON, ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'));
  expect(parsed.code, parsed.stderr).toBe(0);
  services = (JSON.parse(parsed.stdout) as { services: Record<string, Service> }).services;
  expect(Object.keys(services).sort()).toEqual(Object.keys(ADDRESSES).sort());
  // localhost:<host port> is, inside the network, the publishing container's own port.
  const published = new Map<string, string>();
  for (const [name, s] of Object.entries(services)) {
    for (const p of s.ports) {
      const [hostPort, containerPort] = p.split(':');
      published.set(`localhost:${hostPort}`, `${ADDRESSES[name]}:${containerPort}`);
    }
  }
  for (const [name, s] of Object.entries(services)) {
    mkdirSync(join(dir, name), { recursive: true });
    for (const file of ['zoo.cfg', 'server.properties']) {
      const text = readFileSync(join(ROOT, 'config/docker', file), 'utf8');
      writeFileSync(join(dir, name, file), inContainer(name, text, published));
    }
    const env = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, inContainer(name, v, published)]));
    containers.push(new Container(name, s.command.map((arg) => inContainer(name, arg, published)), env));
  }
  copyFileSync(join(ROOT, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
  // The ensemble first, all at once (each waits for a quorum), then the brokers: compose's depends_on.
  await Promise.all(containers.filter((c) => c.name.startsWith('zookeeper')).map((c) => c.launch()));
  await Promise.all(containers.filter((c) => c.name.startsWith('kafka')).map((c) => c.launch()));
}, 120_000);

afterAll(async () => {
  for (const c of containers.filter((x) => x.name.startsWith('kafka'))) await c.stop();
  await Promise.all(containers.map((c) => c.stop()));
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

interface KcatMetadata {
  brokers: { id: number; name: string }[];
  topics: { topic: string; partitions: { leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[] }[];
}

test('each ZooKeeper member got its myid from --myid, each broker a distinct id and data volume', () => {
  for (const n of [1, 2, 3]) {
    expect(readFileSync(join(dir, `zookeeper-${n}`, 'data', 'zookeeper', 'myid'), 'utf8')).toBe(`${n}\n`);
  }
  const ids = Object.entries(services)
    .filter(([name]) => name.startsWith('kafka'))
    .map(([, s]) => s.environment?.KAFKA_CFG_BROKER_ID);
  expect(new Set(ids).size).toBe(3);
  expect(new Set(Object.values(services).map((s) => s.volumes[0]!.split(':')[0])).size).toBe(6);
});

test('kcat on each EXTERNAL listener sees three brokers at their EXTERNAL endpoints and moves records with acks=all', async () => {
  const external = ['kafka-1', 'kafka-2', 'kafka-3'].map((name) => `${ADDRESSES[name]}:9092`);
  // The controller's first UpdateMetadata reaches every broker a moment after they register.
  let listed: KcatMetadata | undefined;
  for (let i = 0; i < 100; i++) {
    const r = await run('kcat', ['-b', external[0]!, '-L', '-J']);
    if (r.code === 0) listed = JSON.parse(r.stdout) as KcatMetadata;
    if (listed?.brokers.length === 3) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const bootstrap of external) {
    const r = await run('kcat', ['-b', bootstrap, '-L', '-J']);
    expect(r.code, r.stderr).toBe(0);
    const seen = (JSON.parse(r.stdout) as KcatMetadata).brokers.map((b) => b.name).sort();
    expect(seen).toEqual([...external].sort());
  }
  const records = Array.from({ length: 50 }, (_, i) => `r${i}`);
  // Auto-created with the compose config's default.replication.factor=3; min.insync.replicas=2 holds.
  const produced = await run('kcat', ['-b', external.join(','), '-P', '-t', 'compose', '-X', 'acks=all', '-X', 'message.timeout.ms=60000'], `${records.join('\n')}\n`);
  expect(produced.code, produced.stderr).toBe(0);
  const consumed = await run('kcat', ['-b', external[2]!, '-C', '-t', 'compose', '-o', 'beginning', '-e', '-q']);
  expect(consumed.code, consumed.stderr).toBe(0);
  expect(consumed.stdout.trim().split('\n').sort()).toEqual([...records].sort());
  const topic = JSON.parse((await run('kcat', ['-b', external[1]!, '-L', '-J', '-t', 'compose'])).stdout) as KcatMetadata;
  for (const p of topic.topics[0]!.partitions) expect(p.replicas).toHaveLength(3);
});
