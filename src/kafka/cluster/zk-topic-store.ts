// Topic definitions in ZooKeeper, in Kafka's layout: the assignment in /brokers/topics/<t>, the config
// overrides in /config/topics/<t> (with a /config/changes notification), deletions requested through
// /admin/delete_topics/<t> and carried out by the controller. Reads are synchronous from a cache that
// persistent watches keep current; a broker's own writes show in its cache at once, as FileTopicStore's
// do, and everyone else's arrive by watch.
import { randomBytes } from 'node:crypto';
import { ErrorCode, KafkaProtocolError } from '../../../protocol/kafka/index.js';
import { ErrorCode as ZkError } from '../../../protocol/zookeeper/codes.js';
import {
  ADMIN_DELETE_TOPICS_PATH,
  decodeEntityConfig,
  decodeTopicAssignment,
  deleteTopicPath,
  encodeEntityConfig,
  encodeTopicAssignment,
  topicConfigPath,
  topicPath,
  TOPICS_PATH,
} from '../../../protocol/kafka/zk/znodes.js';
import type { Logger } from '../../logger.js';
import type { WatchedEvent, ZooKeeperClient } from '../../zookeeper/client/client.js';
import type { TopicRecord, TopicStore } from '../metadata/topic-store.js';
import { announceConfigChange, CONFIG_CHANGE_EXPIRY_MS } from './config-changes.js';
import { createIfAbsent, isKeeperError } from './membership.js';

const CONFIG_TOPICS_PATH = '/config/topics';
/**
 * Tries of a topic creation whose ZooKeeper connection drops. Each waits for the client's next
 * connection, so a few cover a leader election in the ensemble; a session that expires fails them all.
 */
const CONNECTION_LOSS_ATTEMPTS = 5;

export type TopicsRemovedListener = (topics: TopicRecord[]) => void;
export type ConfigsChangedListener = (topic: string) => void;

/** The topic a path under /brokers/topics or /config/topics names, if it names one directly. */
function topicOf(root: string, path: string): string | undefined {
  if (!path.startsWith(`${root}/`)) return undefined;
  const rest = path.slice(root.length + 1);
  return rest === '' || rest.includes('/') ? undefined : rest;
}

/** A topic as cached: its record, its znode's version, and whether a reassignment is in progress in it. */
type Cached = TopicRecord & { zkVersion: number; reassigning?: boolean };

