import { expect, test } from 'vitest';
import { parseProperties } from '../../../src/config/properties.js';
import { ConfigError, int, parseConfig, parseOverrides, bool } from '../../../src/config/schema.js';

test('parses the separators, comments, continuations and escapes of Java properties', () => {
  const text = [
    '# comment',
    '! also a comment',
    'a=1',
    'b : two words ',
    'c three',
    'listeners=PLAINTEXT://:9092,\\',
    '    PLAINTEXT2://:9093',
    'path=C\\:\\\\data',
    'uni=\\u0041',
    '',
  ].join('\n');
  const entries = parseProperties(text).map((e) => [e.key, e.value]);
  expect(entries).toEqual([
    ['a', '1'],
    ['b', 'two words '],
    ['c', 'three'],
    ['listeners', 'PLAINTEXT://:9092,PLAINTEXT2://:9093'],
    ['path', 'C:\\data'],
    ['uni', 'A'],
  ]);
});

test('schema refuses bad values naming the key and reports unknown keys', () => {
  const schema = { 'num.partitions': int('partitions', 1, { min: 1 }), 'x.enable': bool('x', true) };
  const ok = parseConfig(schema, parseProperties('num.partitions=3\nmystery=1'));
  expect(ok.values['num.partitions']).toBe(3);
  expect(ok.values['x.enable']).toBe(true);
  expect(ok.unknown.map((u) => u.key)).toEqual(['mystery']);
  expect(() => parseConfig(schema, parseProperties('num.partitions=zero'))).toThrow(ConfigError);
  expect(() => parseConfig(schema, parseProperties('num.partitions=0'))).toThrow(/num.partitions \(line 1\)/);
  expect(() => parseConfig(schema, parseOverrides(['x.enable=maybe']))).toThrow(/x.enable/);
  expect(() => parseOverrides(['novalue'])).toThrow(ConfigError);
});
