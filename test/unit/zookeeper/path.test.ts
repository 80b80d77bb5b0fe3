import { describe, expect, it } from 'vitest';
import { nameOf, parentOf, pathProblem } from '../../../protocol/zookeeper/path.js';

describe('znode path rules', () => {
  it('accepts ordinary paths, dots inside names and the root', () => {
    for (const p of ['/', '/a', '/a/b-c_d', '/a/.b', '/a/b.', '/a/...', '/a/..b', '/é/ü', '/a b']) {
      expect(pathProblem(p), p).toBeUndefined();
    }
  });

  it('refuses empty, relative, trailing-slash, dot components and reserved characters', () => {
    const bad = [
      '',
      'a/b',
      '/a/',
      '//a',
      '/a//b',
      '/.',
      '/a/.',
      '/a/./b',
      '/..',
      '/a/../b',
      '/a\u0000b',
      '/a\u0001',
      '/a\u007f',
      '/a\u009f',
      '/a\ud83d\ude00',
      '/a\ue000',
      '/a\ufff0',
      '/a\uffff',
    ];
    for (const p of bad) expect(pathProblem(p), JSON.stringify(p)).toBeDefined();
  });

  it('splits parent and name', () => {
    expect(parentOf('/a')).toBe('/');
    expect(parentOf('/a/b/c')).toBe('/a/b');
    expect(nameOf('/a/b/c')).toBe('c');
  });
});
