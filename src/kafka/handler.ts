// What one API handler is: the versions it serves, the broker services it uses, and a function from a
// decoded request to a response. The registry of handlers is what ApiVersions advertises, so the two
// cannot drift apart.
//
// Why the services are split as they are (services.ts): each is one part of the broker that changes for
// its own reasons, as Kafka's KafkaApis reaches ReplicaManager, MetadataCache, AdminManager, the
// coordinators and the controller separately. The data path (partitions) moves with leadership and
// replication; what clients are told (metadata) comes from the controller; topic definitions (topics)
// from the admin APIs and ZooKeeper; groups, and transactions later, are coordinators with their own
// state; inter-broker control (replication, metadataUpdates, controller) exists only in a cluster. A
// handler names the ones it uses in `uses` and is handed those and no others, so its signature says what
// it touches and a unit test fakes just that (test/unit/kafka/handler-services.test.ts).
import type { ApiKey, RequestOf, ResponseInputOf } from '../../protocol/kafka/index.js';
import type { Logger } from '../logger.js';
import type { ClientInformation } from './client-information.js';
import type { KafkaPrincipal } from './principal.js';
import type { BrokerServices, ServiceName } from './services.js';

/** Returned by a handler whose request gets no response on the wire (Produce with acks=0). */
export const NO_RESPONSE = Symbol('no response');

/** One request's own context: who sent it, on which connection, at which version. */
export interface RequestContext {
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** The client's address, for logs. */
  readonly remote: string;
  /** The client's software (from its ApiVersions request) and address: what client-metrics subscriptions match. */
  readonly client: ClientInformation;
  /** The name of the listener the connection came in on: clients are told the endpoints of that name. */
  readonly listener: string;
  /** Who the connection speaks for (User:ANONYMOUS unless a client certificate names someone); for authorization. */
  readonly principal: KafkaPrincipal;
  readonly log: Logger;
  /** Aborted when the client's connection closes: nobody will read the reply, so stop building it. */
  readonly signal: AbortSignal;
  /**
   * Waits until the connection's earlier replies have left and the client is taking them; a handler
   * whose reply may be large (Fetch) calls it before building the reply. Rejects if the connection closes.
   */
  replyTurn(): Promise<void>;
}

export type HandlerResult<K extends ApiKey> = ResponseInputOf<K> | typeof NO_RESPONSE;

/** The services a handler declared, and only those. */
export type ServicesOf<S extends ServiceName> = Pick<BrokerServices, S>;

export interface Handler<K extends ApiKey = ApiKey, S extends ServiceName = ServiceName> {
  readonly apiKey: K;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** The broker services this handler is handed; a handler that needs none says []. */
  readonly uses: readonly S[];
  /**
   * Serves one request. Effects on shared state happen before the first await that waits on anything
   * other than durability or a long poll, so pipelined requests on one connection see them in order.
   */
  handle(request: RequestOf<K>, ctx: RequestContext, services: ServicesOf<S>): HandlerResult<K> | Promise<HandlerResult<K>>;
}

/** Declares a handler with its request and response types inferred from the API key, its services from `uses`. */
export function defineHandler<K extends ApiKey, const S extends ServiceName = never>(handler: Handler<K, S>): Handler<K, S> {
  return handler;
}
