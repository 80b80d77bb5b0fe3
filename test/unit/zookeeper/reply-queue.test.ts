// A connection's replies leave in request order; a read or a completed sync is answered from the state
// when its turn comes, not when it became answerable.
import { describe, expect, it } from 'vitest';
import { ReplyQueue } from '../../../src/zookeeper/reply-queue.js';

function queue() {
  const out: string[] = [];
  const errors: unknown[] = [];
  const q = new ReplyQueue<string>({ write: (r) => out.push(r), failed: (e) => errors.push(e) });
  return { q, out, errors };
}

describe('ReplyQueue', () => {
  it('answers a read at once when nothing is pending, else after the writes before it, from the state then', () => {
    const { q, out } = queue();
    let zxid = 1;
    q.answer(() => `read@${zxid}`);
    const w1 = q.reserve();
    q.answer(() => `read@${zxid}`);
    zxid = 2;
    q.complete(w1, 'write@2');
    expect(out).toEqual(['read@1', 'write@2', 'read@2']);
  });

  it('makes a sync that completed before an earlier write its reply in its turn, so its zxid is not below the write\'s (F5)', () => {
    const { q, out } = queue();
    let zxid = 4;
    const write = q.reserve();
    const sync = q.reserve();
    q.completeAtTurn(sync, () => `sync@${zxid}`);
    expect(out).toEqual([]);
    zxid = 5;
    q.complete(write, 'write@5');
    expect(out).toEqual(['write@5', 'sync@5']);
  });

  it('writes nothing for a null reply, keeps a known reply behind pending ones, and reports a failing read', () => {
    const { q, out, errors } = queue();
    const close = q.reserve();
    q.reply('auth');
    q.answer(() => {
      throw new Error('bad read');
    });
    q.complete(close, null);
    expect(out).toEqual(['auth']);
    expect(errors).toEqual([new Error('bad read')]);
  });
});
