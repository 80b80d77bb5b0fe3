// One Kafka client connection: frames in, handler per API, response frames out in request order.
import type { Socket } from 'node:net';
import { DecodeError } from '../../protocol/bytes.js';
import {
  ApiKey,
  decodeRequestFrame,
  encodeApiVersionsUnsupportedFrame,
  encodeResponseFrame,
  peekRequestHeader,
  type ApiKey as ApiKeyType,
  type RequestOf,
} from '../../protocol/kafka/index.js';
import { FramedConnection, type Reply } from '../net/framed-connection.js';
import type { FrameReader } from '../net/frame-reader.js';
import type { Logger } from '../logger.js';
import type { RequestMetrics } from '../metrics/request-metrics.js';
import { afterApiVersions, unknownClient, type ClientInformation } from './client-information.js';
import { NO_RESPONSE, type HandlerResult, type RequestContext } from './handler.js';
import { principalOf, type KafkaPrincipal } from './principal.js';
import type { PrincipalConnections, PrincipalHold } from './principal-connections.js';
import type { PrincipalMapper } from '../security/principal-mapping.js';
import type { HandlerRegistry } from './registry.js';
import { SaslAuthenticator, SERVE, type AuthStep, type SaslPolicy } from './sasl/authenticator.js';
import type { SaslMechanism } from './sasl/mechanism.js';
import { requestThrottleMs, throttleReply, type RequestQuotas } from './quotas/throttling.js';

/** A SASL listener's mechanisms and the broker-wide rules for authenticating on it. */
export interface ListenerAuthentication {
  mechanisms: ReadonlyMap<string, SaslMechanism>;
  policy: SaslPolicy;
  /** A connection not authenticated this long after it opened is closed. */
  timeoutMs: number;
}

export interface KafkaListener {
  handlers: HandlerRegistry;
  /** Where each answered request's API and latency are counted. */
  requests: RequestMetrics;
  /** queued.max.requests: requests read from one connection ahead of its replies. */
  maxInFlight: number;
  log: Logger;
  /** The listener's name: clients on it are told the endpoints of that name. */
  listener: string;
  /** An SSL listener's ssl.principal.mapping.rules: client certificates name the connection's principal. */
  principals?: PrincipalMapper;
  /** A SASL_PLAINTEXT or SASL_SSL listener's authentication: nothing but ApiVersions is served before it. */
  sasl?: ListenerAuthentication;
  /** Client quotas: requests record against them, and a throttle time earned mutes the connection. Unset: none. */
  quotas?: RequestQuotas;
  /** max.connections.per.principal: the broker-wide count a connection joins once it has a principal. Unset: no limit. */
  connections?: PrincipalConnections;
}