export class ZkTopicStore implements TopicStore {
  private readonly topics = new Map<string, Cached>();
  /** Topics marked for deletion: hidden at once, gone from ZooKeeper once the controller is done. */
  private deleting = new Set<string>();
  private readonly removedListeners: TopicsRemovedListener[] = [];
  private readonly configListeners: ConfigsChangedListener[] = [];
  /** Refreshes run one at a time so a slower, older read never overwrites a newer one. */
  private refreshing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly zk: ZooKeeperClient,
    private readonly log: Logger,
    private readonly changeExpiryMs: number,
  ) {}

  static async open(zk: ZooKeeperClient, log: Logger, changeExpiryMs = CONFIG_CHANGE_EXPIRY_MS): Promise<ZkTopicStore> {
    const store = new ZkTopicStore(zk, log, changeExpiryMs);
    await store.arm();
    return store;
  }

  /** Sets the watches and reads everything; again after a new session (the old watches went with it). */
  async arm(): Promise<void> {
    await this.zk.addWatch(TOPICS_PATH, (e) => this.onTopicEvent(e), 'persistentRecursive');
    await this.zk.addWatch(CONFIG_TOPICS_PATH, (e) => this.onConfigEvent(e), 'persistentRecursive');
    await this.zk.addWatch(ADMIN_DELETE_TOPICS_PATH, () => this.queue(() => this.readDeleting()), 'persistent');
    await this.queue(async () => {
      await this.readDeleting();
      const names = await this.zk.getChildren(TOPICS_PATH);
      const gone = [...this.topics.keys()].filter((n) => !names.includes(n));
      for (const n of gone) this.forget(n);
      for (const name of names) await this.readTopic(name);
    });
  }

  onTopicsRemoved(listener: TopicsRemovedListener): void {
    this.removedListeners.push(listener);
  }

  onConfigsChanged(listener: ConfigsChangedListener): void {
    this.configListeners.push(listener);
  }

  /** Settles once the refreshes queued so far are done (tests, and a broker reading its own cluster). */
  settled(): Promise<void> {
    return this.refreshing;
  }

  list(): TopicRecord[] {
    return [...this.topics.values()].filter((t) => !this.deleting.has(t.name)).map(strip);
  }

  get(name: string): TopicRecord | undefined {
    const t = this.topics.get(name);
    return t && !this.deleting.has(name) ? strip(t) : undefined;
  }

  /** As Kafka's AdminZkClient: the configs first, then the assignment the controller watches for. */
  create(topic: TopicRecord): Promise<void> {
    if (this.topics.has(topic.name)) throw new KafkaProtocolError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${topic.name}' already exists.`);
    this.topics.set(topic.name, { ...topic, zkVersion: 0 });
    return (async () => {
      try {
        await this.writeTopic(topic);
      } catch (err) {
        // Ours may never have been written (another broker's came first, or ZooKeeper failed): the cache
        // takes whatever ZooKeeper holds.
        this.topics.delete(topic.name);
        void this.queue(() => this.readTopic(topic.name));
        if (isKeeperError(err, ZkError.nodeExists)) throw new KafkaProtocolError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${topic.name}' already exists.`);
        throw err;
      }
    })();
  }

  /** Marks the topic for deletion; the controller stops its replicas and removes its znodes. */
  delete(name: string): Promise<void> {
    this.deleting.add(name);
    return createIfAbsent(this.zk, deleteTopicPath(name)).then(
      () => undefined,
      (err: unknown) => {
        void this.queue(() => this.readDeleting());
        throw err;
      },
    );
  }

  addPartitions(name: string, replicas: number[][]): Promise<void> {
    const topic = this.require(name);
    // As Kafka's CreatePartitions: the assignment must not be rewritten under the controller's reassignment.
    if (topic.reassigning) throw new KafkaProtocolError(ErrorCode.REASSIGNMENT_IN_PROGRESS, `A partition reassignment is in progress for the topic '${name}'.`);
    const next = { ...topic, replicas: [...topic.replicas, ...replicas] };
    this.topics.set(name, next);
    const data = encodeTopicAssignment({ partitions: next.replicas, addingReplicas: {}, removingReplicas: {}, topicId: topic.topicId });
    return this.zk.setData(topicPath(name), data, topic.zkVersion).then(
      (stat) => {
        const now = this.topics.get(name);
        if (now) now.zkVersion = Math.max(now.zkVersion, stat.version);
      },
      (err: unknown) => {
        // Changed by someone else meanwhile: Kafka's CreatePartitions fails the same way; clients retry.
        void this.queue(() => this.readTopic(name));
        if (isKeeperError(err, ZkError.badVersion)) throw new KafkaProtocolError(ErrorCode.REASSIGNMENT_IN_PROGRESS, `Topic ${name} changed while adding partitions; retry.`);
        throw err;
      },
    );
  }

  setConfigs(name: string, configs: Record<string, string>): Promise<void> {
    const topic = this.require(name);
    this.topics.set(name, { ...topic, configs: { ...configs } });
    return (async () => {
      try {
        await this.writeConfig(name, configs);
      } catch (err) {
        void this.queue(() => this.readConfig(name));
        throw err;
      }
      await announceConfigChange(this.zk, `topics/${name}`, this.changeExpiryMs);
    })();
  }

  private require(name: string): Cached {
    const topic = this.topics.get(name);
    if (!topic || this.deleting.has(name)) throw new Error(`no topic ${name}`);
    return topic;
  }

  /**
   * Writes the topic's config and assignment. A request lost with its connection (the ZooKeeper server
   * we talk to died, or lost its leader) may or may not have happened: the assignment carries our topic
   * id, so reading it back tells; otherwise both writes are made again once connected (the config
   * write is idempotent), as Kafka's ZooKeeper client retries until connected.
   */
  private async writeTopic(topic: TopicRecord): Promise<void> {
    const assignment = encodeTopicAssignment({ partitions: topic.replicas, addingReplicas: {}, removingReplicas: {}, topicId: topic.topicId });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.writeConfig(topic.name, topic.configs);
        await this.zk.create(topicPath(topic.name), assignment);
        return;
      } catch (err) {
        if (!isKeeperError(err, ZkError.connectionLoss) || attempt >= CONNECTION_LOSS_ATTEMPTS) throw err;
      }
      const written = await this.zk.getData(topicPath(topic.name)).catch((err: unknown) => {
        if (isKeeperError(err, ZkError.noNode) || isKeeperError(err, ZkError.connectionLoss)) return undefined;
        throw err;
      });
      if (written && decodeTopicAssignment(topic.name, written.data).topicId === topic.topicId) return;
    }
  }

  private async writeConfig(name: string, configs: Record<string, string>): Promise<void> {
    const data = encodeEntityConfig(configs);
    if (await createIfAbsent(this.zk, topicConfigPath(name), data)) return;
    await this.zk.setData(topicConfigPath(name), data);
  }

  private queue(step: () => Promise<void>): Promise<void> {
    const next = this.refreshing.then(step).catch((err: unknown) => {
      this.log.warn({ err }, 'reading topics from ZooKeeper failed');
    });
    this.refreshing = next;
    return next;
  }

  private onTopicEvent(e: WatchedEvent): void {
    const name = topicOf(TOPICS_PATH, e.path);
    if (name !== undefined) void this.queue(() => this.readTopic(name));
  }

  private onConfigEvent(e: WatchedEvent): void {
    const name = topicOf(CONFIG_TOPICS_PATH, e.path);
    if (name !== undefined) void this.queue(() => this.readConfig(name));
  }

  private async readDeleting(): Promise<void> {
    this.deleting = new Set(await this.zk.getChildren(ADMIN_DELETE_TOPICS_PATH));
  }

  private async readTopic(name: string): Promise<void> {
    let data: Buffer | null;
    let version: number;
    try {
      const got = await this.zk.getData(topicPath(name));
      data = got.data;
      version = got.stat.version;
    } catch (err) {
      if (!isKeeperError(err, ZkError.noNode)) throw err;
      this.forget(name);
      return;
    }
    const assignment = decodeTopicAssignment(name, data);
    const configs = await this.configOf(name);
    const before = this.topics.get(name);
    // A topic written by a Kafka older than 2.8 has no id until the controller gives it one (it writes
    // the znode again); meanwhile this broker uses one of its own.
    const topicId = assignment.topicId ?? before?.topicId ?? randomBytes(16).toString('hex');
    const reassigning = [...Object.values(assignment.addingReplicas), ...Object.values(assignment.removingReplicas)].some((l) => l.length > 0);
    this.topics.set(name, { name, topicId, replicas: assignment.partitions, configs, zkVersion: version, reassigning });
    if (before && JSON.stringify(before.configs) !== JSON.stringify(configs)) this.configsChanged(name);
  }

  private async readConfig(name: string): Promise<void> {
    const topic = this.topics.get(name);
    if (!topic) return;
    const configs = await this.configOf(name);
    if (JSON.stringify(topic.configs) === JSON.stringify(configs)) return;
    this.topics.set(name, { ...topic, configs });
    this.configsChanged(name);
  }

  private async configOf(name: string): Promise<Record<string, string>> {
    try {
      return decodeEntityConfig((await this.zk.getData(topicConfigPath(name))).data, topicConfigPath(name));
    } catch (err) {
      if (isKeeperError(err, ZkError.noNode)) return {};
      throw err;
    }
  }

  private configsChanged(name: string): void {
    for (const l of this.configListeners) l(name);
  }

  private forget(name: string): void {
    const t = this.topics.get(name);
    if (!t) return;
    this.topics.delete(name);
    this.deleting.delete(name);
    this.log.info({ topic: name }, 'topic gone from ZooKeeper');
    for (const l of this.removedListeners) l([strip(t)]);
  }
}

function strip(t: Cached): TopicRecord {
  return { name: t.name, topicId: t.topicId, replicas: t.replicas, configs: t.configs };
}
