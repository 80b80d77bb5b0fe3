// The producer-state table alone: Kafka's duplicate, epoch and sequence verdicts, bookkeeping of the last
// five batches, truncation and expiry; and the snapshot codec round trip and its refusals.
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../../protocol/kafka/index.js';
import { decodeSnapshot, encodeSnapshot, parseSnapshotFileName, snapshotFileName } from '../../../src/log/producer-snapshot.js';
import { lastSequenceOf, ProducerStateTable, RETAINED_BATCHES, type ProducerBatch } from '../../../src/log/producer-state.js';

const MAX_INT = 0x7fffffff;

function batch(producerId: number, producerEpoch: number, baseSequence: number, records = 1, maxTimestamp = 1000): ProducerBatch {
  return { producerId, producerEpoch, baseSequence, lastOffsetDelta: records - 1, maxTimestamp };
}

/** A table with producer 7 at epoch 0 having written `batches` batches of 2 records from offset 0. */
function written(batches: number): ProducerStateTable {
  const t = new ProducerStateTable();
  for (let i = 0; i < batches; i++) t.record(batch(7, 0, i * 2, 2), i * 2);
  return t;
}

describe('checkClientBatch', () => {
  test('an unknown producer is accepted at any sequence (KIP-360: no UNKNOWN_PRODUCER_ID from Produce)', () => {
    const t = new ProducerStateTable();
    expect(t.checkClientBatch(batch(1, 0, 0))).toEqual({ kind: 'append' });
    expect(t.checkClientBatch(batch(1, 3, 12345))).toEqual({ kind: 'append' });
  });

  test('the next sequence is appended; a gap or a step back is OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    const t = written(3); // sequences 0-5
    expect(t.checkClientBatch(batch(7, 0, 6, 3))).toEqual({ kind: 'append' });
    expect(t.checkClientBatch(batch(7, 0, 7))).toMatchObject({ kind: 'refused', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(t.checkClientBatch(batch(7, 0, 3))).toMatchObject({ kind: 'refused', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
  });

  test('any of the last five batches repeated exactly is a duplicate with its original offsets', () => {
    const t = written(7); // batches at offsets 0,2,...,12; the last five start at 4
    for (let i = 2; i < 7; i++) {
      expect(t.checkClientBatch(batch(7, 0, i * 2, 2))).toEqual({ kind: 'duplicate', firstOffset: i * 2, lastOffset: i * 2 + 1 });
    }
    // Older than the last five: no longer known, and out of order.
    expect(t.checkClientBatch(batch(7, 0, 2, 2))).toMatchObject({ kind: 'refused', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    // Same first sequence, other range: not a duplicate.
    expect(t.checkClientBatch(batch(7, 0, 12, 3))).toMatchObject({ kind: 'refused', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(t.entry(7)!.batches).toHaveLength(RETAINED_BATCHES);
  });

  test('an older epoch is INVALID_PRODUCER_EPOCH, also for what would be a duplicate', () => {
    const t = new ProducerStateTable();
    t.record(batch(7, 2, 0), 0);
    expect(t.checkClientBatch(batch(7, 1, 1))).toMatchObject({ kind: 'refused', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
    expect(t.checkClientBatch(batch(7, 1, 0))).toMatchObject({ kind: 'refused', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
  });

  test('a new epoch must start at sequence 0, and then forgets the old epoch', () => {
    const t = written(2);
    expect(t.checkClientBatch(batch(7, 1, 4))).toMatchObject({ kind: 'refused', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(t.checkClientBatch(batch(7, 1, 0))).toEqual({ kind: 'append' });
    t.record(batch(7, 1, 0), 4);
    expect(t.entry(7)).toMatchObject({ epoch: 1, batches: [{ firstSeq: 0, lastSeq: 0, firstOffset: 4, lastOffset: 4 }] });
    expect(t.checkClientBatch(batch(7, 0, 4))).toMatchObject({ kind: 'refused', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
  });

  test('sequences wrap from 2^31-1 to 0', () => {
    expect(lastSequenceOf(MAX_INT - 1, 3)).toBe(1);
    const t = new ProducerStateTable();
    t.record(batch(7, 0, MAX_INT - 1, 2), 0);
    expect(t.entry(7)!.batches[0]!.lastSeq).toBe(MAX_INT);
    expect(t.checkClientBatch(batch(7, 0, 0))).toEqual({ kind: 'append' });
  });

  test('producers are independent', () => {
    const t = written(1);
    t.record(batch(8, 5, 100), 2);
    expect(t.checkClientBatch(batch(8, 5, 101))).toEqual({ kind: 'append' });
    expect(t.checkClientBatch(batch(7, 0, 2))).toEqual({ kind: 'append' });
  });
});

describe('truncation and expiry', () => {
  test('truncateFrom drops batches at or past the offset and producers left with none', () => {
    const t = written(3);
    t.record(batch(8, 0, 0), 6);
    t.truncateFrom(4);
    expect(t.entry(7)!.batches.map((b) => b.firstOffset)).toEqual([0, 2]);
    expect(t.entry(8)).toBeUndefined();
    expect(t.checkClientBatch(batch(7, 0, 4, 2))).toEqual({ kind: 'append' });
  });

  test('expire drops producers whose newest batch is producer.id.expiration.ms old', () => {
    const t = new ProducerStateTable();
    t.record(batch(1, 0, 0, 1, 1000), 0);
    t.record(batch(2, 0, 0, 1, 5000), 1);
    expect(t.expire(10_999, 10_000)).toBe(0);
    expect(t.expire(11_000, 10_000)).toBe(1);
    expect(t.entry(1)).toBeUndefined();
    expect(t.entry(2)).toBeDefined();
  });
});

describe('snapshot codec', () => {
  test('round-trips every entry and batch', () => {
    const t = written(6);
    t.record(batch(2 ** 40, 32767, MAX_INT, 1, 2 ** 42), 100);
    const decoded = decodeSnapshot(encodeSnapshot(t.entries()));
    expect(decoded).toEqual({ producers: [...t.entries()], unsettled: [] });
  });

  test('refuses a flipped byte, a torn file and trailing bytes', () => {
    const bytes = encodeSnapshot(written(2).entries());
    const flipped = Buffer.from(bytes);
    flipped[20] = flipped[20]! ^ 1;
    expect(decodeSnapshot(flipped)).toBe('snapshot CRC mismatch');
    expect(typeof decodeSnapshot(bytes.subarray(0, bytes.length - 3))).toBe('string');
    expect(typeof decodeSnapshot(Buffer.concat([bytes, Buffer.alloc(1)]))).toBe('string');
    expect(typeof decodeSnapshot(Buffer.alloc(3))).toBe('string');
  });

  test('file names are Kafka\'s: the 20-digit offset and .snapshot', () => {
    expect(snapshotFileName(1234)).toBe('00000000000000001234.snapshot');
    expect(parseSnapshotFileName('00000000000000001234.snapshot')).toBe(1234);
    expect(parseSnapshotFileName('00000000000000001234.log')).toBeUndefined();
    expect(parseSnapshotFileName('1234.snapshot')).toBeUndefined();
  });
});

test('past its limit the table forgets the producer idle longest, not the busy ones', () => {
  const t = new ProducerStateTable(3);
  for (const id of [1, 2, 3]) t.record(batch(id, 0, 0), id);
  t.record(batch(1, 0, 1), 10); // producer 1 is active again: 2 is now the idlest
  t.record(batch(4, 0, 0), 11);
  expect([1, 2, 3, 4].map((id) => t.entry(id) !== undefined)).toEqual([true, false, true, true]);
  expect(t.size).toBe(3);
});
