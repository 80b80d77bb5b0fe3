// What AlterConfigs and IncrementalAlterConfigs share: the resources they take, the checks Kafka makes
// before it looks at values, topic overrides replaced through the TopicManager, client-metrics
// subscriptions (KIP-714), and the answer for broker configs, which Skein reads from server.properties only.
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import type { Logger } from '../../logger.js';
import { failureOutcome, type ChangeOutcome } from './change-deadline.js';
import { repeated } from './repeated.js';
import type { Asker, Authorization, BrokerServices, TopicAdmin } from '../services.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';

const DONE: ChangeOutcome = { errorCode: ErrorCode.NONE, errorMessage: null };

/** ConfigResource.Type ids. */
export const ConfigResourceType = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const;

export interface ConfigResourceRef {
  resourceType: number;
  resourceName: string;
}

function fail(code: number, message: string): never {
  throw new KafkaProtocolError(code, message);
}

function resourceKey(r: ConfigResourceRef): string {
  return `${r.resourceType}/${r.resourceName}`;
}

/**
 * Kafka's checks of one resource's entries before any value is looked at: each key once, and a value
 * for every entry that needs one. Throws INVALID_REQUEST.
 */
export function checkConfigEntries(entries: readonly { name: string; value: string | null }[], needsValue: (i: number) => boolean): void {
  if (repeated(entries.map((e) => e.name)).size > 0) fail(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys');
  const nulls = entries.filter((e, i) => e.value === null && needsValue(i)).map((e) => e.name);
  if (nulls.length > 0) fail(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nulls.join(', ')}`);
}

/**
 * A broker resource names this broker's id (true) or is empty for the cluster-wide default (false);
 * anything else is INVALID_REQUEST, as Kafka answers it.
 */
export function namesThisBroker(name: string, brokerId: number): boolean {
  if (name === '') return false;
  if (!/^[+-]?\d{1,10}$/.test(name) || Math.abs(Number(name)) > 2 ** 31) {
    fail(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${name}`);
  }
  if (Number(name) !== brokerId) fail(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${brokerId} or empty string, but received ${name}`);
  return true;
}

/**
 * Skein has no dynamic broker configs: setting any is refused the way Kafka refuses a config that cannot
 * change at run time (INVALID_REQUEST, since KAFKA-13609). Removing one is a no-op, as none is ever set.
 */
function refuseBrokerConfigChanges(names: readonly string[]): void {
  if (names.length === 0) return;
  fail(
    ErrorCode.INVALID_REQUEST,
    `Cannot update these configs dynamically: Set(${names.join(', ')}). Skein reads broker configs from server.properties at start only.`,
  );
}

/**
 * Kafka's check of a config resource: the operation (DESCRIBE_CONFIGS, ALTER_CONFIGS) on the topic
 * (TOPIC_AUTHORIZATION_FAILED), or on the cluster for a broker's configs and client-metrics
 * subscriptions (CLUSTER_AUTHORIZATION_FAILED). Throws; other resource types are refused later by type.
 */
export function checkConfigAccess(acls: Authorization, asker: Asker, op: AclOperation, r: ConfigResourceRef): void {
  if (r.resourceType === ConfigResourceType.TOPIC && !acls.authorize(asker, op, ResourceType.TOPIC, r.resourceName)) fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.');
  const brokerLevel =
    r.resourceType === ConfigResourceType.BROKER || r.resourceType === ConfigResourceType.BROKER_LOGGER || r.resourceType === ConfigResourceType.CLIENT_METRICS;
  if (brokerLevel && !acls.authorize(asker, op, ResourceType.CLUSTER, CLUSTER_NAME)) fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'Authorization failed.');
}

/** Throws INVALID_REQUEST for a resource type other than TOPIC, BROKER and CLIENT_METRICS. */
export function refuseResourceType(resourceType: number): never {
  const known = Object.entries(ConfigResourceType).find(([, id]) => id === resourceType && id !== ConfigResourceType.UNKNOWN);
  fail(ErrorCode.INVALID_REQUEST, known ? `Skein has no configs of resource type ${known[0]}` : `Unknown resource type ${resourceType}`);
}

/** How one config API reads a resource: AlterConfigs replaces a topic's overrides, IncrementalAlterConfigs edits them. */
export interface ConfigAlteration<R extends ConfigResourceRef> {
  /** Kafka's checks of a resource's entries before anything else; throws KafkaProtocolError. */
  check(resource: R): void;
  /** A topic's new overrides, from its current ones; throws KafkaProtocolError. */
  topicConfigs(resource: R, current: Readonly<Record<string, string>>): Record<string, string>;
  /** A client-metrics subscription's new configs, from its current ones; throws KafkaProtocolError. */
  clientMetricsConfigs(resource: R, current: Readonly<Record<string, string>>): Record<string, string>;
  /** The broker configs the resource would set (removals are not changes: Skein has no dynamic values). */
  brokerConfigsSet(resource: R): string[];
}

/** Replaces a topic's overrides after Kafka's checks; returns the change to wait for, or undefined for validateOnly. */
function changeTopicConfigs(
  topics: TopicAdmin,
  name: string,
  next: (current: Readonly<Record<string, string>>) => Record<string, string>,
  validateOnly: boolean,
): Promise<void> | undefined {
  if (name === '') fail(ErrorCode.INVALID_REQUEST, 'Default topic resources are not allowed.');
  const topic = topics.get(name);
  if (!topic) fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
  const configs = next(topic.configs);
  topics.validateConfigs(configs);
  return validateOnly ? undefined : topics.setConfigs(name, configs);
}

/**
 * Alters every resource in request order (their effects happen before any waiting), then answers each
 * with its error: repeated resources, unknown types and bad entries refused as Kafka refuses them.
 */
export async function alterConfigs<R extends ConfigResourceRef>(
  { topics, config, acls, clientMetrics }: Pick<BrokerServices, 'topics' | 'config' | 'acls' | 'clientMetrics'>,
  asker: Asker,
  resources: readonly R[],
  validateOnly: boolean,
  log: Logger,
  how: ConfigAlteration<R>,
): Promise<(ConfigResourceRef & ChangeOutcome)[]> {
  const twice = repeated(resources.map(resourceKey));
  const alter = (r: R): Promise<void> | undefined => {
    if (twice.has(resourceKey(r))) fail(ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.');
    checkConfigAccess(acls, asker, AclOperation.ALTER_CONFIGS, r);
    how.check(r);
    switch (r.resourceType) {
      case ConfigResourceType.TOPIC:
        return changeTopicConfigs(topics, r.resourceName, (current) => how.topicConfigs(r, current), validateOnly);
      case ConfigResourceType.BROKER:
        namesThisBroker(r.resourceName, config.brokerId);
        refuseBrokerConfigChanges(how.brokerConfigsSet(r));
        return undefined;
      case ConfigResourceType.CLIENT_METRICS:
        return clientMetrics.change(r.resourceName, (current) => how.clientMetricsConfigs(r, current), validateOnly);
      default:
        return refuseResourceType(r.resourceType);
    }
  };
  const pending = resources.map((r): Promise<ChangeOutcome> => {
    try {
      return Promise.resolve(alter(r)).then(() => DONE);
    } catch (err) {
      if (!(err instanceof KafkaProtocolError)) throw err;
      log.info({ resourceType: r.resourceType, resourceName: r.resourceName, error: err.errorName, reason: err.message }, 'config change refused');
      return Promise.resolve({ errorCode: err.code, errorMessage: err.message });
    }
  });
  const outcomes = await Promise.all(pending.map((p, i) => p.catch((err: unknown) => failureOutcome(err, resourceKey(resources[i]!), log))));
  return resources.map((r, i) => ({ resourceType: r.resourceType, resourceName: r.resourceName, ...outcomes[i]! }));
}
