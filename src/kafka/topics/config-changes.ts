// What AlterConfigs and IncrementalAlterConfigs share: the resources they take, the checks Kafka makes
// before it looks at values, topic overrides replaced through the TopicManager, and the answer for
// broker configs, which Skein reads from server.properties only.
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import type { Logger } from '../../logger.js';
import { failureOutcome, type ChangeOutcome } from './change-deadline.js';
import type { TopicManager } from './topic-manager.js';

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

/** Throws INVALID_REQUEST for a resource type other than TOPIC and BROKER. */
export function refuseResourceType(resourceType: number): never {
  const known = Object.entries(ConfigResourceType).find(([, id]) => id === resourceType && id !== ConfigResourceType.UNKNOWN);
  fail(ErrorCode.INVALID_REQUEST, known ? `Skein has no configs of resource type ${known[0]}` : `Unknown resource type ${resourceType}`);
}

/** Resources named more than once in a request; Kafka refuses each of their entries. */
export function repeatedResources(resources: readonly ConfigResourceRef[]): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const r of resources) {
    const key = resourceKey(r);
    if (seen.has(key)) repeated.add(key);
    seen.add(key);
  }
  return repeated;
}

export function resourceKey(r: ConfigResourceRef): string {
  return `${r.resourceType}/${r.resourceName}`;
}

/**
 * Kafka's checks of one resource's entries before any value is looked at: each key once, and a value
 * for every entry that needs one. Throws INVALID_REQUEST.
 */
export function checkConfigEntries(entries: readonly { name: string; value: string | null }[], needsValue: (i: number) => boolean): void {
  const names = new Set<string>();
  for (const e of entries) {
    if (names.has(e.name)) fail(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys');
    names.add(e.name);
  }
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
export function refuseBrokerConfigChanges(names: readonly string[]): void {
  if (names.length === 0) return;
  fail(
    ErrorCode.INVALID_REQUEST,
    `Cannot update these configs dynamically: Set(${names.join(', ')}). Skein reads broker configs from server.properties at start only.`,
  );
}

/**
 * Replaces a topic's overrides with `next(current)` after Kafka's checks; throws KafkaProtocolError.
 * Returns the change to wait for (durability), or undefined for validateOnly.
 */
export function changeTopicConfigs(
  topics: TopicManager,
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
 * Runs `alter` for every resource in order (their effects happen in request order, before any waiting),
 * then answers each with its error, refusing repeated resources as Kafka does.
 */
export async function alterResources<R extends ConfigResourceRef>(
  resources: readonly R[],
  alter: (resource: R) => Promise<void> | void,
  log: Logger,
): Promise<(ConfigResourceRef & ChangeOutcome)[]> {
  const repeated = repeatedResources(resources);
  const pending = resources.map((r): Promise<ChangeOutcome> => {
    try {
      if (repeated.has(resourceKey(r))) fail(ErrorCode.INVALID_REQUEST, 'Each resource must appear at most once.');
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
