// A cluster-aware Kafka admin client on KafkaConnection: it starts from any bootstrap address, learns
// the brokers from Metadata and sends each request where Kafka wants it (topic changes to the
// controller, offsets and record deletion to each partition's leader, group requests to the group's
// coordinator). Every version is negotiated with ApiVersions, so it works against Apache Kafka as well
// as Skein. Per-topic and per-partition errors come back as KafkaProtocolError naming the topic.
import { ApiKey, ErrorCode, errorInfo, KafkaProtocolError, type RequestInputOf, type ResponseOf } from '../../../protocol/kafka/index.js';
import { ConnectionClosedError, KafkaConnection, RequestTimeoutError, type ConnectionOptions, type SendOptions } from './connection.js';
import { LIST_OFFSETS_VERSION } from './consumer.js';

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offline: number[];
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  isInternal: boolean;
  errorCode: number;
  partitions: PartitionInfo[];
}

export interface ClusterInfo {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerInfo[];
  topics: TopicInfo[];
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  /** DescribeConfigs' ConfigSource: 1 topic, 4 static broker, 5 default, ... */
  source: number;
  sensitive: boolean;
}

/** DescribeConfigs' resource types (CLIENT_METRICS: KIP-714's client-metrics subscriptions). */
export const ResourceType = { TOPIC: 2, BROKER: 4, CLIENT_METRICS: 16 } as const;

/** IncrementalAlterConfigs' operations. */
export const ConfigOperation = { SET: 0, DELETE: 1 } as const;

/** Offsets of one partition found by ListOffsets. */
export interface PartitionOffsets {
  partition: number;
  earliest: number;
  latest: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/**
 * Versions whose shape this client writes and reads: FindCoordinator before batching (v4), OffsetFetch
 * before groups (v8), topics by name in DeleteTopics (v6 adds ids) and OffsetCommit (v10 names them by id).
 */
const FIND_COORDINATOR_MAX = 3;
const OFFSET_FETCH_MAX = 7;
const DELETE_TOPICS_MAX = 5;
const OFFSET_COMMIT_MAX = 9;

/** How long group requests retry while the coordinator is loading or moving (a consumer's default.api.timeout.ms is 60 s). */
export const COORDINATOR_RETRY_MS = 20_000;
const COORDINATOR_BACKOFF_MS = 200;

/** How long the controller may take to create, delete or grow topics (the tools' default). */
export const ADMIN_TIMEOUT_MS = 30_000;

/** Whether a request that failed with `err` may succeed if sent again after a metadata refresh (a leader moved, a broker restarted). */
export function isRetriable(err: unknown): boolean {
  if (err instanceof KafkaProtocolError) return err.retriable;
  return err instanceof ConnectionClosedError || err instanceof RequestTimeoutError;
}

/** Throws KafkaProtocolError naming `what` unless `code` is NONE. */
export function check(code: number, what: string, message?: string | null): void {
  if (code !== ErrorCode.NONE) throw new KafkaProtocolError(code, `${what}: ${(message ?? errorInfo(code).message).replace(/\.$/, '')}`);
}

export class KafkaAdmin {
  private readonly connections = new Map<number, Promise<KafkaConnection>>();
  private readonly brokers = new Map<number, BrokerInfo>();

  private constructor(
    /** Where metadata and cluster-wide requests go; replaced by another broker's connection if it closes. */
    private bootstrap: KafkaConnection,
    private readonly addresses: readonly string[],
    private readonly options: ConnectionOptions,
  ) {}

  /** Connects to the first bootstrap address that answers ApiVersions. */
  static async connect(bootstrap: readonly string[], options: ConnectionOptions = {}): Promise<KafkaAdmin> {
    return new KafkaAdmin(await KafkaAdmin.firstAnswering(bootstrap, options), bootstrap, options);
  }

  private static async firstAnswering(addresses: readonly string[], options: ConnectionOptions): Promise<KafkaConnection> {
    if (addresses.length === 0) throw new RangeError('no bootstrap address');
    let last: Error | undefined;
    for (const address of addresses) {
      let conn: KafkaConnection | undefined;
      try {
        conn = await KafkaConnection.connect(address, { clientId: 'skein-cli', ...options });
        await conn.apiVersions();
        return conn;
      } catch (err) {
        conn?.close();
        if (!(err instanceof ConnectionClosedError)) throw err;
        last = err;
      }
    }
    throw new ConnectionClosedError(addresses.length === 1 ? last!.message : `cannot connect to any of ${addresses.join(', ')}: ${last!.message}`);
  }

