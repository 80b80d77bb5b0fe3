// What a connection does with a request's quotas once its handler has answered: Produce's bytes (the
// request as read) and the handler's time (request_percentage) are recorded, the largest throttle time
// earned (Fetch's comes from its handler, which records the response's bytes) goes into the response's
// throttle_time_ms, and the connection reads nothing more for that long. A client that backs off by
// itself (KIP-219) gets the response at once; an older one gets it only after the throttle time.
import { ApiKey, type FetchRequest } from '../../../protocol/kafka/index.js';
import { fetchReplicaId } from '../fetch/fetch-versions.js';
import type { InFlightRequest, Reply } from '../../net/framed-connection.js';
import { clientThrottles, REQUEST_QUOTA_EXEMPT } from './client-throttle.js';
import type { ClientQuotaManager } from './quota-manager.js';

export type RequestQuotas = Pick<ClientQuotaManager, 'enforces' | 'record'>;

/** Who a request counts against, and what it cost. */
export interface QuotaUsage {
  apiKey: number;
  apiVersion: number;
  /** The decoded request: a follower's Fetch is exempt, as Kafka sends it exempt from throttling. */
  body: unknown;
  user: string;
  clientId: string;
  frameBytes: number;
  /** Time the handler held the event loop (its synchronous part), Kafka's request thread time. */
  handlerMs: number;
}

/** The throttle time the produce and request quotas give the request; 0 with none configured. */
export function requestThrottleMs(quotas: RequestQuotas, u: QuotaUsage, nowMs: number): number {
  let throttleMs = 0;
  if (u.apiKey === ApiKey.Produce && quotas.enforces('produce')) throttleMs = quotas.record('produce', u.user, u.clientId, u.frameBytes, nowMs);
  const followerFetch = u.apiKey === ApiKey.Fetch && fetchReplicaId(u.body as FetchRequest, u.apiVersion) >= 0;
  if (quotas.enforces('request') && !REQUEST_QUOTA_EXEMPT.has(u.apiKey) && !followerFetch) {
    // Kafka's unit: percent of one thread over a second, so 10 ms of handler time records 1.
    throttleMs = Math.max(throttleMs, quotas.record('request', u.user, u.clientId, u.handlerMs / 10, nowMs));
  }
  return throttleMs;
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
