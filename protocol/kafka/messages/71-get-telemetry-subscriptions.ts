// GetTelemetrySubscriptions (API key 71, KIP-714): a client asks which of its metrics the broker wants
// and how often. Request and response field for field as in Kafka's GetTelemetrySubscriptionsRequest.json
// and GetTelemetrySubscriptionsResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const GetTelemetrySubscriptionsRequestSpec = {
  apiKey: 71,
  type: 'request',
  name: 'GetTelemetrySubscriptionsRequest',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    // The zero uuid on a client's first request: the broker assigns one.
    { name: 'ClientInstanceId', type: 'uuid', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export const GetTelemetrySubscriptionsResponseSpec = {
  apiKey: 71,
  type: 'response',
  name: 'GetTelemetrySubscriptionsResponse',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
    { name: 'ClientInstanceId', type: 'uuid', versions: '0+' },
    // Changes whenever what the client is asked to send changes; a push naming another is refused.
    { name: 'SubscriptionId', type: 'int32', versions: '0+' },
    // Kafka's compression type ids, in the broker's order of preference.
    { name: 'AcceptedCompressionTypes', type: '[]int8', versions: '0+' },
    { name: 'PushIntervalMs', type: 'int32', versions: '0+' },
    { name: 'TelemetryMaxBytes', type: 'int32', versions: '0+' },
    { name: 'DeltaTemporality', type: 'bool', versions: '0+' },
    // Metric name prefixes; none: push nothing (ask again after the interval); "*": everything.
    { name: 'RequestedMetrics', type: '[]string', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type GetTelemetrySubscriptionsRequest = MessageValue<typeof GetTelemetrySubscriptionsRequestSpec>;
export type GetTelemetrySubscriptionsRequestInput = MessageInput<typeof GetTelemetrySubscriptionsRequestSpec>;
export type GetTelemetrySubscriptionsResponse = MessageValue<typeof GetTelemetrySubscriptionsResponseSpec>;
export type GetTelemetrySubscriptionsResponseInput = MessageInput<typeof GetTelemetrySubscriptionsResponseSpec>;
