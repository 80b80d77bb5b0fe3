// The partitions this broker hosts, by topic, each a Partition around its log. On a single node every
// topic's partitions are local and led here; the replication issue makes this follow the controller.
import type { LogManager } from '../../log/log-manager.js';
import type { Logger } from '../../logger.js';
import type { TopicRecord, TopicStore } from '../metadata/topic-store.js';
import { Partition } from './partition.js';

export class ReplicaManager {
  private readonly byTopic = new Map<string, Partition[]>();

  constructor(
    private readonly logs: LogManager,
    private readonly brokerId: number,
    private readonly log: Logger,
  ) {}

  /**
   * Removes logs whose topic or partition no longer exists, then opens every stored topic's partitions,
   * unless `openAll` is false: in a cluster a partition opens when the controller names this broker one
   * of its replicas (LeaderAndIsr).
   */
  async load(store: TopicStore, openAll = true): Promise<void> {
    for (const tp of this.logs.partitions()) {
      const topic = store.get(tp.topic);
      if (!topic || tp.partition >= topic.replicas.length) {
        this.log.info(tp, 'removing the log of a deleted topic or partition');
        await this.logs.delete(tp.topic, tp.partition);
      }
    }
    if (openAll) for (const topic of store.list()) await this.openTopic(topic);
  }

  partition(topic: string, index: number): Partition | undefined {
    return this.byTopic.get(topic)?.[index];
  }

  partitionsOf(topic: string): readonly Partition[] | undefined {
    return this.byTopic.get(topic);
  }

  all(): Partition[] {
    // flat() skips the holes of topics this broker hosts only some partitions of.
    return [...this.byTopic.values()].flat();
  }

  /** Opens (creating) the logs of every partition of `topic` not open yet. */
  async openTopic(topic: TopicRecord): Promise<void> {
    const existing = this.byTopic.get(topic.name) ?? [];
    const opened = await Promise.all(
      topic.replicas.slice(existing.length).map(async (replicas, i) => {
        const index = existing.length + i;
        const log = await this.logs.create(topic.name, index);
        const partition = new Partition(topic.name, index, log, replicas, [this.brokerId], this.brokerId);
        partition.topicId = topic.topicId;
        // A leader never goes back below an epoch its log already holds; leading starts the epoch at the
        // log end, as Kafka's makeLeader records it.
        partition.leaderEpoch = Math.max(partition.leaderEpoch, log.latestLeaderEpoch ?? 0);
        log.startLeaderEpoch(partition.leaderEpoch);
        return partition;
      }),
    );
    const now = this.byTopic.get(topic.name) ?? [];
    this.byTopic.set(topic.name, [...now, ...opened.filter((p) => p.index >= now.length)]);
  }

  /**
   * The partition, opening (creating) its log if this broker does not host it yet, as LeaderAndIsr
   * does in a cluster where a broker holds only the partitions assigned to it. Leader, ISR and epoch
   * are the caller's to set.
   */
  async openPartition(topic: string, index: number, replicas: readonly number[], topicId: string | undefined): Promise<Partition> {
    const existing = this.partition(topic, index);
    if (existing) return existing;
    const log = await this.logs.create(topic, index);
    const opened = this.partition(topic, index);
    if (opened) return opened;
    const partition = new Partition(topic, index, log, [...replicas], [], -1);
    partition.leaderEpoch = -1;
    partition.topicId = topicId;
    const list = this.byTopic.get(topic) ?? [];
    list[index] = partition;
    this.byTopic.set(topic, list);
    return partition;
  }

  /** Every partition with a log in this broker's log dirs, open or not. */
  stored(): { topic: string; partition: number }[] {
    return this.logs.partitions();
  }

  /** Forgets one partition at once and deletes its log (StopReplica with delete). */
  async deletePartition(topic: string, index: number): Promise<void> {
    const list = this.byTopic.get(topic);
    if (list?.[index]) {
      delete list[index];
      if (!list.some((p) => p !== undefined)) this.byTopic.delete(topic);
    }
    await this.logs.delete(topic, index);
  }

  /** Forgets the topic at once (requests in flight see it gone), then deletes its logs. */
  async deleteTopic(name: string): Promise<void> {
    const partitions = this.byTopic.get(name) ?? [];
    this.byTopic.delete(name);
    await Promise.all(partitions.map((p) => this.logs.delete(name, p.index)));
  }

  /** Applies a topic's changed configs to its open logs. */
  updateConfig(name: string): void {
    this.logs.updateTopicConfig(name);
    for (const p of this.byTopic.get(name) ?? []) p?.replication?.reconfigure();
  }
}
