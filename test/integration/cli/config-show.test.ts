// `skein config show` as a user types it: what the environment and --override change, with sources,
// secrets hidden, and a bad value refused in one line naming its variable.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { ROOT } from '../../helpers/crash.js';

const MAIN = join(ROOT, 'dist/src/cli/main.js');

async function skein(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('config show kafka: file, environment and --override with their sources, secrets hidden', async () => {
  const r = await skein(['config', 'show', 'kafka', '--config', 'config/docker/server.properties', '--override', 'min.insync.replicas=1', '--changed', '--format', 'json'], {
    KAFKA_CFG_BROKER_ID: '2',
    KAFKA_CFG_MIN_INSYNC_REPLICAS: '3',
    KAFKA_CFG_SASL_JAAS_CONFIG: 'secret',
  });
  expect(r.stderr).toBe('');
  const shown = new Map((JSON.parse(r.stdout) as { key: string; value: string; source: string }[]).map((s) => [s.key, s]));
  expect(shown.get('broker.id')).toMatchObject({ value: '2', source: 'env KAFKA_CFG_BROKER_ID' });
  expect(shown.get('min.insync.replicas')).toMatchObject({ value: '1', source: '--override' });
  expect(shown.get('log.dirs')).toMatchObject({ value: '/data/kafka', source: 'config/docker/server.properties:7' });
  expect(shown.get('sasl.jaas.config')?.value).toBe('[hidden]');
  expect(r.stdout).not.toContain('secret');
});

test('config show zookeeper reads ZOO_CFG_ names as zoo.cfg keys; a bad value is one line naming the variable', async () => {
  const table = await skein(['config', 'show', 'zookeeper', '--changed'], { ZOO_CFG_TICK_TIME: '500', ZOO_CFG_MAX_CLIENT_CNXNS: '10' });
  expect(table.code).toBe(0);
  expect(table.stdout.split('\n')[0]).toMatch(/^KEY +VALUE +SOURCE$/);
  expect(table.stdout).toMatch(/^tickTime +500 +env ZOO_CFG_TICK_TIME$/m);
  expect(table.stdout).toMatch(/^maxClientCnxns +10 +env ZOO_CFG_MAX_CLIENT_CNXNS$/m);
  const bad = await skein(['config', 'show', 'zookeeper'], { ZOO_CFG_TICK_TIME: 'fast' });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe('skein config show: tickTime (env ZOO_CFG_TICK_TIME): expected an integer, got "fast"\n');
});
