// Client quotas as DescribeClientQuotas (48) and AlterClientQuotas (49) see them: Kafka's checks and
// error codes, writes to the entity's config (ZooKeeper's /config/<entity path> in a cluster, so every
// broker follows; a file of the data directory alone), and the table enforcement reads, changed at once
// on the broker that wrote and through the ZooKeeper watch (cluster/entity-config-watch.ts) on the others.
import { ErrorCode } from '../../../protocol/kafka/index.js';
import type { EntityConfigs } from '../cluster/entity-configs.js';
import {
  applyChanges,
  changesOf,
  CLIENT_ID,
  entityOf,
  entityOfPath,
  entityParts,
  entityPath,
  IP,
  quotasOfConfig,
  QuotaRefusal,
  USER,
  type EntityData,
  type QuotaEntity,
} from './quota-entity.js';
import type { QuotaTable } from './quota-table.js';

/** DescribeClientQuotas' match types. */
export const MatchType = { EXACT: 0, DEFAULT: 1, SPECIFIED: 2 } as const;

export interface FilterComponent {
  entityType: string;
  matchType: number;
  match: string | null;
}

export interface DescribedEntry {
  entity: EntityData[];
  values: { key: string; value: number }[];
}

export interface AlterEntry {
  entity: readonly EntityData[];
  ops: readonly { key: string; value: number; remove: boolean }[];
}

export interface AlterResult {
  errorCode: number;
  errorMessage: string | null;
  entity: EntityData[];
}

const PART_OF_TYPE: Readonly<Record<string, keyof QuotaEntity>> = { [USER]: 'user', [CLIENT_ID]: 'clientId', [IP]: 'ip' };

/** Kafka's checks of a describe filter; the refusal's message, or undefined when it is acceptable. */
function filterRefusal(components: readonly FilterComponent[]): string | undefined {
  const types = new Set<string>();
  for (const c of components) {
    if (PART_OF_TYPE[c.entityType] === undefined) return `Custom entity type ${c.entityType} not supported`;
    if (types.has(c.entityType)) return `Entity type ${c.entityType} cannot appear more than once in the filter.`;
    types.add(c.entityType);
    if (c.matchType === MatchType.EXACT && c.match === null) return `Exact match for entity type ${c.entityType} needs a name`;
    if (c.matchType !== MatchType.EXACT && c.matchType !== MatchType.DEFAULT && c.matchType !== MatchType.SPECIFIED) return `Unknown match type ${c.matchType}`;
  }
  if (types.has(IP) && (types.has(USER) || types.has(CLIENT_ID))) {
    return 'Invalid entity filter component combination, IP filter component should not be used with user or clientId filter component.';
  }
  return undefined;
}

function matches(entity: QuotaEntity, components: readonly FilterComponent[], strict: boolean): boolean {
  for (const c of components) {
    const name = entity[PART_OF_TYPE[c.entityType]!];
    if (name === undefined) return false;
    if (c.matchType === MatchType.EXACT && name !== c.match) return false;
    if (c.matchType === MatchType.DEFAULT && name !== null) return false;
    if (c.matchType === MatchType.SPECIFIED && name === null) return false;
  }
  return !strict || entityParts(entity).length === components.length;
}

export class ClientQuotas {
  constructor(
    private readonly store: EntityConfigs,
    readonly table: QuotaTable,
  ) {}

  /** Reads every quota entity of the store into the table. */
  async load(): Promise<void> {
    const paths: string[] = [];
    for (const user of await this.store.children('users')) {
      paths.push(`users/${user}`);
      for (const client of await this.store.children(`users/${user}/clients`)) paths.push(`users/${user}/clients/${client}`);
    }
    for (const client of await this.store.children('clients')) paths.push(`clients/${client}`);
    for (const ip of await this.store.children('ips')) paths.push(`ips/${ip}`);
    const present = new Set(paths);
    // Entities removed while this broker was not watching.
    for (const e of [...this.table.entries()]) if (!present.has(entityPath(e.entity))) this.table.set(e.entity, new Map());
    for (const path of paths) await this.reload(path);
  }

  /** Re-reads one entity path (a notification named it); paths that name no quota entity are ignored. */
  async reload(path: string): Promise<void> {
    const entity = entityOfPath(path);
    if (entity === undefined) return;
    this.table.set(entity, quotasOfConfig(entity, await this.store.read(path)));
  }

  describe(components: readonly FilterComponent[], strict: boolean): { errorCode: number; errorMessage: string | null; entries: DescribedEntry[] | null } {
    const refusal = filterRefusal(components);
    if (refusal !== undefined) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: refusal, entries: null };
    const entries: DescribedEntry[] = [];
    for (const { entity, quotas } of this.table.entries()) {
      if (!matches(entity, components, strict)) continue;
      entries.push({ entity: entityParts(entity), values: [...quotas].map(([key, value]) => ({ key, value })) });
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, entries };
  }

  /** Each entry all or none, as Kafka answers: an entry named twice is refused both times. */
  async alter(entries: readonly AlterEntry[], validateOnly: boolean): Promise<AlterResult[]> {
    const seen = new Map<string, number>();
    const checked = entries.map((e) => {
      const entity = entityOf(e.entity);
      if (entity instanceof QuotaRefusal) return entity;
      const path = entityPath(entity);
      seen.set(path, (seen.get(path) ?? 0) + 1);
      const changes = changesOf(entity, e.ops);
      return changes instanceof QuotaRefusal ? changes : { entity, path, changes };
    });
    const results: AlterResult[] = [];
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const c = checked[i]!;
      const answer = (errorCode: number, errorMessage: string | null) => results.push({ errorCode, errorMessage, entity: [...entry.entity] });
      if (c instanceof QuotaRefusal) answer(ErrorCode.INVALID_REQUEST, c.message);
      else if (seen.get(c.path)! > 1) answer(ErrorCode.INVALID_REQUEST, `Ignoring duplicate entity ${c.path}`);
      else if (validateOnly) answer(ErrorCode.NONE, null);
      else {
        const config = applyChanges(await this.store.read(c.path), c.changes);
        await this.store.write(c.path, config);
        this.table.set(c.entity, quotasOfConfig(c.entity, config));
        answer(ErrorCode.NONE, null);
      }
    }
    return results;
  }
}
