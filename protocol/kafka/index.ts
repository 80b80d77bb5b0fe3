// The Kafka protocol layer in one import: primitives, the spec-driven codec, every API's messages,
// headers, frames and the error table.
//
// A broker handles one request frame (size prefix already stripped) like this:
//   const head = peekRequestHeader(frame);            // apiKey, apiVersion, correlationId
//   if the API is unknown or the version unsupported: ApiVersions gets
//     encodeApiVersionsUnsupportedFrame(head.correlationId, ranges); anything else closes the connection.
//   const req = decodeRequestFrame(frame);             // switch (req.apiKey) narrows req.body
//   return encodeResponseFrame(req.apiKey, req.apiVersion, req.correlationId, responseValue);
// Decoding failures are DecodeError (malformed bytes) or KafkaProtocolError (carries the Kafka error code).
export * from './apis.js';
export * from './codec.js';
export * from './errors.js';
export * from './frames.js';
export * from './headers.js';
export * from './primitives.js';
export * from './spec.js';
export * from './messages/0-produce.js';
export * from './messages/1-fetch.js';
export * from './messages/2-list-offsets.js';
export * from './messages/3-metadata.js';
export * from './messages/4-leader-and-isr.js';
export * from './messages/5-stop-replica.js';
export * from './messages/6-update-metadata.js';
export * from './messages/7-controlled-shutdown.js';
export * from './messages/8-offset-commit.js';
export * from './messages/9-offset-fetch.js';
export * from './messages/10-find-coordinator.js';
export * from './messages/11-join-group.js';
export * from './messages/12-heartbeat.js';
export * from './messages/13-leave-group.js';
export * from './messages/14-sync-group.js';
export * from './messages/15-describe-groups.js';
export * from './messages/16-list-groups.js';
export * from './messages/17-sasl-handshake.js';
export * from './messages/18-api-versions.js';
export * from './messages/19-create-topics.js';
export * from './messages/20-delete-topics.js';
export * from './messages/21-delete-records.js';
export * from './messages/22-init-producer-id.js';
export * from './messages/23-offset-for-leader-epoch.js';
export * from './messages/24-add-partitions-to-txn.js';
export * from './messages/25-add-offsets-to-txn.js';
export * from './messages/26-end-txn.js';
export * from './messages/27-write-txn-markers.js';
export * from './messages/28-txn-offset-commit.js';
export * from './messages/29-describe-acls.js';
export * from './messages/30-create-acls.js';
export * from './messages/31-delete-acls.js';
export * from './messages/32-describe-configs.js';
export * from './messages/33-alter-configs.js';
export * from './messages/35-describe-log-dirs.js';
export * from './messages/36-sasl-authenticate.js';
export * from './messages/37-create-partitions.js';
export * from './messages/42-delete-groups.js';
export * from './messages/43-elect-leaders.js';
export * from './messages/44-incremental-alter-configs.js';
export * from './messages/45-alter-partition-reassignments.js';
export * from './messages/46-list-partition-reassignments.js';
export * from './messages/47-offset-delete.js';
export * from './messages/48-describe-client-quotas.js';
export * from './messages/49-alter-client-quotas.js';
export * from './messages/50-describe-user-scram-credentials.js';
export * from './messages/51-alter-user-scram-credentials.js';
export * from './messages/60-describe-cluster.js';
export * from './messages/61-describe-producers.js';
export * from './messages/65-describe-transactions.js';
export * from './messages/66-list-transactions.js';
export * from './messages/71-get-telemetry-subscriptions.js';
export * from './messages/72-push-telemetry.js';
export * from './messages/74-list-config-resources.js';
export * from './messages/75-describe-topic-partitions.js';
export * from './messages/76-share-group-heartbeat.js';
export * from './messages/77-share-group-describe.js';
export * from './messages/78-share-fetch.js';
export * from './messages/79-share-acknowledge.js';
export * from './messages/84-read-share-group-state.js';
export * from './messages/85-write-share-group-state.js';
export * from './messages/86-delete-share-group-state.js';
export * from './messages/90-describe-share-group-offsets.js';
export * from './messages/91-alter-share-group-offsets.js';
export * from './messages/92-delete-share-group-offsets.js';
