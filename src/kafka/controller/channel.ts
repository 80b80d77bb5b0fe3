// How the controller's decisions reach brokers: one connection and one queue per broker, requests sent in
// the order decided (Kafka's ControllerChannelManager and RequestSendThread). A request that cannot be
// delivered is tried again while its broker is alive; a broker gone from the cluster loses its queue.
// The core's requests become Kafka's inter-broker messages here.
import { ApiKey, type LeaderAndIsrRequestInput, type StopReplicaRequestInput, type UpdateMetadataRequestInput } from '../../../protocol/kafka/index.js';
import type { Logger } from '../../logger.js';
import { KafkaConnection, type ConnectionSecurity } from '../client/connection.js';
import type { BrokerRequest, LiveBroker, PartitionAnnouncement } from './controller-core.js';

/** Requests waiting for one broker at most; beyond it the oldest are dropped (a full picture follows a restart). */
export const MAX_QUEUED_PER_BROKER = 1000;
const RETRY_BACKOFF_MS = 200;
/** Highest versions Skein's controller sends; a broker that serves fewer gets what it serves. */
const LEADER_AND_ISR_VERSION = 5;
const UPDATE_METADATA_VERSION = 7;
const STOP_REPLICA_VERSION = 3;

/** Kafka's SecurityProtocol ids. */
const SECURITY_PROTOCOL_IDS: Record<string, number> = { PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3 };

export interface ChannelContext {
  controllerId: number;
  controllerEpoch: number;
  /** The listener brokers reach each other on. */
  listener: string;
  timeoutMs: number;
  /** TLS and SASL for each new connection to a broker, as the inter-broker listener asks. */
  security(): ConnectionSecurity;
  /** Whether `broker` is still in the cluster with `epoch` (a request for an older incarnation is dropped). */
  isLive(broker: number, epoch: number): boolean;
  log: Logger;
}

/** Groups partition announcements by topic, as LeaderAndIsr v2+ and UpdateMetadata v5+ carry them. */
function byTopic(partitions: readonly PartitionAnnouncement[]): Map<string, PartitionAnnouncement[]> {
  const out = new Map<string, PartitionAnnouncement[]>();
  for (const p of partitions) {
    const list = out.get(p.topic) ?? [];
    list.push(p);
    out.set(p.topic, list);
  }
  return out;
}

function endpointOf(b: LiveBroker, listener: string): { host: string; port: number } | undefined {
  return b.endpoints.find((e) => e.listener === listener);
}

/** The fields LeaderAndIsr and UpdateMetadata carry alike for one partition (they name the znode version differently). */
function announcedState(topicName: string, p: PartitionAnnouncement) {
  const { controllerEpoch, leader, leaderEpoch, isr } = p.state;
  return { topicName, partitionIndex: p.partition, controllerEpoch, leader, leaderEpoch, isr, replicas: p.replicas };
}

export function leaderAndIsrBody(ctx: ChannelContext, r: Extract<BrokerRequest, { kind: 'leaderAndIsr' }>): LeaderAndIsrRequestInput {
  return {
    controllerId: ctx.controllerId,
    controllerEpoch: ctx.controllerEpoch,
    brokerEpoch: r.brokerEpoch,
    type: r.full ? 1 : 0,
    ungroupedPartitionStates: [],
    topicStates: [...byTopic(r.partitions)].map(([topicName, parts]) => ({
      topicName,
      topicId: parts[0]!.topicId,
      partitionStates: parts.map((p) => ({
        ...announcedState(topicName, p),
        partitionEpoch: p.state.zkVersion,
        addingReplicas: p.addingReplicas,
        removingReplicas: p.removingReplicas,
        isNew: p.isNew,
        leaderRecoveryState: 0,
      })),
    })),
    liveLeaders: r.leaders.flatMap((b) => {
      const e = endpointOf(b, ctx.listener);
      return e ? [{ brokerId: b.id, hostName: e.host, port: e.port }] : [];
    }),
  };
}

export function updateMetadataBody(ctx: ChannelContext, r: Extract<BrokerRequest, { kind: 'updateMetadata' }>): UpdateMetadataRequestInput {
  return {
    controllerId: ctx.controllerId,
    controllerEpoch: ctx.controllerEpoch,
    brokerEpoch: r.brokerEpoch,
    ungroupedPartitionStates: [],
    topicStates: [...byTopic(r.partitions)].map(([topicName, parts]) => ({
      topicName,
      topicId: parts[0]!.topicId,
      partitionStates: parts.map((p) => ({
        ...announcedState(topicName, p),
        zkVersion: p.state.zkVersion,
        offlineReplicas: p.offlineReplicas,
      })),
    })),
    liveBrokers: r.brokers.map((b) => ({
      id: b.id,
      v0Host: '',
      v0Port: -1,
      endpoints: b.endpoints.map((e) => ({ port: e.port, host: e.host, listener: e.listener, securityProtocol: SECURITY_PROTOCOL_IDS[e.securityProtocol] ?? 0 })),
      rack: b.rack,
    })),
  };
}

