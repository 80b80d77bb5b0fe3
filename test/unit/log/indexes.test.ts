import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { OffsetIndex } from '../../../src/log/offset-index.js';
import { TimeIndex } from '../../../src/log/time-index.js';

describe('OffsetIndex', () => {
  it('finds the position of the indexed batch at or before an offset', () => {
    const idx = new OffsetIndex(join('/nonexistent', 'x.index'), 100);
    expect(idx.lookup(150)).toBe(0);
    idx.append(110, 4000);
    idx.append(125, 9000);
    idx.append(140, 13000);
    idx.append(140, 99999); // not increasing: ignored
    expect(idx.entries).toBe(3);
    expect(idx.lookup(100)).toBe(0);
    expect(idx.lookup(109)).toBe(0);
    expect(idx.lookup(110)).toBe(4000);
    expect(idx.lookup(124)).toBe(4000);
    expect(idx.lookup(125)).toBe(9000);
    expect(idx.lookup(1_000_000)).toBe(13000);
    idx.truncateFrom(125);
    expect(idx.entries).toBe(1);
    expect(idx.lookup(1_000_000)).toBe(4000);
  });

  it('names what makes an index untrustworthy', () => {
    const idx = new OffsetIndex('x.index', 100);
    idx.append(110, 4000);
    idx.append(125, 9000);
    expect(idx.problem(10_000, 130)).toBeUndefined();
    expect(idx.problem(9000, 130)).toMatch(/position 9000/);
    expect(idx.problem(10_000, 125)).toMatch(/beyond/);
  });
});

describe('TimeIndex', () => {
  it('keeps only growing timestamps and finds the offset to search from', () => {
    const idx = new TimeIndex('x.timeindex', 1000);
    expect(idx.lookup(5)).toBe(1000);
    idx.maybeAppend(100, 1005);
    idx.maybeAppend(100, 1010); // same timestamp: skipped
    idx.maybeAppend(90, 1011); // older: skipped
    idx.maybeAppend(200, 1020);
    idx.maybeAppend(-1, 1030); // no timestamp: skipped
    expect(idx.entries).toBe(2);
    expect(idx.lookup(99)).toBe(1000);
    expect(idx.lookup(100)).toBe(1005);
    expect(idx.lookup(199)).toBe(1005);
    expect(idx.lookup(5000)).toBe(1020);
    expect(idx.last()).toEqual({ timestamp: 200, offset: 1020 });
    expect(idx.problem(1021)).toBeUndefined();
    expect(idx.problem(1020)).toMatch(/outside/);
    idx.truncateFrom(1020);
    expect(idx.last()).toEqual({ timestamp: 100, offset: 1005 });
  });
});
