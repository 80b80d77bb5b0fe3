import { describe, expect, it } from 'vitest';
import { changesOf, entityOf, entityOfPath, entityPath, QuotaRefusal } from '../../../../src/kafka/quotas/quota-entity.js';
import { QuotaTable } from '../../../../src/kafka/quotas/quota-table.js';

const P = 'producer_byte_rate';

describe('QuotaTable.resolve', () => {
  it("takes the most specific entity in Kafka's order, and says whose rate it is", () => {
    const table = new QuotaTable();
    const levels: [Parameters<QuotaTable['set']>[0], number][] = [
      [{ clientId: null }, 8],
      [{ clientId: 'app' }, 7],
      [{ user: null }, 6],
      [{ user: null, clientId: null }, 5],
      [{ user: null, clientId: 'app' }, 4],
      [{ user: 'alice' }, 3],
      [{ user: 'alice', clientId: null }, 2],
      [{ user: 'alice', clientId: 'app' }, 1],
    ];
    const expected = [
      { quota: 8, user: '', clientId: 'app' },
      { quota: 7, user: '', clientId: 'app' },
      { quota: 6, user: 'alice', clientId: '' },
      { quota: 5, user: 'alice', clientId: 'app' },
      { quota: 4, user: 'alice', clientId: 'app' },
      { quota: 3, user: 'alice', clientId: '' },
      { quota: 2, user: 'alice', clientId: 'app' },
      { quota: 1, user: 'alice', clientId: 'app' },
    ];
    expect(table.resolve(P, 'alice', 'app')).toBeUndefined();
    levels.forEach(([entity, quota], i) => {
      table.set(entity, new Map([[P, quota]]));
      expect(table.resolve(P, 'alice', 'app')).toEqual(expected[i]);
    });
    // Each key on its own: a consumer quota elsewhere does not hide the producer quota.
    table.set({ user: 'alice', clientId: 'app' }, new Map([['consumer_byte_rate', 9]]));
    expect(table.resolve(P, 'alice', 'app')).toEqual(expected[6]);
    expect(table.uses('request_percentage')).toBe(false);
  });
});

describe('quota entities', () => {
  it("are kept at Kafka's ZooKeeper paths, names sanitized, defaults as <default>", () => {
    expect(entityPath({ user: 'CN=a b', clientId: null })).toBe('users/CN%3Da%20b/clients/<default>');
    expect(entityPath({ clientId: 'app' })).toBe('clients/app');
    expect(entityPath({ ip: '10.0.0.1' })).toBe('ips/10.0.0.1');
    expect(entityOfPath('users/CN%3Da%20b/clients/<default>')).toEqual({ user: 'CN=a b', clientId: null });
    expect(entityOfPath('topics/orders')).toBeUndefined();
  });

  it("refuse what Kafka refuses, with INVALID_REQUEST's messages", () => {
    const refused = (v: unknown) => (v instanceof QuotaRefusal ? v.message : 'accepted');
    expect(refused(entityOf([]))).toBe('Invalid empty client quota entity');
    expect(refused(entityOf([{ entityType: 'group', entityName: 'g' }]))).toBe('Unhandled client quota entity type: group');
    expect(refused(entityOf([{ entityType: 'user', entityName: 'a' }, { entityType: 'user', entityName: 'b' }]))).toMatch(/duplicate entity entry user/);
    expect(refused(entityOf([{ entityType: 'user', entityName: '' }]))).toBe('Empty user not supported');
    expect(refused(entityOf([{ entityType: 'ip', entityName: '1.2.3.4' }, { entityType: 'user', entityName: 'a' }]))).toBe('Invalid quota entity combination');
    expect(refused(entityOf([{ entityType: 'ip', entityName: 'not an ip' }]))).toMatch(/not a valid IP/);
    const user = { user: 'a' };
    const op = (key: string, value: number) => ({ key, value, remove: false });
    expect(refused(changesOf(user, [op('producer_byte_rate', -1)]))).toMatch(/must not be negative/);
    expect(refused(changesOf(user, [op('producer_byte_rate', Number.NaN)]))).toMatch(/finite/);
    expect(refused(changesOf(user, [op('producer_byte_rate', Number.POSITIVE_INFINITY)]))).toMatch(/finite/);
    expect(refused(changesOf(user, [op('producer_byte_rate', 1e30)]))).toMatch(/too large/);
    expect(refused(changesOf(user, [op('producer_byte_rate', 1.5)]))).toMatch(/must be a Long value/);
    expect(refused(changesOf(user, [op('connection_creation_rate', 1)]))).toBe('Invalid configuration key connection_creation_rate');
    expect(refused(changesOf(user, [op('request_percentage', 1), op('request_percentage', 2)]))).toMatch(/Duplicate quota key/);
    expect(changesOf(user, [op('request_percentage', 12.5), { key: P, value: 0, remove: true }])).toEqual(new Map<string, number | null>([['request_percentage', 12.5], [P, null]]));
  });
});
