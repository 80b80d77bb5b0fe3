// InitProducerId (22), v0-5: a producer id and epoch for an idempotent producer.
//
// Without a transactional.id Kafka's TransactionCoordinator "blindly accepts" the request: every call,
// also a KIP-360 retry that names its current producer id and epoch (v3+), gets a NEW producer id at
// epoch 0. The Java client bumps an idempotent producer's epoch itself and asks again only at the
// highest epoch; librdkafka asks again after a failed batch. Either way the partitions see a producer
// they check from sequence 0.
//
// Transactions are not served yet: a request with a transactional.id is answered
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED, what Kafka answers when a producer may not use its
// transactional.id. It is fatal and immediate in every client (kafkajs throws it from
// producer.transaction(), librdkafka's init_transactions fails with "Transactional Id authorization
// failed"), where a retriable COORDINATOR_NOT_AVAILABLE would leave them retrying until their timeout.
import { ApiKey, ErrorCode, type InitProducerIdResponseInput } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

const NO_PRODUCER_ID = -1;
const NO_PRODUCER_EPOCH = -1;

function failed(errorCode: number): InitProducerIdResponseInput {
  return { throttleTimeMs: 0, errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH };
}

export const initProducerIdHandler = defineHandler({
  apiKey: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  uses: ['producerIds'],
  async handle(request, ctx, { producerIds }): Promise<InitProducerIdResponseInput> {
    if (request.transactionalId !== null) {
      ctx.log.debug({ clientId: ctx.clientId, transactionalId: request.transactionalId }, 'transactional producers are not served yet');
      return failed(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    }
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
