// The controller's shell around ControllerCore, as Kafka's ZooKeeper-mode KafkaController runs: every
// broker watches the ephemeral /controller and the first to create it (incrementing /controller_epoch in
// the same multi) is the controller. The controller reads the cluster, feeds changes to the core one event
// at a time (Kafka's ControllerEventManager), writes partition states fenced by the controller epoch's
// znode version (a deposed controller's writes fail), and sends the core's requests through the channel.
import { interBrokerSecurity } from '../inter-broker-security.js';
import { ErrorCode as ZkError, EventType, KeeperError } from '../../../protocol/zookeeper/codes.js';
import {
  ADMIN_DELETE_TOPICS_PATH,
  BROKER_IDS_PATH,
  brokerIdPath,
  CONTROLLER_EPOCH_PATH,
  CONTROLLER_PATH,
  decodeBrokerRegistration,
  decodeController,
  decodeControllerEpoch,
  decodeIsrChangeNotification,
  decodePartitionState,
  decodeReassignPartitions,
  decodeTopicAssignment,
  deleteTopicPath,
  encodeController,
  encodeControllerEpoch,
  encodePartitionState,
  encodeReassignPartitions,
  encodeTopicAssignment,
  ISR_CHANGE_NOTIFICATION_PATH,
  partitionPath,
  partitionStatePath,
  REASSIGN_PARTITIONS_PATH,
  topicConfigPath,
  topicPartitionsPath,
  topicPath,
  TOPICS_PATH,
  type TopicPartitionRef,
  ZnodeFormatError,
  type ZkReassignment,
} from '../../../protocol/kafka/zk/znodes.js';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../logger.js';
import { MultiError, type Op, type OpResult, type WatchedEvent, type ZooKeeperClient } from '../../zookeeper/client/client.js';
import type { BrokerConfig } from '../broker-config.js';
import { createIfAbsent, isKeeperError, type ClusterMembership } from '../cluster/membership.js';
import { groupByTopic } from '../topics/group-by-topic.js';
import { ControllerChannel } from './channel.js';
import {
  ControllerCore,
  type AssignmentWrite,
  type BrokerRequest,
  type ElectionOutcome,
  type LiveBroker,
  type ReassignRefusal,
  type Reassignment,
  type StateRecord,
  type StateWrite,
  type TopicInfo,
  type TopicPartition,
} from './controller-core.js';

/** How often a write lost to a concurrent change is decided again before the event gives up. */
const MAX_WRITE_ROUNDS = 5;
/**
 * Partition-state writes under way at once. Each takes up to three ZooKeeper requests, and the session
 * client refuses requests beyond its 1,000 waiting (ThrottledOp): all of a 3,000-partition topic's
 * writes at once failed the whole event, and the controller's resignation with it.
 */
const STATE_WRITES_IN_FLIGHT = 128;
/** Between attempts to give up /controller while ZooKeeper is unreachable. */
const ABDICATE_RETRY_MS = 100;
/** What a conditional write fails with when someone else changed the znode first. */
const LOST_RACE: readonly ZkError[] = [ZkError.badVersion, ZkError.nodeExists, ZkError.noNode];

const sameReplicas = (a: readonly number[] | undefined, b: readonly number[]): boolean => a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

/** Thrown inside an event when this broker turns out not to be the controller any more. */
class ControllerMovedError extends Error {
  override readonly name = 'ControllerMovedError';
}

interface Active {
  core: ControllerCore;
  epoch: number;
  /** The version of /controller_epoch our election wrote: every state write checks it. */
  epochZkVersion: number;
  channel: ControllerChannel;
  topics: Map<string, TopicInfo>;
  rebalanceTimer: NodeJS.Timeout | undefined;
}

