// The skein command as a user runs it: `start` brings up ZooKeeper and the broker and says where in one
// line, real clients use both, SIGTERM stops it cleanly; bad configuration is refused naming the key.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import zookeeper from 'node-zookeeper-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROOT } from '../../helpers/crash.js';

const MAIN = join(ROOT, 'dist/src/cli/main.js');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'skein-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runToExit(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('start serves Kafka and ZooKeeper, logs one line saying where, and stops on SIGTERM', async () => {
  const data = join(dir, 'node');
  const child = spawn(process.execPath, [MAIN, 'start', '--data-dir', data, '--kafka-port', '0', '--zookeeper-port', '0'], {
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

  expect((await runToExit(['kafka'])).stderr).toMatch(/--config <server.properties> is required/);
  expect((await runToExit(['frobnicate'])).code).toBe(2);
  const help = await runToExit(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/start .*zookeeper/s);
});
