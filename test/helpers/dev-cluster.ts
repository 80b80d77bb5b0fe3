// `skein dev-cluster` as a child process for tests: started on free consecutive ports in a temp dir,
// its brokers' and ZooKeeper servers' pids and config files read from the "dev cluster started" line, so
// a test can kill -9 one broker and start it again with `skein kafka --config`, as an operator would, or
// kill -9 a ZooKeeper server.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './crash.js';
import { freePortRange } from './free-port.js';

export const MAIN = join(ROOT, 'dist/src/cli/main.js');

/** A broker or ZooKeeper server of the cluster. */
export interface DevBroker {
  id: number;
  port: number;
  pid: number;
  config: string;
}

export interface DevCluster {
  bootstrap: string;
  /** The ZooKeeper connect string the brokers use: every server of the ensemble. */
  zookeeper: string;
  brokers: DevBroker[];
  zookeepers: DevBroker[];
  /** Everything printed so far, for a failing test's message. */
  output(): string;
  /** kill -9 of one broker process. */
  kill(id: number): void;
  /** kill -9 of one ZooKeeper server process. */
  killZooKeeper(id: number): void;
  /** Starts a killed broker again from its server.properties; resolves once it listens. */
  restart(id: number): Promise<void>;
  /** SIGINT, as Ctrl-C; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Removes the data directory (after stop). */
  remove(): void;
}

function waitForLine(child: ChildProcess, text: string, collect: (s: string) => void, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`no "${text}" within ${timeoutMs} ms:\n${buf.slice(-3000)}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      const s = d.toString();
      collect(s);
      buf += s;
      const line = buf.split('\n').find((l) => l.includes(text));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before "${text}":\n${buf.slice(-3000)}`));
    });
  });
}

/** `zookeeperNodes`: the ensemble's size; unset, dev-cluster's default (3 from 3 brokers up). */
export async function startDevCluster(nodes: number, overrides: string[] = [], zookeeperNodes?: number): Promise<DevCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'skein-dev-cluster-'));
  const zkNodes = zookeeperNodes ?? (nodes >= 3 ? 3 : 1);
  const args = [
    'dev-cluster',
    '--nodes',
    String(nodes),
    '--zookeeper-nodes',
    String(zkNodes),
    '--data-dir',
    dir,
    '--kafka-port',
    String(await freePortRange(nodes)),
    '--zookeeper-port',
    String(await freePortRange(zkNodes)),
    '--quorum-port',
    String(await freePortRange(2 * zkNodes)),
  ];
  for (const o of overrides) args.push('--override', o);
  const env = { ...process.env, SKEIN_LOG_LEVEL: 'info' };
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const collect = (s: string) => (out += s);
  child.stderr!.on('data', (d: Buffer) => collect(d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const line = await waitForLine(child, '"dev cluster started"', collect, 60_000);
  const started = JSON.parse(line) as { bootstrap: string; zookeeper: string; brokers: DevBroker[]; zookeepers: DevBroker[] };
  const restarted: ChildProcess[] = [];
  const cluster: DevCluster = {
    bootstrap: started.bootstrap,
    zookeeper: started.zookeeper,
    brokers: started.brokers,
    zookeepers: started.zookeepers,
    output: () => out,
    kill(id) {
      const b = cluster.brokers.find((x) => x.id === id)!;
      process.kill(b.pid, 'SIGKILL');
    },
    killZooKeeper(id) {
      process.kill(cluster.zookeepers.find((x) => x.id === id)!.pid, 'SIGKILL');
    },
    async restart(id) {
      const b = cluster.brokers.find((x) => x.id === id)!;
      const again = spawn(process.execPath, [MAIN, 'kafka', '--config', b.config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      again.stderr!.on('data', (d: Buffer) => collect(d.toString()));
      restarted.push(again);
      await waitForLine(again, '"kafka broker listening"', collect, 60_000);
      b.pid = again.pid!;
    },
    async stop() {
      for (const r of restarted) if (r.exitCode === null) r.kill('SIGTERM');
      child.kill('SIGINT');
      const code = await exited;
      await Promise.all(restarted.map((r) => (r.exitCode === null && r.signalCode === null ? new Promise((res) => r.once('exit', res)) : undefined)));
      return code;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