export function stopReplicaBody(ctx: ChannelContext, r: Extract<BrokerRequest, { kind: 'stopReplica' }>): StopReplicaRequestInput {
  const topics = new Map<string, typeof r.partitions>();
  for (const p of r.partitions) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p]);
  return {
    controllerId: ctx.controllerId,
    controllerEpoch: ctx.controllerEpoch,
    brokerEpoch: r.brokerEpoch,
    deletePartitions: false,
    ungroupedPartitions: [],
    topics: [],
    topicStates: [...topics].map(([topicName, parts]) => ({
      topicName,
      partitionStates: parts.map((p) => ({ partitionIndex: p.partition, leaderEpoch: p.leaderEpoch, deletePartition: p.deletePartition })),
    })),
  };
}

interface Queue {
  broker: LiveBroker;
  items: BrokerRequest[];
  running: boolean;
  conn: KafkaConnection | undefined;
}

export class ControllerChannel {
  private readonly queues = new Map<number, Queue>();
  private closed = false;

  constructor(private readonly ctx: ChannelContext) {}

  /** Queues requests for their brokers; `brokers` gives where each is reached. */
  send(requests: readonly BrokerRequest[], brokers: readonly LiveBroker[]): void {
    for (const r of requests) {
      const broker = brokers.find((b) => b.id === r.broker);
      if (!broker) continue;
      let q = this.queues.get(r.broker);
      if (!q || q.broker.epoch !== broker.epoch) {
        q?.conn?.close();
        q = { broker, items: [], running: false, conn: undefined };
        this.queues.set(r.broker, q);
      }
      q.items.push(r);
      if (q.items.length > MAX_QUEUED_PER_BROKER) {
        // The broker has not taken a request for a long while; its session will end or it gets the full
        // picture when it registers again.
        const dropped = q.items.shift()!;
        this.ctx.log.warn({ broker: r.broker, kind: dropped.kind, queued: MAX_QUEUED_PER_BROKER }, 'controller requests to a broker over the limit: the oldest dropped');
      }
      if (!q.running) void this.drain(q);
    }
  }

  close(): void {
    this.closed = true;
    for (const q of this.queues.values()) q.conn?.close();
    this.queues.clear();
  }

  private async drain(q: Queue): Promise<void> {
    q.running = true;
    try {
      while (!this.closed && q.items.length > 0 && this.queues.get(q.broker.id) === q) {
        if (!this.ctx.isLive(q.broker.id, q.broker.epoch)) {
          this.queues.delete(q.broker.id);
          q.conn?.close();
          return;
        }
        try {
          await this.deliver(q, q.items[0]!);
          q.items.shift();
        } catch (err) {
          this.ctx.log.debug({ err, broker: q.broker.id }, 'controller request failed; retrying');
          q.conn?.close();
          q.conn = undefined;
          await new Promise((r) => setTimeout(r, RETRY_BACKOFF_MS));
        }
      }
    } finally {
      q.running = false;
    }
  }

  private async connection(q: Queue): Promise<KafkaConnection> {
    if (q.conn && !q.conn.closed) return q.conn;
    const e = endpointOf(q.broker, this.ctx.listener);
    if (!e) throw new Error(`broker ${q.broker.id} has no ${this.ctx.listener} endpoint`);
    const conn = await KafkaConnection.connect(`${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`, {
      clientId: `skein-controller-${this.ctx.controllerId}`,
      requestTimeoutMs: this.ctx.timeoutMs,
      ...this.ctx.security(),
    });
    await conn.apiVersions();
    q.conn = conn;
    return conn;
  }

  private async deliver(q: Queue, r: BrokerRequest): Promise<void> {
    const conn = await this.connection(q);
    const served = (key: ApiKey, max: number): number | undefined => {
      try {
        return conn.versionFor(key, max);
      } catch {
        return undefined;
      }
    };
    let errorCode: number;
    switch (r.kind) {
      case 'leaderAndIsr': {
        const v = served(ApiKey.LeaderAndIsr, LEADER_AND_ISR_VERSION);
        // A broker that does not serve the API (yet) cannot act on it; its metadata still follows.
        if (v === undefined) return;
        errorCode = (await conn.send(ApiKey.LeaderAndIsr, v, leaderAndIsrBody(this.ctx, r))).errorCode;
        break;
      }
      case 'updateMetadata': {
        const v = served(ApiKey.UpdateMetadata, UPDATE_METADATA_VERSION);
        if (v === undefined) return;
        errorCode = (await conn.send(ApiKey.UpdateMetadata, v, updateMetadataBody(this.ctx, r))).errorCode;
        break;
      }
      case 'stopReplica': {
        const v = served(ApiKey.StopReplica, STOP_REPLICA_VERSION);
        if (v === undefined) return;
        errorCode = (await conn.send(ApiKey.StopReplica, v, stopReplicaBody(this.ctx, r))).errorCode;
        break;
      }
    }
    // A refusal (a stale controller or broker epoch) is final: retrying would be refused again.
    if (errorCode !== 0) this.ctx.log.warn({ broker: r.broker, kind: r.kind, errorCode }, 'broker refused a controller request');
  }
}
