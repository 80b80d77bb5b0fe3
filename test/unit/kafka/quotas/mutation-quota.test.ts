import { describe, expect, it } from 'vitest';
import { ApiKey } from '../../../../protocol/kafka/index.js';
import { strictMutationQuota } from '../../../../src/kafka/quotas/mutation-quota.js';
import { ClientQuotaManager } from '../../../../src/kafka/quotas/quota-manager.js';
import { QuotaTable } from '../../../../src/kafka/quotas/quota-table.js';
import { TokenBucket } from '../../../../src/kafka/quotas/token-bucket.js';

const windows = { samples: 11, sampleMs: 1000 };

describe('TokenBucket', () => {
  it('starts full at quota * samples * window and refills at the quota per second, never past the burst', () => {
    const bucket = new TokenBucket(windows, 0);
    expect(bucket.measure(2, 0)).toBe(22);
    bucket.record(30, 2, 0);
    expect(bucket.measure(2, 0)).toBe(-8);
    expect(bucket.measure(2, 4000)).toBe(0);
    expect(bucket.measure(2, 100_000)).toBe(22);
  });

  it('follows a changed quota at once: its burst and its refill', () => {
    const bucket = new TokenBucket(windows, 0);
    bucket.record(22, 2, 0);
    expect(bucket.measure(1, 5000)).toBe(5);
    expect(bucket.measure(0.1, 5000)).toBeCloseTo(1.1, 10);
  });
});

describe('strictMutationQuota', () => {
  it('is strict from the versions whose clients retry THROTTLING_QUOTA_EXCEEDED', () => {
    expect([5, 6].map((v) => strictMutationQuota(ApiKey.CreateTopics, v))).toEqual([false, true]);
    expect([2, 3].map((v) => strictMutationQuota(ApiKey.CreatePartitions, v))).toEqual([false, true]);
    expect([4, 5].map((v) => strictMutationQuota(ApiKey.DeleteTopics, v))).toEqual([false, true]);
    expect(strictMutationQuota(ApiKey.Metadata, 12)).toBe(false);
  });
});

describe('ClientQuotaManager.mutationQuota', () => {
  const managerWith = (quota: number) => {
    const table = new QuotaTable();
    table.set({ clientId: 'admin' }, new Map([['controller_mutation_rate', quota]]));
    return new ClientQuotaManager(table, windows);
  };

  it('strict: admits while the bucket is not below zero, a burst overdrawing it once, then refuses with the refill time', () => {
    const manager = managerWith(1);
    const quota = manager.mutationQuota('ANONYMOUS', 'admin', true, 0);
    // 11 tokens: 10 fit, the next 5 overdraw to -4, the next topic meets a bucket below zero.
    expect(quota.admit(10, 0)).toBe(true);
    expect(quota.admit(5, 0)).toBe(true);
    expect(quota.admit(1, 0)).toBe(false);
    expect(quota.admit(1, 1000)).toBe(false);
    // Measured at 1 s: -3 tokens at 1/s; answered at 1.5 s, 2 s are left.
    expect(quota.responseThrottleMs(1500)).toBe(2500);
    const [sensor] = [...manager.all()];
    expect(sensor).toMatchObject({ kind: 'mutation', user: '', clientId: 'admin', throttledResponses: 1, throttleTimeMsTotal: 2500 });
    // A refused topic is not counted: 4 s after the overdraft the bucket is back at zero and admits again.
    const next = manager.mutationQuota('ANONYMOUS', 'admin', true, 4000);
    expect(next.admit(1, 4000)).toBe(true);
    expect(next.responseThrottleMs(4000)).toBe(0);
  });

  it('strict: an overdraft no topic meets answers without a throttle time, as Kafka does', () => {
    const quota = managerWith(1).mutationQuota('ANONYMOUS', 'admin', true, 0);
    expect(quota.admit(100, 0)).toBe(true);
    expect(quota.responseThrottleMs(0)).toBe(0);
  });

  it('permissive: admits everything and throttles the response until the bucket is back at zero', () => {
    const manager = managerWith(2);
    const quota = manager.mutationQuota('ANONYMOUS', 'admin', false, 0);
    expect(quota.admit(20, 0)).toBe(true);
    expect(quota.admit(10, 0)).toBe(true);
    // 22 - 30 = -8 tokens at 2/s.
    expect(quota.responseThrottleMs(0)).toBe(4000);
    expect([...manager.all()][0]!.rate.rate(0)).toBe(3);
  });

  it('counts nothing for clients no quota applies to, and holds a zero quota for the window, not for ever', () => {
    const manager = managerWith(0);
    const other = manager.mutationQuota('ANONYMOUS', 'someone-else', true, 0);
    expect(other.admit(1e6, 0)).toBe(true);
    expect(other.responseThrottleMs(0)).toBe(0);
    expect([...manager.all()]).toHaveLength(0);
    const zero = manager.mutationQuota('ANONYMOUS', 'admin', false, 0);
    zero.admit(1, 0);
    expect(zero.responseThrottleMs(0)).toBe(11_000);
  });

  it('bounds the throttle time of an absurd overdraft by what throttle_time_ms holds', () => {
    const quota = managerWith(1e-9).mutationQuota('ANONYMOUS', 'admin', false, 0);
    quota.admit(1e6, 0);
    expect(quota.responseThrottleMs(0)).toBe(2 ** 31 - 1);
  });
});