/** Serves one connection accepted on the listener named `listener`. */
export function serveKafkaConnection(socket: Socket, frames: FrameReader, { handlers, requests, maxInFlight, log, listener, principals, sasl, quotas, connections }: KafkaListener): FramedConnection {
  let principal: KafkaPrincipal | undefined;
  let refusal: string | undefined;
  try {
    principal = principalOf(socket, principals);
  } catch (err) {
    refusal = (err as Error).message;
  }
  // This connection's place in its principal's count, released when the socket closes.
  let hold: PrincipalHold | undefined;
  socket.once('close', () => hold?.release());
  // On a SASL listener the login names the principal: the certificate's is not counted.
  let overLimit: string | undefined;
  if (principal && !sasl && connections) {
    const taken = connections.acquire(principal);
    if (typeof taken === 'string') overLimit = taken;
    else hold = taken;
  }
  /** A first login's user joins its count; re-authentication keeps the count it has (it may not change the user). */
  const admitLogin =
    connections &&
    ((user: string): string | undefined => {
      // Closed while the credentials were checked: its close may already have run, and a count taken now would never be released.
      if (socket.destroyed) return 'connection closed during authentication';
      const taken = connections.acquire({ type: 'User', name: user });
      if (typeof taken === 'string') return taken;
      hold = taken;
      return undefined;
    });
  // What the client said of itself in ApiVersions (KIP-511), and its address: KIP-714 subscriptions match on them.
  let client: ClientInformation = unknownClient(socket.remoteAddress, socket.remotePort);
  // Set while the connection still has to authenticate; dropped once it has.
  let authenticator = sasl && new SaslAuthenticator(sasl.mechanisms, sasl.policy, socket.remoteAddress ?? '', admitLogin);
  let authTimer: NodeJS.Timeout | undefined;
  // KIP-368: when the session the client was told ends, and whether it may re-authenticate.
  let sessionEnds: number | undefined;
  let reauthenticating = false;
  /** Acts on what the authenticator made of a frame; a success names the connection's principal (User:<name>). */
  const afterAuth = (step: AuthStep, inFlight: { closeConnection(reason: string, fields?: Record<string, unknown>): void }) => {
    if (step.close) inFlight.closeConnection(step.close.reason, step.close.fields);
    const user = authenticator?.user;
    if (user !== undefined) {
      // Kafka: re-authentication may not change who the connection speaks for.
      if (reauthenticating && user !== principal?.name) {
        inFlight.closeConnection('re-authentication named another principal');
        return null;
      }
      const lifetimeMs = authenticator!.sessionLifetimeMs;
      sessionEnds = lifetimeMs > 0 ? Date.now() + lifetimeMs : undefined;
      // Debug only: a session per connection every connections.max.reauth.ms would flood info.
      if (reauthenticating) log.debug({ remote: `${socket.remoteAddress}:${socket.remotePort}`, user }, 'SASL re-authenticated');
      principal = { type: 'User', name: user };
      authenticator = undefined;
      reauthenticating = false;
      clearTimeout(authTimer);
    }
    return step.reply;
  };
  const connection = new FramedConnection(socket, frames, {
    maxInFlight,
    log,
    onFrame(frame, conn, inFlight): Reply | Promise<Reply> {
      // Only after a refusal (closed below, before any request is read) is there no principal.
      if (principal === undefined) {
        inFlight.closeConnection('client certificate maps to no principal');
        return null;
      }
      if (sasl && !authenticator && sessionEnds !== undefined) {
        // A SaslHandshake on an authenticated connection told a lifetime starts re-authentication; any
        // other request after the session ended closes the connection, as Kafka's does.
        if (frame.length >= 2 && frame.readInt16BE(0) === ApiKey.SaslHandshake) {
          authenticator = new SaslAuthenticator(sasl.mechanisms, sasl.policy, socket.remoteAddress ?? '');
          reauthenticating = true;
        } else if (Date.now() > sessionEnds) {
          inFlight.closeConnection('SASL session expired (connections.max.reauth.ms)');
          return null;
        }
      }
      if (authenticator) {
        const step = authenticator.onFrame(frame);
        if (step !== SERVE) return step instanceof Promise ? step.then((s) => afterAuth(s, inFlight)) : afterAuth(step, inFlight);
      }
      let head: { apiKey: number; apiVersion: number; correlationId: number };
      try {
        head = peekRequestHeader(frame);
      } catch (err) {
        inFlight.closeConnection('request too short for a header', { err: (err as Error).message });
        return null;
      }
      const handler = handlers.get(head.apiKey);
      if (!handler) {
        // Kafka drops a connection that sends an API it does not serve; the client re-reads ApiVersions.
        inFlight.closeConnection('unsupported API key', head);
        return null;
      }
      if (head.apiVersion < handler.minVersion || head.apiVersion > handler.maxVersion) {
        if (head.apiKey === ApiKey.ApiVersions) {
          return encodeApiVersionsUnsupportedFrame(head.correlationId, handlers.supported());
        }
        inFlight.closeConnection('unsupported API version', head);
        return null;
      }
      let request;
      try {
        request = decodeRequestFrame(frame);
      } catch (err) {
        if (err instanceof DecodeError) {
          inFlight.closeConnection('malformed request', { ...head, err: err.message });
          return null;
        }
        throw err;
      }
      if (request.apiKey === ApiKey.ApiVersions) client = afterApiVersions(client, request.body as RequestOf<typeof ApiKey.ApiVersions>, request.apiVersion);
      const ctx: RequestContext = {
        apiVersion: request.apiVersion,
        correlationId: request.correlationId,
        clientId: request.clientId,
        remote: conn.remote,
        client,
        listener,
        principal,
        log,
        signal: inFlight.signal,
        replyTurn: inFlight.replyTurn,
      };
      const apiKey = request.apiKey as ApiKeyType;
      // Produce's bytes are recorded as it is read, and a throttle they earn mutes the connection at once, so the
      // requests read ahead behind it wait (throttling.ts).
      const readThrottleMs =
        apiKey === ApiKey.Produce && quotas?.enforces('produce') ? quotas.record('produce', ctx.principal.name, ctx.clientId ?? '', frame.length, Date.now()) : 0;
      if (readThrottleMs > 0) inFlight.mute(readThrottleMs);
      const started = performance.now();
      let handlerMs = 0;
      const encode = (result: HandlerResult<ApiKeyType>): Reply | Promise<Reply> => {
        // Nothing is recorded, and nothing allocated, while no request quota is set.
        const recorded = Math.max(
          readThrottleMs,
          quotas?.enforces('request')
            ? requestThrottleMs(quotas, { user: ctx.principal.name, clientId: ctx.clientId ?? '', apiKey, apiVersion: request.apiVersion, body: request.body, handlerMs }, Date.now())
            : 0,
        );
        const throttled = result as { throttleTimeMs?: number };
        const throttleMs = Math.max(recorded, result === NO_RESPONSE ? 0 : (throttled.throttleTimeMs ?? 0));
        if (throttleMs > 0 && result !== NO_RESPONSE && 'throttleTimeMs' in throttled) throttled.throttleTimeMs = throttleMs;
        const reply = result === NO_RESPONSE ? null : encodeResponseFrame(apiKey, request.apiVersion, request.correlationId, result as never);
        requests.record(apiKey, performance.now() - started);
        return throttleMs > 0 ? throttleReply(reply, throttleMs, apiKey, request.apiVersion, inFlight) : reply;
      };
      const result = handler.handle(request.body, ctx);
      handlerMs = performance.now() - started;
      return result instanceof Promise ? result.then(encode) : encode(result);
    },
  });
  // Kafka closes a connection whose certificate no mapping rule names, before any request.
  if (refusal !== undefined) connection.close('client certificate maps to no principal', { err: refusal });
  else if (overLimit !== undefined) connection.close(overLimit, { principal: `${principal!.type}:${principal!.name}` });
  else if (sasl) {
    authTimer = setTimeout(() => connection.close('SASL authentication not completed in time', { timeoutMs: sasl.timeoutMs }), sasl.timeoutMs);
    socket.once('close', () => clearTimeout(authTimer));
  }
  return connection;
}
