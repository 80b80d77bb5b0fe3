// One connection's SASL authentication on a SASL_PLAINTEXT or SASL_SSL listener, as Kafka's
// SaslServerAuthenticator runs it. Until the client is authenticated only ApiVersions (served as
// anywhere), then SaslHandshake, then the mechanism's tokens are accepted; anything else closes the
// connection. After SaslHandshake v1 the tokens come in SaslAuthenticate requests; after v0 (old clients)
// as raw size-prefixed frames with no Kafka header, answered the same way. A failed authentication is
// answered with SASL_AUTHENTICATION_FAILED (raw: not at all) after connection.failed.authentication.delay.ms,
// then the connection closes. Log lines and error messages name the mechanism and Kafka's reason, never a
// token's content.
import { DecodeError } from '../../../protocol/bytes.js';
import { ApiKey, decodeRequestFrame, encodeResponseFrame, ErrorCode, peekRequestHeader } from '../../../protocol/kafka/index.js';
import type { Reply } from '../../net/framed-connection.js';
import type { AuthFailureLimit } from './failure-limit.js';
import { SaslAuthenticationError, type SaslExchange, type SaslMechanism, type SaslStep } from './mechanism.js';

/** Broker-wide SASL settings every SASL connection follows. */
export interface SaslPolicy {
  /** sasl.server.max.receive.size: the largest frame accepted before authentication. */
  maxReceiveBytes: number;
  /** connection.failed.authentication.delay.ms. */
  failureDelayMs: number;
  failures: AuthFailureLimit;
  /** connections.max.reauth.ms (KIP-368): the session lifetime told to SaslAuthenticate v1+ clients; 0 for none. */
  reauthMs: number;
}

/** What the connection does with a frame the authenticator took. */
export interface AuthStep {
  reply: Reply;
  /** Close after the reply (or, without one, at once), logging this reason. */
  close?: { reason: string; fields?: Record<string, unknown> };
}

/** Returned for a frame to be served as on any listener (ApiVersions before the handshake). */
export const SERVE = Symbol('serve');

const NOT_ALLOWED = 'Unexpected Kafka request during SASL authentication';
/** Client-chosen strings in log lines are cut to this many characters. */
const LOGGED_NAME_CHARS = 64;

type State =
  | { name: 'handshake' }
  | { name: 'tokens'; mechanism: string; exchange: SaslExchange; raw: boolean }
  | { name: 'authenticated'; user: string; lifetimeMs: number }
  | { name: 'failed' };
type TokensState = State & { name: 'tokens' };
/** A SaslAuthenticate request's header fields its answer needs. */
type RequestHead = { apiVersion: number; correlationId: number };

export class SaslAuthenticator {
  private state: State = { name: 'handshake' };

  constructor(
    private readonly mechanisms: ReadonlyMap<string, SaslMechanism>,
    private readonly policy: SaslPolicy,
    /** The client's address (no port), for the failure limit. */
    private readonly address: string,
    /**
     * Asked once the credentials are good: a string refuses the login with that message (a limit on the
     * user's connections), answered and closed as a failed login is, without counting as a failed attempt.
     */
    private readonly admit: (user: string) => string | undefined = () => undefined,
  ) {}

  /** The authenticated user, once there is one. */
  get user(): string | undefined {
    return this.state.name === 'authenticated' ? this.state.user : undefined;
  }

  /** The session lifetime the client was told (KIP-368); 0 when none (v0 clients, or reauth off). */
  get sessionLifetimeMs(): number {
    return this.state.name === 'authenticated' ? this.state.lifetimeMs : 0;
  }

  /** Takes a frame that arrived before authentication completed. */
  onFrame(frame: Buffer): typeof SERVE | AuthStep | Promise<AuthStep> {
    if (frame.length > this.policy.maxReceiveBytes) {
      return this.fail({ reply: null, close: { reason: 'SASL frame too large before authentication', fields: { bytes: frame.length } } });
    }
    const state = this.state;
    if (state.name === 'tokens' && state.raw) return this.evaluate(state, frame, null);
    let head: { apiKey: number; apiVersion: number; correlationId: number };
    try {
      head = peekRequestHeader(frame);
    } catch {
      return this.fail({ reply: null, close: { reason: 'request too short for a header' } });
    }
    if (state.name === 'handshake' && head.apiKey === ApiKey.ApiVersions) return SERVE;
    const expected = state.name === 'handshake' ? ApiKey.SaslHandshake : ApiKey.SaslAuthenticate;
    if (head.apiKey !== expected || state.name === 'authenticated' || state.name === 'failed') {
      return this.fail({ reply: null, close: { reason: NOT_ALLOWED, fields: { apiKey: head.apiKey, state: state.name } } });
    }
    let request;
    try {
      request = decodeRequestFrame(frame);
    } catch (err) {
      if (err instanceof DecodeError) return this.fail({ reply: null, close: { reason: 'malformed SASL request', fields: { apiKey: head.apiKey } } });
      throw err;
    }
    if (request.apiKey === ApiKey.SaslHandshake) return this.handshake(request.apiVersion, request.correlationId, request.body.mechanism);
    if (request.apiKey === ApiKey.SaslAuthenticate && state.name === 'tokens') {
      return this.evaluate(state, request.body.authBytes, { apiVersion: request.apiVersion, correlationId: request.correlationId });
    }
    return this.fail({ reply: null, close: { reason: NOT_ALLOWED, fields: { apiKey: head.apiKey } } });
  }

