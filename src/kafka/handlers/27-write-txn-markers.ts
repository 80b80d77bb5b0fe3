// WriteTxnMarkers (27), v0-1: a transaction coordinator ends a transaction on the partitions this broker
// leads. For each marker and partition a control batch (COMMIT or ABORT, the producer's id and epoch,
// the coordinator's epoch) is appended and answered as acks=all answers (Kafka's
// handleWriteTxnMarkersRequest appends with requiredAcks -1 and origin COORDINATOR). Per partition:
// UNKNOWN_TOPIC_OR_PARTITION / NOT_LEADER_OR_FOLLOWER when this broker does not lead it,
// INVALID_PRODUCER_EPOCH for a marker older than the producer's epoch there,
// TRANSACTION_COORDINATOR_FENCED for one from an older coordinator epoch, NOT_ENOUGH_REPLICAS or
// REQUEST_TIMED_OUT as for a produce. Markers are written in request order, each partition's in the
// same turn as its checks. Once a marker is in a __consumer_offsets partition the group coordinator
// settles the producer's transactional offsets there (commit: they take effect; abort: dropped). Clients cannot write markers through Produce (checkProduceBatch refuses
// control batches with INVALID_RECORD, as Kafka's LogValidator does).
import { ApiKey, ErrorCode, type WriteTxnMarkersResponseInput } from '../../../protocol/kafka/index.js';
import { buildEndTxnMarkerBatch, ControlRecordType } from '../../../protocol/kafka/records/control-record.js';
import { errorCodeOf } from '../fetch/partition-access.js';
import { CONSUMER_OFFSETS_TOPIC } from '../../../protocol/kafka/consumer-offsets/group-partition.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler, type RequestContext } from '../handler.js';
import { appendAcksAll } from '../partitions/durable-append.js';
import type { PartitionAccess } from '../services.js';

type MarkerResult = NonNullable<WriteTxnMarkersResponseInput['markers']>[number];
type Marker = { producerId: number; producerEpoch: number; transactionResult: boolean; coordinatorEpoch: number };

/** Kafka's request.timeout.ms default, the time it gives a marker to reach the ISR. */
const MARKER_APPEND_TIMEOUT_MS = 30_000;

function writeMarker(ctx: RequestContext, partitions: PartitionAccess, marker: Marker, topic: string, index: number, now: number): Promise<number> {
  const partition = partitions.leader(topic, index);
  if (typeof partition === 'number') return Promise.resolve(partition);
  const { producerId, producerEpoch, coordinatorEpoch } = marker;
  const commit = marker.transactionResult;
  const batch = buildEndTxnMarkerBatch({ type: commit ? ControlRecordType.Commit : ControlRecordType.Abort, coordinatorEpoch, producerId, producerEpoch, timestamp: now });
  const context = { topic, partition: index, producerId, producerEpoch, coordinatorEpoch, commit };
  return appendAcksAll(partition, batch, now, MARKER_APPEND_TIMEOUT_MS, (err) => errorCodeOf(err, ctx.log, context), () => {
    const refusal = partition.log.producers.checkMarker({ producerId, producerEpoch, coordinatorEpoch, commit, timestamp: now });
    if (!refusal) return ErrorCode.NONE;
    ctx.log.info({ ...context, reason: refusal.message }, 'refused a transaction marker');
    return refusal.errorCode;
  });
}

export const writeTxnMarkersHandler = defineHandler({
  apiKey: ApiKey.WriteTxnMarkers,
  minVersion: 0,
  maxVersion: 1,
  uses: ['partitions', 'clock', 'groups', 'acls'],
  async handle(request, ctx, { partitions, clock, groups, acls }) {
    if (!acls.authorize(ctx, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME)) {
      const refused = (t: { name: string; partitionIndexes: number[] }) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED })) });
      return { markers: request.markers.map((m) => ({ producerId: m.producerId, topics: m.topics.map(refused) })) };
    }
    const now = clock.now();
    const markers: Promise<MarkerResult>[] = request.markers.map(async (marker) => {
      const topics = await Promise.all(
        marker.topics.map(async (t) => ({
          name: t.name,
          partitions: await Promise.all(
            t.partitionIndexes.map(async (partitionIndex) => ({ partitionIndex, errorCode: await writeMarker(ctx, partitions, marker, t.name, partitionIndex, now) })),
          ),
        })),
      );
      const offsetsPartitions = topics.filter((t) => t.name === CONSUMER_OFFSETS_TOPIC).flatMap((t) => t.partitions.filter((p) => p.errorCode === ErrorCode.NONE).map((p) => p.partitionIndex));
      if (offsetsPartitions.length > 0) groups.completeTransaction(marker.producerId, offsetsPartitions, marker.transactionResult);
      return { producerId: marker.producerId, topics };
    });
    return { markers: await Promise.all(markers) };
  },
});
