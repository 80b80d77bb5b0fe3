import { expect, test } from 'vitest';
import { PlacementError, placeReplicas } from '../../../src/kafka/topics/replica-placement.js';

const zero = () => 0;
const brokers = (ids: number[], racks?: string[]) => ids.map((id, i) => ({ id, rack: racks?.[i] ?? null }));

test('without racks: leaders walk round the brokers, followers shift every full round', () => {
  expect(placeReplicas(brokers([1, 2, 3]), 6, 2, 0, zero)).toEqual([
    [1, 2],
    [2, 3],
    [3, 1],
    [1, 3],
    [2, 1],
    [3, 2],
  ]);
  // Every broker leads as many partitions as the others.
  const leaders = placeReplicas(brokers([1, 2, 3, 4]), 8, 3, 0, Math.random).map((r) => r[0]);
  for (const id of [1, 2, 3, 4]) expect(leaders.filter((l) => l === id)).toHaveLength(2);
});

test('new partitions continue from the partition number they start at', () => {
  expect(placeReplicas(brokers([1, 2, 3]), 2, 1, 4, zero)).toEqual([[2], [3]]);
});

test('with racks: one replica per rack while a rack has none', () => {
  const placed = placeReplicas(brokers([1, 2, 3, 4, 5, 6], ['a', 'a', 'b', 'b', 'c', 'c']), 12, 3, 0, Math.random);
  const rackOf = (id: number) => 'aabbcc'[id - 1];
  for (const replicas of placed) {
    expect(new Set(replicas).size).toBe(3);
    expect(new Set(replicas.map(rackOf)).size).toBe(3);
  }
  // Two racks, three replicas: both racks used, no broker twice.
  for (const replicas of placeReplicas(brokers([1, 2, 3, 4], ['x', 'x', 'y', 'y']), 8, 3, 0, Math.random)) {
    expect(new Set(replicas).size).toBe(3);
    expect(new Set(replicas.map((id) => (id <= 2 ? 'x' : 'y'))).size).toBe(2);
  }
});

test('refusals: more replicas than brokers, or racks on some brokers only', () => {
  expect(() => placeReplicas(brokers([1, 2]), 1, 3, 0, zero)).toThrow('Replication factor: 3 larger than available brokers: 2.');
  expect(() => placeReplicas(brokers([1, 2], ['a']), 1, 1, 0, zero)).toThrow(PlacementError);
});
