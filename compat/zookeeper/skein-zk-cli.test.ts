// `skein zk ...` against Apache ZooKeeper 3.8.0 (Debian's package), an ensemble of three: the commands
// speak the plain protocol, so they work on the reference as on Skein. Also `skein cluster`'s ZooKeeper
// probe reads each server's mode (leader, follower) from the reference's own srvr answers.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseSrvr } from '../../src/cli/commands/cluster.js';
import { fourLetterWord } from '../../src/zookeeper/client/four-letter-word.js';
import { skein } from '../../test/helpers/skein-cli.js';
import { ZkEnsemble } from '../../test/helpers/zk-ensemble.js';

let ensemble: ZkEnsemble;
let target: { kafka: string; zookeeper: string };

beforeAll(async () => {
  ensemble = await ZkEnsemble.start({ size: 3, impl: 'apache' });
  target = { kafka: '127.0.0.1:1', zookeeper: ensemble.connectString };
});
afterAll(async () => {
  await ensemble?.destroy();
});

test('create, get, set, stat, ls -R, acl, delete -R on Apache ZooKeeper', async () => {
  expect((await skein(target, ['zk', 'create', '/cli/a/b', 'one', '--parents'])).stdout).toBe('/cli/a/b\n');
  expect((await skein(target, ['zk', 'create', '/cli/seq-', 'x', '--sequential'])).stdout).toBe('/cli/seq-0000000001\n');
  // TTL nodes are off in Apache ZooKeeper unless extendedTypesEnabled: refused in one line.
  const ttl = await skein(target, ['zk', 'create', '/cli/ttl', 'x', '--ttl', '60000']);
  expect(ttl.code).toBe(1);
  expect(ttl.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect((await skein(target, ['zk', 'create', '/cli/box', '--container'])).stdout).toBe('/cli/box\n');
  expect((await skein(target, ['zk', 'get', '/cli/a/b'])).stdout).toBe('one');
  expect((await skein(target, ['zk', 'set', '/cli/a/b', 'two'])).code).toBe(0);
  const stat = JSON.parse((await skein(target, ['zk', 'stat', '/cli/a/b', '--format', 'json'])).stdout) as { dataVersion: number; dataLength: number };
  expect(stat).toMatchObject({ dataVersion: 1, dataLength: 3 });
  expect((await skein(target, ['zk', 'ls', '-R', '/cli'])).stdout).toBe(['/cli', '├── a', '│   └── b', '├── box', '└── seq-0000000001', ''].join('\n'));
  expect((await skein(target, ['zk', 'acl', '/cli'])).stdout).toMatch(/world\s+anyone\s+rwcda/);
  expect((await skein(target, ['zk', 'delete', '-R', '/cli'])).stdout).toBe('deleted /cli and 4 znodes below it\n');
  const missing = await skein(target, ['zk', 'get', '/cli']);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toBe('skein zk get: /cli: no such znode (`skein zk ls` lists them)\n');
});

test("skein cluster's ZooKeeper probe reads Apache's srvr: one leader, two followers", async () => {
  const modes = await Promise.all(ensemble.connectString.split(',').map(async (s) => parseSrvr(await fourLetterWord({ host: '127.0.0.1', port: Number(s.split(':')[1]) }, 'srvr')).mode));
  expect(modes.sort()).toEqual(['follower', 'follower', 'leader']);
});
