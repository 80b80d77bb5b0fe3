// Kafka's ZooKeeper layout (ZooKeeper mode, Kafka 2.8-3.9): the paths and the JSON each znode holds, as
// Kafka's ZkData writes and reads them, so tools that read Kafka's znodes (zkCli, Burrow, kafka-topics
// --zookeeper) see a Kafka cluster. Pure: bytes in, values out. Every decoder checks the shape and throws
// ZnodeFormatError naming the znode rather than handing a half-read value on.

export class ZnodeFormatError extends Error {
  override readonly name = 'ZnodeFormatError';
}

export const BROKERS_PATH = '/brokers';
export const BROKER_IDS_PATH = '/brokers/ids';
export const TOPICS_PATH = '/brokers/topics';
export const BROKER_SEQID_PATH = '/brokers/seqid';
export const CONTROLLER_PATH = '/controller';
export const CONTROLLER_EPOCH_PATH = '/controller_epoch';
export const CLUSTER_ID_PATH = '/cluster/id';
export const CONFIG_PATH = '/config';
export const CONFIG_CHANGES_PATH = '/config/changes';
export const CONFIG_CHANGE_PREFIX = 'config_change_';
export const ADMIN_DELETE_TOPICS_PATH = '/admin/delete_topics';
/** Kafka 2.x's reassignments through ZooKeeper (kafka-reassign-partitions.sh --zookeeper), still read by 2.4-2.8 controllers. */
export const REASSIGN_PARTITIONS_PATH = '/admin/reassign_partitions';
export const ISR_CHANGE_NOTIFICATION_PATH = '/isr_change_notification';
export const ISR_CHANGE_PREFIX = 'isr_change_';

/** The config entity types Kafka keeps under /config. */
export const CONFIG_ENTITY_TYPES = ['topics', 'clients', 'users', 'brokers', 'ips'] as const;

/**
 * The persistent paths a Kafka broker creates at start (ZkData.PersistentZkPaths plus the config entity
 * types), parents before children.
 */
export const PERSISTENT_PATHS: readonly string[] = [
  '/consumers',
  BROKERS_PATH,
  BROKER_IDS_PATH,
  TOPICS_PATH,
  CONFIG_PATH,
  CONFIG_CHANGES_PATH,
  ...CONFIG_ENTITY_TYPES.map((t) => `${CONFIG_PATH}/${t}`),
  '/admin',
  ADMIN_DELETE_TOPICS_PATH,
  BROKER_SEQID_PATH,
  ISR_CHANGE_NOTIFICATION_PATH,
  '/latest_producer_id_block',
  '/log_dir_event_notification',
  '/cluster',
];

export const brokerIdPath = (id: number): string => `${BROKER_IDS_PATH}/${id}`;
export const topicPath = (topic: string): string => `${TOPICS_PATH}/${topic}`;
export const topicPartitionsPath = (topic: string): string => `${topicPath(topic)}/partitions`;
export const partitionPath = (topic: string, partition: number): string => `${topicPartitionsPath(topic)}/${partition}`;
export const partitionStatePath = (topic: string, partition: number): string => `${partitionPath(topic, partition)}/state`;
export const topicConfigPath = (topic: string): string => `${CONFIG_PATH}/topics/${topic}`;
export const deleteTopicPath = (topic: string): string => `${ADMIN_DELETE_TOPICS_PATH}/${topic}`;

// --- JSON reading with shape checks --------------------------------------------------------------------

type Json = unknown;

