import { describe, expect, test } from 'vitest';
import { checkWriteHistory, type WriteOp } from './write-history.js';

const op = (id: string, invokedAt: number, ackedAt: number | null): WriteOp => ({ id, invokedAt, ackedAt });

describe('write history checker', () => {
  test('concurrent writes may land in either order', () => {
    const ops = [op('a', 1, 5), op('b', 2, 4)];
    expect(checkWriteHistory(ops, ['a', 'b'])).toBeNull();
    expect(checkWriteHistory(ops, ['b', 'a'])).toBeNull();
  });

  test('a write acknowledged before another began must come first', () => {
    const ops = [op('a', 1, 2), op('b', 3, 4)];
    expect(checkWriteHistory(ops, ['a', 'b'])).toBeNull();
    expect(checkWriteHistory(ops, ['b', 'a'])).toMatch(/a was acknowledged at 2 before b was invoked at 3/);
  });

  test('an unacknowledged write may vanish or appear, but still after what was acknowledged before it', () => {
    const ops = [op('a', 1, 2), op('b', 3, null)];
    expect(checkWriteHistory(ops, ['a'])).toBeNull();
    expect(checkWriteHistory(ops, ['a', 'b'])).toBeNull();
    expect(checkWriteHistory(ops, ['b', 'a'])).not.toBeNull();
  });

  test('lost, duplicated and invented writes', () => {
    expect(checkWriteHistory([op('a', 1, 2)], [])).toMatch(/acknowledged write a is lost/);
    expect(checkWriteHistory([op('a', 1, 2)], ['a', 'a'])).toMatch(/appears at positions 0 and 1/);
    expect(checkWriteHistory([], ['x'])).toMatch(/never invoked/);
  });
});
