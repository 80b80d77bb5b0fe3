// The broker's server.properties keys: Kafka's own names and defaults, so an existing file works as is.
import { hostname } from 'node:os';
import { parseProperties, type PropertyLine } from '../config/properties.js';
import { bool, ConfigError, double, int, type KeyDef, list, long, oneOf, parseConfig, str, type ConfigValues } from '../config/schema.js';
import type { CleanerConfig } from '../log/cleaner/cleaner-config.js';
import { parseCleanupPolicy } from '../log/log-config.js';
import { COMPRESSION_TYPES } from './metadata/config-values.js';
import { topicDefaultKeys } from './metadata/topic-default-keys.js';
import { parseConnectString } from '../zookeeper/client/connect-string.js';
import { isAssignorName } from './groups/consumer/assignors.js';
import type { MigrationPolicy } from './groups/migration.js';
import { listenerTlsOf, splitListenerEntries, SSL_NOT_APPLICABLE, sslSchema, sslValuesFor, type ListenerTls } from './ssl-config.js';
import { ZOOKEEPER_SSL_NOT_APPLICABLE, zookeeperSslSchema, zookeeperTlsOf } from './zookeeper-tls-config.js';
import type { ConnectTls } from '../net/client-socket.js';
import { aclSchema, authorizerSettingsOf, superUsersOf } from './acl/acl-config.js';
import type { PrincipalLimits } from './principal-connections.js';
import type { AuthorizerSettings } from './acl/authorizer.js';
import { interBrokerSaslOf, KERBEROS_LOGIN_NOT_APPLICABLE, listenerSaslOf, saslSchema, splitListenerSasl, type ListenerSasl } from './sasl/sasl-config.js';
import type { ClientSasl } from './client/sasl.js';

const LONG_MAX = 9223372036854775807;
const HOUR_MS = 3_600_000;
/** Java's Double.MAX_VALUE, Kafka's "unthrottled". */
const DOUBLE_MAX = Number.MAX_VALUE;

/**
 * Kafka leaves queued.max.request.bytes unbounded. Skein bounds it by default at socket.request.max.bytes'
 * default: the largest request a client may send still always gets in, and no number of clients can make
 * the broker hold more than that in unanswered requests. Record batches live outside the JS heap, so a
 * share of the heap would be the wrong measure.
 */
export const DEFAULT_QUEUED_MAX_REQUEST_BYTES = 104_857_600;

/** Kafka names its assignors by class; the short names are what group.consumer.assignors documents. */
function consumerAssignorName(name: string): string {
  const known: Record<string, string> = {
    'org.apache.kafka.coordinator.group.assignor.UniformAssignor': 'uniform',
    'org.apache.kafka.coordinator.group.assignor.RangeAssignor': 'range',
  };
  return known[name] ?? name;
}

/** group.consumer.migration.policy: Kafka reads it case-insensitively. */
function migrationPolicy(doc: string, def: MigrationPolicy): KeyDef<MigrationPolicy> {
  const base = oneOf<MigrationPolicy>(doc, def, ['bidirectional', 'upgrade', 'downgrade', 'disabled']);
  return { ...base, parse: (raw) => base.parse(raw.toLowerCase()) };
}

/** log.cleanup.policy: a list of compact and delete. */
function cleanupPolicy(doc: string, def: string[]): KeyDef<string[]> {
  const base = list(doc, def);
  return {
    ...base,
    parse(raw) {
      const problem = parseCleanupPolicy(raw);
      if (typeof problem === 'string') throw new Error(problem);
      return base.parse(raw);
    },
  };
}

/**
 * max.connections.per.ip.overrides (host:count; the host may be an IPv6 address) and
 * max.connections.per.principal.overrides (Type:name:count): the count follows the last colon.
 */
function connectionOverrides(doc: string, form: 'host' | 'principal'): KeyDef<string[]> {
  const base = list(doc, []);
  return {
    ...base,
    parse(raw) {
      const entries = base.parse(raw);
      for (const e of entries) {
        const at = e.lastIndexOf(':');
        const count = Number(e.slice(at + 1));
        const named = form === 'host' ? at > 0 : /^[^:]+:.+$/.test(e.slice(0, Math.max(0, at)));
        if (!named || !Number.isInteger(count) || count < 0 || count > 2_147_483_647) throw new Error(`"${e}" is not ${form === 'host' ? 'host' : 'Type:name'}:count`);
      }
      return entries;
    },
  };
}

/** The connection limits of max.connections.per.ip.overrides by address, or of max.connections.per.principal.overrides by principal. */
export function connectionOverridesOf(entries: readonly string[]): Map<string, number> {
  return new Map(entries.map((e) => [e.slice(0, e.lastIndexOf(':')), Number(e.slice(e.lastIndexOf(':') + 1))]));
}

