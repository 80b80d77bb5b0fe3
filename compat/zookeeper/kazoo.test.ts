// kazoo (Debian python3-kazoo) recipes against Skein: Lock, Election, Counter, Barrier, LockingQueue,
// DataWatch, ChildrenWatch and transactions.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTHON, run } from '../helpers/commands.js';
import { zooKeeperForTests } from '../helpers/skein-process.js';

const SCRIPT = join(import.meta.dirname, 'kazoo_recipes.py');
const zk = zooKeeperForTests();

async function recipe(name: string): Promise<Record<string, unknown>> {
  const { code, stdout, stderr } = await run(PYTHON, [SCRIPT, zk().address, name]);
  if (code !== 0) throw new Error(`kazoo ${name} failed (${code}):\n${stderr}`);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

describe('kazoo recipes', () => {
  it('Lock: holders never overlap and the lock is left free', async () => {
    expect(await recipe('lock')).toEqual({ holds: 9, overlaps: 0, contenders_after: [] });
  });

  it('Election: every candidate leads in turn, one at a time', async () => {
    expect(await recipe('election')).toEqual({ leaders: ['c0', 'c1', 'c2'], max_concurrent_leaders: 1 });
  });

  it('Counter: concurrent increments from three clients all count', async () => {
    expect(await recipe('counter')).toEqual({ value: 60 });
  });

  it('Barrier: a waiter blocks until the barrier is removed', async () => {
    expect(await recipe('barrier')).toEqual({ waiting_before_remove: true, passed: true });
  });

  it('LockingQueue: items come out by priority, then in order, and are consumed', async () => {
    expect(await recipe('locking_queue')).toEqual({ got: ['urgent', 'first', 'second'], remaining: 0 });
  });

  it('DataWatch: sees each value, then the deletion', async () => {
    expect(await recipe('data_watch')).toEqual({ seen: ['', 'one', 'two', 'three', null] });
  });

  it('ChildrenWatch: sees each membership change', async () => {
    expect(await recipe('children_watch')).toEqual({ seen: [[], ['a'], ['a', 'b'], ['b']] });
  });

  it('transactions: commit and all-or-nothing rollback; server_version from envi', async () => {
    expect(await recipe('transactions')).toEqual({
      ok: ['/recipes/tx/a', 'ZnodeStat', true],
      failed: ['RolledBackError', 'BadVersionError', 'RuntimeInconsistency'],
      b_exists: false,
      a_exists: true,
      rolled_back: true,
      server_version: [3, 8, 0],
    });
  });
});
