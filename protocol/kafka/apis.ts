// Every API this codec speaks, keyed by API key, with typed access to its request and response.
import type { Reader } from '../bytes.js';
import { messageCodec } from './codec.js';
import { ErrorCode, KafkaProtocolError } from './errors.js';
import { ProduceRequestSpec, ProduceResponseSpec } from './messages/0-produce.js';
import { FetchRequestSpec, FetchResponseSpec } from './messages/1-fetch.js';
import { ListOffsetsRequestSpec, ListOffsetsResponseSpec } from './messages/2-list-offsets.js';
import { MetadataRequestSpec, MetadataResponseSpec } from './messages/3-metadata.js';
import { LeaderAndIsrRequestSpec, LeaderAndIsrResponseSpec } from './messages/4-leader-and-isr.js';
import { StopReplicaRequestSpec, StopReplicaResponseSpec } from './messages/5-stop-replica.js';
import { UpdateMetadataRequestSpec, UpdateMetadataResponseSpec } from './messages/6-update-metadata.js';
import { ControlledShutdownRequestSpec, ControlledShutdownResponseSpec } from './messages/7-controlled-shutdown.js';
import { OffsetCommitRequestSpec, OffsetCommitResponseSpec } from './messages/8-offset-commit.js';
import { OffsetFetchRequestSpec, OffsetFetchResponseSpec } from './messages/9-offset-fetch.js';
import { FindCoordinatorRequestSpec, FindCoordinatorResponseSpec } from './messages/10-find-coordinator.js';
import { JoinGroupRequestSpec, JoinGroupResponseSpec } from './messages/11-join-group.js';
import { HeartbeatRequestSpec, HeartbeatResponseSpec } from './messages/12-heartbeat.js';
import { LeaveGroupRequestSpec, LeaveGroupResponseSpec } from './messages/13-leave-group.js';
import { SyncGroupRequestSpec, SyncGroupResponseSpec } from './messages/14-sync-group.js';
import { DescribeGroupsRequestSpec, DescribeGroupsResponseSpec } from './messages/15-describe-groups.js';
import { ListGroupsRequestSpec, ListGroupsResponseSpec } from './messages/16-list-groups.js';
import { SaslHandshakeRequestSpec, SaslHandshakeResponseSpec } from './messages/17-sasl-handshake.js';
import { ApiVersionsRequestSpec, ApiVersionsResponseSpec } from './messages/18-api-versions.js';
import { CreateTopicsRequestSpec, CreateTopicsResponseSpec } from './messages/19-create-topics.js';
import { DeleteTopicsRequestSpec, DeleteTopicsResponseSpec } from './messages/20-delete-topics.js';
import { DeleteRecordsRequestSpec, DeleteRecordsResponseSpec } from './messages/21-delete-records.js';
import { InitProducerIdRequestSpec, InitProducerIdResponseSpec } from './messages/22-init-producer-id.js';
import { OffsetForLeaderEpochRequestSpec, OffsetForLeaderEpochResponseSpec } from './messages/23-offset-for-leader-epoch.js';
import { AddPartitionsToTxnRequestSpec, AddPartitionsToTxnResponseSpec } from './messages/24-add-partitions-to-txn.js';
import { AddOffsetsToTxnRequestSpec, AddOffsetsToTxnResponseSpec } from './messages/25-add-offsets-to-txn.js';
import { EndTxnRequestSpec, EndTxnResponseSpec } from './messages/26-end-txn.js';
import { WriteTxnMarkersRequestSpec, WriteTxnMarkersResponseSpec } from './messages/27-write-txn-markers.js';
import { TxnOffsetCommitRequestSpec, TxnOffsetCommitResponseSpec } from './messages/28-txn-offset-commit.js';
import { DescribeAclsRequestSpec, DescribeAclsResponseSpec } from './messages/29-describe-acls.js';
import { CreateAclsRequestSpec, CreateAclsResponseSpec } from './messages/30-create-acls.js';
import { DeleteAclsRequestSpec, DeleteAclsResponseSpec } from './messages/31-delete-acls.js';
import { SaslAuthenticateRequestSpec, SaslAuthenticateResponseSpec } from './messages/36-sasl-authenticate.js';
import { DescribeConfigsRequestSpec, DescribeConfigsResponseSpec } from './messages/32-describe-configs.js';
import { AlterConfigsRequestSpec, AlterConfigsResponseSpec } from './messages/33-alter-configs.js';
import { DescribeLogDirsRequestSpec, DescribeLogDirsResponseSpec } from './messages/35-describe-log-dirs.js';
import { CreatePartitionsRequestSpec, CreatePartitionsResponseSpec } from './messages/37-create-partitions.js';
import { DeleteGroupsRequestSpec, DeleteGroupsResponseSpec } from './messages/42-delete-groups.js';
import { ElectLeadersRequestSpec, ElectLeadersResponseSpec } from './messages/43-elect-leaders.js';
import {
  IncrementalAlterConfigsRequestSpec,
  IncrementalAlterConfigsResponseSpec,
} from './messages/44-incremental-alter-configs.js';
import {
  AlterPartitionReassignmentsRequestSpec,
  AlterPartitionReassignmentsResponseSpec,
} from './messages/45-alter-partition-reassignments.js';
import {
  ListPartitionReassignmentsRequestSpec,
  ListPartitionReassignmentsResponseSpec,
} from './messages/46-list-partition-reassignments.js';
import { OffsetDeleteRequestSpec, OffsetDeleteResponseSpec } from './messages/47-offset-delete.js';
import { DescribeClientQuotasRequestSpec, DescribeClientQuotasResponseSpec } from './messages/48-describe-client-quotas.js';
import { AlterClientQuotasRequestSpec, AlterClientQuotasResponseSpec } from './messages/49-alter-client-quotas.js';
import {
  DescribeUserScramCredentialsRequestSpec,
  DescribeUserScramCredentialsResponseSpec,
} from './messages/50-describe-user-scram-credentials.js';
import {
  AlterUserScramCredentialsRequestSpec,
  AlterUserScramCredentialsResponseSpec,
} from './messages/51-alter-user-scram-credentials.js';
import { DescribeClusterRequestSpec, DescribeClusterResponseSpec } from './messages/60-describe-cluster.js';
import { DescribeProducersRequestSpec, DescribeProducersResponseSpec } from './messages/61-describe-producers.js';
import { DescribeTransactionsRequestSpec, DescribeTransactionsResponseSpec } from './messages/65-describe-transactions.js';
import { ListTransactionsRequestSpec, ListTransactionsResponseSpec } from './messages/66-list-transactions.js';
import {
  ConsumerGroupHeartbeatRequestSpec,
  ConsumerGroupHeartbeatResponseSpec,
} from './messages/68-consumer-group-heartbeat.js';
import { ConsumerGroupDescribeRequestSpec, ConsumerGroupDescribeResponseSpec } from './messages/69-consumer-group-describe.js';
import {
  GetTelemetrySubscriptionsRequestSpec,
  GetTelemetrySubscriptionsResponseSpec,
} from './messages/71-get-telemetry-subscriptions.js';
import { PushTelemetryRequestSpec, PushTelemetryResponseSpec } from './messages/72-push-telemetry.js';
import { ListConfigResourcesRequestSpec, ListConfigResourcesResponseSpec } from './messages/74-list-config-resources.js';
import {
  DescribeTopicPartitionsRequestSpec,
  DescribeTopicPartitionsResponseSpec,
} from './messages/75-describe-topic-partitions.js';
import { ShareGroupHeartbeatRequestSpec, ShareGroupHeartbeatResponseSpec } from './messages/76-share-group-heartbeat.js';
import { ShareGroupDescribeRequestSpec, ShareGroupDescribeResponseSpec } from './messages/77-share-group-describe.js';
import { ShareFetchRequestSpec, ShareFetchResponseSpec } from './messages/78-share-fetch.js';
import { ShareAcknowledgeRequestSpec, ShareAcknowledgeResponseSpec } from './messages/79-share-acknowledge.js';
import { ReadShareGroupStateRequestSpec, ReadShareGroupStateResponseSpec } from './messages/84-read-share-group-state.js';
import { WriteShareGroupStateRequestSpec, WriteShareGroupStateResponseSpec } from './messages/85-write-share-group-state.js';
import { AlterShareGroupOffsetsRequestSpec, AlterShareGroupOffsetsResponseSpec } from './messages/91-alter-share-group-offsets.js';
import { DeleteShareGroupOffsetsRequestSpec, DeleteShareGroupOffsetsResponseSpec } from './messages/92-delete-share-group-offsets.js';
import { DeleteShareGroupStateRequestSpec, DeleteShareGroupStateResponseSpec } from './messages/86-delete-share-group-state.js';
import { DescribeShareGroupOffsetsRequestSpec, DescribeShareGroupOffsetsResponseSpec } from './messages/90-describe-share-group-offsets.js';
import { versionBounds, type MessageInput, type MessageSpec, type MessageValue } from './spec.js';

