// What /metrics and /readyz read of a broker: the narrow parts, never the Broker that assembles them
// (only the command line imports broker.ts; test/unit/kafka/broker-imports.test.ts says why). A Broker is one.
import type { GroupService } from '../kafka/groups/service.js';
import type { MetadataView } from '../kafka/metadata/metadata-view.js';
import type { ReplicaManager } from '../kafka/partitions/replica-manager.js';
import type { ReplicationManager } from '../kafka/replication/replication-manager.js';
import type { TopicManager } from '../kafka/topics/topic-manager.js';
import type { ClientTelemetry } from '../kafka/telemetry/client-telemetry.js';
import type { TransactionService } from '../kafka/txn/service.js';
import type { ClientQuotaManager } from '../kafka/quotas/quota-manager.js';
import type { ClientState } from '../zookeeper/client/client.js';
import type { RequestMetrics } from './request-metrics.js';
import type { TopicTraffic } from './topic-traffic.js';

export interface BrokerView {
  readonly brokerId: number;
  readonly traffic: TopicTraffic;
  readonly requests: RequestMetrics;
  readonly replicas: Pick<ReplicaManager, 'all' | 'partition'>;
  readonly topics: Pick<TopicManager, 'list' | 'get'>;
  readonly metadata: MetadataView;
  readonly replication: Pick<ReplicationManager, 'isrShrinks' | 'isrExpands'>;
  readonly groups: Pick<GroupService, 'snapshot' | 'state'>;
  readonly transactions: Pick<TransactionService, 'state'>;
  /** KIP-714: the client instances heard from and the metrics they pushed. */
  readonly telemetry: Pick<ClientTelemetry, 'clients' | 'pushed' | 'expire'>;
  /** Wall-clock milliseconds, the broker's own: idle telemetry clients expire against it. */
  now(): number;
  /** Client quotas' rates and throttle times, per entity. */
  readonly quotaManager: Pick<ClientQuotaManager, 'all'>;
  /** Absent on a broker without zookeeper.connect. */
  readonly cluster: { readonly controller: { readonly isActive: boolean }; readonly membership: { readonly zk: { readonly state: ClientState }; advertiseHttp(host: string, port: number): Promise<void> } } | undefined;
}
