// DeleteRecords (21), v0-2: moves each partition's log start offset forward (whole segments below it
// leave the disk); -1 means the high watermark. An offset above the high watermark, or negative, is
// OFFSET_OUT_OF_RANGE. The answer carries the new low watermark (the log start offset) once it is durable.
// Kafka waits for every replica's log start to follow; on a single node the leader's is all there is.
import { ApiKey, ErrorCode, type DeleteRecordsResponseInput } from '../../../protocol/kafka/index.js';
import { OffsetOutOfRangeError } from '../../log/errors.js';
import { errorCodeOf } from '../fetch/partition-access.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

type TopicResult = NonNullable<DeleteRecordsResponseInput['topics']>[number];

/** The offset that means "everything below the high watermark". */
export const HIGH_WATERMARK = -1;
const UNKNOWN_LOW_WATERMARK = -1;

export const deleteRecordsHandler = defineHandler({
  apiKey: ApiKey.DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  uses: ['partitions', 'acls'],
  async handle(request, ctx, { partitions, acls }) {
    const topics: TopicResult[] = await Promise.all(
      request.topics.map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          t.partitions.map(async ({ partitionIndex, offset }) => {
            const failed = (errorCode: number) => ({ partitionIndex, lowWatermark: UNKNOWN_LOW_WATERMARK, errorCode });
            if (!acls.authorize(ctx, AclOperation.DELETE, ResourceType.TOPIC, t.name)) return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
            const partition = partitions.leader(t.name, partitionIndex);
            if (typeof partition === 'number') return failed(partition);
            const log = partition.log;
            const target = offset === HIGH_WATERMARK ? log.highWatermark : offset;
            try {
              if (target < 0) throw new OffsetOutOfRangeError(target, 'below-start', log.logStartOffset, log.highWatermark);
              const lowWatermark = await log.deleteRecordsBefore(target);
              return { partitionIndex, lowWatermark, errorCode: ErrorCode.NONE };
            } catch (err) {
              return failed(errorCodeOf(err, ctx.log, { topic: t.name, partition: partitionIndex, offset }));
            }
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
});
