// GetTelemetrySubscriptions (71), v0 (KIP-714): which metrics this client instance should push and how
// often: the union of the client-metrics subscriptions that match the client. Like Kafka, no ACL is
// checked: every client may learn its subscription.
import { ApiKey } from '../../../protocol/kafka/index.js';
import { defineHandler } from '../handler.js';

export const getTelemetrySubscriptionsHandler = defineHandler({
  apiKey: ApiKey.GetTelemetrySubscriptions,
  minVersion: 0,
  maxVersion: 0,
  uses: ['telemetry', 'clock'],
  handle(request, ctx, { telemetry, clock }) {
    return { throttleTimeMs: 0, ...telemetry.getSubscriptions(request.clientInstanceId, ctx, clock.now()) };
  },
});
