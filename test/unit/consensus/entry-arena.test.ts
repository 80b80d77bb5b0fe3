import { describe, expect, it } from 'vitest';
import { ARENA_BLOCK_BYTES, ARENA_SHARED_BYTES_MAX, EntryArena } from '../../../src/consensus/entry-arena.js';

describe('EntryArena', () => {
  it('copies small payloads into shared blocks that pin nothing of the caller', () => {
    const arena = new EntryArena();
    // Buffer.from of a short string is a slice of Node's 8 KiB pool: the case the arena exists for.
    const pooled = Buffer.from('a transaction');
    const a = arena.copy(pooled);
    const b = arena.copy(new Uint8Array([1, 2, 3]));
    expect(Buffer.from(a).toString()).toBe('a transaction');
    expect([...b]).toEqual([1, 2, 3]);
    expect(a.buffer).not.toBe(pooled.buffer);
    expect(a.buffer).toBe(b.buffer);
    expect(a.buffer.byteLength).toBe(ARENA_BLOCK_BYTES);
    pooled.fill(0);
    expect(Buffer.from(a).toString()).toBe('a transaction');
  });

  it('starts a new block when one is full, and gives large payloads an exact copy', () => {
    const arena = new EntryArena();
    const chunk = new Uint8Array(ARENA_SHARED_BYTES_MAX).fill(7);
    const copies = Array.from({ length: ARENA_BLOCK_BYTES / ARENA_SHARED_BYTES_MAX + 1 }, () => arena.copy(chunk));
    expect(copies[0]!.buffer).toBe(copies.at(-2)!.buffer);
    expect(copies.at(-1)!.buffer).not.toBe(copies[0]!.buffer);
    expect(copies.every((c) => c.length === chunk.length && c.every((x) => x === 7))).toBe(true);
    const large = arena.copy(new Uint8Array(ARENA_SHARED_BYTES_MAX + 1));
    expect(large.buffer.byteLength).toBe(ARENA_SHARED_BYTES_MAX + 1);
  });
});
