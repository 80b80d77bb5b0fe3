// One Kafka client connection on Skein's codec: typed requests pipelined on one socket, each answer
// matched to its request by correlation id, with a timeout per request; over TLS, and logged in with SASL
// (sasl.ts) and re-authenticated before the broker's session ends (KIP-368) when asked. The CLI, the
// console, the perf tools and the brokers themselves (followers, the controller) speak through it.
import type { Socket } from 'node:net';
import {
  ApiKey,
  apiVersionRange,
  decodeResponseFrame,
  encodeRequestFrame,
  ErrorCode,
  KafkaProtocolError,
  type RequestInputOf,
  type ResponseOf,
} from '../../../protocol/kafka/index.js';
import { connectFramed, type ConnectTls } from '../../net/client-socket.js';
import { FrameReader } from '../../net/frame-reader.js';
import { writeFrame } from '../../net/frame-writer.js';
import { saslLogin, type ClientSasl } from './sasl.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Largest response frame accepted; a fetch answer is bounded by the max_bytes it asked for. */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
/** Correlation ids wrap within the positive int32 range. */
const MAX_CORRELATION_ID = 0x7fffffff;

export type { ConnectTls };
export type { ClientSasl };

export interface ConnectionOptions {
  clientId?: string | null;
  /** TLS, for a listener whose security protocol is SSL or SASL_SSL. */
  tls?: ConnectTls;
  /** SASL login, for a listener whose security protocol is SASL_PLAINTEXT or SASL_SSL. */
  sasl?: ClientSasl;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  maxResponseBytes?: number;
}

/** How a connection authenticates: TLS and SASL, as the listener's security protocol asks. */
export type ConnectionSecurity = Pick<ConnectionOptions, 'tls' | 'sasl'>;

export interface SendOptions {
  /** Overrides the connection's request timeout (a long-polling fetch adds its max wait). */
  timeoutMs?: number;
}

/** The connection ended (closed by either side, or broken) before the answer arrived. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
}

/** No answer within the request timeout. The connection stays usable; a late answer is dropped. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
}

interface Pending {
  apiKey: ApiKey;
  apiVersion: number;
  resolve(body: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** Parses "host:port" ("[v6]:port" for IPv6). */
export function parseAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address.trim());
  if (!m) throw new RangeError(`"${address}" is not host:port`);
  return { host: m[1] ?? m[2]!, port: Number(m[3]) };
}

