import { describe, expect, it } from 'vitest';
import { SessionTracker } from '../../../src/zookeeper/session-tracker.js';

describe('SessionTracker', () => {
  it('rounds deadlines up to the next tick and expires each session once', () => {
    const t = new SessionTracker(100);
    t.add(1, 250, 1000);
    expect(t.get(1)!.expiresAt).toBe(1300);
    expect(t.expire(1299)).toEqual([]);
    expect(t.expire(1300).map((s) => s.id)).toEqual([1]);
    expect(t.isLive(1)).toBe(false);
    expect(t.expire(5000)).toEqual([]);
    t.remove(1);
    expect(t.size).toBe(0);
  });

  it('pushes the deadline out on touch, but not for closing sessions', () => {
    const t = new SessionTracker(100);
    t.add(1, 200, 0);
    t.add(2, 200, 0);
    expect(t.touch(1, 150)).toBe(true);
    expect(t.expire(300).map((s) => s.id)).toEqual([2]);
    expect(t.expire(400).map((s) => s.id)).toEqual([1]);
    t.add(3, 200, 0);
    t.setClosing(3);
    expect(t.touch(3, 100)).toBe(false);
    expect(t.touch(99, 100)).toBe(false);
  });

  it('lists deadline buckets in time order', () => {
    const t = new SessionTracker(10);
    t.add(5, 30, 0);
    t.add(6, 10, 0);
    t.add(7, 30, 0);
    expect(t.buckets()).toEqual([
      [20, [6]],
      [40, [5, 7]],
    ]);
  });
});
