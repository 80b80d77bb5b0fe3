// TxnOffsetCommit (28), v0-3: a transactional producer commits a group's offsets inside its transaction
// (sendOffsetsToTransaction). They are written to __consumer_offsets in the producer's transactional
// batch and acknowledged once durable, but the group sees them only when the transaction's COMMIT marker
// reaches that partition (WriteTxnMarkers); an ABORT drops them. Meanwhile OffsetFetch with
// require_stable answers UNSTABLE_OFFSET_COMMIT for them. As OffsetCommit's handler, partitions of
// topics that do not exist are answered UNKNOWN_TOPIC_OR_PARTITION here; v3 adds the member, generation
// and instance id, checked as Kafka's handleTxnCommitOffsets checks them (KIP-447).
import { ApiKey, ErrorCode } from '../../../protocol/kafka/index.js';
import { KnownPartitions } from '../groups/known-partitions.js';
import { AclOperation, ResourceType } from '../acl/model.js';
import { refuseOffsetCommit } from '../groups/refusals.js';
import { defineHandler } from '../handler.js';

export const txnOffsetCommitHandler = defineHandler({
  apiKey: ApiKey.TxnOffsetCommit,
  minVersion: 0,
  maxVersion: 3,
  uses: ['groups', 'topics', 'acls'],
  async handle(request, ctx, { groups, topics, acls }) {
    // Kafka's order: the transactional id (WRITE), then the group (READ), then each topic (READ).
    if (!acls.authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)) {
      return { throttleTimeMs: 0, ...refuseOffsetCommit(request, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED) };
    }
    if (!acls.authorize(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) return { throttleTimeMs: 0, ...refuseOffsetCommit(request, ErrorCode.GROUP_AUTHORIZATION_FAILED) };
    const split = new KnownPartitions(request.topics, topics, (t) => acls.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, t));
    const committed = split.known.length > 0 ? await groups.txnOffsetCommit({ ...request, topics: split.known }) : { topics: [] };
    return { throttleTimeMs: 0, topics: split.merge(committed.topics) };
  },
});
