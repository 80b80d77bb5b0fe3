import type { PartitionLog } from '../../log/partition-log.js';
import type { ReplicatedPartition } from '../replication/replicated-partition.js';

/**
 * One partition this broker hosts: its log plus the replication facts clients see in Metadata. On a
 * single node this broker leads every partition and is the whole ISR; the replication issue drives
 * leaderEpoch, replicas and isr from the controller.
 */
export class Partition {
  leaderEpoch = 0;
  /** Set once the controller has spoken about this partition (LeaderAndIsr): its replication shell. */
  replication: ReplicatedPartition | undefined;
  /**
   * The id of the topic this log belongs to; undefined while no one has said (a LeaderAndIsr before v5).
   * A request naming another id is for another life of the topic (deleted and re-created under the same
   * name) and gets INCONSISTENT_TOPIC_ID, as Kafka's Partition.checkTopicId answers.
   */
  topicId: string | undefined;

  constructor(
    readonly topic: string,
    readonly index: number,
    readonly log: PartitionLog,
    public replicas: number[],
    public isr: number[],
    public leaderId: number,
  ) {}

  get name(): string {
    return `${this.topic}-${this.index}`;
  }
}
