// The broker's replication: what the controller's LeaderAndIsr and StopReplica make of each partition
// (Kafka's ReplicaManager.becomeLeaderOrFollower and stopReplicas in ZooKeeper mode), the replica
// fetchers that follow leaders, ISR changes sent on, and the clock that drives every core. Until the
// controller speaks about a partition it keeps the single-node behaviour (leader here, ISR = [here]).
import { interBrokerSecurity } from '../inter-broker-security.js';
import {
  ErrorCode,
  ZERO_UUID,
  type LeaderAndIsrRequest,
  type LeaderAndIsrResponseInput,
  type StopReplicaRequest,
  type StopReplicaResponseInput,
} from '../../../protocol/kafka/index.js';
import { replicationConfig, type IsrChangeRequest, type ReplicationConfig } from '../../consensus/partition-replication.js';
import type { Logger } from '../../logger.js';
import type { BrokerConfig } from '../broker-config.js';
import type { Partition } from '../partitions/partition.js';
import type { ReplicaManager } from '../partitions/replica-manager.js';
import { readHighWatermarks, writeHighWatermarks, HighWatermarks } from './hw-checkpoint.js';
import type { IsrWriter } from './isr-writer.js';
import { ReplicaFetcher, type FetcherSettings } from './replica-fetcher.js';
import { ReplicatedPartition, type ControlledState, type ReplicaHost } from './replicated-partition.js';

/** How often the replication cores are ticked: the ISR check and acks=all deadlines need no finer clock. */
export const REPLICATION_TICK_MS = 100;
/** LeaderAndIsr's and StopReplica's "no epoch" (older versions) and "the topic is being deleted". */
const NO_EPOCH = -1;
const EPOCH_DURING_DELETE = -2;
/** LeaderAndIsr v5+'s type: every partition this broker holds (1) or only those changed (0). */
const FULL = 1;

/** What the manager needs of the broker; the group coordinator's election hooks included. */
export interface ReplicationContext {
  readonly config: BrokerConfig;
  readonly log: Logger;
  readonly replicas: ReplicaManager;
  now(): number;
  /** min.insync.replicas for the partition's topic (its override, else the broker's). */
  minInsyncReplicas(partition: Partition): number;
  /** This broker's registration epoch (the czxid of its /brokers/ids znode), -1 without ZooKeeper. */
  brokerEpoch(): number;
  /** host:port of a live broker as the controller last described the cluster, if known. */
  endpointOf(brokerId: number): string | undefined;
  /** The coordinators (groups, transactions): each loads a partition of its internal topic this broker comes to lead. */
  onElection(topic: string, partition: number, epoch: number): void;
  onResignation(topic: string, partition: number, epoch: number): void;
}

type PartitionOutcome = { topic: string; topicId?: string; partition: number; errorCode: number };

/** Kafka's fetcher id for a partition: abs(31 * topic.hashCode + partition) % num.replica.fetchers. */
function fetcherIdFor(topic: string, partition: number, fetchers: number): number {
  let h = 0;
  for (let i = 0; i < topic.length; i++) h = (Math.imul(h, 31) + topic.charCodeAt(i)) | 0;
  return Math.abs((Math.imul(h, 31) + partition) | 0) % fetchers;
}

export class ReplicationManager {
  /** ISR changes this broker made as leader and the controller accepted (Kafka's IsrShrinksPerSec / IsrExpandsPerSec). */
  isrShrinks = 0;
  isrExpands = 0;
  /** The highest controller epoch seen: requests from an older controller are refused. */
  private controllerEpoch = -1;
  private readonly endpoints = new Map<number, string>();
  /** By `${leader}:${fetcherId}`. */
  private readonly fetchers = new Map<string, ReplicaFetcher>();
  /** LeaderAndIsr and StopReplica requests apply one after another, in arrival order. */
  private tail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  /** The high-watermark checkpoint as read at the first LeaderAndIsr, for the cores built from it. */
  private checkpointed: Promise<HighWatermarks> | undefined;
  /** The last checkpoint written, so an unchanged one is not written again (nor an empty one at all). */
  private lastCheckpoint = HighWatermarks.format([]);
  private writingCheckpoint: Promise<void> | undefined;
  private stopped = false;
  /** Set with a controller to answer to (ZooKeeper mode, or a test playing the controller). */
  private isrWriter: IsrWriter | undefined;
  private readonly host: ReplicaHost;
  private readonly fetcherSettings: FetcherSettings;

