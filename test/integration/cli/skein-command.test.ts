// The skein command as a user runs it: `start` brings up ZooKeeper and the broker and says where in one
// line, real clients use both, SIGTERM stops it cleanly; bad configuration is refused naming the key, and
// a start that fails (port in use, unusable or locked data directory, bad log level) says why in one line.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import zookeeper from 'node-zookeeper-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DirLock } from '../../../src/fs/dir-lock.js';
import { ROOT } from '../../helpers/crash.js';
import { freePort } from '../../helpers/free-port.js';

const MAIN = join(ROOT, 'dist/src/cli/main.js');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'skein-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runToExit(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: dir, env: { ...process.env, SKEIN_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs skein until it prints `ready`, then stops it with SIGTERM; resolves with all it printed. */
async function runUntilReady(args: string[], ready: string): Promise<string> {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, SKEIN_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(ready)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
  child.kill('SIGTERM');
  await exited;
  return out;
}

/** The start's summary line: the last one logged before the SIGTERM that runUntilReady sends. */
function startSummary(out: string, msg: string): Record<string, unknown> {
  const lines = out.trim().split('\n');
  const stopping = lines.findIndex((l) => l.includes('"shutting down"'));
  const beforeStop = stopping < 0 ? lines : lines.slice(0, stopping);
  const summary = JSON.parse(beforeStop.at(-1)!) as Record<string, unknown>;
  expect(summary.msg).toBe(msg);
  return summary;
}

