// PushTelemetry (API key 72, KIP-714): a client pushes its metrics as an OpenTelemetry (OTLP) MetricsData
// protobuf, compressed with one of the accepted types. Request and response field for field as in Kafka's
// PushTelemetryRequest.json and PushTelemetryResponse.json.
import type { MessageInput, MessageSpec, MessageValue } from '../spec.js';

export const PushTelemetryRequestSpec = {
  apiKey: 72,
  type: 'request',
  name: 'PushTelemetryRequest',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'ClientInstanceId', type: 'uuid', versions: '0+' },
    { name: 'SubscriptionId', type: 'int32', versions: '0+' },
    // The client's last push: it is closing and will not push again.
    { name: 'Terminating', type: 'bool', versions: '0+' },
    { name: 'CompressionType', type: 'int8', versions: '0+' },
    { name: 'Metrics', type: 'bytes', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export const PushTelemetryResponseSpec = {
  apiKey: 72,
  type: 'response',
  name: 'PushTelemetryResponse',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'ThrottleTimeMs', type: 'int32', versions: '0+' },
    { name: 'ErrorCode', type: 'int16', versions: '0+' },
  ],
} as const satisfies MessageSpec;

export type PushTelemetryRequest = MessageValue<typeof PushTelemetryRequestSpec>;
export type PushTelemetryRequestInput = MessageInput<typeof PushTelemetryRequestSpec>;
export type PushTelemetryResponse = MessageValue<typeof PushTelemetryResponseSpec>;
export type PushTelemetryResponseInput = MessageInput<typeof PushTelemetryResponseSpec>;
