// The high-watermark checkpoint file (Kafka's replication-offset-checkpoint): written and read back, and a
// damaged one refused with a reason rather than half read.
import { expect, test } from 'vitest';
import { HighWatermarks } from '../../../src/kafka/replication/hw-checkpoint.js';

test('format and parse round-trip, in Kafka layout', () => {
  const text = HighWatermarks.format([
    { topic: 'orders', partition: 0, offset: 42 },
    { topic: '__consumer_offsets', partition: 17, offset: 0 },
  ]);
  expect(text).toBe('0\n2\norders 0 42\n__consumer_offsets 17 0\n');
  const hw = HighWatermarks.parse(text) as HighWatermarks;
  expect(hw.get('orders', 0)).toBe(42);
  expect(hw.get('__consumer_offsets', 17)).toBe(0);
  expect(hw.get('orders', 1)).toBeUndefined();
});

test.each([
  ['1\n0\n', /version/],
  ['0\n2\norders 0 42\n', /entries/],
  ['0\n1\norders zero 42\n', /bad entry/],
  ['0\n1\norders 0 -1\n', /bad entry/],
  ['', /version/],
])('refuses %j', (text, why) => {
  expect(HighWatermarks.parse(text)).toMatch(why);
});
