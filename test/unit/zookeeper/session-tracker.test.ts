import { describe, expect, it } from 'vitest';
import { SessionTracker } from '../../../src/zookeeper/session-tracker.js';

describe('SessionTracker', () => {
  it('rounds deadlines up to the next tick and expires each session once', () => {
    const t = new SessionTracker(100);
    t.add(1n, 250, 1000);
    expect(t.get(1n)!.expiresAt).toBe(1300);
    expect(t.expire(1299)).toEqual([]);
    expect(t.expire(1300).map((s) => s.id)).toEqual([1n]);
    expect(t.isLive(1n)).toBe(false);
    expect(t.expire(5000)).toEqual([]);
    t.remove(1n);
    expect(t.size).toBe(0);
  });

  it('pushes the deadline out on touch, but not for closing sessions', () => {
    const t = new SessionTracker(100);
    t.add(1n, 200, 0);
    t.add(2n, 200, 0);
    expect(t.touch(1n, 150)).toBe(true);
    expect(t.expire(300).map((s) => s.id)).toEqual([2n]);
    expect(t.expire(400).map((s) => s.id)).toEqual([1n]);
    t.add(3n, 200, 0);
    t.setClosing(3n);
    expect(t.touch(3n, 100)).toBe(false);
    expect(t.touch(99n, 100)).toBe(false);
  });

  it('lists deadline buckets in time order', () => {
    const t = new SessionTracker(10);
    t.add(5n, 30, 0);
    t.add(6n, 10, 0);
    t.add(7n, 30, 0);
    expect(t.buckets()).toEqual([
      [20, [6n]],
      [40, [5n, 7n]],
    ]);
  });
});