  private handshake(apiVersion: number, correlationId: number, name: string): AuthStep {
    const enabled = [...this.mechanisms.keys()];
    const mechanism = this.mechanisms.get(name);
    if (!mechanism) {
      this.state = { name: 'failed' };
      return {
        reply: encodeResponseFrame(ApiKey.SaslHandshake, apiVersion, correlationId, { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: enabled }),
        close: { reason: 'unsupported SASL mechanism', fields: { mechanism: name.slice(0, LOGGED_NAME_CHARS), enabled } },
      };
    }
    this.state = { name: 'tokens', mechanism: mechanism.name, exchange: mechanism.start(), raw: apiVersion === 0 };
    return { reply: encodeResponseFrame(ApiKey.SaslHandshake, apiVersion, correlationId, { errorCode: ErrorCode.NONE, mechanisms: enabled }) };
  }

  /**
   * One client token; `request` is the SaslAuthenticate header to answer, null for a raw token. A
   * mechanism that answers at once is acted on at once: a raw-token GSSAPI client sends its first request
   * right after its last token, with no answer to wait for, and that request must find the connection
   * authenticated.
   */
  private evaluate(state: TokensState, token: Buffer, request: RequestHead | null): AuthStep | Promise<AuthStep> {
    if (this.policy.failures.blocked(this.address)) return this.refuse(state, request, 'Authentication failed: too many failed attempts from this address, try again later');
    let step: SaslStep | Promise<SaslStep>;
    try {
      step = state.exchange.respond(token);
    } catch (err) {
      return this.refused(state, request, err);
    }
    return step instanceof Promise ? step.then((s) => this.answered(state, request, s), (err: unknown) => this.refused(state, request, err)) : this.answered(state, request, step);
  }

  private answered(state: TokensState, request: RequestHead | null, step: SaslStep): AuthStep | Promise<AuthStep> {
    if (!step.done) return { reply: answer(request, { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: step.challenge }) };
    const refusal = this.admit(step.user);
    if (refusal !== undefined) return this.refuse(state, request, refusal);
    // Only SaslAuthenticate v1+ carries a lifetime, and only such clients can re-authenticate (KIP-368).
    const lifetimeMs = request && request.apiVersion >= 1 ? this.policy.reauthMs : 0;
    this.state = { name: 'authenticated', user: step.user, lifetimeMs };
    return { reply: answer(request, { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: step.challenge }, lifetimeMs) };
  }

  private refused(state: TokensState, request: RequestHead | null, err: unknown): Promise<AuthStep> {
    if (!(err instanceof SaslAuthenticationError)) throw err;
    this.policy.failures.record(this.address);
    return this.refuse(state, request, err.message, err.detail);
  }

  /** `detail` (why, when `refusal` is a fixed status) goes to the log only. */
  private refuse(state: TokensState, request: RequestHead | null, refusal: string, detail?: string): Promise<AuthStep> {
    this.state = { name: 'failed' };
    // Kafka's answer to an old (raw-token) client is the closed connection itself.
    const reply = request ? answer(request, { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: refusal, authBytes: Buffer.alloc(0) }) : null;
    return this.fail({ reply, close: { reason: 'SASL authentication failed', fields: { mechanism: state.mechanism, why: refusal, ...(detail !== undefined && { detail }) } } });
  }

  /** A refusal, answered after the failure delay so a client cannot retry at full speed. */
  private async fail(step: AuthStep): Promise<AuthStep> {
    this.state = { name: 'failed' };
    if (this.policy.failureDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.policy.failureDelayMs));
    return step;
  }
}

/** A SaslAuthenticate response, or for a raw token a raw frame (none when the mechanism's last challenge is null). */
function answer(request: RequestHead | null, body: { errorCode: number; errorMessage: string | null; authBytes: Buffer | null }, sessionLifetimeMs = 0): Reply {
  if (!request) return body.authBytes && [body.authBytes];
  return encodeResponseFrame(ApiKey.SaslAuthenticate, request.apiVersion, request.correlationId, { ...body, authBytes: body.authBytes ?? Buffer.alloc(0), sessionLifetimeMs });
}
