// The cleaner's I/O throttle: unlimited by default, otherwise a pause whenever the bytes of a check
// interval came faster than log.cleaner.io.max.bytes.per.second.
import { describe, expect, it } from 'vitest';
import { THROTTLE_CHECK_INTERVAL_MS, Throttler } from '../../../src/log/cleaner/throttler.js';

function fakeTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    advance: (ms: number) => (now += ms),
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe('Throttler', () => {
  it("never pauses at Kafka's default rate (Double.MAX_VALUE)", async () => {
    const t = fakeTime();
    const throttler = new Throttler(Number.MAX_VALUE, t.clock, t.sleep);
    for (let i = 0; i < 10; i++) {
      t.advance(THROTTLE_CHECK_INTERVAL_MS);
      await throttler.maybeThrottle(1 << 30);
    }
    expect(t.sleeps).toEqual([]);
  });

  it('pauses long enough to bring the average down to the limit', async () => {
    const t = fakeTime();
    const throttler = new Throttler(1000, t.clock, t.sleep);
    // 600 bytes within the first 100 ms: no check yet.
    t.advance(100);
    await throttler.maybeThrottle(600);
    expect(t.sleeps).toEqual([]);
    // 900 bytes by 300 ms want 900 ms at 1000 B/s: a 600 ms pause.
    t.advance(200);
    await throttler.maybeThrottle(300);
    expect(t.sleeps).toEqual([600]);
    // Slow enough afterwards: no pause.
    t.advance(1000);
    await throttler.maybeThrottle(500);
    expect(t.sleeps).toEqual([600]);
  });
});