function parse(what: string, bytes: Buffer | null): Record<string, Json> {
  if (bytes === null || bytes.length === 0) throw new ZnodeFormatError(`${what}: empty znode`);
  let value: Json;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ZnodeFormatError(`${what}: not JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ZnodeFormatError(`${what}: not a JSON object`);
  return value as Record<string, Json>;
}

function int(what: string, obj: Record<string, Json>, key: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ZnodeFormatError(`${what}: "${key}" is not an integer`);
  return v;
}

function str(what: string, obj: Record<string, Json>, key: string): string {
  const v = obj[key];
  if (typeof v !== 'string') throw new ZnodeFormatError(`${what}: "${key}" is not a string`);
  return v;
}

function intArray(what: string, v: Json, key: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isSafeInteger(x))) {
    throw new ZnodeFormatError(`${what}: "${key}" is not a list of integers`);
  }
  return v as number[];
}

function object(what: string, v: Json, key: string): Record<string, Json> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ZnodeFormatError(`${what}: "${key}" is not an object`);
  return v as Record<string, Json>;
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

// --- /brokers/ids/<id> ----------------------------------------------------------------------------------

export interface BrokerEndpoint {
  /** Listener name, e.g. PLAINTEXT. */
  listener: string;
  host: string;
  port: number;
  securityProtocol: string;
}

export interface BrokerRegistration {
  id: number;
  endpoints: BrokerEndpoint[];
  rack: string | null;
  /** Wall-clock milliseconds when it registered. */
  timestamp: number;
}

/** What Kafka 2.7+ writes (version 5); Skein has no JMX (-1, as Kafka without JMX_PORT) and no finalized features. */
export const BROKER_REGISTRATION_VERSION = 5;

function endpointString(e: BrokerEndpoint): string {
  const host = e.host.includes(':') ? `[${e.host}]` : e.host;
  return `${e.listener}://${host}:${e.port}`;
}

export function encodeBrokerRegistration(b: BrokerRegistration): Buffer {
  // Kafka's top-level host and port are the first PLAINTEXT endpoint, for clients older than endpoints.
  const plaintext = b.endpoints.find((e) => e.securityProtocol === 'PLAINTEXT');
  const value: Record<string, unknown> = {
    features: {},
    listener_security_protocol_map: Object.fromEntries(b.endpoints.map((e) => [e.listener, e.securityProtocol])),
    endpoints: b.endpoints.map(endpointString),
    jmx_port: -1,
    port: plaintext?.port ?? -1,
    host: plaintext?.host ?? null,
    version: BROKER_REGISTRATION_VERSION,
    timestamp: String(b.timestamp),
  };
  if (b.rack !== null) value.rack = b.rack;
  return json(value);
}

/** Reads versions 1-5 as Kafka's BrokerIdZNode.decode does. */
export function decodeBrokerRegistration(id: number, bytes: Buffer | null): BrokerRegistration {
  const what = `broker registration ${id}`;
  const o = parse(what, bytes);
  const version = int(what, o, 'version');
  if (version < 1) throw new ZnodeFormatError(`${what}: unsupported version ${version}`);
  let endpoints: BrokerEndpoint[];
  if (version === 1) {
    endpoints = [{ listener: 'PLAINTEXT', host: str(what, o, 'host'), port: int(what, o, 'port'), securityProtocol: 'PLAINTEXT' }];
  } else {
    const map = o.listener_security_protocol_map === undefined ? {} : object(what, o.listener_security_protocol_map, 'listener_security_protocol_map');
    const list = o.endpoints;
    if (!Array.isArray(list) || !list.every((e) => typeof e === 'string')) throw new ZnodeFormatError(`${what}: "endpoints" is not a list of strings`);
    endpoints = (list as string[]).map((spec) => {
      const m = /^([A-Za-z_][A-Za-z0-9_]*):\/\/(\[[^\]]*\]|[^:/]*):(\d{1,5})$/.exec(spec);
      if (!m) throw new ZnodeFormatError(`${what}: endpoint "${spec}" is not NAME://host:port`);
      const listener = m[1]!;
      const protocol = map[listener];
      return {
        listener,
        host: m[2]!.replace(/^\[|\]$/g, ''),
        port: Number(m[3]),
        // Before listener maps the listener name was the protocol.
        securityProtocol: typeof protocol === 'string' ? protocol : listener,
      };
    });
  }
  const rack = typeof o.rack === 'string' ? o.rack : null;
  const timestamp = typeof o.timestamp === 'string' && /^\d+$/.test(o.timestamp) ? Number(o.timestamp) : 0;
  return { id, endpoints, rack, timestamp };
}

// --- /controller, /controller_epoch, /cluster/id --------------------------------------------------------

export function encodeController(brokerId: number, timestamp: number): Buffer {
  return json({ version: 1, brokerid: brokerId, timestamp: String(timestamp) });
}

