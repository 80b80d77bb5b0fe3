// The partition limit derived from the open-file limit: /proc/self/limits parsed, the budget computed.
import { expect, test } from 'vitest';
import { parseOpenFileLimit, partitionLimit, partitionsForOpenFiles } from '../../../src/kafka/topics/partition-limit.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max processes             94308                94308                processes 
Max open files            20000                1048576              files     
Max locked memory         8388608              8388608              bytes     
`;

test('the soft open-file limit is read from /proc/<pid>/limits; unlimited or absent is none', () => {
  expect(parseOpenFileLimit(LIMITS)).toBe(20_000);
  expect(parseOpenFileLimit(LIMITS.replace('20000   ', 'unlimited'))).toBeUndefined();
  expect(parseOpenFileLimit('Limit  Soft Limit  Hard Limit  Units\n')).toBeUndefined();
});

test('connections take max.connections, at most half of what the reserve leaves; partitions get 5 files each', () => {
  // The fuzzer's process: 20000 files, max.connections 10000 -> 9968 for connections, 1993 partitions.
  expect(partitionsForOpenFiles(20_000, 10_000)).toBe(1993);
  expect(partitionsForOpenFiles(20_000, 100)).toBe(3967);
  expect(partitionsForOpenFiles(512, 10_000)).toBe(44);
  expect(partitionsForOpenFiles(40, 10)).toBe(0);
});

test('max.broker.partitions overrides the derived bound; no known limit means no bound', () => {
  expect(partitionLimit(7, 20_000, 10_000)).toEqual({ maxPartitions: 7, source: 'max.broker.partitions' });
  expect(partitionLimit(undefined, 20_000, 10_000)).toEqual({
    maxPartitions: 1993,
    source: 'derived from the open-file limit of 20000 and max.connections=10000; max.broker.partitions sets it',
  });
  expect(partitionLimit(undefined, undefined, 10_000).maxPartitions).toBe(Number.MAX_SAFE_INTEGER);
});
