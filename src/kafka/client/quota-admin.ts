// The admin client's client-quota requests, DescribeClientQuotas (48) and AlterClientQuotas (49), as
// Kafka's AdminClient sends them (kafka-configs.sh --entity-type users|clients|ips). An entity is a user,
// a client id, both, or an ip; a name of null is the type's default entity.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { MatchType } from '../quotas/client-quotas.js';
import { entityOf, entityParts, QuotaRefusal, type QuotaEntity } from '../quotas/quota-entity.js';
import { check, type KafkaAdmin } from './admin.js';

export interface EntityQuotas {
  entity: QuotaEntity;
  quotas: Record<string, number>;
}

/** The quotas of the entities matching `filter` (each part named: that name or the default; none: every entity). */
export async function describeQuotas(admin: KafkaAdmin, filter: QuotaEntity): Promise<EntityQuotas[]> {
  const components = entityParts(filter).map((p) => ({ entityType: p.entityType, matchType: p.entityName === null ? MatchType.DEFAULT : MatchType.EXACT, match: p.entityName }));
  const r = await admin.send(await admin.controller(), ApiKey.DescribeClientQuotas, { components, strict: false });
  check(r.errorCode, 'client quotas', r.errorMessage);
  return (r.entries ?? []).map((e) => {
    const entity = entityOf(e.entity);
    if (entity instanceof QuotaRefusal) throw new Error(`the broker described a quota entity Skein cannot read: ${entity.message}`);
    return { entity, quotas: Object.fromEntries(e.values.map((v) => [v.key, v.value])) };
  });
}

/** Sets `set` and removes `remove` on one entity; a refusal throws with the broker's message. */
export async function alterQuotas(admin: KafkaAdmin, entity: QuotaEntity, set: Record<string, number>, remove: readonly string[] = []): Promise<void> {
  const ops = [...Object.entries(set).map(([key, value]) => ({ key, value, remove: false })), ...remove.map((key) => ({ key, value: 0, remove: true }))];
  const r = await admin.send(await admin.controller(), ApiKey.AlterClientQuotas, { entries: [{ entity: entityParts(entity), ops }], validateOnly: false });
  for (const e of r.entries) check(e.errorCode, 'client quota', e.errorMessage);
}