export class Controller {
  private active: Active | undefined;
  /** The controller last seen in /controller, -1 for none. */
  private activeControllerId = -1;
  /** Events run one at a time, in arrival order. */
  private events: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly membership: ClusterMembership,
    private readonly config: BrokerConfig,
    private readonly log: Logger,
    /** unclean.leader.election.enable for a topic: its override, else the broker's. */
    private readonly uncleanElection: (topic: string) => boolean,
  ) {}

  private get zk(): ZooKeeperClient {
    return this.membership.zk;
  }

  get isActive(): boolean {
    return this.active !== undefined;
  }

  /** Arms the watches (again after a new session) and runs for controller. */
  async start(): Promise<void> {
    await this.zk.addWatch(CONTROLLER_PATH, (e) => this.onControllerEvent(e), 'persistent');
    await this.zk.addWatch(BROKER_IDS_PATH, (e) => this.whenActive(e, EventType.nodeChildrenChanged, () => this.brokersChanged()), 'persistent');
    await this.zk.addWatch(TOPICS_PATH, (e) => this.onTopicsEvent(e), 'persistentRecursive');
    await this.zk.addWatch(ADMIN_DELETE_TOPICS_PATH, (e) => this.whenActive(e, EventType.nodeChildrenChanged, () => this.deletionsRequested()), 'persistent');
    await this.zk.addWatch(ISR_CHANGE_NOTIFICATION_PATH, (e) => this.whenActive(e, EventType.nodeChildrenChanged, () => this.isrChanged()), 'persistent');
    await this.zk.addWatch(REASSIGN_PARTITIONS_PATH, (e) => {
      if (e.type === EventType.nodeCreated || e.type === EventType.nodeDataChanged) this.whenActive(e, e.type, () => this.zkReassignment());
    }, 'persistent');
    this.enqueue(() => this.elect());
  }

  /** After a session expiry: we are no longer controller (our /controller went with the session). */
  async restart(): Promise<void> {
    this.enqueue(async () => this.resign('session expired'));
    await this.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.enqueue(async () => this.resign('stopping'));
    await this.events;
  }

  /**
   * ControlledShutdown from a broker: leadership moves off it, it leaves the ISRs. Answers the partitions
   * it still leads, or undefined when this broker is not the controller (NOT_CONTROLLER).
   */
  controlledShutdown(brokerId: number, brokerEpoch: number): Promise<{ errorCode: 'ok' | 'notController' | 'staleBrokerEpoch'; remaining: TopicPartition[] }> {
    return new Promise((resolve, reject) => {
      this.enqueue(async () => {
        const a = this.active;
        if (!a) return resolve({ errorCode: 'notController', remaining: [] });
        const known = a.core.liveBrokers().find((b) => b.id === brokerId);
        if (known && brokerEpoch !== -1 && brokerEpoch < known.epoch) return resolve({ errorCode: 'staleBrokerEpoch', remaining: [] });
        const { writes, remaining, stop } = a.core.controlledShutdown(brokerId);
        a.channel.send(stop, a.core.liveBrokers());
        await this.apply(a, writes);
        this.log.info({ brokerId, remaining: remaining.length }, 'controlled shutdown');
        resolve({ errorCode: 'ok', remaining });
      }, reject);
    });
  }

  /** ElectLeaders on the controller; undefined when this broker is not (NOT_CONTROLLER). */
  electLeaders(type: 'preferred' | 'unclean', which: readonly TopicPartition[] | 'all'): Promise<(TopicPartition & { outcome: ElectionOutcome })[] | undefined> {
    return new Promise((resolve, reject) => {
      this.enqueue(async () => {
        const a = this.active;
        if (!a) return resolve(undefined);
        const { writes, outcomes } = a.core.electLeaders(type, which);
        await this.apply(a, writes);
        this.log.info({ type, elected: outcomes.filter((o) => o.outcome === 'elected').length }, 'leader election requested');
        resolve(outcomes);
      }, reject);
    });
  }

  /**
   * AlterPartitionReassignments on the controller: the refusal of each partition (undefined: accepted),
   * or undefined when this broker is not the controller (NOT_CONTROLLER). Answered once the new
   * assignments are in ZooKeeper, as Kafka answers after its phase U.
   */
  reassign(asked: readonly (TopicPartition & { replicas: readonly number[] | null })[]): Promise<(TopicPartition & { refusal: ReassignRefusal | undefined })[] | undefined> {
    return new Promise((resolve, reject) => {
      this.enqueue(async () => {
        const a = this.active;
        if (!a) return resolve(undefined);
        const { refusals, assignments, writes } = a.core.reassign(asked);
        // The latest reassignment wins, as in Kafka 2.4+: one asked through the API replaces a znode entry.
        const named = new Set(asked.map((tp) => `${tp.topic}\u0000${tp.partition}`));
        await this.pruneZkReassignment(a, (r) => named.has(`${r.topic}\u0000${r.partition}`));
        await this.writeAssignments(a, assignments);
        this.log.info({ partitions: assignments.map((w) => `${w.topic}-${w.partition}:${w.replicas.join(',')}`) }, 'partition reassignment started');
        await this.apply(a, writes);
        resolve(refusals);
      }, reject);
    });
  }

  /** ListPartitionReassignments on the controller; undefined when this broker is not (NOT_CONTROLLER). */
  reassignments(which: readonly TopicPartition[] | 'all'): Promise<Reassignment[] | undefined> {
    return new Promise((resolve, reject) => {
      this.enqueue(async () => resolve(this.active?.core.reassignments(which)), reject);
    });
  }

  // ---- events

  private enqueue(step: () => Promise<void>, onError?: (err: unknown) => void): void {
    this.events = this.events.then(step).catch((err: unknown) => {
      onError?.(err);
      if (err instanceof ControllerMovedError) {
        this.resign(err.message);
        return;
      }
      this.log.error({ err }, 'controller event failed');
      // Kafka moves the controller when an event fails: whoever is elected next starts over from the znodes.
      if (this.active) {
        this.resign('event failed');
        this.enqueue(() => this.abdicate());
      }
    });
  }

  private whenActive(e: WatchedEvent, type: number, step: () => Promise<void>): void {
    if (e.type === type && this.active) this.enqueue(step);
  }

  private onControllerEvent(e: WatchedEvent): void {
    if (this.stopped) return;
    if (e.type === EventType.nodeDeleted) this.enqueue(() => this.elect());
    else this.enqueue(() => this.readController());
  }

  private onTopicsEvent(e: WatchedEvent): void {
    if (!this.active) return;
    const rest = e.path.slice(TOPICS_PATH.length + 1);
    // A topic znode created, changed (partitions added) or deleted; states below it are ours or the leaders'.
    if (rest !== '' && !rest.includes('/')) this.enqueue(() => this.topicChanged(rest));
  }

  private async readController(): Promise<void> {
    try {
      const { data } = await this.zk.getData(CONTROLLER_PATH);
      this.activeControllerId = decodeController(data);
    } catch (err) {
      if (!isKeeperError(err, ZkError.noNode)) throw err;
      this.activeControllerId = -1;
    }
    if (this.active && this.activeControllerId !== this.membership.brokerId) this.resign('another broker is controller');
  }

  /** Kafka's elect(): create /controller and bump /controller_epoch in one multi, or learn who won. */
  private async elect(): Promise<void> {
    if (this.stopped || this.active) return;
    await this.readController();
    if (this.activeControllerId !== -1) return;
    const id = this.membership.brokerId;
    let epoch: number;
    let version: number;
    try {
      const { data, stat } = await this.zk.getData(CONTROLLER_EPOCH_PATH);
      epoch = decodeControllerEpoch(data);
      version = stat.version;
    } catch (err) {
      if (!isKeeperError(err, ZkError.noNode)) throw err;
      // The first controller: Kafka starts the epoch znode at 0 and the election makes it 1.
      await createIfAbsent(this.zk, CONTROLLER_EPOCH_PATH, encodeControllerEpoch(0));
      return this.elect();
    }
    try {
      const results = await this.zk.multi([
        { op: 'create', path: CONTROLLER_PATH, data: encodeController(id, Date.now()), mode: 'ephemeral' },
        { op: 'setData', path: CONTROLLER_EPOCH_PATH, data: encodeControllerEpoch(epoch + 1), version },
      ]);
      const set = results[1];
      version = set?.op === 'setData' ? set.stat.version : version + 1;
    } catch (err) {
      if (err instanceof MultiError) {
        // Someone else won (NodeExists) or moved the epoch meanwhile (BadVersion): see who.
        await this.readController();
        if (this.activeControllerId === -1) this.enqueue(() => this.elect());
        return;
      }
      throw err;
    }
    this.activeControllerId = id;
    await this.failover(epoch + 1, version);
  }

  /** Kafka's onControllerFailover: read everything, decide, tell every broker. */
  private async failover(epoch: number, epochZkVersion: number): Promise<void> {
    const core = new ControllerCore(this.membership.brokerId, epoch, {
      uncleanElection: this.uncleanElection,
      imbalancePercentage: this.config.values['leader.imbalance.per.broker.percentage'],
    });
    const channel = new ControllerChannel({
      controllerId: this.membership.brokerId,
      controllerEpoch: epoch,
      listener: this.config.listener.name,
      timeoutMs: this.config.values['controller.socket.timeout.ms'],
      security: () => interBrokerSecurity(this.config),
      isLive: (broker, brokerEpoch) => this.active?.core === core && core.liveBrokers().some((b) => b.id === broker && b.epoch === brokerEpoch),
      log: this.log,
    });
    const a: Active = { core, epoch, epochZkVersion, channel, topics: new Map(), rebalanceTimer: undefined };
    this.active = a;
    this.log.info({ brokerId: this.membership.brokerId, controllerEpoch: epoch }, 'elected controller');
    const brokers = await this.readBrokers();
    for (const name of await this.zk.getChildren(TOPICS_PATH)) {
      const t = await this.readTopic(name);
      if (t) a.topics.set(name, t);
    }
    const states: [TopicPartition, StateRecord][] = [];
    for (const t of a.topics.values()) {
      for (let p = 0; p < t.replicas.length; p++) {
        const s = await this.readState(t.name, p);
        if (s) states.push([{ topic: t.name, partition: p }, s]);
      }
    }
    await this.apply(a, core.start(brokers, [...a.topics.values()], states));
    await this.deletionsRequested();
    await this.isrChanged();
    await this.zkReassignment();
    if (this.config.values['auto.leader.rebalance.enable']) {
      const everyMs = this.config.values['leader.imbalance.check.interval.seconds'] * 1000;
      a.rebalanceTimer = setInterval(() => this.enqueue(() => this.rebalance(a)), everyMs);
      a.rebalanceTimer.unref();
    }
  }

  private resign(why: string): void {
    const a = this.active;
    if (!a) return;
    this.active = undefined;
    clearInterval(a.rebalanceTimer);
    a.channel.close();
    this.log.info({ why, controllerEpoch: a.epoch }, 'no longer controller');
  }

  /**
   * Gives up /controller if it is ours, so that an election starts (ours included). Retried through a
   * lost connection: having resigned, this broker no longer acts as controller, and a /controller it
   * still owns (its session lives on through a ZooKeeper leader change) would keep everyone else from
   * being elected, leaving the cluster without a controller until the session ended.
   */
  private async abdicate(): Promise<void> {
    for (;;) {
      try {
        const stat = await this.zk.exists(CONTROLLER_PATH);
        if (!stat || stat.ephemeralOwner !== this.zk.sessionId) return;
        // Conditional on the version read, so a /controller created by someone else meanwhile stays.
        await this.zk.delete(CONTROLLER_PATH, stat.version).catch((err: unknown) => {
          if (!isKeeperError(err, ZkError.noNode) && !isKeeperError(err, ZkError.badVersion)) throw err;
        });
        return;
      } catch (err) {
        if (this.stopped || !isKeeperError(err, ZkError.connectionLoss)) throw err;
        this.log.warn('connection to ZooKeeper lost while giving up /controller: retrying');
        await new Promise((r) => setTimeout(r, ABDICATE_RETRY_MS));
      }
    }
  }

  private async brokersChanged(): Promise<void> {
    const a = this.current();
    await this.apply(a, a.core.brokersChanged(await this.readBrokers()));
  }

  private async topicChanged(name: string): Promise<void> {
    const a = this.current();
    const t = await this.readTopic(name);
    if (t) a.topics.set(name, t);
    else a.topics.delete(name);
    const { writes } = a.core.topicsChanged([...a.topics.values()]);
    await this.apply(a, writes);
  }

  private async rebalance(a: Active): Promise<void> {
    if (this.active !== a) return;
    await this.apply(a, a.core.electPreferred('all', true));
  }

  /** Leaders wrote new ISRs and left notifications: read those states and announce them. */
  private async isrChanged(): Promise<void> {
    const a = this.current();
    const names = await this.zk.getChildren(ISR_CHANGE_NOTIFICATION_PATH);
    const changed = new Map<string, TopicPartitionRef>();
    for (const n of names) {
      const path = `${ISR_CHANGE_NOTIFICATION_PATH}/${n}`;
      try {
        for (const tp of decodeIsrChangeNotification((await this.zk.getData(path)).data)) changed.set(`${tp.topic}\u0000${tp.partition}`, tp);
      } catch (err) {
        if (!isKeeperError(err, ZkError.noNode)) this.log.warn({ err, path }, 'unreadable ISR change notification; removing it');
      }
      await this.zk.delete(path).catch((err: unknown) => {
        if (!isKeeperError(err, ZkError.noNode)) throw err;
      });
    }
    if (changed.size === 0) return;
    const read = [];
    for (const tp of changed.values()) read.push({ ...tp, state: await this.readState(tp.topic, tp.partition) });
    await this.apply(a, a.core.statesRead(read));
  }

  /**
   * /admin/reassign_partitions, as kafka-reassign-partitions.sh --zookeeper (Kafka 2.x) writes it: each
   * entry is reassigned as through the API. Entries refused are dropped from the znode at once; the
   * others when their partition's reassignment is over (writeAssignments), the znode with the last.
   */
  private async zkReassignment(): Promise<void> {
    const a = this.current();
    let entries: ZkReassignment[];
    try {
      entries = decodeReassignPartitions((await this.zk.getData(REASSIGN_PARTITIONS_PATH)).data);
    } catch (err) {
      if (isKeeperError(err, ZkError.noNode)) return;
      if (!(err instanceof ZnodeFormatError)) throw err;
      this.log.warn({ err }, 'unreadable /admin/reassign_partitions; removing it');
      await this.pruneZkReassignment(a, () => true);
      return;
    }
    const { refusals, assignments, writes } = a.core.reassign(entries);
    const refused = refusals.filter((r) => r.refusal !== undefined);
    if (refused.length > 0) this.log.warn({ refused }, 'reassignments in /admin/reassign_partitions refused');
    await this.writeAssignments(a, assignments);
    await this.apply(a, writes);
    // Refused, or nothing to move (already there): done as far as the znode goes.
    const moving = new Set(a.core.reassignments('all').map((r) => `${r.topic}\u0000${r.partition}`));
    await this.pruneZkReassignment(a, (r) => !moving.has(`${r.topic}\u0000${r.partition}`) && (refused.some((x) => x.topic === r.topic && x.partition === r.partition) || sameReplicas(a.core.topic(r.topic)?.replicas[r.partition], r.replicas)));
  }

  /**
   * Drops the entries `remove` picks from /admin/reassign_partitions, deleting the znode with the last,
   * fenced by the controller epoch as Kafka's controller writes it.
   */
  private async pruneZkReassignment(a: Active, remove: (r: ZkReassignment) => boolean): Promise<void> {
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      let entries: ZkReassignment[] | undefined;
      let version: number;
      try {
        const { data, stat } = await this.zk.getData(REASSIGN_PARTITIONS_PATH);
        version = stat.version;
        try {
          entries = decodeReassignPartitions(data);
        } catch (err) {
          // Unreadable: removed whole.
          if (!(err instanceof ZnodeFormatError)) throw err;
          entries = undefined;
        }
      } catch (err) {
        if (isKeeperError(err, ZkError.noNode)) return;
        throw err;
      }
      const keep = entries?.filter((r) => !remove(r)) ?? [];
      if (entries && keep.length === entries.length) return;
      const op: Op = keep.length === 0
        ? { op: 'delete', path: REASSIGN_PARTITIONS_PATH, version }
        : { op: 'setData', path: REASSIGN_PARTITIONS_PATH, data: encodeReassignPartitions(keep), version };
      const outcome = await this.fenced(a, op);
      if (!('failed' in outcome)) return;
      if (!LOST_RACE.includes(outcome.failed)) throw new KeeperError(outcome.failed);
    }
  }

  /** Topics in /admin/delete_topics: replicas stopped and deleted, then the topic's znodes removed. */
  private async deletionsRequested(): Promise<void> {
    const a = this.current();
    const names = await this.zk.getChildren(ADMIN_DELETE_TOPICS_PATH);
    if (names.length === 0) return;
    if (!this.config.values['delete.topic.enable']) {
      for (const n of names) await this.deleteIfPresent(deleteTopicPath(n));
      return;
    }
    const requests = a.core.deleteTopics(names);
    a.channel.send(requests, a.core.liveBrokers());
    for (const name of names) {
      a.topics.delete(name);
      await this.deleteTree(topicPath(name));
      await this.deleteIfPresent(topicConfigPath(name));
      await this.deleteIfPresent(deleteTopicPath(name));
      this.log.info({ topic: name }, 'topic deleted');
    }
  }

  // ---- writes

  private current(): Active {
    if (!this.active) throw new ControllerMovedError('not controller');
    return this.active;
  }

  /**
   * Performs the core's writes, each fenced by the controller epoch, reports the versions and sends what
   * the core decides to send. A write that lost to a concurrent one (a leader changed the ISR) is read
   * back and decided again.
   */
  private async apply(a: Active, first: StateWrite[]): Promise<void> {
    let writes = first;
    for (let round = 0; round < MAX_WRITE_ROUNDS; round++) {
      const landed: (TopicPartition & { zkVersion: number })[] = [];
      const lost: TopicPartition[] = [];
      await eachWithin(writes, STATE_WRITES_IN_FLIGHT, async (w) => {
        const v = await this.writeState(a, w);
        if (v === undefined) lost.push(w);
        else landed.push({ topic: w.topic, partition: w.partition, zkVersion: v });
      });
      const announced = a.core.written(landed);
      // A finished reassignment's RS = TRS goes to ZooKeeper before the removed replicas are told to delete.
      await this.writeAssignments(a, announced.assignments);
      this.send(a, announced.requests);
      if (lost.length === 0 && announced.writes.length === 0) return;
      const read = [];
      for (const tp of lost) read.push({ ...tp, state: await this.readState(tp.topic, tp.partition) });
      writes = [...announced.writes, ...a.core.statesRead(read)];
    }
    // Not pending any more: the next event that reads these partitions decides them afresh.
    a.core.abandon(writes);
    this.log.warn('partition state writes kept losing to concurrent changes; leaving them to the next event');
  }

  /**
   * Partition assignments into their topic znodes (RS, adding_replicas, removing_replicas), fenced by the
   * controller epoch. Each topic znode is read and written back conditionally, so partitions added
   * meanwhile (CreatePartitions writes the same znode) are kept.
   */
  private async writeAssignments(a: Active, list: readonly AssignmentWrite[]): Promise<void> {
    for (const [name, writes] of groupByTopic(list)) {
      for (let round = 0; ; round++) {
        let current;
        try {
          const { data, stat } = await this.zk.getData(topicPath(name));
          current = { assignment: decodeTopicAssignment(name, data), version: stat.version };
        } catch (err) {
          // Deleted meanwhile: nothing left to reassign.
          if (isKeeperError(err, ZkError.noNode)) break;
          throw err;
        }
        const next = { ...current.assignment, partitions: [...current.assignment.partitions], addingReplicas: { ...current.assignment.addingReplicas }, removingReplicas: { ...current.assignment.removingReplicas } };
        for (const w of writes) {
          next.partitions[w.partition] = w.replicas;
          next.addingReplicas[w.partition] = w.adding;
          next.removingReplicas[w.partition] = w.removing;
        }
        const outcome = await this.fenced(a, { op: 'setData', path: topicPath(name), data: encodeTopicAssignment(next), version: current.version });
        // Written, or the topic deleted meanwhile.
        if (!('failed' in outcome) || outcome.failed === ZkError.noNode) break;
        if (outcome.failed !== ZkError.badVersion || round + 1 >= MAX_WRITE_ROUNDS) throw new KeeperError(outcome.failed);
      }
      // The shell's copy follows the core's, so a later topic event does not hand the core an older RS.
      const info = a.core.topic(name);
      if (info) a.topics.set(name, info);
    }
    // Finished (or cancelled) reassignments leave /admin/reassign_partitions.
    const over = new Set(list.filter((w) => w.adding.length === 0 && w.removing.length === 0).map((w) => `${w.topic}\u0000${w.partition}`));
    if (over.size > 0) await this.pruneZkReassignment(a, (r) => over.has(`${r.topic}\u0000${r.partition}`));
  }

  private send(a: Active, requests: BrokerRequest[]): void {
    if (requests.length > 0) a.channel.send(requests, a.core.liveBrokers());
  }

  /**
   * `op` in one multi with the check of /controller_epoch's version, as Kafka's controller writes: the
   * op's result, or the ZooKeeper error it failed with (a lost race the caller handles). A failed check
   * means another controller was elected.
   */
  private async fenced(a: Active, op: Op): Promise<{ result: OpResult | undefined } | { failed: ZkError }> {
    try {
      const results = await this.zk.multi([{ op: 'check', path: CONTROLLER_EPOCH_PATH, version: a.epochZkVersion }, op]);
      return { result: results[1] };
    } catch (err) {
      if (!(err instanceof MultiError)) throw err;
      const check = err.results[0];
      if (check?.op === 'error' && check.err !== ZkError.ok) throw new ControllerMovedError('controller epoch moved on: another controller was elected');
      return { failed: err.code };
    }
  }

  /** One state write with the epoch check; the new znode version, or undefined if the state moved. */
  private async writeState(a: Active, w: StateWrite): Promise<number | undefined> {
    const data = encodePartitionState(w.state);
    const path = partitionStatePath(w.topic, w.partition);
    if (w.expectedVersion === 'create') {
      await createIfAbsent(this.zk, topicPartitionsPath(w.topic));
      await createIfAbsent(this.zk, partitionPath(w.topic, w.partition));
    }
    const outcome = await this.fenced(a, w.expectedVersion === 'create' ? { op: 'create', path, data } : { op: 'setData', path, data, version: w.expectedVersion });
    if ('failed' in outcome) {
      if (LOST_RACE.includes(outcome.failed)) return undefined;
      throw new KeeperError(outcome.failed);
    }
    if (w.expectedVersion === 'create') return 0;
    return outcome.result?.op === 'setData' ? outcome.result.stat.version : w.expectedVersion + 1;
  }

  // ---- reads

  private async readBrokers(): Promise<LiveBroker[]> {
    const out: LiveBroker[] = [];
    for (const child of await this.zk.getChildren(BROKER_IDS_PATH)) {
      const id = Number(child);
      if (!Number.isSafeInteger(id)) continue;
      try {
        const { data, stat } = await this.zk.getData(brokerIdPath(id));
        const reg = decodeBrokerRegistration(id, data);
        out.push({ id, epoch: Number(stat.czxid), endpoints: reg.endpoints, rack: reg.rack });
      } catch (err) {
        // Gone between the listing and the read: it is not live.
        if (!isKeeperError(err, ZkError.noNode)) throw err;
      }
    }
    return out;
  }

  /** A topic's assignment; one written without an id (an old Kafka tool) gets one, as Kafka 2.8+ does. */
  private async readTopic(name: string): Promise<TopicInfo | undefined> {
    try {
      const { data, stat } = await this.zk.getData(topicPath(name));
      const a = decodeTopicAssignment(name, data);
      let topicId = a.topicId;
      if (topicId === undefined) {
        topicId = randomBytes(16).toString('hex');
        await this.zk.setData(topicPath(name), encodeTopicAssignment({ ...a, topicId }), stat.version);
      }
      return { name, topicId, replicas: a.partitions, addingReplicas: a.addingReplicas, removingReplicas: a.removingReplicas };
    } catch (err) {
      if (isKeeperError(err, ZkError.noNode)) return undefined;
      throw err;
    }
  }

  private async readState(topic: string, partition: number): Promise<StateRecord | undefined> {
    const path = partitionStatePath(topic, partition);
    try {
      const { data, stat } = await this.zk.getData(path);
      return { ...decodePartitionState(data, path), zkVersion: stat.version };
    } catch (err) {
      if (isKeeperError(err, ZkError.noNode)) return undefined;
      throw err;
    }
  }

  private async deleteIfPresent(path: string): Promise<void> {
    try {
      await this.zk.delete(path);
    } catch (err) {
      if (!isKeeperError(err, ZkError.noNode)) throw err;
    }
  }

  private async deleteTree(path: string): Promise<void> {
    let children: string[];
    try {
      children = await this.zk.getChildren(path);
    } catch (err) {
      if (isKeeperError(err, ZkError.noNode)) return;
      throw err;
    }
    for (const c of children) await this.deleteTree(`${path}/${c}`);
    await this.deleteIfPresent(path);
  }
}

/**
 * `fn` over `items` with at most `limit` calls under way; rejects with the first failure, after which no
 * further item is started (those under way finish on their own).
 */
async function eachWithin<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      try {
        await fn(items[next++]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
