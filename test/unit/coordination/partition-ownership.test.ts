// The partition-ownership seam: which state-topic partitions a coordinator serves, loaded on election and
// dropped on resignation, with late elections, resignations and loads ordered by leader epoch.
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import { PartitionOwnership } from '../../../src/kafka/coordination/partition-ownership.js';

/** Loads the test finishes by hand, and a record of every hook call. */
function tracker() {
  const events: string[] = [];
  const pending = new Map<string, { resolve(state: string): void; reject(err: Error): void; isCurrent: () => boolean }>();
  const ownership = new PartitionOwnership<string>({
    load: (partition, epoch, isCurrent) =>
      new Promise<string>((resolve, reject) => {
        events.push(`load ${partition}@${epoch}`);
        pending.set(`${partition}@${epoch}`, { resolve, reject, isCurrent });
      }),
    loaded: (partition, epoch, state) => events.push(`loaded ${partition}@${epoch} ${state}`),
    unloaded: (partition, epoch) => events.push(`unloaded ${partition}@${epoch}`),
    loadFailed: (partition, epoch, err) => events.push(`failed ${partition}@${epoch} ${(err as Error).message}`),
  });
  return { ownership, events, pending };
}

describe('PartitionOwnership', () => {
  test('a partition is not owned until elected, loading until its load finishes, then loaded', async () => {
    const { ownership, events, pending } = tracker();
    expect(ownership.status(3)).toBe('unowned');
    expect(ownership.refusal(3)).toBe(ErrorCode.NOT_COORDINATOR);
    const done = ownership.onElection(3, 1);
    expect(ownership.status(3)).toBe('loading');
    expect(ownership.refusal(3)).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(ownership.anyLoading).toBe(true);
    pending.get('3@1')!.resolve('groups');
    await done;
    expect(ownership.status(3)).toBe('loaded');
    expect(ownership.refusal(3)).toBe(ErrorCode.NONE);
    expect(ownership.anyLoading).toBe(false);
    expect(ownership.loaded()).toEqual([3]);
    expect(events).toEqual(['load 3@1', 'loaded 3@1 groups']);
  });

  test('resignation unloads a loaded partition; a later election loads it again', async () => {
    const { ownership, events, pending } = tracker();
    const first = ownership.onElection(0, 1);
    pending.get('0@1')!.resolve('a');
    await first;
    ownership.onResignation(0, 2);
    expect(ownership.status(0)).toBe('unowned');
    const second = ownership.onElection(0, 3);
    pending.get('0@3')!.resolve('b');
    await second;
    expect(events).toEqual(['load 0@1', 'loaded 0@1 a', 'unloaded 0@2', 'load 0@3', 'loaded 0@3 b']);
    expect(ownership.epoch(0)).toBe(3);
  });

  test('a load overtaken by resignation is abandoned, even when re-elected before it finishes', async () => {
    const { ownership, events, pending } = tracker();
    const stale = ownership.onElection(1, 4);
    ownership.onResignation(1, 5);
    expect(pending.get('1@4')!.isCurrent()).toBe(false);
    const fresh = ownership.onElection(1, 6);
    pending.get('1@6')!.resolve('fresh');
    await fresh;
    pending.get('1@4')!.resolve('stale');
    await stale;
    // Nothing was loaded when the resignation came, so nothing was unloaded; the stale load never installs.
    expect(events).toEqual(['load 1@4', 'load 1@6', 'loaded 1@6 fresh']);
    expect(ownership.status(1)).toBe('loaded');
  });

  test('an election or resignation older than the epoch last seen is ignored', async () => {
    const { ownership, events, pending } = tracker();
    const loading = ownership.onElection(2, 7);
    pending.get('2@7')!.resolve('x');
    await loading;
    ownership.onResignation(2, 6);
    expect(ownership.status(2)).toBe('loaded');
    ownership.onResignation(2, 8);
    await ownership.onElection(2, 7);
    expect(ownership.status(2)).toBe('unowned');
    expect(events).toEqual(['load 2@7', 'loaded 2@7 x', 'unloaded 2@8']);
  });

  test('re-election of a partition loaded or loading moves its epoch on without loading it again', async () => {
    const { ownership, events, pending } = tracker();
    const first = ownership.onElection(0, 1);
    const again = ownership.onElection(0, 2);
    pending.get('0@1')!.resolve('once');
    await Promise.all([first, again]);
    await ownership.onElection(0, 3);
    expect(events).toEqual(['load 0@1', 'loaded 0@2 once']);
    expect(ownership.epoch(0)).toBe(3);
  });

  test('a failed load leaves the partition unowned', async () => {
    const { ownership, events, pending } = tracker();
    const loading = ownership.onElection(0, 1);
    pending.get('0@1')!.reject(new Error('disk'));
    await loading;
    expect(ownership.status(0)).toBe('unowned');
    expect(events).toEqual(['load 0@1', 'failed 0@1 disk']);
  });

  test('settled waits for every load under way', async () => {
    const { ownership, pending } = tracker();
    void ownership.onElection(0, 1);
    void ownership.onElection(1, 1);
    let settled = false;
    const waiting = ownership.settled().then(() => (settled = true));
    pending.get('0@1')!.resolve('a');
    await Promise.resolve();
    expect(settled).toBe(false);
    pending.get('1@1')!.resolve('b');
    await waiting;
    expect(ownership.loaded()).toEqual([0, 1]);
  });
});
