import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, test } from 'vitest';
import { TailCache } from '../../../src/log/tail-cache.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function batch(baseOffset: number, bytes: number) {
  return { baseOffset, lastOffset: baseOffset, bytes: Buffer.alloc(bytes) };
}

test('serves the newest written batches within the budget and every unwritten one', () => {
  const cache = new TailCache(250);
  for (let o = 0; o < 10; o++) cache.push(batch(o, 100));
  cache.evict(5);
  expect(cache.firstOffset).toBe(5);
  cache.evict(10);
  expect(cache.firstOffset).toBe(8);
  expect(cache.read(8, 1000, 10, true)?.chunks).toHaveLength(2);
  expect(cache.read(3, 1000, 10, true)).toBeUndefined();
});

test('batches followers have yet to fetch stay within the larger replica budget', () => {
  const cache = new TailCache(250, 650);
  for (let o = 0; o < 10; o++) cache.push(batch(o, 100));
  // Everything written, replicated below 6: the budget alone keeps 8 and 9.
  cache.evict(10, 6);
  expect(cache.firstOffset).toBe(6);
  // Replicated below 2 only: the replica budget keeps 4..9 and lets 2 and 3 go past it.
  const again = new TailCache(250, 650);
  for (let o = 0; o < 10; o++) again.push(batch(o, 100));
  again.evict(10, 2);
  expect(again.firstOffset).toBe(4);
  // Unwritten batches stay whatever the budgets.
  again.evict(3, 0);
  expect(again.firstOffset).toBe(4);
});

/** Pushes batch 0 and keeps only a weak reference to its buffer. */
function pushTracked(cache: TailCache): WeakRef<Buffer> {
  const first = batch(0, 64 * 1024);
  cache.push(first);
  return new WeakRef(first.bytes);
}

test('a batch leaving the cache is no longer held, however many follow it', async () => {
  // Under a long run of large batches the array of entries is compacted only now and then; the
  // buffers of evicted entries must not wait for that (a 1 MiB batch times a thousand is a gigabyte).
  const cache = new TailCache(64 * 1024);
  const ref = pushTracked(cache);
  for (let o = 1; o < 100; o++) {
    cache.push(batch(o, 64 * 1024));
    cache.evict(o);
  }
  await new Promise((r) => setImmediate(r));
  gc();
  expect(ref.deref()).toBeUndefined();
  expect(cache.sizeBytes).toBeLessThanOrEqual(2 * 64 * 1024);
});