/** group.consumer.assignors: KIP-848's server-side assignors, by short name or Kafka's class name. */
function consumerAssignors(doc: string, def: string[]): KeyDef<string[]> {
  const base = list(doc, def);
  return {
    ...base,
    parse(raw) {
      const names = base.parse(raw).map(consumerAssignorName);
      const unknown = names.find((n) => !isAssignorName(n));
      if (unknown !== undefined) throw new Error(`unknown assignor ${unknown}; Skein has uniform and range`);
      if (names.length === 0) throw new Error('at least one assignor is needed');
      return names;
    },
  };
}

/** Keys Skein reads. Where Kafka derives one key from another (retention hours -> ms) so do we. */
export const brokerSchema = {
  'broker.id': int('This broker\'s id; unique in a cluster.', 0, { min: 0 }),
  'node.id': int('KRaft\'s name for the broker id, used when broker.id is unset (Kafka 4.x files).', undefined, { min: 0 }),
  listeners: list('Where to listen, as NAME://host:port,...; an empty host means every interface. Each listener tells its clients the endpoints of its own name.', ['PLAINTEXT://127.0.0.1:9092']),
  'advertised.listeners': list('What clients of each listener are told to connect to, as NAME://host:port,...; defaults to listeners.', []),
  'listener.security.protocol.map': list('Listener name to security protocol, NAME:PROTOCOL,...; PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL are served.', []),
  'security.inter.broker.protocol': oneOf('Security protocol between brokers when inter.broker.listener.name is unset: the listener of that name is used.', 'PLAINTEXT', ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']),
  'controller.listener.names': list('KRaft controller listeners (Kafka 4.x files): not served, since Skein\'s controller works through ZooKeeper.', []),
  'log.dirs': list('Data directories; Skein uses the first.', []),
  'log.dir': str('Data directory when log.dirs is unset.', './data'),
  'num.partitions': int('Partitions of an auto-created topic.', 1, { min: 1 }),
  'default.replication.factor': int('Replication factor of an auto-created topic.', 1, { min: 1 }),
  'auto.create.topics.enable': bool('Create a topic when a client asks for metadata of or produces to it.', true),
  'delete.topic.enable': bool('Allow DeleteTopics.', true),
  'log.retention.ms': long('Time retention; -1 keeps forever. Overrides minutes and hours.', undefined, { min: -1 }),
  'log.retention.minutes': int('Time retention in minutes; overrides hours.', undefined, { min: -1 }),
  'log.retention.hours': int('Time retention in hours.', 168, { min: -1 }),
  'log.retention.bytes': long('Size retention per partition; -1 is unlimited.', -1, { min: -1 }),
  'log.segment.bytes': int('Segment size before a new one is rolled.', 1_073_741_824, { min: 14 }),
  'log.roll.ms': long('Segment age before a new one is rolled. Overrides hours.', undefined, { min: 1 }),
  'log.roll.hours': int('Segment age in hours before a new one is rolled.', 168, { min: 1 }),
  'log.retention.check.interval.ms': long('How often retention runs.', 300_000, { min: 1 }),
  'producer.id.expiration.ms': int('How long a partition remembers an idle idempotent producer (its sequence numbers) after its newest batch.', 86_400_000, { min: 1 }),
  'producer.id.expiration.check.interval.ms': int('How often idle idempotent producers are forgotten.', 600_000, { min: 1 }),
  'log.index.interval.bytes': int('Bytes between offset index entries.', 4096, { min: 0 }),
  'log.flush.interval.messages': long('Records accumulated before an fsync (acks=all always fsyncs first).', LONG_MAX, { min: 1 }),
  'log.flush.interval.ms': long('Age of unflushed data before an fsync; unset means never by time.', undefined, { min: 0 }),
  'log.flush.scheduler.interval.ms': long('How often the time-based flush is checked.', LONG_MAX, { min: 0 }),
  'log.message.timestamp.type': oneOf('CreateTime or LogAppendTime for new topics.', 'CreateTime', ['CreateTime', 'LogAppendTime']),
  'log.message.timestamp.before.max.ms': long('How far in the past a CreateTime timestamp may be.', LONG_MAX, { min: 0 }),
  'log.message.timestamp.after.max.ms': long('How far in the future a CreateTime timestamp may be.', HOUR_MS, { min: 0 }),
  'min.insync.replicas': int('In-sync replicas an acks=all write needs, for topics that do not override it.', 1, { min: 1 }),
  'log.cleanup.policy': cleanupPolicy('Default cleanup.policy: delete (retention), compact (keep the latest record per key), or both.', ['delete']),
  'log.cleaner.enable': bool('Run the log cleaner; without it compacted topics only grow.', true),
  'log.cleaner.backoff.ms': long('Wait between cleaner passes when no log needs cleaning.', 15_000, { min: 0 }),
  'log.cleaner.dedupe.buffer.size': long('Memory of the cleaner\'s key map (40 bytes a key); it bounds how much dirty log one cleaning covers.', 134_217_728),
  'log.cleaner.io.buffer.load.factor': double('How full the cleaner\'s key map may get.', 0.9),
  'log.cleaner.io.buffer.size': int('Cleaner read and write buffers together.', 524_288, { min: 0 }),
  'log.cleaner.io.max.bytes.per.second': double('Cleaner reads and writes per second, on average.', DOUBLE_MAX),
  'log.cleaner.min.cleanable.ratio': double('Default min.cleanable.dirty.ratio.', 0.5, { min: 0, max: 1 }),
  'log.cleaner.delete.retention.ms': long('Default delete.retention.ms.', 86_400_000, { min: 0 }),
  'log.cleaner.min.compaction.lag.ms': long('Default min.compaction.lag.ms.', 0, { min: 0 }),
  'log.cleaner.max.compaction.lag.ms': long('Default max.compaction.lag.ms.', LONG_MAX, { min: 1 }),
  'compression.type': oneOf('Codec of stored batches; producer keeps them as produced.', 'producer', COMPRESSION_TYPES),
  'message.max.bytes': int('Largest record batch accepted.', 1_048_588, { min: 0 }),
  'socket.request.max.bytes': int('Largest request frame accepted.', 104_857_600, { min: 1 }),
  'max.connections': int('Open client connections at most.', 10_000, { min: 1 }),
  'max.connections.per.ip': int('Open client connections from one address at most.', 2_147_483_647, { min: 1 }),
  'max.connections.per.ip.overrides': connectionOverrides('Per-address exceptions to max.connections.per.ip, as address:count,...', 'host'),
  // Skein's own keys (Kafka has no per-principal connection limit): see principal-connections.ts.
  'max.connections.per.principal': int('Open connections of one authenticated principal (SASL or client certificate) at most, over all listeners; super.users and User:ANONYMOUS are not counted.', 2_147_483_647, { min: 0 }),
  'max.connections.per.principal.overrides': connectionOverrides('Per-principal exceptions to max.connections.per.principal, as User:name:count,...', 'principal'),
  'quota.window.num': int('Sample windows a client quota\'s rate is measured over.', 11, { min: 1 }),
  'quota.window.size.seconds': int('Length of one client quota sample window, in seconds.', 1, { min: 1 }),
  // KIP-578's name (proposed, not in Kafka 3.9); unset derives the bound from the open-file limit (topics/partition-limit.ts).
  'max.broker.partitions': int('Partitions this broker may hold at most; unset derives the bound from the open-file limit.', undefined, { min: 1 }),
  'queued.max.requests': int('Unanswered requests per connection before reading pauses.', 500, { min: 1 }),
  // Memory and time a client may hold: see "Limits and bad input" in the README for why these defaults.
  'queued.max.request.bytes': long('Bytes of requests read and not yet answered, all connections together; -1 removes the bound (Kafka\'s default).', DEFAULT_QUEUED_MAX_REQUEST_BYTES, { min: -1 }),
  'max.request.partition.size.limit': int('Most partitions one DescribeTopicPartitions answer describes, whatever the client asks.', 2000, { min: 1 }),
  'fetch.max.bytes': int('Most bytes of records one Fetch response carries, whatever the client asks.', 57_671_680, { min: 1024 }),
  'connections.max.idle.ms': long('A connection with nothing read or written for this long is closed; -1 never.', 600_000, { min: -1 }),
  'socket.request.read.timeout.ms': long('A request must arrive whole this long after its first byte, or the connection is closed; -1 never.', 30_000, { min: -1 }),
  'offsets.topic.num.partitions': int('Partitions of __consumer_offsets.', 50, { min: 1 }),
  'offsets.topic.replication.factor': int('Replication factor of __consumer_offsets (capped by live brokers).', 3, { min: 1 }),
  'offsets.topic.segment.bytes': int('Segment size of __consumer_offsets.', 104_857_600, { min: 1 }),
  'offsets.retention.minutes': int('How long an empty group keeps its committed offsets.', 10_080, { min: 1 }),
  'offsets.retention.check.interval.ms': long('How often expired offsets are removed.', 600_000, { min: 1 }),
  'group.initial.rebalance.delay.ms': int('Wait for more members before the first rebalance of an empty group.', 3_000, { min: 0 }),
  'group.min.session.timeout.ms': int('Smallest session timeout a member may ask for.', 6_000, { min: 0 }),
  'group.max.session.timeout.ms': int('Largest session timeout a member may ask for.', 1_800_000, { min: 0 }),
  'group.max.size': int('Members in one group at most.', 2_147_483_647, { min: 1 }),
  'group.consumer.session.timeout.ms': int('KIP-848 consumer groups: a member silent this long is removed.', 45_000, { min: 1 }),
  'group.consumer.heartbeat.interval.ms': int('KIP-848 consumer groups: how often members are told to heartbeat.', 5_000, { min: 1 }),
  'group.consumer.assignors': consumerAssignors('KIP-848 consumer groups: server-side assignors, the first the default (uniform, range).', ['uniform', 'range']),
  'group.consumer.max.size': int('KIP-848 consumer groups: members in one group at most.', 2_147_483_647, { min: 1 }),
  'group.consumer.migration.policy': migrationPolicy(
    'Online conversion between classic and KIP-848 consumer groups with members: bidirectional, upgrade, downgrade or disabled.',
    'bidirectional',
  ),
  // KIP-932 share groups (src/kafka/share); the names and defaults are Kafka 4.x's.
  'share.version': int('KIP-932 share groups: the finalized share.version feature level; 0 turns share groups off, 1 serves them.', 1, { min: 0, max: 1 }),
  'group.share.session.timeout.ms': int('Share groups: a member silent this long is removed.', 45_000, { min: 1 }),
  'group.share.heartbeat.interval.ms': int('Share groups: how often members are told to heartbeat.', 5_000, { min: 1 }),
  'group.share.max.size': int('Share groups: members in one group at most.', 200, { min: 1 }),
  'group.share.max.groups': int('Share groups this broker holds at most (membership and share-partitions).', 10, { min: 1 }),
  'group.share.record.lock.duration.ms': int('Share groups: how long a delivered record stays locked to its member before it is offered again.', 30_000, { min: 1_000 }),
  'group.share.delivery.count.limit': int('Share groups: deliveries of one record at most; then it is archived (never offered again).', 5, { min: 2, max: 10 }),
  'group.share.partition.max.record.locks': int('Share groups: records of one partition in flight (delivered, not yet acknowledged) at most.', 2_000, { min: 100 }),
  'group.share.max.share.sessions': int('Share sessions (one per member and broker) this broker keeps at most.', 2_000, { min: 1 }),
  // Kafka sets this per group (share.auto.offset.reset); Skein has no group configs yet, so it is broker-wide.
  'share.auto.offset.reset': oneOf('Share groups: where a partition new to a group starts: latest (Kafka\'s default) or earliest.', 'latest', ['latest', 'earliest']),
  // KIP-714 client telemetry (src/kafka/telemetry). telemetry.max.bytes is Kafka's; what clients are asked for
  // is set per client-metrics subscription (CLIENT_METRICS config resources), as in Kafka.
  'telemetry.enable': bool('KIP-714: advertise GetTelemetrySubscriptions and PushTelemetry and keep what clients push for /metrics. false: not advertised, as Kafka without a telemetry reporter; clients then push nothing.', true),
  'telemetry.max.bytes': int('KIP-714: largest metrics payload a client may push, as sent (TELEMETRY_TOO_LARGE beyond).', 1_048_576, { min: 1 }),
  'telemetry.max.client.instances': int('KIP-714: client instances tracked at most; the least recently heard one makes room.', 10_000, { min: 1 }),
  'telemetry.max.series': int('KIP-714: series of pushed metrics /metrics keeps at most across all clients; beyond, new series are dropped.', 20_000, { min: 0 }),
  'share.coordinator.state.topic.num.partitions': int('Partitions of __share_group_state (share-partition state, KIP-932).', 50, { min: 1 }),
  'share.coordinator.state.topic.replication.factor': int('Replication factor of __share_group_state (capped by live brokers).', 3, { min: 1 }),
  'share.coordinator.state.topic.min.isr': int('min.insync.replicas of __share_group_state (capped by its replication factor).', 2, { min: 1 }),
  'share.coordinator.state.topic.segment.bytes': int('Segment size of __share_group_state.', 104_857_600, { min: 1 }),
  'share.coordinator.write.timeout.ms': int('How long a share-partition state write waits for the ISR of its __share_group_state partition.', 5_000, { min: 1 }),
  'transaction.state.log.num.partitions': int('Partitions of __transaction_state.', 50, { min: 1 }),
  'transaction.state.log.replication.factor': int('Replication factor of __transaction_state (capped by live brokers).', 3, { min: 1 }),
  'transaction.state.log.min.isr': int('min.insync.replicas of __transaction_state (capped by its replication factor).', 2, { min: 1 }),
  'transaction.state.log.segment.bytes': int('Segment size of __transaction_state.', 104_857_600, { min: 1 }),
  'transaction.max.timeout.ms': int('Largest transaction.timeout.ms a producer may ask for (INVALID_TRANSACTION_TIMEOUT beyond).', 900_000, { min: 1 }),
  'transactional.id.expiration.ms': int('A transactional id idle this long (no transaction open) is forgotten.', 604_800_000, { min: 1 }),
  // The cluster (ZooKeeper mode). Without zookeeper.connect the broker runs alone with its topics in
  // topics.json; with it, brokers register in ZooKeeper and one of them is the controller.
  'zookeeper.connect': str('ZooKeeper connection string, host:port[,host:port...][/chroot]; unset runs the broker alone.', undefined),
  'zookeeper.session.timeout.ms': int('Session timeout of the broker\'s ZooKeeper session: how long after a broker dies its partitions move.', 18_000, { min: 1 }),
  'zookeeper.connection.timeout.ms': int('How long to wait for ZooKeeper at start; unset takes the session timeout.', undefined, { min: 1 }),
  'broker.rack': str('Rack of this broker; replicas of a partition are spread over racks when every broker has one.', undefined),
  // Skein's own: one HTTP listener for /metrics, /healthz and /readyz (skein kafka: off unless set).
  'http.port': int('Port of the HTTP listener serving /metrics, /healthz, /readyz and the web console; unset: none (skein start: 8080).', undefined, { min: 0, max: 65535 }),
  'http.host': str('Address the HTTP listener binds.', '127.0.0.1'),
  'console.read.only': bool('The web console at / of the HTTP listener (skein start, and skein kafka with http.port) only reads: producing, resetting offsets and changing znodes are refused. Unset: false on a loopback http.host or when the console requires a login (a SASL listener or an authorizer: the ACLs then decide), true otherwise.', false),
  'inter.broker.listener.name': str('Listener other brokers and the controller reach this broker on; unset takes the one listener, or the one named PLAINTEXT.', undefined),
  'unclean.leader.election.enable': bool('Let the controller elect a replica outside the ISR when no ISR member is alive, losing records.', false),
  'controlled.shutdown.enable': bool('On SIGTERM, ask the controller to move leadership away before stopping.', true),
  'controlled.shutdown.max.retries': int('Controlled shutdown attempts before stopping anyway.', 3, { min: 0 }),
  'controlled.shutdown.retry.backoff.ms': long('Wait between controlled shutdown attempts.', 5000, { min: 0 }),
  'controller.socket.timeout.ms': int('Timeout of the controller\'s requests to brokers.', 30_000, { min: 0 }),
  'auto.leader.rebalance.enable': bool('The controller moves leadership back to preferred replicas when brokers are imbalanced.', true),
  'leader.imbalance.check.interval.seconds': long('How often the controller checks leader imbalance.', 300, { min: 1 }),
  'leader.imbalance.per.broker.percentage': int('Share of a broker\'s partitions led elsewhere before a rebalance.', 10, { min: 0 }),
  // Followers (replica fetchers), with Kafka's defaults.
  'replica.lag.time.max.ms': long('A follower that has not caught up for this long leaves the ISR.', 30_000, { min: 0 }),
  'replica.fetch.max.bytes': int('Bytes a follower asks for per partition per fetch.', 1_048_576, { min: 0 }),
  'replica.fetch.min.bytes': int('Bytes a follower fetch waits for.', 1, { min: 0 }),
  'replica.fetch.wait.max.ms': int('Longest wait of a follower fetch; below replica.lag.time.max.ms.', 500, { min: 0 }),
  'replica.fetch.response.max.bytes': int('Bytes a follower fetch response carries at most.', 10_485_760, { min: 0 }),
  'replica.fetch.backoff.ms': int('Pause after a follower fetch fails.', 1000, { min: 0 }),
  'replica.socket.timeout.ms': int('Timeout of a follower\'s fetch requests.', 30_000, { min: 0 }),
  'replica.high.watermark.checkpoint.interval.ms': long('How often high watermarks are written to disk.', 5000, { min: 0 }),
  'num.replica.fetchers': int('Fetcher connections per source broker.', 1, { min: 1 }),
  ...topicDefaultKeys,
  ...sslSchema,
  ...saslSchema,
  ...zookeeperSslSchema,
  ...aclSchema,
};

/**
 * JVM and thread-pool knobs that stock server.properties files carry. They have no meaning in a
 * single-threaded Node process, so they are accepted and noted rather than reported as unknown.
 */
const NOT_APPLICABLE = new Set([
  'num.network.threads',
  'num.io.threads',
  'num.recovery.threads.per.data.dir',
  'socket.send.buffer.bytes',
  'socket.receive.buffer.bytes',
  'background.threads',
  'log.cleaner.threads',
  ...SSL_NOT_APPLICABLE,
  ...ZOOKEEPER_SSL_NOT_APPLICABLE,
  // KRaft's (Kafka 4.x files): Skein's cluster is coordinated through ZooKeeper.
  'process.roles',
  'controller.quorum.voters',
  'controller.quorum.bootstrap.servers',
  'controller.quorum.election.timeout.ms',
  'controller.quorum.fetch.timeout.ms',
  'metadata.log.dir',
  ...KERBEROS_LOGIN_NOT_APPLICABLE,
]);

export type BrokerConfigValues = ConfigValues<typeof brokerSchema>;

export interface Listener {
  name: string;
  host: string;
  port: number;
}

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

/** One of `listeners` and what clients of it are told (absent when advertised.listeners leaves it out). */
export interface ListenerConfig {
  bind: Listener;
  advertised: Listener | undefined;
  securityProtocol: SecurityProtocol;
  /** Its TLS settings when its protocol is SSL or SASL_SSL. */
  tls: ListenerTls | undefined;
  /** Its SASL mechanisms when its protocol is SASL_PLAINTEXT or SASL_SSL. */
  sasl: ListenerSasl | undefined;
}

export interface BrokerConfig {
  values: BrokerConfigValues;
  brokerId: number;
  dataDir: string;
  /** Every listener served, in `listeners` order (KRaft controller listeners left out). */
  listeners: ListenerConfig[];
  /** The inter-broker listener (inter.broker.listener.name): the controller and followers reach this broker there. */
  listener: Listener;
  /** What the inter-broker listener advertises. */
  advertised: Listener;
  /** This broker's login to the others when the inter-broker listener is SASL (in a cluster). */
  interBrokerSasl: ClientSasl | undefined;
  /** TLS to ZooKeeper (zookeeper.ssl.client.enable), its stores read when the config was. */
  zookeeperTls: ConnectTls | undefined;
  /** authorizer.class.name and its settings; undefined: no authorization. */
  authorizer: AuthorizerSettings | undefined;
  /** max.connections.per.principal, its overrides, and super.users (exempt), checked with the rest. */
  principalLimits: PrincipalLimits;
  retentionMs: number;
  rollMs: number;
  /** Keys the file or overrides set, so DescribeConfigs can tell a broker setting from a default. */
  explicitKeys: ReadonlySet<string>;
  /** Keys found in the file that Skein does not know, for a warning. */
  unknownKeys: string[];
  /** Keys accepted but without effect here (JVM and thread-pool knobs), for a warning. */
  ignoredKeys: string[];
}

export function parseListener(spec: string, key: string): Listener {
  const m = /^([A-Za-z_][A-Za-z0-9_]*):\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(spec.trim());
  if (!m) throw new ConfigError(`${key}: "${spec}" is not NAME://host:port`);
  const port = Number(m[3]);
  if (port > 65535) throw new ConfigError(`${key}: port ${port} is out of range`);
  return { name: m[1]!.toUpperCase(), host: m[2]!.replace(/^\[|\]$/g, ''), port };
}

/**
 * listener.security.protocol.map as Kafka reads it: unset, a listener named after a protocol uses that
 * protocol (PLAINTEXT://...); set, it must name every listener.
 */
function securityProtocolOf(name: string, map: readonly string[]): SecurityProtocol {
  let protocol = map.length === 0 ? name : undefined;
  for (const entry of map) {
    const [listenerName, p] = entry.split(':');
    if (listenerName?.trim().toUpperCase() === name) protocol = (p ?? '').trim().toUpperCase();
  }
  if (protocol === undefined) throw new ConfigError(`listener.security.protocol.map: no security protocol for listener ${name}`);
  if (protocol === 'PLAINTEXT' || protocol === 'SSL' || protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') return protocol;
  throw new ConfigError(`listener.security.protocol.map: ${name} maps to unknown security protocol "${protocol}" (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)`);
}

/**
 * The listeners with what each advertises, and the inter-broker one, checked as Kafka checks them:
 * distinct names and ports, advertised names among the listeners, the inter-broker listener advertised.
 */
function listenersOf(
  values: BrokerConfigValues,
  tlsOf: (listener: string) => ListenerTls,
  saslOf: (listener: string) => ListenerSasl,
): { listeners: ListenerConfig[]; interBroker: ListenerConfig & { advertised: Listener } } {
  if (values.listeners.length === 0) throw new ConfigError('listeners: at least one listener is needed');
  const controllerNames = new Set(values['controller.listener.names'].map((n) => n.toUpperCase()));
  const binds = values.listeners.map((l) => parseListener(l, 'listeners')).filter((l) => !controllerNames.has(l.name));
  if (binds.length === 0) throw new ConfigError('listeners: every listener is a controller listener (controller.listener.names); a broker listener is needed');
  const names = new Set<string>();
  const ports = new Set<number>();
  const protocols = new Map<string, SecurityProtocol>();
  for (const l of binds) {
    if (names.has(l.name)) throw new ConfigError(`listeners: listener name ${l.name} appears twice`);
    names.add(l.name);
    // Port 0 picks a free port for each, so several may ask for it.
    if (l.port !== 0 && ports.has(l.port)) throw new ConfigError(`listeners: port ${l.port} is used by two listeners`);
    ports.add(l.port);
    protocols.set(l.name, securityProtocolOf(l.name, values['listener.security.protocol.map']));
  }
  const advertisedByName = new Map<string, Listener>();
  const advertisedSpecs = values['advertised.listeners'].map((spec) => parseListener(spec, 'advertised.listeners')).filter((a) => !controllerNames.has(a.name));
  for (const a of advertisedSpecs) {
    if (!names.has(a.name)) throw new ConfigError(`advertised.listeners: ${a.name} is not a listener (listeners has ${[...names].join(', ')})`);
    if (advertisedByName.has(a.name)) throw new ConfigError(`advertised.listeners: listener name ${a.name} appears twice`);
    if (a.host === '0.0.0.0' || a.host === '::') throw new ConfigError(`advertised.listeners: ${a.name} advertises the meta-address ${a.host}; name a host clients can reach`);
    advertisedByName.set(a.name, a);
  }
  const listeners = binds.map((bind): ListenerConfig => {
    const securityProtocol = protocols.get(bind.name)!;
    const security = {
      securityProtocol,
      tls: securityProtocol === 'SSL' || securityProtocol === 'SASL_SSL' ? tlsOf(bind.name) : undefined,
      sasl: securityProtocol === 'SASL_PLAINTEXT' || securityProtocol === 'SASL_SSL' ? saslOf(bind.name) : undefined,
    };
    if (values['advertised.listeners'].length > 0) return { bind, advertised: advertisedByName.get(bind.name), ...security };
    // Kafka advertises the machine's name for a listener on every interface.
    return { bind, advertised: { ...bind, host: bind.host === '' || bind.host === '0.0.0.0' ? hostname() : bind.host }, ...security };
  });
  // Kafka's default is the listener named after security.inter.broker.protocol (PLAINTEXT); Skein also
  // takes a lone listener of any name, as it always has.
  const byProtocol = values['security.inter.broker.protocol'];
  const interName = values['inter.broker.listener.name']?.toUpperCase() ?? (listeners.length === 1 ? listeners[0]!.bind.name : byProtocol);
  const interBroker = listeners.find((l) => l.bind.name === interName);
  if (!interBroker) {
    const why = values['inter.broker.listener.name'] === undefined ? `is unset and no listener is named ${byProtocol} (security.inter.broker.protocol)` : 'is not a listener';
    throw new ConfigError(`inter.broker.listener.name: ${interName} ${why} (listeners has ${[...names].join(', ')})`);
  }
  const { advertised } = interBroker;
  if (!advertised) throw new ConfigError(`advertised.listeners: the inter-broker listener ${interName} must be advertised`);
  return { listeners, interBroker: { ...interBroker, advertised } };
}

/** Builds the broker config from properties entries (file first, then overrides). */
export function brokerConfigFrom(entries: readonly PropertyLine[]): BrokerConfig {
  const known: PropertyLine[] = [];
  const ignoredKeys: string[] = [];
  const { global, byListener, other: notSsl } = splitListenerEntries(entries);
  const { byListener: saslByListener, rest: other } = splitListenerSasl(notSsl);
  for (const e of global) {
    if (NOT_APPLICABLE.has(e.key)) ignoredKeys.push(e.key);
    else known.push(e);
  }
  const { values, unknown } = parseConfig(brokerSchema, known);
  const controllerNames = new Set(values['controller.listener.names'].map((n) => n.toUpperCase()));
  // A KRaft controller listener's own settings (listener.name.controller.*) do not apply here.
  const listenerOf = (key: string) => /^listener\.name\.([^.]+)\./.exec(key)![1]!.toUpperCase();
  for (const e of other) {
    if (controllerNames.has(listenerOf(e.key))) ignoredKeys.push(e.key);
    else unknown.push(e);
  }
  for (const [listener, own] of [...byListener, ...saslByListener]) {
    if (controllerNames.has(listener)) ignoredKeys.push(...own.map((e) => `listener.name.${listener.toLowerCase()}.${e.key}`));
  }
  if (values['controller.listener.names'].length > 0) ignoredKeys.push('controller.listener.names');
  const queuedBytes = values['queued.max.request.bytes'];
  if (queuedBytes !== -1 && queuedBytes < values['socket.request.max.bytes']) {
    throw new ConfigError(`queued.max.request.bytes (${queuedBytes}) must be -1 or at least socket.request.max.bytes (${values['socket.request.max.bytes']})`);
  }
  const { listeners, interBroker } = listenersOf(
    values,
    (listener) => listenerTlsOf(sslValuesFor(known, byListener.get(listener) ?? [], listener), listener),
    (listener) => listenerSaslOf(
        {
          mechanisms: values['sasl.enabled.mechanisms'],
          jaas: values['sasl.jaas.config'],
          kerberos: { serviceName: values['sasl.kerberos.service.name'], rules: values['sasl.kerberos.principal.to.local.rules'] },
          oauthbearer: values,
        },
        saslByListener.get(listener) ?? [], listener),
  );
  // This broker's own login to the others (replica fetchers, the controller, controlled shutdown), in a
  // cluster whose inter-broker listener speaks SASL. A broker alone has no such connections.
  const interBrokerSasl =
    values['zookeeper.connect'] !== undefined && interBroker.sasl
      ? interBrokerSaslOf(values['sasl.mechanism.inter.broker.protocol'], interBroker.sasl, { jaas: values['sasl.jaas.config'] }, saslByListener.get(interBroker.bind.name) ?? [], interBroker.bind.name)
      : undefined;
  if (values['zookeeper.connect'] !== undefined) {
    try {
      parseConnectString(values['zookeeper.connect']);
    } catch (err) {
      throw new ConfigError(`zookeeper.connect: ${(err as Error).message}`);
    }
  }
  const retentionMs =
    values['log.retention.ms'] ??
    (values['log.retention.minutes'] !== undefined
      ? minutesOrForever(values['log.retention.minutes'])
      : hoursOrForever(values['log.retention.hours']));
  const rollMs = values['log.roll.ms'] ?? values['log.roll.hours'] * HOUR_MS;
  return {
    values,
    brokerId: known.some((e) => e.key === 'broker.id') ? values['broker.id'] : (values['node.id'] ?? values['broker.id']),
    dataDir: values['log.dirs'][0] ?? values['log.dir'],
    listeners,
    listener: interBroker.bind,
    advertised: interBroker.advertised,
    interBrokerSasl,
    zookeeperTls: zookeeperTlsOf(values),
    authorizer: authorizerSettingsOf(values),
    principalLimits: {
      limit: values['max.connections.per.principal'],
      overrides: connectionOverridesOf(values['max.connections.per.principal.overrides']),
      // Read without an authorizer too: brokers log in as a super user whether or not ACLs are checked.
      exempt: superUsersOf(values['super.users']),
    },
    retentionMs,
    rollMs,
    explicitKeys: new Set(known.map((e) => e.key)),
    unknownKeys: unknown.map((u) => u.key),
    ignoredKeys,
  };
}

/** The log cleaner's settings from server.properties. */
export function cleanerConfigOf(cfg: BrokerConfig): CleanerConfig {
  const v = cfg.values;
  return {
    enable: v['log.cleaner.enable'],
    dedupeBufferBytes: v['log.cleaner.dedupe.buffer.size'],
    dedupeBufferLoadFactor: v['log.cleaner.io.buffer.load.factor'],
    ioBufferBytes: v['log.cleaner.io.buffer.size'],
    maxIoBytesPerSecond: v['log.cleaner.io.max.bytes.per.second'],
    backoffMs: v['log.cleaner.backoff.ms'],
  };
}

function minutesOrForever(minutes: number): number {
  return minutes < 0 ? -1 : minutes * 60_000;
}

function hoursOrForever(hours: number): number {
  return hours < 0 ? -1 : hours * HOUR_MS;
}

export function brokerConfigFromText(text: string, overrides: readonly PropertyLine[] = []): BrokerConfig {
  return brokerConfigFrom([...parseProperties(text), ...overrides]);
}
