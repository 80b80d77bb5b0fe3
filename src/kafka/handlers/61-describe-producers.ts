// DescribeProducers (61), v0: each partition's active producers as its leader's producer state holds
// them (KIP-664, Kafka's ReplicaManager.activeProducerState): id, epoch, last sequence and timestamp,
// the epoch of the coordinator that wrote its last marker, and the first offset of its open
// transaction (-1 without one). Operators find hanging transactions with it (kafka-transactions.sh
// find-hanging). Partitions this broker does not lead get Kafka's NOT_LEADER_OR_FOLLOWER or
// UNKNOWN_TOPIC_OR_PARTITION.
import { ApiKey, ErrorCode, type DescribeProducersResponseInput } from '../../../protocol/kafka/index.js';
import { NO_SEQUENCE } from '../../log/producer-state.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

type PartitionResponse = NonNullable<NonNullable<DescribeProducersResponseInput['topics']>[number]['partitions']>[number];

export const describeProducersHandler = defineHandler({
  apiKey: ApiKey.DescribeProducers,
  minVersion: 0,
  maxVersion: 0,
  uses: ['partitions', 'acls'],
  handle(request, ctx, { partitions, acls }) {
    const topics = request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((partitionIndex): PartitionResponse => {
        if (!acls.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, t.name)) return { partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, activeProducers: [] };
        const partition = partitions.leader(t.name, partitionIndex);
        if (typeof partition === 'number') return { partitionIndex, errorCode: partition, errorMessage: null, activeProducers: [] };
        const activeProducers = [...partition.log.producers.entries()].map((e) => ({
          producerId: e.producerId,
          producerEpoch: e.epoch,
          lastSequence: e.batches.at(-1)?.lastSeq ?? NO_SEQUENCE,
          lastTimestamp: e.lastTimestamp,
          coordinatorEpoch: e.coordinatorEpoch,
          currentTxnStartOffset: e.currentTxnFirstOffset,
        }));
        return { partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers };
      }),
    }));
    return { throttleTimeMs: 0, topics };
  },
});
