// ControlledShutdown (7), v0-3: a stopping broker asks the controller to move its leaderships away. Only
// the active controller answers; the reply lists the partitions still led by the broker (no other ISR
// member alive), which it asks about again.
import { ApiKey, ErrorCode, type ControlledShutdownResponseInput } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const controlledShutdownHandler = defineHandler({
  apiKey: ApiKey.ControlledShutdown,
  minVersion: 0,
  maxVersion: 3,
  uses: ['controller'],
  async handle(request, _ctx, { controller }): Promise<ControlledShutdownResponseInput> {
    if (!controller?.isActive) return { errorCode: ErrorCode.NOT_CONTROLLER, remainingPartitions: [] };
    const { errorCode, remaining } = await controller.controlledShutdown(request.brokerId, request.brokerEpoch);
    const code = errorCode === 'ok' ? ErrorCode.NONE : errorCode === 'notController' ? ErrorCode.NOT_CONTROLLER : ErrorCode.STALE_BROKER_EPOCH;
    return { errorCode: code, remainingPartitions: remaining.map((tp) => ({ topicName: tp.topic, partitionIndex: tp.partition })) };
  },
});