  constructor(private readonly ctx: ReplicationContext) {
    const v = ctx.config.values;
    const brokerId = ctx.config.brokerId;
    this.host = {
      brokerId,
      log: ctx.log,
      now: () => ctx.now(),
      fetchBackoffMs: v['replica.fetch.backoff.ms'],
      sendIsrChange: (rp, request) => this.sendIsrChange(rp, request),
      wake: (rp) => this.fetcherOf(rp)?.wake(),
    };
    this.fetcherSettings = {
      brokerId,
      maxWaitMs: v['replica.fetch.wait.max.ms'],
      minBytes: v['replica.fetch.min.bytes'],
      partitionMaxBytes: v['replica.fetch.max.bytes'],
      responseMaxBytes: v['replica.fetch.response.max.bytes'],
      maxFrameBytes: v['replica.fetch.response.max.bytes'] + v['message.max.bytes'] + (1 << 20),
      backoffMs: v['replica.fetch.backoff.ms'],
      socketTimeoutMs: v['replica.socket.timeout.ms'],
      security: () => interBrokerSecurity(ctx.config),
    };
  }

  /**
   * Where ISR changes go: the broker's ZooKeeper session in a cluster, the test's controller in tests.
   * Until one is set the broker has no controller (no zookeeper.connect) and refuses controller requests.
   */
  useIsrWriter(writer: IsrWriter): void {
    this.isrWriter = writer;
  }

  /** Leader addresses from LeaderAndIsr's live leaders, ahead of the metadata the controller sent. */
  private setBrokerEndpoints(brokers: readonly { id: number; host: string; port: number }[]): void {
    for (const b of brokers) this.endpoints.set(b.id, `${b.host}:${b.port}`);
  }

  private coreConfig(partition: Partition): ReplicationConfig {
    const lag = this.ctx.config.values['replica.lag.time.max.ms'];
    return replicationConfig({
      brokerId: this.ctx.config.brokerId,
      replicaLagTimeMaxTicks: Math.max(1, Math.min(lag, 0x7fff_ffff)),
      minInsyncReplicas: this.ctx.minInsyncReplicas(partition),
    });
  }

  // ---- LeaderAndIsr (4)

  leaderAndIsr(request: LeaderAndIsrRequest, version: number): Promise<LeaderAndIsrResponseInput> {
    return this.serially(async () => {
      const states = statesOf(request);
      const answer = (errorCode: number, outcomes: PartitionOutcome[]): LeaderAndIsrResponseInput =>
        version >= 5
          ? { errorCode, topics: topicsOf(outcomes).map(([, list]) => ({ topicId: list[0]!.topicId!, partitionErrors: list.map((o) => ({ partitionIndex: o.partition, errorCode: o.errorCode })) })) }
          : { errorCode, partitionErrors: outcomes.map((o) => ({ topicName: o.topic, partitionIndex: o.partition, errorCode: o.errorCode })) };
      if (this.stopped) return answer(ErrorCode.BROKER_NOT_AVAILABLE, []);
      // A broker without zookeeper.connect is its own cluster: no controller may reassign its partitions.
      if (!this.isrWriter) return answer(ErrorCode.INVALID_REQUEST, []);
      if (this.staleBrokerEpoch(request.brokerEpoch)) return answer(ErrorCode.STALE_BROKER_EPOCH, []);
      if (request.controllerEpoch < this.controllerEpoch) {
        this.ctx.log.warn({ controllerEpoch: request.controllerEpoch, current: this.controllerEpoch }, 'LeaderAndIsr from a stale controller refused');
        return answer(ErrorCode.STALE_CONTROLLER_EPOCH, []);
      }
      this.controllerEpoch = request.controllerEpoch;
      this.setBrokerEndpoints(request.liveLeaders.map((l) => ({ id: l.brokerId, host: l.hostName, port: l.port })));
      const hws = await this.highWatermarks();
      const outcomes = await Promise.all(states.map((s) => this.becomeLeaderOrFollower(s, hws)));
      if (version >= 5 && request.type === FULL) await this.deleteStrays(states);
      this.ensureTicking();
      return answer(ErrorCode.NONE, outcomes);
    });
  }