export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  LeaderAndIsr: 4,
  StopReplica: 5,
  UpdateMetadata: 6,
  ControlledShutdown: 7,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  SaslHandshake: 17,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DeleteRecords: 21,
  InitProducerId: 22,
  OffsetForLeaderEpoch: 23,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  WriteTxnMarkers: 27,
  TxnOffsetCommit: 28,
  DescribeAcls: 29,
  CreateAcls: 30,
  DeleteAcls: 31,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  DescribeLogDirs: 35,
  SaslAuthenticate: 36,
  CreatePartitions: 37,
  DeleteGroups: 42,
  ElectLeaders: 43,
  IncrementalAlterConfigs: 44,
  AlterPartitionReassignments: 45,
  ListPartitionReassignments: 46,
  OffsetDelete: 47,
  DescribeClientQuotas: 48,
  AlterClientQuotas: 49,
  DescribeUserScramCredentials: 50,
  AlterUserScramCredentials: 51,
  DescribeCluster: 60,
  DescribeProducers: 61,
  DescribeTransactions: 65,
  ListTransactions: 66,
  ConsumerGroupHeartbeat: 68,
  ConsumerGroupDescribe: 69,
  GetTelemetrySubscriptions: 71,
  PushTelemetry: 72,
  ListConfigResources: 74,
  DescribeTopicPartitions: 75,
  ShareGroupHeartbeat: 76,
  ShareGroupDescribe: 77,
  ShareFetch: 78,
  ShareAcknowledge: 79,
  ReadShareGroupState: 84,
  WriteShareGroupState: 85,
  DeleteShareGroupState: 86,
  DescribeShareGroupOffsets: 90,
  AlterShareGroupOffsets: 91,
  DeleteShareGroupOffsets: 92,
} as const;
export type ApiKey = (typeof ApiKey)[keyof typeof ApiKey];

