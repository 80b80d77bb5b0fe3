// What a failed command prints: one line saying what is wrong and, where there is one, what to do, and
// the exit code (2 for a usage or configuration mistake, 1 for anything else). Stacks only with --debug:
// a user who mistyped a topic name needs the name, not a trace.
import { getSystemErrorMap } from 'node:util';
import { ErrorCode as KafkaErrorCode, KafkaProtocolError } from '../../protocol/kafka/index.js';
import { ErrorCode as ZkErrorCode, KeeperError } from '../../protocol/zookeeper/codes.js';
import { ConfigError } from '../config/schema.js';
import { ConnectionClosedError, RequestTimeoutError } from '../kafka/client/connection.js';
import { ConnectStringError } from '../zookeeper/client/connect-string.js';
import { UsageError } from './args.js';
import { StartupFailure } from './startup-failure.js';

/** A command failed for a reason outside Skein (a missing topic, an unreachable server); the message says what to do. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
}

/** What to do about a Kafka error, after the error itself. */
const KAFKA_HINTS: Partial<Record<number, string>> = {
  [KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION]: '`skein topic list` shows the topics',
  [KafkaErrorCode.TOPIC_ALREADY_EXISTS]: '`skein topic describe` shows it',
  [KafkaErrorCode.INVALID_REPLICATION_FACTOR]: 'it can be at most the number of brokers (`skein cluster info`)',
  [KafkaErrorCode.GROUP_ID_NOT_FOUND]: '`skein group list` shows the groups',
  [KafkaErrorCode.NON_EMPTY_GROUP]: 'stop its consumers first',
  [KafkaErrorCode.UNKNOWN_MEMBER_ID]: 'the group has active members: stop its consumers first',
  [KafkaErrorCode.ILLEGAL_GENERATION]: 'the group has active members: stop its consumers first',
  [KafkaErrorCode.OFFSET_OUT_OF_RANGE]: '`skein topic describe` shows the partitions\' offsets',
  [KafkaErrorCode.SECURITY_DISABLED]: 'the broker has no authorizer: set authorizer.class.name (docs/acls.md)',
  [KafkaErrorCode.SASL_AUTHENTICATION_FAILED]: 'check the username and password of sasl.jaas.config in --command-config',
  [KafkaErrorCode.UNSUPPORTED_SASL_MECHANISM]: 'set sasl.mechanism in --command-config to one the listener serves',
  [KafkaErrorCode.CLUSTER_AUTHORIZATION_FAILED]: 'this connection\'s principal may not do that on the cluster: use a listener whose principal is in super.users',
};

const ZK_HINTS: Partial<Record<number, string>> = {
  [ZkErrorCode.noNode]: 'no such znode (`skein zk ls` lists them)',
  [ZkErrorCode.nodeExists]: 'the znode exists already',
  [ZkErrorCode.notEmpty]: 'the znode has children: delete them first, or pass --recursive',
  [ZkErrorCode.badVersion]: 'the znode changed: its version is not the one given',
  [ZkErrorCode.noAuth]: 'not authorized by the znode\'s ACL',
  [ZkErrorCode.noChildrenForEphemerals]: 'ephemeral znodes cannot have children',
  [ZkErrorCode.connectionLoss]: 'lost the connection to ZooKeeper (is it running? --server or SKEIN_ZOOKEEPER says where)',
  [ZkErrorCode.invalidACL]: 'that ACL is not valid',
  [ZkErrorCode.unimplemented]: 'the server does not offer this (TTL nodes need extendedTypesEnabled=true in its zoo.cfg)',
};

function systemMessage(err: NodeJS.ErrnoException): string {
  return getSystemErrorMap().get(err.errno ?? 0)?.[1] ?? err.message;
}

function zkCodeName(code: number): string {
  return Object.entries(ZkErrorCode).find(([, c]) => c === code)?.[0] ?? String(code);
}

export interface Failure {
  /** The line to print, without the command's name. */
  message: string;
  exitCode: number;
}

/** The one-line form of any error a command may throw. */
export function failureOf(err: unknown): Failure {
  const known = (message: string, exitCode = 1): Failure => ({ message, exitCode });
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof ConnectStringError) return known(err.message, 2);
  if (err instanceof CommandFailure || err instanceof StartupFailure) return known(err.message);
  if (err instanceof KafkaProtocolError) {
    const hint = KAFKA_HINTS[err.code];
    return known(`${err.message} (${err.errorName})${hint === undefined ? '' : `; ${hint}`}`);
  }
  if (err instanceof KeeperError) {
    const hint = ZK_HINTS[err.code] ?? zkCodeName(err.code);
    return known(err.path === undefined ? hint : `${err.path}: ${hint}`);
  }
  if (err instanceof ConnectionClosedError || err instanceof RequestTimeoutError) {
    return known(`${err.message} (is a broker running there? --bootstrap-server or SKEIN_BROKERS says where)`);
  }
  const e = err as NodeJS.ErrnoException;
  // A file named on the command line that cannot be read (--file, --config).
  if (err instanceof Error && typeof e.code === 'string' && e.path !== undefined) return known(`cannot read ${e.path}: ${systemMessage(e)}`);
  const message = err instanceof Error ? err.message : String(err);
  // Anything else is a bug: still one line, and --debug shows where.
  return { message: `${message} (this looks like a bug in skein; --debug shows where)`, exitCode: 1 };
}
