import { describe, expect, test } from 'vitest';
import { TimerQueue } from '../../../src/kafka/groups/timer-queue.js';

function drain(q: TimerQueue<string>, now: number): string[] {
  const out: string[] = [];
  for (let d = q.popDue(now); d; d = q.popDue(now)) out.push(d.action);
  return out;
}

describe('TimerQueue', () => {
  test('fires in deadline order, ties in the order they were set', () => {
    const q = new TimerQueue<string>();
    q.schedule('c', 30, 'c');
    q.schedule('a', 10, 'a');
    q.schedule('b2', 20, 'b2');
    q.schedule('b1', 20, 'b1');
    expect(q.next()).toBe(10);
    expect(drain(q, 19)).toEqual(['a']);
    expect(drain(q, 100)).toEqual(['b2', 'b1', 'c']);
    expect(q.next()).toBeUndefined();
  });

  test('scheduling a key again replaces its deadline; cancel removes it', () => {
    const q = new TimerQueue<string>();
    q.schedule('hb', 10, 'first');
    q.schedule('hb', 50, 'second');
    q.schedule('other', 20, 'other');
    q.cancel('other');
    expect(q.next()).toBe(50);
    expect(drain(q, 49)).toEqual([]);
    expect(drain(q, 50)).toEqual(['second']);
    expect(q.next()).toBeUndefined();
  });

  test('stays small when one key is rescheduled over and over (heartbeats)', () => {
    const q = new TimerQueue<number>();
    for (let i = 0; i < 100_000; i++) q.schedule(`m${i % 10}`, i, i);
    expect((q as unknown as { heap: unknown[] }).heap.length).toBeLessThan(200);
    const fired: number[] = [];
    for (let d = q.popDue(Infinity); d; d = q.popDue(Infinity)) fired.push(d.action);
    expect(fired).toEqual(Array.from({ length: 10 }, (_, i) => 99_990 + i));
  });
});
