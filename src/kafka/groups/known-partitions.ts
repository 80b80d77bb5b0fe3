// OffsetCommit and OffsetDelete name topic partitions that may not exist. Kafka's handlers answer those
// UNKNOWN_TOPIC_OR_PARTITION themselves and hand only the rest to the coordinator; this splits a
// request that way and puts the two sets of answers back together in request order.
import { ErrorCode } from '../../../protocol/kafka/errors.js';
import type { TopicAdmin } from '../services.js';

interface Topic<P> {
  name: string;
  partitions: P[];
}

interface PartitionAnswer {
  partitionIndex: number;
  errorCode: number;
}

/** Whether the broker has this partition (Kafka: metadataCache.getPartitionInfo). */
export function partitionExists(topics: TopicAdmin, topic: string, partition: number): boolean {
  const record = topics.get(topic);
  return record !== undefined && partition >= 0 && partition < record.replicas.length;
}

export class KnownPartitions<P extends { partitionIndex: number }> {
  /** The request's topics reduced to the partitions that exist; topics left with none are dropped. */
  readonly known: Array<Topic<P>> = [];
  private readonly exists: boolean[][];

  constructor(
    private readonly requested: ReadonlyArray<Topic<P>>,
    topics: TopicAdmin,
  ) {
    this.exists = requested.map((t) => t.partitions.map((p) => partitionExists(topics, t.name, p.partitionIndex)));
    requested.forEach((t, ti) => {
      const partitions = t.partitions.filter((_, pi) => this.exists[ti]![pi]);
      if (partitions.length > 0) this.known.push({ ...t, partitions });
    });
  }

  /**
   * Every requested partition's answer: the coordinator's for known ones, which it gives topic by topic
   * and partition by partition in the order of `known`, else UNKNOWN_TOPIC_OR_PARTITION.
   */
  merge(answered: ReadonlyArray<Topic<PartitionAnswer>>): Array<Topic<PartitionAnswer>> {
    let nextTopic = 0;
    return this.requested.map((t, ti) => {
      const exists = this.exists[ti]!;
      const answers = exists.some(Boolean) ? answered[nextTopic++]!.partitions : [];
      let nextPartition = 0;
      return {
        name: t.name,
        partitions: t.partitions.map((p, pi) =>
          exists[pi] ? answers[nextPartition++]! : { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
        ),
      };
    });
  }
}
