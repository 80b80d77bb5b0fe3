// The client-metrics subscriptions (KIP-714's CLIENT_METRICS config resources) as every broker of a
// cluster sees them: kept where Skein keeps entity configs (ZooKeeper's /config/client-metrics/<name>
// as {"version":1,"config":{...}}, each write announced under /config/changes and followed by every
// broker through a watch; a broker alone keeps client-metrics.json in its data directory). Changed by
// IncrementalAlterConfigs and AlterConfigs, read by DescribeConfigs and ListConfigResources, and
// matched against each client instance by GetTelemetrySubscriptions (client-telemetry.ts).
//
// `version` counts changes: an instance whose subscription was computed at an older version has it
// computed again at its next request (Kafka's subscriptionUpdateVersion), so a change reaches every
// client, which is then told UNKNOWN_SUBSCRIPTION_ID on its next push and asks again.
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import type { EntityConfigs } from '../cluster/entity-configs.js';
import type { ConfigDescription } from '../metadata/config-description.js';
import { sanitizeUser } from '../sasl/user-store.js';
import { describeSubscription, parseSubscription, subscriptionOf, type ClientAttributes, type ClientMetricsSubscription, type ClientSubscription } from './client-metrics-config.js';

/** The entity type's directory under /config, as Kafka names it (ConfigType.CLIENT_METRICS). */
export const CLIENT_METRICS_ENTITY = 'client-metrics';

/**
 * Subscriptions kept at most. Kafka has no bound; every new client instance is matched against each
 * one, so their number bounds what a client's first request costs.
 */
export const SUBSCRIPTIONS_MAX = 1_000;

/** A stored (sanitized) name as the subscription's name; one no Sanitizer wrote (a bad %-escape) is taken as it is. */
function nameOf(stored: string): string {
  try {
    return decodeURIComponent(stored);
  } catch {
    return stored;
  }
}

export class ClientMetricsResources {
  /** The stored configs by subscription name, and the subscriptions they make. */
  private readonly configs = new Map<string, Record<string, string>>();
  private readonly subscriptions = new Map<string, ClientMetricsSubscription>();
  private changes = 0;

  constructor(private readonly store: EntityConfigs) {}

  /** Counts the changes seen; an instance's subscription computed before the latest one is stale. */
  get version(): number {
    return this.changes;
  }

  /** Reads every subscription of the store (at start, and after a new ZooKeeper session). */
  async load(): Promise<void> {
    const names = await this.store.children(CLIENT_METRICS_ENTITY);
    const present = new Set(names.map(nameOf));
    // Subscriptions removed while this broker was not watching.
    for (const name of [...this.configs.keys()]) if (!present.has(name)) this.set(name, {});
    for (const stored of names) await this.reload(`${CLIENT_METRICS_ENTITY}/${stored}`);
  }

  /** Re-reads one entity path (a change notification named it); paths of other entity types are ignored. */
  async reload(entityPath: string): Promise<void> {
    const prefix = `${CLIENT_METRICS_ENTITY}/`;
    if (!entityPath.startsWith(prefix) || entityPath.length === prefix.length) return;
    const stored = entityPath.slice(prefix.length);
    if (stored.includes('/')) return;
    this.set(nameOf(stored), await this.store.read(entityPath));
  }

  /** The subscription names (ListConfigResources). */
  names(): string[] {
    return [...this.configs.keys()];
  }

  /** DescribeConfigs of one subscription: its keys, defaults where unset (also for a name never set, as Kafka). */
  describe(name: string): ConfigDescription[] {
    if (name === '') throw new KafkaProtocolError(ErrorCode.INVALID_REQUEST, 'Client metrics subscription name must not be empty');
    return describeSubscription(this.configs.get(name) ?? {});
  }

  /**
   * Replaces a subscription's configs with `next(current)` after Kafka's checks; all keys removed
   * deletes it. In effect here at once; returns the write to wait for, or undefined for validateOnly.
   */
  change(name: string, next: (current: Readonly<Record<string, string>>) => Record<string, string>, validateOnly: boolean): Promise<void> | undefined {
    const config = next(this.configs.get(name) ?? {});
    parseSubscription(name, config);
    if (!this.configs.has(name) && Object.keys(config).length > 0 && this.configs.size >= SUBSCRIPTIONS_MAX) {
      throw new KafkaProtocolError(ErrorCode.INVALID_REQUEST, `Skein keeps at most ${SUBSCRIPTIONS_MAX} client metrics subscriptions`);
    }
    if (validateOnly) return undefined;
    this.set(name, config);
    return this.store.write(`${CLIENT_METRICS_ENTITY}/${sanitizeUser(name)}`, config);
  }

  /** What a client is asked for: the union of the subscriptions it matches. */
  subscriptionFor(client: ClientAttributes): ClientSubscription {
    return subscriptionOf(this.subscriptions.values(), client);
  }

  private set(name: string, config: Record<string, string>): void {
    this.changes++;
    if (Object.keys(config).length === 0) {
      this.configs.delete(name);
      this.subscriptions.delete(name);
      return;
    }
    // Past the bound (only another tool writing to ZooKeeper gets there): not read, so not matched.
    if (!this.configs.has(name) && this.configs.size >= SUBSCRIPTIONS_MAX) return;
    let subscription: ClientMetricsSubscription;
    try {
      subscription = parseSubscription(name, config);
    } catch (err) {
      // Written by another tool without Kafka's checks: kept for DescribeConfigs, matched by no client.
      if (!(err instanceof KafkaProtocolError)) throw err;
      this.configs.set(name, config);
      this.subscriptions.delete(name);
      return;
    }
    this.configs.set(name, config);
    this.subscriptions.set(name, subscription);
  }
}
