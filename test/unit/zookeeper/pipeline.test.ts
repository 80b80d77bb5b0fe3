import { describe, expect, it } from 'vitest';
import { OpCode } from '../../../protocol/zookeeper/codes.js';
import type { Transaction } from '../../../protocol/zookeeper/txn.js';
import type { ApplyResult } from '../../../src/znode/data-tree.js';
import { CommitQueue, type TxnSink } from '../../../src/zookeeper/pipeline.js';

/** A sink that only records: the test decides when (and how many at once) become committed. */
class LateSink implements TxnSink {
  readonly appended: bigint[] = [];
  append(txn: Transaction): void {
    this.appended.push(txn.zxid);
  }
}

function txn(zxid: number): Transaction {
  return { clientId: 1n, cxid: zxid, zxid: BigInt(zxid), time: 0, body: { type: OpCode.delete, path: `/n${zxid}` } };
}

function setup() {
  const sink = new LateSink();
  const events: string[] = [];
  const queue = new CommitQueue(sink, (t): ApplyResult => {
    events.push(`apply ${t.zxid}`);
    return { type: OpCode.delete, err: 0 };
  });
  const propose = (zxid: number) => queue.propose(txn(zxid), () => events.push(`answer ${zxid}`));
  return { sink, events, queue, propose };
}

describe('CommitQueue', () => {
  it('hands every proposal to the sink at once and applies nothing until the sink commits it', () => {
    const { sink, events, queue, propose } = setup();
    for (let z = 1; z <= 3; z++) propose(z);
    expect(sink.appended).toEqual([1n, 2n, 3n]);
    expect(events).toEqual([]);
    expect(queue.size).toBe(3);
  });

  it('applies a burst of late acknowledgements in zxid order, answering each right after its apply', () => {
    const { events, queue, propose } = setup();
    for (let z = 1; z <= 5; z++) propose(z);
    queue.committed(3n);
    expect(events).toEqual(['apply 1', 'answer 1', 'apply 2', 'answer 2', 'apply 3', 'answer 3']);
    // An acknowledgement that arrives after a later one covered it changes nothing.
    queue.committed(2n);
    expect(queue.size).toBe(2);
    // Proposals keep arriving while earlier ones wait for the sink.
    propose(6);
    queue.committed(6n);
    expect(events.slice(6)).toEqual(['apply 4', 'answer 4', 'apply 5', 'answer 5', 'apply 6', 'answer 6']);
    expect(queue.size).toBe(0);
  });

  it('commits only what was proposed: an acknowledgement past the tail applies up to the tail', () => {
    const { events, queue, propose } = setup();
    propose(1);
    queue.committed(10n);
    expect(events).toEqual(['apply 1', 'answer 1']);
    propose(2);
    expect(events).toHaveLength(2);
    queue.committed(2n);
    expect(events).toEqual(['apply 1', 'answer 1', 'apply 2', 'answer 2']);
  });

  it('holds a refused write until the transaction it may rest on is applied, and no longer', () => {
    const { events, queue, propose } = setup();
    propose(1);
    propose(2);
    queue.afterApplied(1n, () => events.push('refusal after 1'));
    expect(events).toEqual([]);
    queue.committed(1n);
    expect(events).toEqual(['apply 1', 'answer 1', 'refusal after 1']);
    queue.afterApplied(1n, () => events.push('refusal after 1 again'));
    expect(events.at(-1)).toBe('refusal after 1 again');
    queue.committed(2n);
    queue.afterApplied(2n, () => events.push('refusal with nothing in flight'));
    expect(events.at(-1)).toBe('refusal with nothing in flight');
  });

  it('keeps order across many small bursts', () => {
    const { events, queue, propose } = setup();
    let next = 1;
    let acked = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < (round % 7) + 1; i++) propose(next++);
      acked = Math.min(next - 1, acked + (round % 5));
      queue.committed(BigInt(acked));
    }
    queue.committed(BigInt(next - 1));
    const applied = events.filter((e) => e.startsWith('apply')).map((e) => Number(e.slice(6)));
    expect(applied).toEqual(Array.from({ length: next - 1 }, (_, i) => i + 1));
  });
});
