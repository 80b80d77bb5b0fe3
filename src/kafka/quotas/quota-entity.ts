// Client quota entities and keys as Kafka defines them (KIP-55, KIP-257, KIP-546, KIP-612): an entity is
// a user, a client id, a user with a client id, or an IP address, each name possibly the type's default
// (null here, "<default>" in ZooKeeper). Which keys an entity takes, and Kafka's checks of AlterClientQuotas
// input with its error code (INVALID_REQUEST) and messages. Pure: no I/O.
import { sanitizeUser } from '../sasl/user-store.js';

export const USER = 'user';
export const CLIENT_ID = 'client-id';
export const IP = 'ip';
export type QuotaEntityType = typeof USER | typeof CLIENT_ID | typeof IP;

/** The default entity's name in ZooKeeper paths (Kafka's ZooKeeper layout). */
export const DEFAULT_NAME = '<default>';

/** undefined: the entity has no such part; null: the type's default. */
export interface QuotaEntity {
  user?: string | null;
  clientId?: string | null;
  ip?: string | null;
}

export const PRODUCER_BYTE_RATE = 'producer_byte_rate';
export const CONSUMER_BYTE_RATE = 'consumer_byte_rate';
export const REQUEST_PERCENTAGE = 'request_percentage';
export const CONTROLLER_MUTATION_RATE = 'controller_mutation_rate';
export const CONNECTION_CREATION_RATE = 'connection_creation_rate';

/** Whole: Kafka's LONG and INT keys take whole numbers only; the bound is the largest value Kafka's type holds. */
interface QuotaKey {
  whole: boolean;
  max: number;
}
const LONG_MAX = 2 ** 63 - 1;
const CLIENT_KEYS: Readonly<Record<string, QuotaKey>> = {
  [PRODUCER_BYTE_RATE]: { whole: true, max: LONG_MAX },
  [CONSUMER_BYTE_RATE]: { whole: true, max: LONG_MAX },
  [REQUEST_PERCENTAGE]: { whole: false, max: Number.MAX_VALUE },
  [CONTROLLER_MUTATION_RATE]: { whole: false, max: Number.MAX_VALUE },
};
const IP_KEYS: Readonly<Record<string, QuotaKey>> = { [CONNECTION_CREATION_RATE]: { whole: true, max: 2 ** 31 - 1 } };

export const QUOTA_KEY_NAMES: readonly string[] = [...Object.keys(CLIENT_KEYS), ...Object.keys(IP_KEYS)];

/** A quota entity as the wire carries it. */
export interface EntityData {
  entityType: string;
  entityName: string | null;
}

export class QuotaRefusal {
  constructor(readonly message: string) {}
}

/** Kafka's checks of an entity named in AlterClientQuotas, in Kafka's order. */
export function entityOf(parts: readonly EntityData[]): QuotaEntity | QuotaRefusal {
  if (parts.length === 0) return new QuotaRefusal('Invalid empty client quota entity');
  const entity: QuotaEntity = {};
  const seen = new Set<string>();
  for (const { entityType, entityName } of parts) {
    if (seen.has(entityType)) return new QuotaRefusal(`Invalid empty client quota entity, duplicate entity entry ${entityType}`);
    seen.add(entityType);
    if (entityType === USER) entity.user = entityName;
    else if (entityType === CLIENT_ID) entity.clientId = entityName;
    else if (entityType === IP) entity.ip = entityName;
    else return new QuotaRefusal(`Unhandled client quota entity type: ${entityType}`);
    if (entityName === '') return new QuotaRefusal(`Empty ${entityType} not supported`);
  }
  if (entity.ip !== undefined && (entity.user !== undefined || entity.clientId !== undefined)) return new QuotaRefusal('Invalid quota entity combination');
  if (entity.ip !== undefined && entity.ip !== null && !isIpAddress(entity.ip)) return new QuotaRefusal(`${entity.ip} is not a valid IP or resolvable host.`);
  return entity;
}

/** Skein takes literal addresses only: a host name would be resolved once and go stale. */
export function isIpAddress(text: string): boolean {
  return /^(\d{1,3})(\.\d{1,3}){3}$/.test(text) ? text.split('.').every((o) => Number(o) <= 255) : /^[0-9a-fA-F:.]+$/.test(text) && text.includes(':');
}

