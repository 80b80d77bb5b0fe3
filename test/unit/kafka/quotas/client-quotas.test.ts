import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../protocol/kafka/index.js';
import { FileEntityConfigs } from '../../../../src/kafka/cluster/entity-configs.js';
import { ClientQuotas, MatchType } from '../../../../src/kafka/quotas/client-quotas.js';
import { QuotaTable } from '../../../../src/kafka/quotas/quota-table.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function quotasIn(dir: string): ClientQuotas {
  return new ClientQuotas(new FileEntityConfigs(join(dir, 'client-quotas.json')), new QuotaTable());
}

const user = (name: string | null) => ({ entityType: 'user', entityName: name });
const client = (name: string | null) => ({ entityType: 'client-id', entityName: name });
const set = (key: string, value: number) => ({ key, value, remove: false });

describe('ClientQuotas', () => {
  it('stores quotas, describes them by filter as Kafka matches, and reads them back after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skein-quotas-'));
    dirs.push(dir);
    const quotas = quotasIn(dir);
    const results = await quotas.alter(
      [
        { entity: [user('alice')], ops: [set('producer_byte_rate', 100)] },
        { entity: [user('alice'), client('app')], ops: [set('consumer_byte_rate', 200)] },
        { entity: [user(null)], ops: [set('request_percentage', 25.5)] },
        { entity: [client('app')], ops: [set('producer_byte_rate', 300)] },
        { entity: [{ entityType: 'ip', entityName: '10.0.0.1' }], ops: [set('connection_creation_rate', 5)] },
      ],
      false,
    );
    expect(results.map((r) => r.errorCode)).toEqual([0, 0, 0, 0, 0]);
    const entities = (components: { entityType: string; matchType: number; match: string | null }[], strict = false) =>
      quotas.describe(components, strict).entries!.map((e) => e.entity);
    expect(entities([{ entityType: 'user', matchType: MatchType.EXACT, match: 'alice' }])).toEqual([[user('alice')], [user('alice'), client('app')]]);
    expect(entities([{ entityType: 'user', matchType: MatchType.EXACT, match: 'alice' }], true)).toEqual([[user('alice')]]);
    expect(entities([{ entityType: 'user', matchType: MatchType.DEFAULT, match: null }])).toEqual([[user(null)]]);
    expect(entities([{ entityType: 'client-id', matchType: MatchType.SPECIFIED, match: null }])).toEqual([[user('alice'), client('app')], [client('app')]]);
    expect(entities([])).toHaveLength(5);
    expect(entities([], true)).toEqual([]);

    const reopened = quotasIn(dir);
    await reopened.load();
    expect(reopened.describe([], false)).toEqual(quotas.describe([], false));
    expect(reopened.table.resolve('request_percentage', 'bob', 'x')).toEqual({ quota: 25.5, user: 'bob', clientId: '' });
  });

  it('refuses bad filters and entries with INVALID_REQUEST, validates without storing, and removes keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skein-quotas-'));
    dirs.push(dir);
    const quotas = quotasIn(dir);
    const refusal = (components: { entityType: string; matchType: number; match: string | null }[]) => quotas.describe(components, false);
    expect(refusal([{ entityType: 'topic', matchType: 0, match: 'x' }])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, entries: null });
    expect(refusal([{ entityType: 'user', matchType: 0, match: null }])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST });
    expect(refusal([{ entityType: 'user', matchType: 7, match: null }])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST });
    expect(refusal([{ entityType: 'ip', matchType: 1, match: null }, { entityType: 'user', matchType: 1, match: null }])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST });

    expect((await quotas.alter([{ entity: [client('a')], ops: [set('producer_byte_rate', 5)] }], true))[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(quotas.describe([], false).entries).toEqual([]);
    // The same entity twice in one request: both refused, nothing stored.
    const twice = await quotas.alter(
      [
        { entity: [client('a')], ops: [set('producer_byte_rate', 5)] },
        { entity: [client('a')], ops: [set('consumer_byte_rate', 5)] },
      ],
      false,
    );
    expect(twice.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
    expect(quotas.describe([], false).entries).toEqual([]);
    await quotas.alter([{ entity: [client('a')], ops: [set('producer_byte_rate', 5), set('consumer_byte_rate', 6)] }], false);
    await quotas.alter([{ entity: [client('a')], ops: [{ key: 'producer_byte_rate', value: 0, remove: true }] }], false);
    expect(quotas.describe([], false).entries).toEqual([{ entity: [client('a')], values: [{ key: 'consumer_byte_rate', value: 6 }] }]);
    await quotas.alter([{ entity: [client('a')], ops: [{ key: 'consumer_byte_rate', value: 0, remove: true }] }], false);
    expect(quotas.describe([], false).entries).toEqual([]);
    expect(quotas.table.uses('consumer_byte_rate')).toBe(false);
  });
});
