// What a connection does with a request's quotas. Produce's bytes are recorded as the request is read,
// and a throttle time they earn mutes the connection at once, so the requests a pipelining client sent
// behind it are handled only once the mute ends: Kafka reads a connection's next request only after
// answering the last, so a muted connection's requests are recorded one mute apart, and Skein's
// read-ahead must not record a burst of them in one instant (a burst's throttle outlasting the quota's
// windows would be forgotten with them, letting the client run far over its quota). Once the handler
// has answered, its time (request_percentage) is recorded, the largest throttle time earned (Fetch's
// comes from its handler, which records the response's bytes) goes into the response's
// throttle_time_ms, and the connection reads nothing more for that long. A client that backs off by
// itself (KIP-219) gets the response at once; an older one gets it only after the throttle time.
import { ApiKey, type FetchRequest } from '../../../protocol/kafka/index.js';
import { fetchReplicaId } from '../fetch/fetch-versions.js';
import type { InFlightRequest, Reply } from '../../net/framed-connection.js';
import { clientThrottles, REQUEST_QUOTA_EXEMPT } from './client-throttle.js';
import type { ClientQuotaManager } from './quota-manager.js';

export type RequestQuotas = Pick<ClientQuotaManager, 'enforces' | 'record'>;

/** Who a handled request counts against, and what it cost the request quota. */
export interface HandlerUsage {
  user: string;
  clientId: string;
  apiKey: number;
  apiVersion: number;
  /** The decoded request: a follower's Fetch is exempt, as Kafka sends it exempt from throttling. */
  body: unknown;
  /** Time the handler held the event loop (its synchronous part), Kafka's request thread time. */
  handlerMs: number;
}

/** The throttle time the request quota gives a handled request; 0 with none configured or for an exempt one. */
export function requestThrottleMs(quotas: RequestQuotas, u: HandlerUsage, nowMs: number): number {
  if (!quotas.enforces('request') || REQUEST_QUOTA_EXEMPT.has(u.apiKey)) return 0;
  if (u.apiKey === ApiKey.Fetch && fetchReplicaId(u.body as FetchRequest, u.apiVersion) >= 0) return 0;
  // Kafka's unit: percent of one thread over a second, so 10 ms of handler time records 1.
  return quotas.record('request', u.user, u.clientId, u.handlerMs / 10, nowMs);
}

/** Mutes the connection for the throttle time and hands on the reply: at once, or after it for a client that does not back off. */
export function throttleReply(reply: Reply, throttleMs: number, apiKey: number, apiVersion: number, inFlight: InFlightRequest): Reply | Promise<Reply> {
  inFlight.mute(throttleMs);
  if (reply === null || clientThrottles(apiKey, apiVersion)) return reply;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      inFlight.signal.removeEventListener('abort', onAbort);
      resolve(reply);
    }, throttleMs);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(null);
    };
    inFlight.signal.addEventListener('abort', onAbort, { once: true });
  });
}
