// IncrementalAlterConfigs' operations applied to a resource's configs (a topic's overrides, a client-metrics
// subscription), as Kafka applies them: SET and DELETE one key, APPEND and SUBTRACT items of a list config
// (starting from its default when unset).
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import type { BrokerConfig } from '../broker-config.js';
import { TOPIC_CONFIGS } from './topic-config.js';

export const ConfigOperation = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface ConfigOp {
  name: string;
  operation: number;
  /** Null only for DELETE; IncrementalAlterConfigs refuses it elsewhere before this runs. */
  value: string | null;
}

function listItems(value: string): string[] {
  return value.split(',').filter((s) => s !== '');
}

const OPERATIONS = new Set<number>(Object.values(ConfigOperation));

/** Throws INVALID_REQUEST for an operation id IncrementalAlterConfigs does not define. */
export function checkOperations(ops: readonly ConfigOp[]): void {
  const unknown = ops.find((op) => !OPERATIONS.has(op.operation));
  if (unknown) throw new KafkaProtocolError(ErrorCode.INVALID_REQUEST, `Unknown operations type ${unknown.operation}`);
}

/** How list operations see a config: undefined when unknown, null when not a list, else its value when unset. */
export type ListDefault = (name: string) => string | null | undefined;

/**
 * A resource's configs after `ops`, without checking the resulting values (the resource's own
 * validation does that). Throws KafkaProtocolError INVALID_CONFIG for list operations on unknown or
 * non-list configs and INVALID_REQUEST for an unknown operation (see checkOperations).
 */
export function editConfigs(current: Readonly<Record<string, string>>, ops: readonly ConfigOp[], listDefault: ListDefault): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const { name, operation, value } of ops) {
    switch (operation) {
      case ConfigOperation.SET:
        next[name] = value ?? '';
        break;
      case ConfigOperation.DELETE:
        delete next[name];
        break;
      case ConfigOperation.APPEND:
      case ConfigOperation.SUBTRACT: {
        const verb = operation === ConfigOperation.APPEND ? 'append' : 'subtract';
        const unset = listDefault(name);
        if (unset === undefined) throw new KafkaProtocolError(ErrorCode.INVALID_CONFIG, `Unknown config name: ${name}`);
        if (unset === null) throw new KafkaProtocolError(ErrorCode.INVALID_CONFIG, `Config value ${verb} is not allowed for config key: ${name}`);
        const items = listItems(next[name] ?? unset);
        const change = listItems(value ?? '');
        const result =
          operation === ConfigOperation.APPEND ? [...items, ...change.filter((v) => !items.includes(v))] : items.filter((v) => !change.includes(v));
        next[name] = result.join(',');
        break;
      }
      default:
        checkOperations([{ name, operation, value }]);
    }
  }
  return next;
}

/** A topic's overrides after `ops` (editConfigs with the topic configs' list defaults). */
export function applyConfigOps(cfg: BrokerConfig, current: Readonly<Record<string, string>>, ops: readonly ConfigOp[]): Record<string, string> {
  return editConfigs(current, ops, (name) => {
    const def = Object.hasOwn(TOPIC_CONFIGS, name) ? TOPIC_CONFIGS[name] : undefined;
    if (!def) return undefined;
    return def.type === 'LIST' ? def.brokerDefault(cfg) : null;
  });
}
