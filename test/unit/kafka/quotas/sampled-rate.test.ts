import { describe, expect, it } from 'vitest';
import { ApiKey } from '../../../../protocol/kafka/index.js';
import { requestThrottleMs } from '../../../../src/kafka/quotas/throttling.js';
import { ClientQuotaManager } from '../../../../src/kafka/quotas/quota-manager.js';
import { QuotaTable } from '../../../../src/kafka/quotas/quota-table.js';
import { SampledRate, throttleTimeMs } from '../../../../src/kafka/quotas/sampled-rate.js';

const windows = { samples: 11, sampleMs: 1000 };

describe('SampledRate', () => {
  it('divides a burst by at least samples-1 windows, as Kafka does', () => {
    const rate = new SampledRate(windows, 0);
    rate.record(10_000, 0);
    expect(rate.spanMs(0)).toBe(10_000);
    expect(rate.rate(0)).toBe(1000);
  });

  it('measures over the real span once it is longer than samples-1 windows', () => {
    const rate = new SampledRate(windows, 0);
    for (let t = 0; t < 10_500; t += 500) rate.record(500, t);
    // 21 records of 500 bytes over 10.5 s.
    expect(rate.rate(10_500)).toBeCloseTo((21 * 500 * 1000) / 10_500, 5);
  });

  it('forgets windows older than the whole span', () => {
    const rate = new SampledRate(windows, 0);
    rate.record(1_000_000, 0);
    rate.record(10, 20_000);
    expect(rate.rate(20_000)).toBe(1);
  });
});

describe('throttleTimeMs', () => {
  it('is zero within the quota and (rate - quota) / quota * span over it', () => {
    expect(throttleTimeMs(100, 100, 10_000)).toBe(0);
    expect(throttleTimeMs(150, 100, 10_000)).toBe(5000);
    expect(throttleTimeMs(200, 100, 11_000)).toBe(11_000);
  });

  it('holds a client under a zero quota for the span, never for ever', () => {
    expect(throttleTimeMs(1, 0, 10_000)).toBe(10_000);
  });
});

describe('ClientQuotaManager', () => {
  const table = new QuotaTable();
  table.set({ user: 'alice' }, new Map([['producer_byte_rate', 1000]]));
  const manager = new ClientQuotaManager(table, windows);

  it('records nothing for kinds nobody has a quota of', () => {
    expect(manager.enforces('fetch')).toBe(false);
    expect(manager.record('fetch', 'alice', 'app', 1e9, 0)).toBe(0);
    expect([...manager.all()]).toHaveLength(0);
  });

  it('throttles once the rate passes the quota, by the time that brings it back', () => {
    // 10 s span at the start: 10 000 bytes is exactly the quota.
    expect(manager.record('produce', 'alice', 'a', 10_000, 0)).toBe(0);
    // 15 000 over 10 s = 1500/s: (1500 - 1000) / 1000 * 10 s.
    expect(manager.record('produce', 'alice', 'b', 5_000, 0)).toBe(5000);
    const [sensor] = [...manager.all()];
    // Both client ids count against the user's one rate.
    expect(sensor).toMatchObject({ kind: 'produce', user: 'alice', clientId: '', throttledResponses: 1, throttleTimeMsTotal: 5000 });
  });

  it('caps what one response may carry at the quota over samples-1 windows', () => {
    expect(manager.maxValueInWindow('produce', 'alice', 'x')).toBe(10_000);
    expect(manager.maxValueInWindow('produce', 'bob', 'x')).toBe(Infinity);
  });

  it('admits connections within an ip connection_creation_rate quota and refuses the rest', () => {
    const t = new QuotaTable();
    t.set({ ip: null }, new Map([['connection_creation_rate', 1]]));
    const m = new ClientQuotaManager(t, windows);
    // 1/s over the 10 s minimum span: 10 connections, then refusals, which are not counted.
    const admitted = Array.from({ length: 15 }, () => m.admitsConnection('10.0.0.1', 0)).filter(Boolean).length;
    expect(admitted).toBe(10);
    expect(m.admitsConnection('10.0.0.2', 0)).toBe(true);
    expect(m.admitsConnection('10.0.0.1', 11_000)).toBe(true);
  });
});

describe('requestThrottleMs', () => {
  it("records handler time, leaving out what Kafka exempts: ApiVersions and followers' fetches", () => {
    const t = new QuotaTable();
    t.set({ clientId: null }, new Map([['request_percentage', 1], ['producer_byte_rate', 1000]]));
    const m = new ClientQuotaManager(t, windows);
    const usage = (apiKey: number, body: unknown, handlerMs: number) => ({ apiKey, apiVersion: 12, body, user: 'ANONYMOUS', clientId: 'c', handlerMs });
    // 1% of a thread over the 10 s minimum span is 100 ms of handler time.
    expect(requestThrottleMs(m, usage(ApiKey.ApiVersions, {}, 5000), 0)).toBe(0);
    expect(requestThrottleMs(m, usage(ApiKey.Fetch, { replicaId: 1 }, 5000), 0)).toBe(0);
    expect(requestThrottleMs(m, usage(ApiKey.Fetch, { replicaId: -1 }, 100), 0)).toBe(0);
    // Past the quota: throttled, at most one window for request time.
    expect(requestThrottleMs(m, usage(ApiKey.Metadata, {}, 5000), 0)).toBe(1000);
    // Produce: its handler time only; its bytes were recorded as it was read (connection.ts), not again here.
    expect(requestThrottleMs(m, usage(ApiKey.Produce, {}, 0), 0)).toBe(1000);
    expect([...m.all()].map((s) => s.kind)).toEqual(['request']);
  });
});