export interface ApiSpec {
  readonly request: MessageSpec;
  readonly response: MessageSpec;
}

/** Request and response spec of every API, by key. */
export const KAFKA_APIS = {
  [ApiKey.Produce]: { request: ProduceRequestSpec, response: ProduceResponseSpec },
  [ApiKey.Fetch]: { request: FetchRequestSpec, response: FetchResponseSpec },
  [ApiKey.ListOffsets]: { request: ListOffsetsRequestSpec, response: ListOffsetsResponseSpec },
  [ApiKey.Metadata]: { request: MetadataRequestSpec, response: MetadataResponseSpec },
  [ApiKey.LeaderAndIsr]: { request: LeaderAndIsrRequestSpec, response: LeaderAndIsrResponseSpec },
  [ApiKey.StopReplica]: { request: StopReplicaRequestSpec, response: StopReplicaResponseSpec },
  [ApiKey.UpdateMetadata]: { request: UpdateMetadataRequestSpec, response: UpdateMetadataResponseSpec },
  [ApiKey.ControlledShutdown]: { request: ControlledShutdownRequestSpec, response: ControlledShutdownResponseSpec },
  [ApiKey.OffsetCommit]: { request: OffsetCommitRequestSpec, response: OffsetCommitResponseSpec },
  [ApiKey.OffsetFetch]: { request: OffsetFetchRequestSpec, response: OffsetFetchResponseSpec },
  [ApiKey.FindCoordinator]: { request: FindCoordinatorRequestSpec, response: FindCoordinatorResponseSpec },
  [ApiKey.JoinGroup]: { request: JoinGroupRequestSpec, response: JoinGroupResponseSpec },
  [ApiKey.Heartbeat]: { request: HeartbeatRequestSpec, response: HeartbeatResponseSpec },
  [ApiKey.LeaveGroup]: { request: LeaveGroupRequestSpec, response: LeaveGroupResponseSpec },
  [ApiKey.SyncGroup]: { request: SyncGroupRequestSpec, response: SyncGroupResponseSpec },
  [ApiKey.DescribeGroups]: { request: DescribeGroupsRequestSpec, response: DescribeGroupsResponseSpec },
  [ApiKey.ListGroups]: { request: ListGroupsRequestSpec, response: ListGroupsResponseSpec },
  [ApiKey.SaslHandshake]: { request: SaslHandshakeRequestSpec, response: SaslHandshakeResponseSpec },
  [ApiKey.ApiVersions]: { request: ApiVersionsRequestSpec, response: ApiVersionsResponseSpec },
  [ApiKey.CreateTopics]: { request: CreateTopicsRequestSpec, response: CreateTopicsResponseSpec },
  [ApiKey.DeleteTopics]: { request: DeleteTopicsRequestSpec, response: DeleteTopicsResponseSpec },
  [ApiKey.DeleteRecords]: { request: DeleteRecordsRequestSpec, response: DeleteRecordsResponseSpec },
  [ApiKey.InitProducerId]: { request: InitProducerIdRequestSpec, response: InitProducerIdResponseSpec },
  [ApiKey.OffsetForLeaderEpoch]: { request: OffsetForLeaderEpochRequestSpec, response: OffsetForLeaderEpochResponseSpec },
  [ApiKey.AddPartitionsToTxn]: { request: AddPartitionsToTxnRequestSpec, response: AddPartitionsToTxnResponseSpec },
  [ApiKey.AddOffsetsToTxn]: { request: AddOffsetsToTxnRequestSpec, response: AddOffsetsToTxnResponseSpec },
  [ApiKey.EndTxn]: { request: EndTxnRequestSpec, response: EndTxnResponseSpec },
  [ApiKey.WriteTxnMarkers]: { request: WriteTxnMarkersRequestSpec, response: WriteTxnMarkersResponseSpec },
  [ApiKey.TxnOffsetCommit]: { request: TxnOffsetCommitRequestSpec, response: TxnOffsetCommitResponseSpec },
  [ApiKey.DescribeAcls]: { request: DescribeAclsRequestSpec, response: DescribeAclsResponseSpec },
  [ApiKey.CreateAcls]: { request: CreateAclsRequestSpec, response: CreateAclsResponseSpec },
  [ApiKey.DeleteAcls]: { request: DeleteAclsRequestSpec, response: DeleteAclsResponseSpec },
  [ApiKey.DescribeConfigs]: { request: DescribeConfigsRequestSpec, response: DescribeConfigsResponseSpec },
  [ApiKey.AlterConfigs]: { request: AlterConfigsRequestSpec, response: AlterConfigsResponseSpec },
  [ApiKey.DescribeLogDirs]: { request: DescribeLogDirsRequestSpec, response: DescribeLogDirsResponseSpec },
  [ApiKey.SaslAuthenticate]: { request: SaslAuthenticateRequestSpec, response: SaslAuthenticateResponseSpec },
  [ApiKey.CreatePartitions]: { request: CreatePartitionsRequestSpec, response: CreatePartitionsResponseSpec },
  [ApiKey.DeleteGroups]: { request: DeleteGroupsRequestSpec, response: DeleteGroupsResponseSpec },
  [ApiKey.ElectLeaders]: { request: ElectLeadersRequestSpec, response: ElectLeadersResponseSpec },
  [ApiKey.IncrementalAlterConfigs]: {
    request: IncrementalAlterConfigsRequestSpec,
    response: IncrementalAlterConfigsResponseSpec,
  },
  [ApiKey.AlterPartitionReassignments]: {
    request: AlterPartitionReassignmentsRequestSpec,
    response: AlterPartitionReassignmentsResponseSpec,
  },
  [ApiKey.ListPartitionReassignments]: {
    request: ListPartitionReassignmentsRequestSpec,
    response: ListPartitionReassignmentsResponseSpec,
  },
  [ApiKey.OffsetDelete]: { request: OffsetDeleteRequestSpec, response: OffsetDeleteResponseSpec },
  [ApiKey.DescribeClientQuotas]: { request: DescribeClientQuotasRequestSpec, response: DescribeClientQuotasResponseSpec },
  [ApiKey.AlterClientQuotas]: { request: AlterClientQuotasRequestSpec, response: AlterClientQuotasResponseSpec },
  [ApiKey.DescribeUserScramCredentials]: {
    request: DescribeUserScramCredentialsRequestSpec,
    response: DescribeUserScramCredentialsResponseSpec,
  },
  [ApiKey.AlterUserScramCredentials]: {
    request: AlterUserScramCredentialsRequestSpec,
    response: AlterUserScramCredentialsResponseSpec,
  },
  [ApiKey.DescribeCluster]: { request: DescribeClusterRequestSpec, response: DescribeClusterResponseSpec },
  [ApiKey.DescribeProducers]: { request: DescribeProducersRequestSpec, response: DescribeProducersResponseSpec },
  [ApiKey.DescribeTransactions]: { request: DescribeTransactionsRequestSpec, response: DescribeTransactionsResponseSpec },
  [ApiKey.ListTransactions]: { request: ListTransactionsRequestSpec, response: ListTransactionsResponseSpec },
  [ApiKey.ConsumerGroupHeartbeat]: {
    request: ConsumerGroupHeartbeatRequestSpec,
    response: ConsumerGroupHeartbeatResponseSpec,
  },
  [ApiKey.ConsumerGroupDescribe]: { request: ConsumerGroupDescribeRequestSpec, response: ConsumerGroupDescribeResponseSpec },
  [ApiKey.GetTelemetrySubscriptions]: {
    request: GetTelemetrySubscriptionsRequestSpec,
    response: GetTelemetrySubscriptionsResponseSpec,
  },
  [ApiKey.PushTelemetry]: { request: PushTelemetryRequestSpec, response: PushTelemetryResponseSpec },
  [ApiKey.ListConfigResources]: { request: ListConfigResourcesRequestSpec, response: ListConfigResourcesResponseSpec },
  [ApiKey.DescribeTopicPartitions]: {
    request: DescribeTopicPartitionsRequestSpec,
    response: DescribeTopicPartitionsResponseSpec,
  },
  [ApiKey.ShareGroupHeartbeat]: { request: ShareGroupHeartbeatRequestSpec, response: ShareGroupHeartbeatResponseSpec },
  [ApiKey.ShareGroupDescribe]: { request: ShareGroupDescribeRequestSpec, response: ShareGroupDescribeResponseSpec },
  [ApiKey.ShareFetch]: { request: ShareFetchRequestSpec, response: ShareFetchResponseSpec },
  [ApiKey.ShareAcknowledge]: { request: ShareAcknowledgeRequestSpec, response: ShareAcknowledgeResponseSpec },
  [ApiKey.ReadShareGroupState]: { request: ReadShareGroupStateRequestSpec, response: ReadShareGroupStateResponseSpec },
  [ApiKey.WriteShareGroupState]: { request: WriteShareGroupStateRequestSpec, response: WriteShareGroupStateResponseSpec },
  [ApiKey.DeleteShareGroupState]: { request: DeleteShareGroupStateRequestSpec, response: DeleteShareGroupStateResponseSpec },
  [ApiKey.DescribeShareGroupOffsets]: {
    request: DescribeShareGroupOffsetsRequestSpec,
    response: DescribeShareGroupOffsetsResponseSpec,
  },
  [ApiKey.AlterShareGroupOffsets]: { request: AlterShareGroupOffsetsRequestSpec, response: AlterShareGroupOffsetsResponseSpec },
  [ApiKey.DeleteShareGroupOffsets]: { request: DeleteShareGroupOffsetsRequestSpec, response: DeleteShareGroupOffsetsResponseSpec },
} as const satisfies Record<ApiKey, ApiSpec>;

