// The cleaner's bounded key -> offset map: latest offsets by key, misses, a fixed memory size, and the
// load-factor capacity that limits one cleaning round.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLEANER_CONFIG, checkCleanerConfig, mapCapacity } from '../../../src/log/cleaner/cleaner-config.js';
import { OFFSET_MAP_SLOT_BYTES, OffsetMap } from '../../../src/log/cleaner/offset-map.js';

const key = (s: string): Buffer => Buffer.from(s);

describe('OffsetMap', () => {
  it('answers the latest offset put for each key, and -1 for keys never put', () => {
    const map = new OffsetMap(64);
    map.put(key('a'), 0);
    map.put(key('b'), 1);
    map.put(key('a'), 2);
    map.put(Buffer.alloc(0), 3);
    expect(map.get(key('a'))).toBe(2);
    expect(map.get(key('b'))).toBe(1);
    expect(map.get(Buffer.alloc(0))).toBe(3);
    expect(map.get(key('c'))).toBe(-1);
    expect(map.size).toBe(3);
    expect(map.latestOffset).toBe(3);
    map.noteOffset(9);
    expect(map.latestOffset).toBe(9);
  });

  it('holds keys of any length in fixed slots, offsets beyond 32 bits included', () => {
    const map = new OffsetMap(1000);
    const big = Buffer.alloc(100_000, 7);
    map.put(big, 2 ** 40);
    map.put(key('x'.repeat(300)), 2 ** 40 + 1);
    expect(map.get(Buffer.from(big))).toBe(2 ** 40);
    expect(map.get(key('x'.repeat(300)))).toBe(2 ** 40 + 1);
    expect(map.get(key('x'.repeat(299)))).toBe(-1);
  });

  it('fills to its capacity with colliding probe chains and still tells every key apart', () => {
    const map = new OffsetMap(16);
    const capacity = mapCapacity(map.slots, 0.9);
    expect(capacity).toBe(14);
    for (let i = 0; i < capacity; i++) map.put(key(`k${i}`), i);
    for (let i = 0; i < capacity; i++) expect(map.get(key(`k${i}`))).toBe(i);
    expect(map.get(key('absent'))).toBe(-1);
    expect(map.utilization).toBeCloseTo(capacity / 16);
    // One slot always stays free, so lookups of absent keys end.
    map.put(key('k14'), 14);
    expect(() => map.put(key('k15'), 15)).toThrow(/full/);
  });

  it('is sized by log.cleaner.dedupe.buffer.size, refusing one that cannot hold a key', () => {
    expect(OFFSET_MAP_SLOT_BYTES).toBe(40);
    expect(mapCapacity(Math.floor(DEFAULT_CLEANER_CONFIG.dedupeBufferBytes / OFFSET_MAP_SLOT_BYTES), 0.9)).toBe(3_019_898);
    expect(() => checkCleanerConfig({ ...DEFAULT_CLEANER_CONFIG, dedupeBufferBytes: 79 })).toThrow(/log.cleaner.dedupe.buffer.size/);
    expect(() => checkCleanerConfig({ ...DEFAULT_CLEANER_CONFIG, dedupeBufferBytes: 80 })).not.toThrow();
    expect(() => checkCleanerConfig({ ...DEFAULT_CLEANER_CONFIG, dedupeBufferLoadFactor: 0 })).toThrow(/load.factor/);
    // A disabled cleaner never allocates a map.
    expect(() => checkCleanerConfig({ ...DEFAULT_CLEANER_CONFIG, enable: false, dedupeBufferBytes: 0 })).not.toThrow();
  });
});
