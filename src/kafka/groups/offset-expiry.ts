// Which committed offsets offsets.retention.minutes removes, by the kind of group and its state
// (Kafka: GroupMetadata.removeExpiredOffsets).
import { CONSUMER_PROTOCOL_TYPE } from '../../../protocol/kafka/consumer-offsets/consumer-protocol.js';
import type { ClassicGroup } from './group.js';
import type { OffsetAndMetadata, TopicPartition } from './group-offsets.js';

const NOTHING_KEPT: ReadonlySet<string> = new Set();

export function expiredOffsets<T>(group: ClassicGroup<T>, nowMs: number, retentionMs: number): TopicPartition[] {
  const sinceCommit = (o: OffsetAndMetadata) => o.commitTimestampMs;
  if (group.protocolType === null) {
    // An offsets-only ("simple" consumer) group: each offset lives for the retention after its commit.
    return group.offsets.expired(nowMs, retentionMs, sinceCommit, NOTHING_KEPT);
  }
  if (group.is('Empty')) {
    // Retention counts from when the group became empty, so a quiet consumer does not lose offsets.
    const since = group.stateTimestampMs;
    return group.offsets.expired(nowMs, retentionMs, since >= 0 ? () => since : sinceCommit, NOTHING_KEPT);
  }
  if (group.protocolType === CONSUMER_PROTOCOL_TYPE && group.subscribedTopics !== null && group.is('Stable')) {
    // A live consumer group keeps offsets of what it consumes; the others expire after their commit.
    return group.offsets.expired(nowMs, retentionMs, sinceCommit, group.subscribedTopics);
  }
  return [];
}