export function decodeController(bytes: Buffer | null): number {
  return int('/controller', parse('/controller', bytes), 'brokerid');
}

/** /controller_epoch holds the epoch as a decimal string; Kafka's first controller writes 1. */
export function encodeControllerEpoch(epoch: number): Buffer {
  return Buffer.from(String(epoch), 'utf8');
}

export function decodeControllerEpoch(bytes: Buffer | null): number {
  const text = bytes?.toString('utf8') ?? '';
  if (!/^\d{1,10}$/.test(text)) throw new ZnodeFormatError(`/controller_epoch: "${text.slice(0, 20)}" is not an epoch`);
  return Number(text);
}

export function encodeClusterId(id: string): Buffer {
  // Kafka writes the version as a string here, unlike every other znode.
  return json({ version: '1', id });
}

export function decodeClusterId(bytes: Buffer | null): string {
  return str(CLUSTER_ID_PATH, parse(CLUSTER_ID_PATH, bytes), 'id');
}

// --- /brokers/topics/<t> --------------------------------------------------------------------------------

export interface TopicAssignment {
  /** Replica broker ids per partition index, the preferred leader first. */
  partitions: number[][];
  /** Reassignments in progress (KIP-455), by partition index. */
  addingReplicas: Record<number, number[]>;
  removingReplicas: Record<number, number[]>;
  /** 32 hex digits, or undefined for a topic written by a Kafka older than 2.8. */
  topicId: string | undefined;
}

/** Kafka 3.x writes version 3 when the topic has an id (2.8 wrote 2 and added topic_id). */
export const TOPIC_ZNODE_VERSION = 3;

/**
 * Kafka's Uuid.toString is URL-safe base64 of the 16 bytes without padding (22 characters); older tools
 * wrote the dashed form. Both are read.
 */
function topicIdHex(what: string, text: string): string {
  const dashed = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
  if (dashed.test(text)) return text.replace(/-/g, '').toLowerCase();
  if (/^[A-Za-z0-9_-]{22}$/.test(text)) return Buffer.from(text, 'base64url').toString('hex');
  throw new ZnodeFormatError(`${what}: "topic_id" ${text} is not a topic id`);
}

/** Kafka's Uuid.toString: 16 bytes as URL-safe base64 without padding. */
export function kafkaUuidString(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64url');
}

export function encodeTopicAssignment(a: TopicAssignment): Buffer {
  const byIndex = (lists: Record<number, number[]>) =>
    Object.fromEntries(Object.entries(lists).filter(([, l]) => l.length > 0).map(([p, l]) => [p, l]));
  const value: Record<string, unknown> = {
    partitions: Object.fromEntries(a.partitions.map((r, p) => [String(p), r])),
    adding_replicas: byIndex(a.addingReplicas),
    removing_replicas: byIndex(a.removingReplicas),
    version: a.topicId === undefined ? 2 : TOPIC_ZNODE_VERSION,
  };
  if (a.topicId !== undefined) value.topic_id = kafkaUuidString(a.topicId);
  return json(value);
}

export function decodeTopicAssignment(topic: string, bytes: Buffer | null): TopicAssignment {
  const what = `topic ${topic}`;
  const o = parse(what, bytes);
  const parts = o.partitions === undefined ? {} : object(what, o.partitions, 'partitions');
  const indexes = Object.keys(parts).map((k) => {
    if (!/^\d{1,9}$/.test(k)) throw new ZnodeFormatError(`${what}: partition "${k}" is not an index`);
    return Number(k);
  });
  indexes.sort((a, b) => a - b);
  // Partitions are consecutive from 0 in every assignment Kafka writes; a gap means a damaged znode.
  indexes.forEach((p, i) => {
    if (p !== i) throw new ZnodeFormatError(`${what}: partitions are not 0..${indexes.length - 1}`);
  });
  const partitions = indexes.map((p) => intArray(what, parts[String(p)], `partitions.${p}`));
  const lists = (key: string): Record<number, number[]> => {
    if (o[key] === undefined) return {};
    const m = object(what, o[key], key);
    return Object.fromEntries(Object.entries(m).map(([p, l]) => [Number(p), intArray(what, l, `${key}.${p}`)]));
  };
  const topicId = o.topic_id === undefined ? undefined : topicIdHex(what, str(what, o, 'topic_id'));
  return { partitions, addingReplicas: lists('adding_replicas'), removingReplicas: lists('removing_replicas'), topicId };
}

