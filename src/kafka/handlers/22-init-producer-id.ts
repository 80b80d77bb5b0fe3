// InitProducerId (22), v0-5: a producer id and epoch for an idempotent or transactional producer.
//
// Without a transactional.id Kafka's TransactionCoordinator "blindly accepts" the request: every call,
// also a KIP-360 retry that names its current producer id and epoch (v3+), gets a NEW producer id at
// epoch 0. The Java client bumps an idempotent producer's epoch itself and asks again only at the
// highest epoch; librdkafka asks again after a failed batch. Either way the partitions see a producer
// they check from sequence 0.
//
// With a transactional.id the transaction coordinator answers (src/kafka/txn): the id's producer id
// with its epoch bumped, fencing an older producer of the same id (an open transaction of it is aborted
// first; the caller is told CONCURRENT_TRANSACTIONS until that is done). Before v4 a fenced producer
// hears INVALID_PRODUCER_EPOCH, the code it knows, where v4+ hears PRODUCER_FENCED (as KafkaApis maps it).
import { ApiKey, ErrorCode, type InitProducerIdResponseInput } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';
import { fencedForVersion } from '../txn/legacy-errors.js';

const NO_PRODUCER_ID = -1;
const NO_PRODUCER_EPOCH = -1;
/** The first version that knows PRODUCER_FENCED. */
const PRODUCER_FENCED_VERSION = 4;

function failed(errorCode: number): InitProducerIdResponseInput {
  return { throttleTimeMs: 0, errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH };
}

export const initProducerIdHandler = defineHandler({
  apiKey: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  uses: ['producerIds', 'transactions', 'acls'],
  async handle(request, ctx, { producerIds, transactions, acls }): Promise<InitProducerIdResponseInput> {
    if (request.transactionalId !== null) {
      if (!acls.authorize(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId)) return failed(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      const answer = await transactions.initProducerId({
        transactionalId: request.transactionalId,
        transactionTimeoutMs: request.transactionTimeoutMs,
        producerId: request.producerId,
        producerEpoch: request.producerEpoch,
      });
      const errorCode = fencedForVersion(answer.errorCode, ctx.apiVersion, PRODUCER_FENCED_VERSION);
      return errorCode === ErrorCode.NONE ? { throttleTimeMs: 0, errorCode, producerId: answer.producerId, producerEpoch: answer.producerEpoch } : failed(errorCode);
    }
    // An idempotent producer needs IDEMPOTENT_WRITE on the cluster, or WRITE on some topic (KIP-679).
    const idempotent = acls.authorize(ctx, AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, CLUSTER_NAME) || acls.allowedOnSome(ctx, AclOperation.WRITE, ResourceType.TOPIC);
    if (!idempotent) return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    let producerId;
    try {
      producerId = await producerIds.next();
    } catch (err) {
      // The block store (the data directory's file, or ZooKeeper) failed: the client retries this.
      ctx.log.warn({ err }, 'could not allocate a producer id');
      return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  },
});