test('start serves Kafka and ZooKeeper, logs one line saying where, and stops on SIGTERM', async () => {
  const data = join(dir, 'node');
  const child = spawn(process.execPath, [MAIN, 'start', '--data-dir', data, '--kafka-port', '0', '--zookeeper-port', '0', '--http-port', '0'], {
    env: { ...process.env, SKEIN_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const started = await new Promise<{ kafka: string; zookeeper: string; dataDir: string }>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"skein node started"'));
      if (line) resolve(JSON.parse(line) as { kafka: string; zookeeper: string; dataDir: string });
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
  expect(started.dataDir).toBe(data);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

  const kafka = new Kafka({ brokers: [started.kafka], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  expect((await admin.describeCluster()).brokers).toHaveLength(1);
  await admin.disconnect();

  const zk = zookeeper.createClient(started.zookeeper);
  await new Promise<void>((resolve) => zk.once('connected', () => resolve()).connect());
  const path = await new Promise<string>((resolve, reject) =>
    zk.create('/cli', Buffer.from('x'), zookeeper.ACL.OPEN_ACL_UNSAFE, zookeeper.CreateMode.PERSISTENT, (e: Error | null, p: string) => (e ? reject(e) : resolve(p))),
  );
  expect(path).toBe('/cli');
  zk.close();

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(out).toContain('"msg":"stopped"');
});

test('kafka --config refuses a bad value naming the key; usage mistakes exit 2', async () => {
  const bad = join(dir, 'bad.properties');
  writeFileSync(bad, 'num.partitions=many\n');
  const refused = await runToExit(['kafka', '--config', bad]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/num\.partitions \(line 1\): expected an integer/);

  expect((await runToExit(['kafka'])).stderr).toMatch(/^skein kafka: required option '--config <server.properties>' not specified/);
  expect((await runToExit(['frobnicate'])).code).toBe(2);
  const help = await runToExit(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/start .*zookeeper/s);
  const startHelp = await runToExit(['start', '--help']);
  expect(startHelp.code).toBe(0);
  expect(startHelp.stdout).toMatch(/^Usage: skein start \[options\]/);
  expect(startHelp.stdout).toMatch(/--data-dir <dir>[\s\S]*--log-format <format>[\s\S]*Examples:\n {2}\$ skein start/);
  const version = await runToExit(['--version']);
  expect(version.code).toBe(0);
  expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
});

test('zookeeper --config refuses an ensemble config without myid in one line that says where myid goes', async () => {
  const cfg = join(dir, 'ensemble.cfg');
  const zk = join(dir, 'zk');
  writeFileSync(cfg, `dataDir=${zk}\nclientPort=0\ninitLimit=10\nsyncLimit=5\nserver.1=zk1:2888:3888\nserver.2=zk2:2888:3888\nserver.3=zk3:2888:3888\n`);
  const noMyid = await runToExit(['zookeeper', '--config', cfg]);
  expect(noMyid.code).toBe(2);
  expect(noMyid.stderr).toBe(`skein zookeeper: dataDir=${zk} has no myid file: write this server's id (one of 1, 2, 3 from server.N) to ${join(zk, 'myid')}\n`);
  expect(noMyid.stdout).not.toContain('listening');
});

test('zookeeper --myid writes a missing myid, and refuses a dataDir whose myid names another server', async () => {
  const zk = join(dir, 'zk-myid');
  const cfg = join(dir, 'myid.cfg');
  // Server 2 is this one; 1 and 3 never come up, so the member starts and waits for a quorum.
  writeFileSync(cfg, `dataDir=${zk}\nclientPort=0\nclientPortAddress=127.0.0.1\ninitLimit=10\nsyncLimit=5\nserver.1=127.0.0.1:1:2\nserver.2=127.0.0.1:${await freePort()}:${await freePort()}\nserver.3=127.0.0.1:4:5\n`);
  const out = await runUntilReady(['zookeeper', '--config', cfg, '--myid', '2'], '"skein zookeeper started"');
  expect(readFileSync(join(zk, 'myid'), 'utf8')).toBe('2\n');
  // The start's summary (its election goes on logging after it: servers 1 and 3 never come).
  const summary = out.split('\n').find((l) => l.includes('"skein zookeeper started"'))!;
  expect(JSON.parse(summary)).toMatchObject({ mode: 'member 2 of a 3-server ensemble', dataDir: zk, http: 'off' });
  const other = await runToExit(['zookeeper', '--config', cfg, '--myid', '3']);
  expect(other.code).toBe(2);
  expect(other.stderr).toBe(`skein zookeeper: --myid 3: ${join(zk, 'myid')} says "2": this dataDir is another server's\n`);
  expect((await runToExit(['zookeeper', '--config', cfg, '--myid', 'two'])).stderr).toMatch(/--myid must be a server id/);
});

/** A port something else listens on for the duration of `use`. */
async function withPortTaken<T>(use: (port: number) => Promise<T>): Promise<T> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await use((server.address() as { port: number }).port);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Runs skein expecting it to fail at start with `line` as the only line on stderr (no stack trace) and exit 1 or 2. */
async function expectFailure(args: string[], line: string | RegExp, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await runToExit(args, env);
  if (typeof line === 'string') expect(r.stderr).toBe(`${line}\n`);
  else expect(r.stderr).toMatch(new RegExp(`^${line.source}\n$`));
  expect([1, 2]).toContain(r.code);
  return r.stdout;
}

function writeConfig(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

test('a listener port already in use is one line naming the setting, for either server', async () => {
  await withPortTaken(async (port) => {
    const kafka = writeConfig('busy.properties', [`listeners=PLAINTEXT://127.0.0.1:${port}`, `log.dirs=${join(dir, 'busy-kafka')}`]);
    await expectFailure(['kafka', '--config', kafka], `skein kafka: listeners=PLAINTEXT://127.0.0.1:${port}: port ${port} is already in use`);
    const zk = writeConfig('busy.cfg', [`dataDir=${join(dir, 'busy-zk')}`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1']);
    await expectFailure(['zookeeper', '--config', zk], `skein zookeeper: clientPortAddress=127.0.0.1 clientPort=${port}: port ${port} is already in use`);
    const data = join(dir, 'busy-node');
    await expectFailure(['start', '--data-dir', data, '--kafka-port', String(port), '--zookeeper-port', '0'], `skein start: --kafka-port=${port}: port ${port} is already in use`);
    await expectFailure(['start', '--data-dir', data, '--kafka-port', '0', '--zookeeper-port', String(port)], `skein start: --zookeeper-port=${port}: port ${port} is already in use`);
  });
});

test('a data directory that cannot be one is one line naming the setting, before anything listens', async () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a directory\n');
  const under = join(file, 'data');
  let stdout = await expectFailure(
    ['start', '--data-dir', under, '--kafka-port', '0', '--zookeeper-port', '0'],
    `skein start: --data-dir=${under}: cannot mkdir ${join(under, 'zookeeper')}: not a directory`,
  );
  expect(stdout).not.toContain('listening');
  // The broker's directory is checked before ZooKeeper starts, not after.
  stdout = await expectFailure(
    ['start', '--data-dir', join(dir, 'node-ok'), '--kafka-port', '0', '--zookeeper-port', '0', '--override', `log.dirs=${file}`],
    `skein start: log.dirs=${file}: cannot mkdir ${file}: file already exists`,
  );
  expect(stdout).not.toContain('listening');
  const kafka = writeConfig('file-dir.properties', ['listeners=PLAINTEXT://127.0.0.1:0', `log.dirs=${under}`]);
  // Whichever file of the directory the broker touches first is the one named.
  const escaped = under.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await expectFailure(['kafka', '--config', kafka], new RegExp(`skein kafka: log\\.dirs=${escaped}: cannot \\w+ ${escaped}\\S*: not a directory`));
  const zk = writeConfig('file-dir.cfg', [`dataDir=${under}`, 'clientPort=0', 'clientPortAddress=127.0.0.1']);
  await expectFailure(['zookeeper', '--config', zk], `skein zookeeper: dataDir=${under}: cannot mkdir ${under}: not a directory`);
});

test('a data directory locked by another process is one line naming the holder', async () => {
  const data = join(dir, 'locked-node');
  const kafkaDir = join(data, 'kafka');
  const zkDir = join(data, 'zookeeper');
  mkdirSync(kafkaDir, { recursive: true });
  mkdirSync(zkDir, { recursive: true });
  const locks = await DirLock.acquireAll([kafkaDir, zkDir]);
  try {
    const holder = `is locked by process ${process.pid}`;
    const stdout = await expectFailure(['start', '--data-dir', data, '--kafka-port', '0', '--zookeeper-port', '0'], `skein start: --data-dir=${data}: ${zkDir} ${holder}`);
    expect(stdout).not.toContain('listening');
    const kafka = writeConfig('locked.properties', ['listeners=PLAINTEXT://127.0.0.1:0', `log.dirs=${kafkaDir}`]);
    await expectFailure(['kafka', '--config', kafka], `skein kafka: log.dirs=${kafkaDir}: ${kafkaDir} ${holder}`);
    const zk = writeConfig('locked.cfg', [`dataDir=${zkDir}`, 'clientPort=0', 'clientPortAddress=127.0.0.1']);
    await expectFailure(['zookeeper', '--config', zk], `skein zookeeper: dataDir=${zkDir}: ${zkDir} ${holder}`);
  } finally {
    await Promise.all(locks.map((l) => l.release()));
  }
});

test('every setting is checked before anything listens, the log level included', async () => {
  const args = ['start', '--data-dir', join(dir, 'checked-node'), '--kafka-port', '0', '--zookeeper-port', '0'];
  const stdout = await expectFailure([...args, '--override', 'num.partitions=many'], 'skein start: num.partitions (--override): expected an integer, got "many"');
  expect(stdout).not.toContain('listening');
  await expectFailure(args, 'skein start: SKEIN_LOG_LEVEL=nonsense: not a log level (trace, debug, info, warn, error, fatal, silent)', { SKEIN_LOG_LEVEL: 'nonsense' });
});

test('server.properties keys without effect are reported in one warning', async () => {
  const config = writeConfig('zk-keys.properties', [
    'listeners=PLAINTEXT://127.0.0.1:0',
    `log.dirs=${join(dir, 'zk-keys')}`,
    'num.network.threads=3',
    'background.threads=10',
  ]);
  const out = await runUntilReady(['kafka', '--config', config], '"skein kafka started"');
  expect(startSummary(out, 'skein kafka started')).toMatchObject({ brokerId: 0, listeners: ['PLAINTEXT://127.0.0.1:0'], zookeeper: 'none (a broker alone)', dataDir: join(dir, 'zk-keys') });
  const warnings = out
    .split('\n')
    .filter((l) => l.includes('without effect'))
    .map((l) => JSON.parse(l) as { level: number; keys: string[] });
  expect(warnings).toEqual([expect.objectContaining({ level: 40, keys: ['num.network.threads', 'background.threads'] })]);
});

test('a broker that gets no ZooKeeper session is one line naming zookeeper.connect', async () => {
  // A port nothing listens on: every attempt is refused until the connection timeout.
  const port = await freePort();
  const config = writeConfig('no-zk.properties', [
    'listeners=PLAINTEXT://127.0.0.1:0',
    `log.dirs=${join(dir, 'no-zk')}`,
    `zookeeper.connect=127.0.0.1:${port}/skein`,
    'zookeeper.connection.timeout.ms=1000',
  ]);
  await expectFailure(['kafka', '--config', config], `skein kafka: zookeeper.connect: no ZooKeeper session from 127.0.0.1:${port}/skein within 1000 ms`);
});