// --- /brokers/topics/<t>/partitions/<p>/state -----------------------------------------------------------

/** A partition's leader and ISR as the controller (or, for ISR changes, the leader) last wrote them. */
export interface LeaderIsrAndControllerEpoch {
  controllerEpoch: number;
  leader: number;
  leaderEpoch: number;
  isr: number[];
}

export function encodePartitionState(s: LeaderIsrAndControllerEpoch): Buffer {
  return json({ controller_epoch: s.controllerEpoch, leader: s.leader, version: 1, leader_epoch: s.leaderEpoch, isr: s.isr });
}

export function decodePartitionState(bytes: Buffer | null, where = 'partition state'): LeaderIsrAndControllerEpoch {
  const o = parse(where, bytes);
  return {
    controllerEpoch: int(where, o, 'controller_epoch'),
    leader: int(where, o, 'leader'),
    leaderEpoch: int(where, o, 'leader_epoch'),
    isr: intArray(where, o.isr, 'isr'),
  };
}

// --- /config/<type>/<name>, /config/changes -------------------------------------------------------------

export function encodeEntityConfig(config: Record<string, string>): Buffer {
  return json({ version: 1, config });
}

export function decodeEntityConfig(bytes: Buffer | null, where = 'config'): Record<string, string> {
  // Kafka reads an empty znode as no overrides.
  if (bytes === null || bytes.length === 0) return {};
  const o = parse(where, bytes);
  if (o.config === undefined) return {};
  const config = object(where, o.config, 'config');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    if (typeof v !== 'string') throw new ZnodeFormatError(`${where}: value of "${k}" is not a string`);
    out[k] = v;
  }
  return out;
}

/** A config change notification (version 2): which entity changed, e.g. "topics/orders". */
export function encodeConfigChange(entityPath: string): Buffer {
  return json({ version: 2, entity_path: entityPath });
}

export function decodeConfigChange(bytes: Buffer | null): string {
  return str('config change', parse('config change', bytes), 'entity_path');
}

// --- /isr_change_notification/isr_change_<seq> ---------------------------------------------------------

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

export function encodeIsrChangeNotification(partitions: readonly TopicPartitionRef[]): Buffer {
  return json({ version: 1, partitions: partitions.map((p) => ({ topic: p.topic, partition: p.partition })) });
}

export function decodeIsrChangeNotification(bytes: Buffer | null): TopicPartitionRef[] {
  const what = 'isr change notification';
  const o = parse(what, bytes);
  if (!Array.isArray(o.partitions)) throw new ZnodeFormatError(`${what}: "partitions" is not a list`);
  return o.partitions.map((p: Json) => {
    const e = object(what, p, 'partitions[]');
    return { topic: str(what, e, 'topic'), partition: int(what, e, 'partition') };
  });
}

// --- /admin/reassign_partitions -------------------------------------------------------------------------

export interface ZkReassignment {
  topic: string;
  partition: number;
  replicas: number[];
}

export function encodeReassignPartitions(list: readonly ZkReassignment[]): Buffer {
  return json({ version: 1, partitions: list.map((r) => ({ topic: r.topic, partition: r.partition, replicas: r.replicas })) });
}

/** Reads what kafka-reassign-partitions.sh --zookeeper writes; its optional log_dirs are ignored (one log dir here). */
export function decodeReassignPartitions(bytes: Buffer | null): ZkReassignment[] {
  const what = REASSIGN_PARTITIONS_PATH;
  const o = parse(what, bytes);
  if (!Array.isArray(o.partitions)) throw new ZnodeFormatError(`${what}: "partitions" is not a list`);
  return o.partitions.map((p: Json) => {
    const e = object(what, p, 'partitions[]');
    return { topic: str(what, e, 'topic'), partition: int(what, e, 'partition'), replicas: intArray(what, e.replicas, 'replicas') };
  });
}
