// The value rules Kafka 3.9 applies to message.format.version and the compression levels, shared by the
// topic configs and the broker keys that set their defaults.
import { expect, test } from 'vitest';
import { compressionLevelProblem, metadataVersionProblem } from '../../../src/kafka/metadata/config-values.js';

test('message.format.version takes what MetadataVersion.fromVersionString parses', () => {
  const valid = ['0.8.0', '0.10.0', '0.10.0-IV1', '0.10.0.1', '0.11.0', '1.0', '2.1', '2.1.5', '2.8-IV1', '3.0-IV1', '3.9', '3.9-IV0', '4.0-IV1'];
  const invalid = ['', 'x', '0.7', '0.10', '2.9', '3.10', '4.0', '3.9-IV1', '1.0-IV1'];
  expect(valid.filter((v) => metadataVersionProblem(v) !== undefined)).toEqual([]);
  expect(invalid.filter((v) => metadataVersionProblem(v) === undefined)).toEqual([]);
  expect(metadataVersionProblem('5.0')).toBe('Version 5.0 is not a valid version');
});

test('compression levels follow KIP-390: gzip 1-9 or -1, lz4 1-17, zstd -131072..22', () => {
  expect([-1, 1, 9].map((l) => compressionLevelProblem('gzip', l))).toEqual([undefined, undefined, undefined]);
  expect(compressionLevelProblem('gzip', 0)).toBe('Value must be between 1 and 9 or equal to -1');
  expect(compressionLevelProblem('gzip', 10)).toBeDefined();
  expect([1, 17].map((l) => compressionLevelProblem('lz4', l))).toEqual([undefined, undefined]);
  expect([0, 18].map((l) => compressionLevelProblem('lz4', l) !== undefined)).toEqual([true, true]);
  expect([-131072, 0, 22].map((l) => compressionLevelProblem('zstd', l))).toEqual([undefined, undefined, undefined]);
  expect([-131073, 23].map((l) => compressionLevelProblem('zstd', l) !== undefined)).toEqual([true, true]);
});