export function entityParts(entity: QuotaEntity): EntityData[] {
  const parts: EntityData[] = [];
  if (entity.user !== undefined) parts.push({ entityType: USER, entityName: entity.user });
  if (entity.clientId !== undefined) parts.push({ entityType: CLIENT_ID, entityName: entity.clientId });
  if (entity.ip !== undefined) parts.push({ entityType: IP, entityName: entity.ip });
  return parts;
}

function keysOf(entity: QuotaEntity): Readonly<Record<string, QuotaKey>> {
  return entity.ip !== undefined ? IP_KEYS : CLIENT_KEYS;
}

/** One change: a value to set, or null to remove the key. */
export type QuotaChanges = Map<string, number | null>;

/**
 * Kafka's checks of one entity's operations (a key named twice, a key the entity does not take, a
 * fractional value for a whole-number key), and Skein's of values Kafka would store and misbehave on:
 * negative, not finite, or past what the key's type holds.
 */
export function changesOf(entity: QuotaEntity, ops: readonly { key: string; value: number; remove: boolean }[]): QuotaChanges | QuotaRefusal {
  const keys = keysOf(entity);
  const changes: QuotaChanges = new Map();
  for (const op of ops) {
    if (changes.has(op.key)) return new QuotaRefusal(`Duplicate quota key ${op.key} not updating quota for this entity`);
    const key = keys[op.key];
    if (key === undefined) return new QuotaRefusal(`Invalid configuration key ${op.key}`);
    if (op.remove) {
      changes.set(op.key, null);
      continue;
    }
    if (!Number.isFinite(op.value)) return new QuotaRefusal(`Configuration ${op.key} must be a finite number`);
    if (op.value < 0) return new QuotaRefusal(`Configuration ${op.key} must not be negative`);
    if (op.value > key.max) return new QuotaRefusal(`Configuration ${op.key} is too large`);
    if (key.whole && Math.abs(Math.round(op.value) - op.value) > 1e-6) return new QuotaRefusal(`Configuration ${op.key} must be a Long value`);
    changes.set(op.key, key.whole ? Math.round(op.value) : op.value);
  }
  return changes;
}

const nameInPath = (name: string | null): string => (name === null ? DEFAULT_NAME : sanitizeUser(name));
const nameOfPath = (segment: string): string | null => (segment === DEFAULT_NAME ? null : decodeURIComponent(segment));

/** Where Kafka keeps the entity's config under /config: "users/alice", "users/alice/clients/app", "clients/<default>", "ips/10.0.0.1". */
export function entityPath(entity: QuotaEntity): string {
  if (entity.ip !== undefined) return `ips/${entity.ip ?? DEFAULT_NAME}`;
  const client = entity.clientId === undefined ? undefined : `clients/${nameInPath(entity.clientId)}`;
  if (entity.user === undefined) return client!;
  const user = `users/${nameInPath(entity.user)}`;
  return client === undefined ? user : `${user}/${client}`;
}

/** The entity an entity path names; undefined for a path that names none (a topic's, a broker's). */
export function entityOfPath(path: string): QuotaEntity | undefined {
  const s = path.split('/');
  if (s.length === 2 && s[0] === 'users') return { user: nameOfPath(s[1]!) };
  if (s.length === 2 && s[0] === 'clients') return { clientId: nameOfPath(s[1]!) };
  if (s.length === 2 && s[0] === 'ips') return { ip: s[1] === DEFAULT_NAME ? null : s[1]! };
  if (s.length === 4 && s[0] === 'users' && s[2] === 'clients') return { user: nameOfPath(s[1]!), clientId: nameOfPath(s[3]!) };
  return undefined;
}

/** The quota keys of a stored config map (a user's also holds SCRAM credentials), as numbers. */
export function quotasOfConfig(entity: QuotaEntity, config: Readonly<Record<string, string>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const key of Object.keys(keysOf(entity))) {
    const text = config[key];
    if (text === undefined) continue;
    const value = Number(text);
    if (Number.isFinite(value) && value >= 0) out.set(key, value);
  }
  return out;
}

/** A config map with `changes` applied; keys that are not quotas (SCRAM credentials) kept as they are. */
export function applyChanges(config: Readonly<Record<string, string>>, changes: QuotaChanges): Record<string, string> {
  const next = { ...config };
  for (const [key, value] of changes) {
    if (value === null) delete next[key];
    else next[key] = String(value);
  }
  return next;
}