type Apis = typeof KAFKA_APIS;
export type RequestSpecOf<K extends ApiKey> = Apis[K]['request'];
export type ResponseSpecOf<K extends ApiKey> = Apis[K]['response'];
/** The decoded request of an API, e.g. `RequestOf<typeof ApiKey.Produce>` is ProduceRequest. */
export type RequestOf<K extends ApiKey> = MessageValue<RequestSpecOf<K>>;
export type RequestInputOf<K extends ApiKey> = MessageInput<RequestSpecOf<K>>;
export type ResponseOf<K extends ApiKey> = MessageValue<ResponseSpecOf<K>>;
export type ResponseInputOf<K extends ApiKey> = MessageInput<ResponseSpecOf<K>>;

/** Whether this codec knows the API key at all. */
export function isKnownApiKey(apiKey: number): apiKey is ApiKey {
  return Object.hasOwn(KAFKA_APIS, apiKey);
}

/** The spec pair of an API; an unknown key is INVALID_REQUEST, as Kafka treats it. */
export function apiSpec<K extends ApiKey>(apiKey: K): Apis[K] {
  if (!isKnownApiKey(apiKey)) throw new KafkaProtocolError(ErrorCode.INVALID_REQUEST, `unknown API key ${apiKey}`);
  return KAFKA_APIS[apiKey];
}

/** The version range Kafka defines for an API (the codec handles all of it). */
export function apiVersionRange(apiKey: ApiKey): { min: number; max: number } {
  return versionBounds(KAFKA_APIS[apiKey].request.validVersions);
}

/** Decodes a request body from where the header ended. Trailing bytes are ignored, as Kafka ignores them. */
export function decodeRequestBody<K extends ApiKey>(apiKey: K, version: number, r: Reader): RequestOf<K> {
  return messageCodec<RequestSpecOf<K>>(apiSpec(apiKey).request, version).decode(r);
}

/** Decodes a response body from where the header ended. */
export function decodeResponseBody<K extends ApiKey>(apiKey: K, version: number, r: Reader): ResponseOf<K> {
  return messageCodec<ResponseSpecOf<K>>(apiSpec(apiKey).response, version).decode(r);
}
