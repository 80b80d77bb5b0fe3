// What one API handler is: the versions it serves and a function from a decoded request to a response.
// The registry of handlers is what ApiVersions advertises, so the two cannot drift apart.
import type { ApiKey, RequestOf, ResponseInputOf } from '../../protocol/kafka/index.js';
import type { Logger } from '../logger.js';
import type { Broker } from './broker.js';

/** Returned by a handler whose request gets no response on the wire (Produce with acks=0). */
export const NO_RESPONSE = Symbol('no response');

export interface RequestContext {
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  /** The client's address, for logs. */
  readonly remote: string;
  /** The name of the listener the connection came in on: clients are told the endpoints of that name. */
  readonly listener: string;
  readonly broker: Broker;
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

export interface Handler<K extends ApiKey = ApiKey> {
  readonly apiKey: K;
  readonly minVersion: number;
  readonly maxVersion: number;
  /**
   * Serves one request. Effects on shared state happen before the first await that waits on anything
   * other than durability or a long poll, so pipelined requests on one connection see them in order.
   */
  handle(request: RequestOf<K>, ctx: RequestContext): HandlerResult<K> | Promise<HandlerResult<K>>;
}

/** Declares a handler with its request and response types inferred from the API key. */
export function defineHandler<K extends ApiKey>(handler: Handler<K>): Handler<K> {
  return handler;
}
