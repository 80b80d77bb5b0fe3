// zkCli (Debian `zookeeper` package, the Java 3.8 client) against Skein, output checked line by line.
import { describe, expect, it } from 'vitest';
import { run } from '../helpers/commands.js';
import { zooKeeperForTests } from '../helpers/skein-process.js';

const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';
const zk = zooKeeperForTests();

/**
 * Runs commands in one zkCli session (stdin), returning its output lines without logging noise. Errors
 * go to stderr, so both streams are merged by the shell to keep their order.
 */
async function zkCli(commands: string[]): Promise<string[]> {
  const { stdout } = await run(
    'sh',
    ['-c', 'exec "$0" "$@" 2>&1', ZKCLI, '-server', zk().address],
    `${[...commands, 'quit'].join('\n')}\n`,
  );
  return stdout.split('\n').filter((l) => !l.startsWith('SLF4J') && l.trim() !== '');
}

describe('zkCli', () => {
  it('creates ephemeral and sequential nodes, lists recursively and shows stats', async () => {
    const out = await zkCli([
      'create /cli data1',
      'create -e /cli/eph e',
      'create -s /cli/seq- s',
      'create -s /cli/seq- s',
      'ls -R /cli',
      'get -s /cli',
      'get -s /cli/eph',
    ]);
    expect(out).toContain('Created /cli');
    expect(out).toContain('Created /cli/eph');
    expect(out).toContain('Created /cli/seq-0000000001');
    expect(out).toContain('Created /cli/seq-0000000002');
    const ls = out.indexOf('/cli');
    expect(out.slice(ls, ls + 4)).toEqual(['/cli', '/cli/eph', '/cli/seq-0000000001', '/cli/seq-0000000002']);
    expect(out).toContain('data1');
    expect(out).toContain('dataVersion = 0');
    expect(out).toContain('cversion = 3');
    expect(out).toContain('numChildren = 3');
    expect(out).toContain('dataLength = 5');
    expect(out.filter((l) => l.startsWith('ephemeralOwner = '))).toEqual([
      'ephemeralOwner = 0x0',
      expect.stringMatching(/^ephemeralOwner = 0x[0-9a-f]+$/),
    ]);
    expect(out.filter((l) => /^cZxid = 0x[0-9a-f]+$/.test(l))).toHaveLength(2);
  });

  it('sets data with versions and deletes', async () => {
    const out = await zkCli([
      'create /cli2 v0',
      'set /cli2 v1',
      'set -v 0 /cli2 stale',
      'get -s /cli2',
      'delete /cli2',
      'get /cli2',
    ]);
    expect(out.some((l) => l.includes('version No is not valid : /cli2'))).toBe(true);
    expect(out).toContain('v1');
    expect(out).toContain('dataVersion = 1');
    expect(out.some((l) => l.includes('Node does not exist: /cli2'))).toBe(true);
  });

  it('deletes whole subtrees with deleteall, reported to a recursive addWatch', async () => {
    const out = await zkCli([
      'create /tree',
      'create /tree/a',
      'create /tree/a/b',
      'create /tree/c',
      'addWatch -m PERSISTENT_RECURSIVE /tree',
      'deleteall /tree',
      'ls /',
    ]);
    const deleted = out.filter((l) => l.includes('type:NodeDeleted')).map((l) => l.replace(/.*path:/, ''));
    expect(deleted.sort()).toEqual(['/tree', '/tree/a', '/tree/a/b', '/tree/c']);
    expect(out.some((l) => l.includes('type:NodeChildrenChanged'))).toBe(false);
    const root = out.find((l) => /^\[.*\]$/.test(l));
    expect(root).toContain('zookeeper');
    expect(root).not.toContain('tree');
  });

  it('reports errors as ZooKeeper does', async () => {
    const out = await zkCli(['create /dup', 'create /dup', 'create /no/parent', 'delete /zookeeper']);
    expect(out.some((l) => l.includes('Node already exists: /dup'))).toBe(true);
    expect(out.some((l) => l.includes('Node does not exist: /no/parent'))).toBe(true);
    expect(out).toContain('Arguments are not valid : /zookeeper');
  });
});