  /** The bootstrap connection while it is open; after its broker went away, any broker that answers. */
  private async anyBroker(): Promise<KafkaConnection> {
    if (!this.bootstrap.closed) return this.bootstrap;
    for (const nodeId of this.brokers.keys()) {
      try {
        const conn = await this.broker(nodeId);
        await conn.apiVersions();
        return (this.bootstrap = conn);
      } catch {
        // That one is gone too: the next.
      }
    }
    return (this.bootstrap = await KafkaAdmin.firstAnswering(this.addresses, this.options));
  }

  close(): void {
    this.bootstrap.close();
    for (const conn of this.connections.values()) void conn.then((c) => c.close(), () => undefined);
    this.connections.clear();
  }

  /** Sends at the newest version both sides speak (at most `atMost`). */
  async send<K extends ApiKey>(conn: KafkaConnection, apiKey: K, body: RequestInputOf<K>, atMost?: number, options?: SendOptions): Promise<ResponseOf<K>> {
    await conn.apiVersions();
    return conn.send(apiKey, conn.versionFor(apiKey, atMost), body, options);
  }

  /** Metadata for `topics` (every topic when null); the brokers it lists become reachable by id. */
  async metadata(topics: readonly string[] | null = null): Promise<ClusterInfo> {
    const m = await this.send(await this.anyBroker(), ApiKey.Metadata, {
      topics: topics === null ? null : topics.map((name) => ({ name })),
      allowAutoTopicCreation: false,
    });
    // v13+ answers a request-wide failure (an unauthorized cluster) in one code.
    check(m.errorCode, 'metadata');
    for (const b of m.brokers) this.brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack });
    return {
      clusterId: m.clusterId,
      controllerId: m.controllerId,
      brokers: m.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })).sort((a, b) => a.nodeId - b.nodeId),
      topics: m.topics
        .map((t) => ({
          name: t.name ?? '',
          isInternal: t.isInternal,
          errorCode: t.errorCode,
          partitions: t.partitions
            .map((p) => ({
              partition: p.partitionIndex,
              leader: p.leaderId,
              leaderEpoch: p.leaderEpoch,
              replicas: [...p.replicaNodes],
              isr: [...p.isrNodes],
              offline: [...p.offlineReplicas],
              errorCode: p.errorCode,
            }))
            .sort((a, b) => a.partition - b.partition),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  /** Metadata of one topic, which must exist. */
  async topic(name: string): Promise<TopicInfo> {
    const t = (await this.metadata([name])).topics.find((x) => x.name === name);
    if (!t) throw new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name}`);
    check(t.errorCode, `topic ${name}`);
    return t;
  }

  /** A connection to broker `nodeId` (known from the last metadata), opened once. */
  broker(nodeId: number): Promise<KafkaConnection> {
    let conn = this.connections.get(nodeId);
    if (!conn) {
      const b = this.brokers.get(nodeId);
      if (!b) return Promise.reject(new KafkaProtocolError(ErrorCode.BROKER_NOT_AVAILABLE, `broker ${nodeId} is not in the cluster's metadata`));
      const address = b.host.includes(':') ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`;
      const opening = KafkaConnection.connect(address, { clientId: 'skein-cli', ...this.options });
      // A connection that fails or later closes (its broker died) is forgotten, so the next use reconnects.
      const forget = () => {
        if (this.connections.get(nodeId) === opening) this.connections.delete(nodeId);
      };
      opening.then((c) => c.onClose(forget), forget);
      this.connections.set(nodeId, opening);
      conn = opening;
    }
    return conn;
  }

  /** The leader of `topic`-`partition` as `topic`'s metadata has it. */
  leader(topic: TopicInfo, partition: number): Promise<KafkaConnection> {
    const p = topic.partitions.find((x) => x.partition === partition);
    if (!p) return Promise.reject(new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic.name} has no partition ${partition}`));
    if (p.leader < 0) return Promise.reject(new KafkaProtocolError(ErrorCode.LEADER_NOT_AVAILABLE, `${topic.name}-${partition} has no leader right now`));
    return this.broker(p.leader);
  }

  /** The active controller, where topic changes go. */
  async controller(): Promise<KafkaConnection> {
    const { controllerId } = await this.metadata([]);
    if (controllerId < 0) throw new KafkaProtocolError(ErrorCode.NOT_CONTROLLER, 'the cluster has no active controller right now; try again shortly');
    return this.broker(controllerId);
  }

  /**
   * Runs a request to group `groupId`'s coordinator, finding it again and retrying while it is not ready
   * or has moved (the first group request of a cluster creates __consumer_offsets, and its partitions
   * take a moment; a coordinator's broker may stop).
   */
  async toCoordinator<T>(groupId: string, request: (conn: KafkaConnection) => Promise<T>): Promise<T> {
    const deadline = Date.now() + COORDINATOR_RETRY_MS;
    for (;;) {
      try {
        return await request(await this.coordinator(groupId));
      } catch (err) {
        if (!isRetriable(err) || Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, COORDINATOR_BACKOFF_MS));
      }
    }
  }

  /** The coordinator of group `groupId`. */
  private async coordinator(groupId: string): Promise<KafkaConnection> {
    const r = await this.send(await this.anyBroker(), ApiKey.FindCoordinator, { key: groupId, keyType: 0 }, FIND_COORDINATOR_MAX);
    check(r.errorCode, `coordinator of group ${groupId}`, r.errorMessage);
    this.brokers.set(r.nodeId, { nodeId: r.nodeId, host: r.host, port: r.port, rack: null });
    return this.broker(r.nodeId);
  }

  async createTopic(name: string, partitions: number, replicationFactor: number, configs: readonly { name: string; value: string }[]): Promise<void> {
    const r = await this.send(await this.controller(), ApiKey.CreateTopics, {
      topics: [{ name, numPartitions: partitions, replicationFactor, assignments: [], configs }],
      timeoutMs: ADMIN_TIMEOUT_MS,
    });
    for (const t of r.topics) check(t.errorCode, `topic ${t.name}`, t.errorMessage);
  }

  async deleteTopics(names: readonly string[]): Promise<void> {
    const r = await this.send(await this.controller(), ApiKey.DeleteTopics, { topicNames: names, timeoutMs: ADMIN_TIMEOUT_MS }, DELETE_TOPICS_MAX);
    for (const t of r.responses) check(t.errorCode, `topic ${t.name ?? '?'}`, t.errorMessage);
  }

  /** Grows `name` to `count` partitions in all. */
  async addPartitions(name: string, count: number): Promise<void> {
    const r = await this.send(await this.controller(), ApiKey.CreatePartitions, {
      topics: [{ name, count, assignments: null }],
      timeoutMs: ADMIN_TIMEOUT_MS,
      validateOnly: false,
    });
    for (const t of r.results) check(t.errorCode, `topic ${t.name}`, t.errorMessage);
  }

  /** Every config of a topic (or broker), with where its value comes from. */
  async describeConfigs(resourceType: number, resourceName: string): Promise<ConfigEntry[]> {
    const conn = resourceType === ResourceType.BROKER ? await this.broker(Number(resourceName)) : await this.anyBroker();
    const r = await this.send(conn, ApiKey.DescribeConfigs, {
      resources: [{ resourceType, resourceName, configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    const result = r.results[0];
    if (!result) throw new KafkaProtocolError(ErrorCode.UNKNOWN_SERVER_ERROR, `no configs for ${resourceName} in the answer`);
    check(result.errorCode, `configs of ${resourceName}`, result.errorMessage);
    return result.configs
      .map((c) => ({ name: c.name, value: c.value, readOnly: c.readOnly, source: c.configSource, sensitive: c.isSensitive }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Sets and removes (back to the default) topic configs. */
  alterTopicConfigs(topic: string, set: readonly { name: string; value: string }[], remove: readonly string[]): Promise<void> {
    return this.alterConfigs(ResourceType.TOPIC, topic, set, remove);
  }

  /** Sets and removes (back to the default) configs of a topic or a client-metrics subscription. */
  async alterConfigs(resourceType: number, resourceName: string, set: readonly { name: string; value: string }[], remove: readonly string[]): Promise<void> {
    const r = await this.send(await this.anyBroker(), ApiKey.IncrementalAlterConfigs, {
      resources: [
        {
          resourceType,
          resourceName,
          configs: [
            ...set.map((c) => ({ name: c.name, configOperation: ConfigOperation.SET, value: c.value })),
            ...remove.map((name) => ({ name, configOperation: ConfigOperation.DELETE, value: null })),
          ],
        },
      ],
      validateOnly: false,
    });
    for (const res of r.responses) check(res.errorCode, `configs of ${resourceName}`, res.errorMessage);
  }

  /** The names of the client-metrics subscriptions (ListConfigResources v0, KIP-714's ListClientMetricsResources). */
  async clientMetricsNames(): Promise<string[]> {
    const r = await this.send(await this.anyBroker(), ApiKey.ListConfigResources, {}, 0);
    check(r.errorCode, 'client metrics subscriptions');
    return r.configResources.map((c) => c.resourceName).sort();
  }

  /** Groups partitions by their leader, failing on a partition without one. */
  private byLeader(topic: TopicInfo, partitions: readonly number[]): Map<number, number[]> {
    const groups = new Map<number, number[]>();
    for (const partition of partitions) {
      const p = topic.partitions.find((x) => x.partition === partition);
      if (!p) throw new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${topic.name} has no partition ${partition}`);
      if (p.leader < 0) throw new KafkaProtocolError(ErrorCode.LEADER_NOT_AVAILABLE, `${topic.name}-${partition} has no leader right now`);
      groups.set(p.leader, [...(groups.get(p.leader) ?? []), partition]);
    }
    return groups;
  }

  /** ListOffsets at `timestamp` (-2 earliest, -1 latest, or a time) for partitions of `topic`, asked of each leader once. */
  async listOffsets(topic: TopicInfo, partitions: readonly number[], timestamp: number): Promise<Map<number, { offset: number; timestamp: number }>> {
    const out = new Map<number, { offset: number; timestamp: number }>();
    await Promise.all(
      [...this.byLeader(topic, partitions)].map(async ([leader, ps]) => {
        const r = await this.send(
          await this.broker(leader),
          ApiKey.ListOffsets,
          {
            replicaId: -1,
            isolationLevel: 0,
            topics: [{ name: topic.name, partitions: ps.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 })) }],
          },
          LIST_OFFSETS_VERSION,
        );
        for (const t of r.topics) {
          for (const p of t.partitions) {
            check(p.errorCode, `offsets of ${topic.name}-${p.partitionIndex}`);
            out.set(p.partitionIndex, { offset: p.offset, timestamp: p.timestamp });
          }
        }
      }),
    );
    return out;
  }

  /** Earliest and latest offsets of every partition of `topic`. */
  async partitionOffsets(topic: TopicInfo): Promise<PartitionOffsets[]> {
    const all = topic.partitions.map((p) => p.partition);
    const [earliest, latest] = await Promise.all([this.listOffsets(topic, all, -2), this.listOffsets(topic, all, -1)]);
    return all.map((partition) => ({ partition, earliest: earliest.get(partition)!.offset, latest: latest.get(partition)!.offset }));
  }

  /**
   * The size on disk of every replica of `topic`: DescribeLogDirs to each broker holding one, as
   * kafka-log-dirs.sh asks. Partition → broker id → bytes (summed over that broker's log dirs); a broker
   * that does not serve DescribeLogDirs, or cannot be reached, is left out rather than failing the call.
   */
  async replicaSizes(topic: TopicInfo): Promise<Map<number, Map<number, number>>> {
    const sizes = new Map<number, Map<number, number>>(topic.partitions.map((p) => [p.partition, new Map()]));
    const brokers = [...new Set(topic.partitions.flatMap((p) => p.replicas))];
    const request = { topics: [{ topic: topic.name, partitions: topic.partitions.map((p) => p.partition) }] };
    await Promise.all(
      brokers.map(async (nodeId) => {
        let r;
        try {
          r = await this.send(await this.broker(nodeId), ApiKey.DescribeLogDirs, request);
        } catch (err) {
          if (err instanceof KafkaProtocolError || err instanceof ConnectionClosedError) return;
          throw err;
        }
        for (const dir of r.results) {
          if (dir.errorCode !== ErrorCode.NONE) continue;
          for (const t of dir.topics) {
            if (t.name !== topic.name) continue;
            for (const p of t.partitions) {
              const perBroker = sizes.get(p.partitionIndex);
              perBroker?.set(nodeId, (perBroker.get(nodeId) ?? 0) + p.partitionSize);
            }
          }
        }
      }),
    );
    return sizes;
  }

  /** Deletes the records before `offsets` (partition → offset, -1 for the high watermark); returns the new log start offsets. */
  async deleteRecords(topic: TopicInfo, offsets: ReadonlyMap<number, number>): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    await Promise.all(
      [...this.byLeader(topic, [...offsets.keys()])].map(async ([leader, ps]) => {
        const r = await this.send(await this.broker(leader), ApiKey.DeleteRecords, {
          topics: [{ name: topic.name, partitions: ps.map((partitionIndex) => ({ partitionIndex, offset: offsets.get(partitionIndex)! })) }],
          timeoutMs: ADMIN_TIMEOUT_MS,
        });
        for (const t of r.topics) {
          for (const p of t.partitions) {
            check(p.errorCode, `deleting records of ${topic.name}-${p.partitionIndex}`);
            out.set(p.partitionIndex, p.lowWatermark);
          }
        }
      }),
    );
    return out;
  }

  /** Every group of every broker; `type` is classic or consumer (KIP-848), as ListGroups v5 says (classic before it). */
  async listGroups(): Promise<{ groupId: string; protocolType: string; state: string; type: string; coordinator: number }[]> {
    const { brokers } = await this.metadata([]);
    const lists = await Promise.all(
      brokers.map(async (b) => {
        const r = await this.send(await this.broker(b.nodeId), ApiKey.ListGroups, { statesFilter: [], typesFilter: [] });
        check(r.errorCode, `groups of broker ${b.nodeId}`);
        return r.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState, type: g.groupType || 'classic', coordinator: b.nodeId }));
      }),
    );
    return lists.flat().sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  async describeGroup(groupId: string): Promise<ResponseOf<typeof ApiKey.DescribeGroups>['groups'][number]> {
    return this.toCoordinator(groupId, async (conn) => {
      const r = await this.send(conn, ApiKey.DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false });
      const g = r.groups[0];
      if (!g) throw new KafkaProtocolError(ErrorCode.UNKNOWN_SERVER_ERROR, `no description of group ${groupId} in the answer`);
      check(g.errorCode, `group ${groupId}`);
      return g;
    });
  }

  /** The group's committed offsets (every partition it has one for when `topics` is null). */
  async committedOffsets(groupId: string, topics: readonly TopicPartition[] | null = null): Promise<{ topic: string; partition: number; offset: number; metadata: string | null }[]> {
    const byTopic = new Map<string, number[]>();
    for (const tp of topics ?? []) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    const r = await this.toCoordinator(groupId, async (conn) => {
      const answer = await this.send(
        conn,
        ApiKey.OffsetFetch,
        { groupId, topics: topics === null ? null : [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })), requireStable: false },
        OFFSET_FETCH_MAX,
      );
      check(answer.errorCode, `offsets of group ${groupId}`);
      return answer;
    });
    const out = [];
    for (const t of r.topics) {
      for (const p of t.partitions) {
        check(p.errorCode, `offset of group ${groupId} on ${t.name}-${p.partitionIndex}`);
        if (p.committedOffset >= 0) out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.metadata });
      }
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  /**
   * Commits offsets for `groupId`: as the member `member` names, or as a consumer outside the group's
   * membership (generation -1, no member id), which Kafka accepts while the group has no active members.
   */
  async commitOffsets(groupId: string, offsets: readonly (TopicPartition & { offset: number })[], member = { generationId: -1, memberId: '' }): Promise<void> {
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: number; committedMetadata: string }[]>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partitionIndex: o.partition, committedOffset: o.offset, committedMetadata: '' }]);
    await this.toCoordinator(groupId, async (conn) => {
      const r = await this.send(
        conn,
        ApiKey.OffsetCommit,
        {
          groupId,
          generationIdOrMemberEpoch: member.generationId,
          memberId: member.memberId,
          groupInstanceId: null,
          topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
        },
        OFFSET_COMMIT_MAX,
      );
      for (const t of r.topics) for (const p of t.partitions) check(p.errorCode, `committing group ${groupId}'s offset on ${t.name}-${p.partitionIndex}`);
    });
  }

  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    for (const groupId of groupIds) {
      await this.toCoordinator(groupId, async (conn) => {
        const r = await this.send(conn, ApiKey.DeleteGroups, { groupsNames: [groupId] });
        for (const g of r.results) check(g.errorCode, `group ${g.groupId}`);
      });
    }
  }
}
