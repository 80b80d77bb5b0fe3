// max.connections.per.principal: open connections per authenticated principal, across all listeners.
// Kafka has no such limit (its max.connections.per.ip counts addresses); Skein names its keys in Kafka's
// style. A connection is counted from the moment it has a principal (its client certificate at connect,
// or its SASL login) until it closes; re-authentication keeps the one count, since it may not change
// the principal. User:ANONYMOUS is not counted: every PLAINTEXT client is ANONYMOUS, so a per-principal
// limit on it would be a second max.connections, and max.connections.per.ip already bounds them per
// address. super.users are exempt so that brokers' own connections are never locked out.
import { ANONYMOUS, type KafkaPrincipal } from './principal.js';

export interface PrincipalLimits {
  /** max.connections.per.principal. */
  limit: number;
  /** max.connections.per.principal.overrides, by principal ("User:alice"). */
  overrides: ReadonlyMap<string, number>;
  /** super.users: never counted. */
  exempt: ReadonlySet<string>;
}

/** A counted connection's hold on its principal's count; release() once, when the connection closes. */
export interface PrincipalHold {
  release(): void;
}

const NOT_COUNTED: PrincipalHold = { release() {} };

export class PrincipalConnections {
  // Only principals with an open counted connection have an entry, so the map holds at most as many
  // entries as there are open connections (bounded by max.connections per listener).
  private readonly open = new Map<string, number>();

  constructor(private readonly limits: PrincipalLimits) {}

  /** Counts a connection for `principal`; a string is the refusal when the principal is at its limit. */
  acquire(principal: KafkaPrincipal): PrincipalHold | string {
    const key = `${principal.type}:${principal.name}`;
    if (principal.name === ANONYMOUS.name || this.limits.exempt.has(key)) return NOT_COUNTED;
    const limit = this.limits.overrides.get(key) ?? this.limits.limit;
    const count = this.open.get(key) ?? 0;
    if (count >= limit) return `connection limit of ${limit} for ${key} reached`;
    this.open.set(key, count + 1);
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        const left = this.open.get(key)! - 1;
        if (left === 0) this.open.delete(key);
        else this.open.set(key, left);
      },
    };
  }

  /** Open counted connections of `principal` ("User:alice"). */
  count(principal: string): number {
    return this.open.get(principal) ?? 0;
  }
}
