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
} from '../../protocol/kafka/index.js';
import { FramedConnection, type Reply } from '../net/framed-connection.js';
import type { FrameReader } from '../net/frame-reader.js';
import type { Logger } from '../logger.js';
import { NO_RESPONSE, type HandlerResult, type RequestContext } from './handler.js';
import { principalOf, type KafkaPrincipal } from './principal.js';
import type { PrincipalMapper } from '../security/principal-mapping.js';
import type { HandlerRegistry } from './registry.js';

export interface KafkaListener {
  handlers: HandlerRegistry;
  /** queued.max.requests: requests read from one connection ahead of its replies. */
  maxInFlight: number;
  log: Logger;
  /** The listener's name: clients on it are told the endpoints of that name. */
  listener: string;
  /** An SSL listener's ssl.principal.mapping.rules: client certificates name the connection's principal. */
  principals?: PrincipalMapper;
}

/** Serves one connection accepted on the listener named `listener`. */
export function serveKafkaConnection(socket: Socket, frames: FrameReader, { handlers, maxInFlight, log, listener, principals }: KafkaListener): FramedConnection {
  let principal: KafkaPrincipal | undefined;
  let refusal: string | undefined;
  try {
    principal = principalOf(socket, principals);
  } catch (err) {
    refusal = (err as Error).message;
  }
  const connection = new FramedConnection(socket, frames, {
    maxInFlight,
    log,
    onFrame(frame, conn, inFlight): Reply | Promise<Reply> {
      // Only after a refusal (closed below, before any request is read) is there no principal.
      if (principal === undefined) {
        inFlight.closeConnection('client certificate maps to no principal');
        return null;
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
      const ctx: RequestContext = {
        apiVersion: request.apiVersion,
        correlationId: request.correlationId,
        clientId: request.clientId,
        remote: conn.remote,
        listener,
        principal,
        log,
        signal: inFlight.signal,
        replyTurn: inFlight.replyTurn,
      };
      const apiKey = request.apiKey as ApiKeyType;
      const encode = (result: HandlerResult<ApiKeyType>): Reply =>
        result === NO_RESPONSE ? null : encodeResponseFrame(apiKey, request.apiVersion, request.correlationId, result as never);
      const result = handler.handle(request.body, ctx);
      return result instanceof Promise ? result.then(encode) : encode(result);
    },
  });
  // Kafka closes a connection whose certificate no mapping rule names, before any request.
  if (refusal !== undefined) connection.close('client certificate maps to no principal', { err: refusal });
  return connection;
}
