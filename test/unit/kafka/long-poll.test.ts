// The long poll of a Fetch: it ends once the watched logs grew by the bytes it needs (each counted up to
// the partition's limit) or when its time runs out, and it leaves no listener behind.
import { expect, test } from 'vitest';
import type { PartitionLog } from '../../../src/log/partition-log.js';
import { waitForBytes } from '../../../src/kafka/fetch/long-poll.js';

/** The two things the long poll reads from a log: its size and high watermark changes. */
class FakeLog {
  sizeBytes = 1000;
  private hw = 0;
  readonly listeners = new Set<(hw: number) => void>();

  onHighWatermark(listener: (hw: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(bytes: number): void {
    this.sizeBytes += bytes;
    this.hw++;
    for (const l of this.listeners) l(this.hw);
  }

  asLog(): PartitionLog {
    return this as unknown as PartitionLog;
  }
}

function settled(p: Promise<void>): { done: () => boolean; end: Promise<void> } {
  let done = false;
  const end = p.then(() => {
    done = true;
  });
  return { done: () => done, end };
}

test('ends when appends across partitions bring the bytes needed', async () => {
  const a = new FakeLog();
  const b = new FakeLog();
  const { done } = settled(waitForBytes([{ log: a.asLog(), maxBytes: 1 << 20 }, { log: b.asLog(), maxBytes: 1 << 20 }], 500, 60_000));
  a.append(200);
  await Promise.resolve();
  expect(done()).toBe(false);
  b.append(300);
  await new Promise((r) => setImmediate(r));
  expect(done()).toBe(true);
  expect(a.listeners.size + b.listeners.size).toBe(0);
});

test('a partition counts at most its own limit', async () => {
  const a = new FakeLog();
  const { done, end } = settled(waitForBytes([{ log: a.asLog(), maxBytes: 100 }], 150, 200));
  a.append(10_000);
  await new Promise((r) => setImmediate(r));
  expect(done()).toBe(false);
  expect(a.listeners.size).toBe(1);
  await end;
});

test('shrinking logs never count as growth', async () => {
  const a = new FakeLog();
  const { done, end } = settled(waitForBytes([{ log: a.asLog(), maxBytes: 1 << 20 }], 10, 200));
  a.sizeBytes = 0;
  a.append(5);
  await new Promise((r) => setImmediate(r));
  expect(done()).toBe(false);
  await end;
});

test('ends after max_wait with nothing appended, unsubscribed', async () => {
  const a = new FakeLog();
  await waitForBytes([{ log: a.asLog(), maxBytes: 1 << 20 }], 1, 30);
  expect(a.listeners.size).toBe(0);
});

test('a read_committed wait ends when the last stable offset moves, not on appends behind an open transaction', async () => {
  const log = new FakeLog() as FakeLog & { lastStableOffset: number };
  log.lastStableOffset = 0;
  const { done, end } = settled(waitForBytes([{ log: log.asLog(), maxBytes: 1 << 20, readCommitted: true }], 1, 60_000));
  log.append(5000);
  await Promise.resolve();
  expect(done()).toBe(false);
  log.lastStableOffset = 2;
  log.append(100);
  await end;
});