  private async becomeLeaderOrFollower(s: StateOf, hws: HighWatermarks): Promise<PartitionOutcome> {
    const { topic, topicId, state } = s;
    const outcome = (errorCode: number): PartitionOutcome => ({ topic, topicId, partition: s.partition, errorCode });
    const self = this.ctx.config.brokerId;
    if (!state.replicas.includes(self)) return outcome(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const hosted = this.ctx.replicas.partition(topic, s.partition);
    // Kafka 3.9 (ZooKeeper mode) answers a leader epoch not above its own with STALE_CONTROLLER_EPOCH.
    if (hosted?.replication && state.leaderEpoch <= hosted.replication.leaderEpoch) return outcome(ErrorCode.STALE_CONTROLLER_EPOCH);
    // LeaderAndIsr v5+ names the topic's id: a log of another life of the topic is not this partition
    // (Kafka's Partition.checkTopicId); one whose id nobody gave yet takes it.
    const knownId = topicId !== undefined && topicId !== ZERO_UUID ? topicId : undefined;
    if (hosted && knownId !== undefined) {
      if (hosted.topicId !== undefined && hosted.topicId !== knownId) return outcome(ErrorCode.INCONSISTENT_TOPIC_ID);
      hosted.topicId = knownId;
    }
    let partition: Partition;
    try {
      partition = hosted ?? (await this.ctx.replicas.openPartition(topic, s.partition, state.replicas, knownId));
    } catch (err) {
      this.ctx.log.error({ err, topic, partition: s.partition }, 'cannot open the log of a partition the controller assigned here');
      return outcome(ErrorCode.KAFKA_STORAGE_ERROR);
    }
    const rp = (partition.replication ??= new ReplicatedPartition(partition, () => this.coreConfig(partition), this.host));
    this.fetcherOf(rp)?.remove(rp);
    try {
      await rp.apply(state, hws.get(topic, s.partition));
    } catch (err) {
      this.ctx.log.error({ err, topic, partition: s.partition }, 'cannot take up the replica role the controller assigned');
      return outcome(ErrorCode.KAFKA_STORAGE_ERROR);
    }
    if (state.leader !== self && state.leader >= 0 && rp.isReplicated) this.fetcher(rp, state.leader).add(rp);
    if (state.leader === self) this.ctx.onElection(topic, s.partition, state.leaderEpoch);
    else this.ctx.onResignation(topic, s.partition, state.leaderEpoch);
    this.ctx.log.info({ topic, partition: s.partition, leader: state.leader, leaderEpoch: state.leaderEpoch, isr: state.isr }, state.leader === self ? 'leading partition' : 'following partition');
    return outcome(ErrorCode.NONE);
  }

  /**
   * A full LeaderAndIsr names every partition the current controller assigns here, so a log this broker
   * holds of any other partition is a stray: a replica reassigned away or a topic deleted while this
   * broker was down, when no StopReplica could reach it. It is stopped and deleted, as Kafka deletes
   * stray logs. Only a full request does this: an incremental one names just what changed.
   */
  private async deleteStrays(states: readonly StateOf[]): Promise<void> {
    const assigned = new Set(states.map((s) => `${s.topic}\u0000${s.partition}`));
    for (const { topic, partition } of this.ctx.replicas.stored()) {
      if (assigned.has(`${topic}\u0000${partition}`)) continue;
      this.ctx.log.warn({ topic, partition }, 'deleting a stray log: the controller does not assign this partition here');
      await this.stopPartition(topic, partition, EPOCH_DURING_DELETE, true);
    }
  }

  /** A request meant for an earlier registration of this broker (Kafka: -1 skips the check). */
  private staleBrokerEpoch(requestEpoch: number): boolean {
    return requestEpoch !== -1 && requestEpoch < this.ctx.brokerEpoch();
  }

  // ---- StopReplica (5)

  stopReplica(request: StopReplicaRequest): Promise<StopReplicaResponseInput> {
    return this.serially(async () => {
      if (!this.isrWriter) return { errorCode: ErrorCode.INVALID_REQUEST, partitionErrors: [] };
      if (this.staleBrokerEpoch(request.brokerEpoch)) return { errorCode: ErrorCode.STALE_BROKER_EPOCH, partitionErrors: [] };
      if (request.controllerEpoch < this.controllerEpoch) return { errorCode: ErrorCode.STALE_CONTROLLER_EPOCH, partitionErrors: [] };
      this.controllerEpoch = request.controllerEpoch;
      const outcomes = await Promise.all(
        stopsOf(request).map(async ({ topic, partition, leaderEpoch, deletePartition }) => ({
          topicName: topic,
          partitionIndex: partition,
          errorCode: await this.stopPartition(topic, partition, leaderEpoch, deletePartition),
        })),
      );
      return { errorCode: ErrorCode.NONE, partitionErrors: outcomes };
    });
  }

  private async stopPartition(topic: string, index: number, leaderEpoch: number, deletePartition: boolean): Promise<number> {
    const partition = this.ctx.replicas.partition(topic, index);
    const rp = partition?.replication;
    // Kafka refuses a stop whose epoch is not above the partition's, unless it carries none or is a deletion's.
    if (rp && leaderEpoch !== NO_EPOCH && leaderEpoch !== EPOCH_DURING_DELETE && leaderEpoch <= rp.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (rp) {
      this.fetcherOf(rp)?.remove(rp);
      rp.stop();
      this.ctx.onResignation(topic, index, Math.max(leaderEpoch, rp.leaderEpoch));
    }
    if (!deletePartition) return ErrorCode.NONE;
    try {
      await this.ctx.replicas.deletePartition(topic, index);
      return ErrorCode.NONE;
    } catch (err) {
      this.ctx.log.error({ err, topic, partition: index }, 'cannot delete a stopped partition');
      return ErrorCode.KAFKA_STORAGE_ERROR;
    }
  }

  // ---- fetchers, ISR changes, time

  private fetcherKey(rp: ReplicatedPartition, leader: number): string {
    return `${leader}:${fetcherIdFor(rp.partition.topic, rp.partition.index, this.ctx.config.values['num.replica.fetchers'])}`;
  }

  private fetcherOf(rp: ReplicatedPartition): ReplicaFetcher | undefined {
    const f = this.fetchers.get(this.fetcherKey(rp, rp.leader));
    return f?.has(rp) ? f : undefined;
  }

  private fetcher(rp: ReplicatedPartition, leader: number): ReplicaFetcher {
    const key = this.fetcherKey(rp, leader);
    let f = this.fetchers.get(key);
    if (!f) {
      f = new ReplicaFetcher(leader, {
        settings: this.fetcherSettings,
        log: this.ctx.log,
        now: () => this.ctx.now(),
        endpointOf: (id) => this.endpoints.get(id) ?? this.ctx.endpointOf(id),
      });
      this.fetchers.set(key, f);
    }
    return f;
  }

  private sendIsrChange(rp: ReplicatedPartition, request: IsrChangeRequest): void {
    const { topic, index } = rp.partition;
    const controllerEpoch = rp.controlled?.controllerEpoch ?? this.controllerEpoch;
    const writer = this.isrWriter!;
    const attempt = (): void => {
      if (this.stopped || !rp.isPendingIsrChange(request)) return;
      writer.write(topic, index, { leader: request.leader, leaderEpoch: request.leaderEpoch, isr: request.isr, controllerEpoch }, request.partitionEpoch).then(
        (result) => {
          this.ctx.log.info({ topic, partition: index, isr: request.isr, result }, 'ISR change answered');
          const before = rp.controlled?.isr.length;
          if (result.ok && before !== undefined) {
            if (request.isr.length < before) this.isrShrinks++;
            else if (request.isr.length > before) this.isrExpands++;
          }
          rp.onIsrChangeResult(request, result);
        },
        (err: unknown) => {
          this.ctx.log.warn({ err, topic, partition: index }, 'ISR change not confirmed; sending it again');
          setTimeout(attempt, this.fetcherSettings.backoffMs).unref();
        },
      );
    };
    attempt();
  }

  private highWatermarks(): Promise<HighWatermarks> {
    this.checkpointed ??= readHighWatermarks(this.ctx.config.dataDir).then((read) => {
      if (typeof read !== 'string') return read;
      this.ctx.log.warn({ reason: read }, 'ignoring a damaged high-watermark checkpoint; replicas start at their log start');
      return new HighWatermarks();
    });
    return this.checkpointed;
  }

  /** Writes every replicated partition's high watermark, unless nothing changed since the last write. */
  private checkpointHighWatermarks(): Promise<void> {
    if (this.writingCheckpoint) return this.writingCheckpoint;
    const entries = this.ctx.replicas
      .all()
      .filter((p) => p.replication?.isReplicated)
      .map((p) => ({ topic: p.topic, partition: p.index, offset: p.log.highWatermark }));
    const text = HighWatermarks.format(entries);
    if (text === this.lastCheckpoint) return Promise.resolve();
    this.writingCheckpoint = writeHighWatermarks(this.ctx.config.dataDir, entries).then(
      () => {
        this.lastCheckpoint = text;
        this.writingCheckpoint = undefined;
      },
      (err: unknown) => {
        this.writingCheckpoint = undefined;
        this.ctx.log.warn({ err }, 'could not write the high-watermark checkpoint');
      },
    );
    return this.writingCheckpoint;
  }

  private ensureTicking(): void {
    const every = this.ctx.config.values['replica.high.watermark.checkpoint.interval.ms'];
    if (!this.checkpointTimer && !this.stopped && every > 0) {
      this.checkpointTimer = setInterval(() => void this.checkpointHighWatermarks(), Math.min(every, 0x7fff_ffff));
      this.checkpointTimer.unref();
    }
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      const now = this.ctx.now();
      for (const p of this.ctx.replicas.all()) p.replication?.tick(now);
    }, REPLICATION_TICK_MS);
    this.timer.unref();
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Stops fetching and ticking; waiting acks=all produces are answered NOT_LEADER_OR_FOLLOWER. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.checkpointTimer);
    this.timer = this.checkpointTimer = undefined;
    await this.tail;
    await Promise.all([...this.fetchers.values()].map((f) => f.stop()));
    this.fetchers.clear();
    await this.writingCheckpoint;
    await this.checkpointHighWatermarks();
    for (const p of this.ctx.replicas.all()) p.replication?.stop();
  }
}

