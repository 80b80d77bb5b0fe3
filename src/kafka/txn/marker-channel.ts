// Delivering a transaction's markers (Kafka's TransactionMarkerChannelManager, minus the retry policy,
// which is the pure coordinator's): one WriteTxnMarkers per partition leader, handed straight to this
// broker's own handler when it leads the partition, else sent over an inter-broker connection kept per
// broker. Every failure becomes a per-partition error code so the coordinator decides what to retry; a
// partition the cluster no longer has (its topic deleted) counts as written, as Kafka drops it.
import { ApiKey, ErrorCode, type WriteTxnMarkersRequestInput, type WriteTxnMarkersResponse } from '../../../protocol/kafka/index.js';
import type { Logger } from '../../logger.js';
import type { ConnectionSecurity } from '../client/connection.js';
import { BrokerConnections } from '../cluster/broker-connections.js';
import type { RequestContext } from '../handler.js';
import { unknownClient } from '../client-information.js';
import { ANONYMOUS } from '../principal.js';
import type { MetadataView } from '../metadata/metadata-view.js';
import type { ServedApi } from '../registry.js';
import type { MarkerOutcome, MarkerRequest, TopicPartition } from './api.js';
import type { MarkerChannel } from './service.js';

/** WriteTxnMarkers v1 (flexible) is what Kafka 3.x brokers send each other. */
const WRITE_TXN_MARKERS_VERSION = 1;
/** Kafka's request.timeout.ms default for the marker channel's requests. */
const MARKER_REQUEST_TIMEOUT_MS = 30_000;
/** An unreachable leader: the coordinator retries after its backoff. */
const UNREACHABLE = ErrorCode.NOT_LEADER_OR_FOLLOWER;

export interface MarkerChannelContext {
  readonly brokerId: number;
  readonly metadata: MetadataView;
  /** The WriteTxnMarkers handler of this broker, for partitions it leads. */
  localHandler(): ServedApi | undefined;
  /** TLS and SASL for connections to other brokers, as the inter-broker listener asks. */
  security(): ConnectionSecurity;
  readonly log: Logger;
}

export class WriteTxnMarkersChannel implements MarkerChannel {
  private readonly connections: BrokerConnections;

  constructor(private readonly ctx: MarkerChannelContext) {
    this.connections = new BrokerConnections({ metadata: ctx.metadata, clientId: `skein-txn-coordinator-${ctx.brokerId}`, requestTimeoutMs: MARKER_REQUEST_TIMEOUT_MS, security: ctx.security });
  }

  async send(request: MarkerRequest): Promise<MarkerOutcome[]> {
    const outcomes: MarkerOutcome[] = [];
    const byLeader = new Map<number, TopicPartition[]>();
    for (const p of request.partitions) {
      const view = this.ctx.metadata.partition(p.topic, p.partition);
      if (!view) outcomes.push({ ...p, errorCode: ErrorCode.NONE });
      else if (view.leader < 0) outcomes.push({ ...p, errorCode: ErrorCode.LEADER_NOT_AVAILABLE });
      else byLeader.set(view.leader, [...(byLeader.get(view.leader) ?? []), p]);
    }
    const answers = await Promise.all([...byLeader].map(([leader, partitions]) => this.sendTo(leader, request, partitions)));
    return outcomes.concat(...answers);
  }

  close(): void {
    this.connections.close();
  }

  private async sendTo(leader: number, request: MarkerRequest, partitions: TopicPartition[]): Promise<MarkerOutcome[]> {
    const body = requestBody(request, partitions);
    try {
      const response = leader === this.ctx.brokerId ? await this.local(body) : await this.remote(leader, body);
      return outcomesOf(response, request.producerId, partitions);
    } catch (err) {
      this.ctx.log.warn({ leader, transactionalId: request.transactionalId, err: (err as Error).message }, 'could not deliver transaction markers; retrying');
      return partitions.map((p) => ({ ...p, errorCode: UNREACHABLE }));
    }
  }

  private async local(body: WriteTxnMarkersRequestInput): Promise<WriteTxnMarkersResponse> {
    const handler = this.ctx.localHandler();
    if (!handler) throw new Error('this broker serves no WriteTxnMarkers');
    const ctx: RequestContext = {
      apiVersion: WRITE_TXN_MARKERS_VERSION,
      correlationId: 0,
      clientId: `skein-txn-coordinator-${this.ctx.brokerId}`,
      remote: 'in-process',
      client: unknownClient(undefined, undefined),
      listener: '',
      // The broker's own request, made in-process: no connection, so no certificate to name it by.
      principal: ANONYMOUS,
      log: this.ctx.log,
      signal: new AbortController().signal,
      replyTurn: () => Promise.resolve(),
    };
    return (await handler.handle(body, ctx)) as WriteTxnMarkersResponse;
  }

  private remote(leader: number, body: WriteTxnMarkersRequestInput): Promise<WriteTxnMarkersResponse> {
    return this.connections.with(leader, (conn) => conn.send(ApiKey.WriteTxnMarkers, WRITE_TXN_MARKERS_VERSION, body, { timeoutMs: MARKER_REQUEST_TIMEOUT_MS }));
  }
}

function requestBody(request: MarkerRequest, partitions: readonly TopicPartition[]): WriteTxnMarkersRequestInput {
  const byTopic = new Map<string, number[]>();
  for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
  return {
    markers: [
      {
        producerId: request.producerId,
        producerEpoch: request.producerEpoch,
        transactionResult: request.committed,
        topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
        coordinatorEpoch: request.coordinatorEpoch,
      },
    ],
  };
}

/** Each asked partition's error; one the response leaves out is retried. */
function outcomesOf(response: WriteTxnMarkersResponse, producerId: number, partitions: readonly TopicPartition[]): MarkerOutcome[] {
  const codes = new Map<string, number>();
  for (const marker of response.markers) {
    if (marker.producerId !== producerId) continue;
    for (const t of marker.topics) for (const p of t.partitions) codes.set(`${p.partitionIndex}:${t.name}`, p.errorCode);
  }
  return partitions.map((p) => ({ ...p, errorCode: codes.get(`${p.partition}:${p.topic}`) ?? UNREACHABLE }));
}
