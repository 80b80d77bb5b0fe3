// ControlledShutdown (7), v0-3: a stopping broker asks the controller to move its leaderships away. Only
// the active controller answers; the reply lists the partitions still led by the broker (no other ISR
// member alive), which it asks about again.
import { ApiKey, ErrorCode, type ControlledShutdownResponseInput } from '../../../protocol/kafka/index.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../acl/model.js';
import { defineHandler } from '../handler.js';

export const controlledShutdownHandler = defineHandler({
  apiKey: ApiKey.ControlledShutdown,
  minVersion: 0,
  maxVersion: 3,
  uses: ['controller', 'acls'],
  async handle(request, ctx, { controller, acls }): Promise<ControlledShutdownResponseInput> {
    if (!acls.authorize(ctx, AclOperation.CLUSTER_ACTION, ResourceType.CLUSTER, CLUSTER_NAME)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, remainingPartitions: [] };
    if (!controller?.isActive) return { errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] };
    const { errorCode, remaining } = await controller.controlledShutdown(request.brokerId, request.brokerEpoch);
    const code = errorCode === 'ok' ? ErrorCode.NONE : errorCode === 'notController' ? ErrorCode.NOT_CONTROLLER : ErrorCode.STALE_BROKER_EPOCH;
    return { errorCode: code, remainingPartitions: remaining.map((tp) => ({ topicName: tp.topic, partitionIndex: tp.partition })) };
  },
});
