// PushTelemetry (72), v0 (KIP-714): a client's metrics, kept for /metrics. Like Kafka, no ACL is checked.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const pushTelemetryHandler = defineHandler({
  apiKey: ApiKey.PushTelemetry,
  minVersion: 0,
  maxVersion: 0,
  uses: ['telemetry', 'clock'],
  handle(request, ctx, { telemetry, clock }) {
    return { throttleTimeMs: 0, errorCode: telemetry.push(request, ctx, clock.now()) };
  },
});