// ---- reading the requests, whatever their version

interface StateOf {
  topic: string;
  topicId?: string;
  partition: number;
  state: ControlledState;
}

function statesOf(request: LeaderAndIsrRequest): StateOf[] {
  type P = LeaderAndIsrRequest['ungroupedPartitionStates'][number];
  const of = (topic: string, topicId: string | undefined, p: P): StateOf => ({
    topic,
    topicId,
    partition: p.partitionIndex,
    state: { leader: p.leader, leaderEpoch: p.leaderEpoch, isr: p.isr, replicas: p.replicas, partitionEpoch: p.partitionEpoch, controllerEpoch: p.controllerEpoch },
  });
  return [
    ...request.ungroupedPartitionStates.map((p) => of(p.topicName, undefined, p)),
    ...request.topicStates.flatMap((t) => t.partitionStates.map((p) => of(t.topicName, t.topicId, p))),
  ];
}

function topicsOf(outcomes: PartitionOutcome[]): [string, PartitionOutcome[]][] {
  const byTopic = new Map<string, PartitionOutcome[]>();
  for (const o of outcomes) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
  return [...byTopic];
}

function stopsOf(request: StopReplicaRequest): { topic: string; partition: number; leaderEpoch: number; deletePartition: boolean }[] {
  return [
    ...request.ungroupedPartitions.map((p) => ({ topic: p.topicName, partition: p.partitionIndex, leaderEpoch: NO_EPOCH, deletePartition: request.deletePartitions })),
    ...request.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition, leaderEpoch: NO_EPOCH, deletePartition: request.deletePartitions }))),
    ...request.topicStates.flatMap((t) =>
      t.partitionStates.map((p) => ({ topic: t.topicName, partition: p.partitionIndex, leaderEpoch: p.leaderEpoch, deletePartition: p.deletePartition })),
    ),
  ];
}
