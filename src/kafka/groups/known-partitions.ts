// OffsetCommit and OffsetDelete name topic partitions that may not exist, or that the principal may not
// READ. Kafka's handlers answer those UNKNOWN_TOPIC_OR_PARTITION (TOPIC_AUTHORIZATION_FAILED) themselves
// and hand only the rest to the coordinator; this splits a request that way and puts the two sets of
// answers back together in request order.
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
  /** Each requested partition's own answer, or NONE when the coordinator answers it. */
  private readonly refusals: number[][];

  constructor(
    private readonly requested: ReadonlyArray<Topic<P>>,
    topics: TopicAdmin,
    /** Whether the principal may use the topic (READ); checked before existence, as Kafka does. */
    mayUse: (topic: string) => boolean = () => true,
  ) {
    this.refusals = requested.map((t) => {
      const allowed = mayUse(t.name);
      return t.partitions.map((p) =>
        !allowed ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : partitionExists(topics, t.name, p.partitionIndex) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      );
    });
    requested.forEach((t, ti) => {
      const partitions = t.partitions.filter((_, pi) => this.refusals[ti]![pi] === ErrorCode.NONE);
      if (partitions.length > 0) this.known.push({ ...t, partitions });
    });
  }

  /**
   * Every requested partition's answer: the coordinator's for known ones, which it gives topic by topic
   * and partition by partition in the order of `known`, else the refusal.
   */
  merge(answered: ReadonlyArray<Topic<PartitionAnswer>>): Array<Topic<PartitionAnswer>> {
    let nextTopic = 0;
    return this.requested.map((t, ti) => {
      const refusals = this.refusals[ti]!;
      const answers = refusals.includes(ErrorCode.NONE) ? answered[nextTopic++]!.partitions : [];
      let nextPartition = 0;
      return {
        name: t.name,
        partitions: t.partitions.map((p, pi) =>
          refusals[pi] === ErrorCode.NONE ? answers[nextPartition++]! : { partitionIndex: p.partitionIndex, errorCode: refusals[pi]! },
        ),
      };
    });
  }
}
