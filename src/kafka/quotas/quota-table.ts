// The client quotas in force, by entity, and which one applies to a request: for each quota key the
// most specific entity that sets it, in Kafka's order (KIP-55):
//   user+client-id, user+<default> client, user, <default> user+client-id, <default> user+<default>
//   client, <default> user, client-id, <default> client-id.
// Clients sharing the entity that matched share its rate (Kafka's metric tags): a user's quota is the
// whole user's, a <default> user's quota is each user's own.
import { entityPath, type QuotaEntity } from './quota-entity.js';

/** Whose rate a request counts against: the parts of user and client id the matching entity names ('' when it does not). */
export interface QuotaMatch {
  quota: number;
  user: string;
  clientId: string;
}

export interface QuotaEntry {
  entity: QuotaEntity;
  quotas: ReadonlyMap<string, number>;
}

export class QuotaTable {
  private readonly byPath = new Map<string, QuotaEntry>();
  /** Entities setting each key: a key nobody sets costs a request one lookup. */
  private readonly keyCounts = new Map<string, number>();

  /** Replaces an entity's quotas (none: the entity is dropped). */
  set(entity: QuotaEntity, quotas: ReadonlyMap<string, number>): void {
    const path = entityPath(entity);
    const old = this.byPath.get(path);
    for (const key of old?.quotas.keys() ?? []) this.keyCounts.set(key, this.keyCounts.get(key)! - 1);
    if (quotas.size === 0) this.byPath.delete(path);
    else this.byPath.set(path, { entity, quotas });
    for (const key of quotas.keys()) this.keyCounts.set(key, (this.keyCounts.get(key) ?? 0) + 1);
  }

  get(entity: QuotaEntity): QuotaEntry | undefined {
    return this.byPath.get(entityPath(entity));
  }

  entries(): IterableIterator<QuotaEntry> {
    return this.byPath.values();
  }

  /** Whether any entity sets `key`. */
  uses(key: string): boolean {
    return (this.keyCounts.get(key) ?? 0) > 0;
  }

  /** The quota `key` of a request by `user` (the principal's name) with `clientId`, or undefined when none applies. */
  resolve(key: string, user: string, clientId: string): QuotaMatch | undefined {
    if (!this.uses(key)) return undefined;
    const candidates: [QuotaEntity, QuotaMatch['user'], QuotaMatch['clientId']][] = [
      [{ user, clientId }, user, clientId],
      [{ user, clientId: null }, user, clientId],
      [{ user }, user, ''],
      [{ user: null, clientId }, user, clientId],
      [{ user: null, clientId: null }, user, clientId],
      [{ user: null }, user, ''],
      [{ clientId }, '', clientId],
      [{ clientId: null }, '', clientId],
    ];
    for (const [entity, u, c] of candidates) {
      const quota = this.byPath.get(entityPath(entity))?.quotas.get(key);
      if (quota !== undefined) return { quota, user: u, clientId: c };
    }
    return undefined;
  }

  /** An ip's quota `key`: its own, else the <default> ip's. */
  resolveIp(key: string, ip: string): number | undefined {
    if (!this.uses(key)) return undefined;
    return this.byPath.get(entityPath({ ip }))?.quotas.get(key) ?? this.byPath.get(entityPath({ ip: null }))?.quotas.get(key);
  }
}