export class KafkaConnection {
  private readonly pending = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private closedWith: Error | undefined;
  private versions: Map<number, { min: number; max: number }> | undefined;
  private readonly closeListeners: ((err: Error) => void)[] = [];
  /** Set while re-authenticating (KIP-368): requests wait for it, as Kafka's client holds them back. */
  private reauthenticating: Promise<void> | undefined;
  /** When to log in again (KIP-368), with what; a timer does it, or the first request after it if the timer runs late. */
  private reauth: { at: number; timer: NodeJS.Timeout; sasl: ClientSasl } | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly frames: FrameReader,
    readonly address: string,
    private readonly options: Required<Omit<ConnectionOptions, 'tls' | 'sasl'>>,
  ) {
    socket.setNoDelay(true);
    frames.sink = {
      frame: (frame) => this.onFrame(frame),
      invalid: (err) => this.shutdown(new ConnectionClosedError(`bad framing from ${address}: ${err.message}`)),
    };
    socket.on('error', (err) => this.shutdown(new ConnectionClosedError(`connection to ${address} failed: ${err.message}`)));
    socket.on('close', () => this.shutdown(new ConnectionClosedError(`connection to ${address} closed`)));
  }

  /** Opens a connection to `address` ("host:port"), authenticated when `options.sasl` is given. */
  static async connect(address: string, options: ConnectionOptions = {}): Promise<KafkaConnection> {
    const connection = await KafkaConnection.open(address, options);
    if (!options.sasl) return connection;
    try {
      await connection.login(options.sasl);
    } catch (err) {
      connection.close();
      throw err;
    }
    return connection;
  }

  private static open(address: string, options: ConnectionOptions): Promise<KafkaConnection> {
    const { host, port } = parseAddress(address);
    const full: Required<Omit<ConnectionOptions, 'tls' | 'sasl'>> = {
      clientId: options.clientId === undefined ? 'skein-client' : options.clientId,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    };
    return new Promise((resolve, reject) => {
      const frames = new FrameReader(full.maxResponseBytes);
      const { socket, ready } = connectFramed(host, port, frames, options.tls);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ConnectionClosedError(`connecting to ${address} timed out after ${full.connectTimeoutMs} ms`));
      }, full.connectTimeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new ConnectionClosedError(`cannot connect to ${address}: ${err.message}`));
      });
      socket.once(ready, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new KafkaConnection(socket, frames, address, full));
      });
    });
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends a request and resolves with its decoded response. */
  send<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestInputOf<K>, options: SendOptions = {}): Promise<ResponseOf<K>> {
    if (this.reauth && Date.now() >= this.reauth.at) this.reauthenticate();
    if (this.reauthenticating) return this.reauthenticating.then(() => this.send(apiKey, apiVersion, body, options));
    return this.sendNow(apiKey, apiVersion, body, options);
  }

  /** Sends at once, even while re-authenticating (the exchange's own requests). */
  private sendNow<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestInputOf<K>, options: SendOptions = {}): Promise<ResponseOf<K>> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const correlationId = this.write(apiKey, apiVersion, body);
    return new Promise<ResponseOf<K>>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(new RequestTimeoutError(`no answer from ${this.address} to API ${apiKey} v${apiVersion} within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.pending.set(correlationId, { apiKey, apiVersion, resolve: resolve as (body: unknown) => void, reject, timer });
    });
  }

  /** Sends a request that gets no response (Produce with acks=0). */
  sendWithoutResponse<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestInputOf<K>): void {
    if (this.closedWith) throw this.closedWith;
    if (this.reauth && Date.now() >= this.reauth.at) this.reauthenticate();
    if (this.reauthenticating) void this.reauthenticating.then(() => !this.closedWith && this.write(apiKey, apiVersion, body));
    else this.write(apiKey, apiVersion, body);
  }

  /**
   * SaslHandshake v1 and the mechanism's SaslAuthenticate exchange. Throws KafkaProtocolError with the
   * broker's error (SASL_AUTHENTICATION_FAILED, UNSUPPORTED_SASL_MECHANISM) or SaslClientError.
   */
  private async login(sasl: ClientSasl): Promise<void> {
    // As Kafka's client: ApiVersions first (served before authentication), asked once per connection.
    await this.apiVersions();
    const handshake = await this.sendNow(ApiKey.SaslHandshake, 1, { mechanism: sasl.mechanism });
    if (handshake.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError(handshake.errorCode, `${this.address} does not serve SASL mechanism ${sasl.mechanism} (it serves ${handshake.mechanisms.join(', ') || 'none'})`);
    }
    // v1+ carries the session lifetime that re-authentication needs.
    const version = this.versionFor(ApiKey.SaslAuthenticate);
    const lifetimeMs = await saslLogin(sasl, async (authBytes) => {
      const answer = await this.sendNow(ApiKey.SaslAuthenticate, version, { authBytes });
      if (answer.errorCode !== ErrorCode.NONE) throw new KafkaProtocolError(answer.errorCode, answer.errorMessage ?? `SASL ${sasl.mechanism} authentication to ${this.address} failed`);
      return { authBytes: answer.authBytes, sessionLifetimeMs: Number(answer.sessionLifetimeMs) };
    });
    if (lifetimeMs > 0 && !this.closedWith) {
      // Kafka's client re-authenticates at a random point between 85% and 95% of the session, so a
      // fleet of connections made together does not re-authenticate together.
      const delayMs = lifetimeMs * (0.85 + Math.random() * 0.1);
      const timer = setTimeout(() => this.reauthenticate(), delayMs);
      timer.unref();
      this.reauth = { at: Date.now() + delayMs, timer, sasl };
    }
  }

  /** KIP-368: a new login on the same connection before the session ends; failing closes the connection. */
  private reauthenticate(): void {
    if (!this.reauth || this.reauthenticating) return;
    const { sasl, timer } = this.reauth;
    clearTimeout(timer);
    this.reauth = undefined;
    this.reauthenticating = this.login(sasl).then(
      () => {
        this.reauthenticating = undefined;
      },
      (err: Error) => {
        this.reauthenticating = undefined;
        this.shutdown(new ConnectionClosedError(`re-authentication to ${this.address} failed: ${err.message}`));
      },
    );
  }

  /** Resolves once the socket's send buffer has room again (callers pacing big writes wait on it). */
  drained(): Promise<void> {
    if (!this.socket.writableNeedDrain || this.closedWith) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /**
   * The versions the broker serves, from ApiVersions (asked once, then remembered). Needed by
   * versionFor; brokers that answer v3 with UNSUPPORTED_VERSION are asked again in v0.
   */
  async apiVersions(): Promise<Map<number, { min: number; max: number }>> {
    if (this.versions) return this.versions;
    let response = await this.send(ApiKey.ApiVersions, 3, { clientSoftwareName: 'skein', clientSoftwareVersion: '0.1.0' });
    if (response.errorCode !== ErrorCode.NONE) response = await this.send(ApiKey.ApiVersions, 0, {});
    if (response.errorCode !== ErrorCode.NONE) throw new KafkaProtocolError(response.errorCode, `ApiVersions failed on ${this.address}`);
    this.versions = new Map(response.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
    return this.versions;
  }

  /**
   * The highest version of `apiKey` both this codec and the broker speak, at most `atMost`. Call
   * apiVersions() first. Throws UNSUPPORTED_VERSION if there is none.
   */
  versionFor(apiKey: ApiKey, atMost = Number.MAX_SAFE_INTEGER): number {
    if (!this.versions) throw new Error('call apiVersions() before versionFor()');
    const theirs = this.versions.get(apiKey);
    const ours = apiVersionRange(apiKey);
    const version = Math.min(ours.max, theirs?.max ?? -1, atMost);
    if (!theirs || version < Math.max(ours.min, theirs.min)) {
      throw new KafkaProtocolError(ErrorCode.UNSUPPORTED_VERSION, `${this.address} and this client share no version of API ${apiKey}`);
    }
    return version;
  }

  /** Called once when the connection ends, with the reason. */
  onClose(listener: (err: Error) => void): void {
    if (this.closedWith) listener(this.closedWith);
    else this.closeListeners.push(listener);
  }

  /** Closes the connection; requests still waiting are rejected with ConnectionClosedError. */
  close(): void {
    this.shutdown(new ConnectionClosedError(`connection to ${this.address} was closed by the client`));
  }

  private write<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestInputOf<K>): number {
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = correlationId === MAX_CORRELATION_ID ? 1 : correlationId + 1;
    const chunks = encodeRequestFrame({ apiKey, apiVersion, correlationId, clientId: this.options.clientId }, body);
    this.socket.cork();
    writeFrame(this.socket, chunks);
    this.socket.uncork();
    return correlationId;
  }

  private onFrame(frame: Buffer): void {
    if (frame.length < 4) {
      this.shutdown(new ConnectionClosedError(`response of ${frame.length} bytes from ${this.address}`));
      return;
    }
    const correlationId = frame.readInt32BE(0);
    const p = this.pending.get(correlationId);
    // An answer to a request that timed out already.
    if (!p) return;
    this.pending.delete(correlationId);
    clearTimeout(p.timer);
    try {
      p.resolve(decodeResponseFrame(p.apiKey, p.apiVersion, frame).body);
    } catch (err) {
      p.reject(err as Error);
    }
  }

  private shutdown(reason: Error): void {
    if (this.closedWith) return;
    this.closedWith = reason;
    clearTimeout(this.reauth?.timer);
    this.frames.stop();
    this.socket.destroy();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(reason);
    }
    this.pending.clear();
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }
}
