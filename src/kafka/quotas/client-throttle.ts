// Which responses the client throttles itself on (KIP-219, Kafka 2.0): from these versions on, the broker
// sends a throttled response at once, the client holds its next request for throttle_time_ms, and the
// broker mutes the connection as long in case it does not. To older versions the broker holds the
// response itself for the throttle time. The first version per API as Kafka's responses' shouldClientThrottle
// answers; APIs newer than KIP-219 throttle on the client at every version.
import { ApiKey } from '../../../protocol/kafka/index.js';

const FIRST_CLIENT_THROTTLED: ReadonlyMap<number, number> = new Map([
  [ApiKey.Produce, 6],
  [ApiKey.Fetch, 8],
  [ApiKey.ListOffsets, 3],
  [ApiKey.Metadata, 6],
  [ApiKey.OffsetCommit, 4],
  [ApiKey.OffsetFetch, 4],
  [ApiKey.FindCoordinator, 2],
  [ApiKey.JoinGroup, 3],
  [ApiKey.Heartbeat, 2],
  [ApiKey.LeaveGroup, 2],
  [ApiKey.SyncGroup, 2],
  [ApiKey.DescribeGroups, 2],
  [ApiKey.ListGroups, 2],
  [ApiKey.ApiVersions, 2],
  [ApiKey.CreateTopics, 3],
  [ApiKey.DeleteTopics, 2],
  [ApiKey.DeleteRecords, 1],
  [ApiKey.InitProducerId, 1],
  [ApiKey.OffsetForLeaderEpoch, 1],
  [ApiKey.AddPartitionsToTxn, 1],
  [ApiKey.AddOffsetsToTxn, 1],
  [ApiKey.EndTxn, 1],
  [ApiKey.TxnOffsetCommit, 1],
  [ApiKey.DescribeAcls, 1],
  [ApiKey.CreateAcls, 1],
  [ApiKey.DeleteAcls, 1],
  [ApiKey.DescribeConfigs, 2],
  [ApiKey.AlterConfigs, 1],
  [ApiKey.DescribeLogDirs, 1],
  [ApiKey.SaslAuthenticate, 1],
  [ApiKey.CreatePartitions, 1],
  [ApiKey.DeleteGroups, 1],
]);

/** Whether a client of this API version backs off by itself when told a throttle time. */
export function clientThrottles(apiKey: number, apiVersion: number): boolean {
  return apiVersion >= (FIRST_CLIENT_THROTTLED.get(apiKey) ?? 0);
}

/**
 * Requests the request_percentage quota does not count, as Kafka exempts them: what a client needs
 * to find out about the broker and to authenticate, and the inter-broker control requests.
 */
export const REQUEST_QUOTA_EXEMPT: ReadonlySet<number> = new Set([
  ApiKey.ApiVersions,
  ApiKey.SaslHandshake,
  ApiKey.SaslAuthenticate,
  ApiKey.LeaderAndIsr,
  ApiKey.StopReplica,
  ApiKey.UpdateMetadata,
  ApiKey.ControlledShutdown,
  ApiKey.WriteTxnMarkers,
]);
