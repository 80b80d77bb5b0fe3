// A connection's SASL login (opcode 102) and ZooKeeper 3.7+'s enforce.auth gate, as ZooKeeperServer's
// processSasl and AuthenticationHelper answer them. Clients (the Java client, kazoo's sasl_options) send
// an empty GetSASLRequest first, get the DIGEST-MD5 challenge, send their digest-response and get rspauth;
// GSSAPI clients (Krb5LoginModule, kazoo's sasl_options with GSSAPI) start with their Kerberos initial
// context token instead, which tells the two apart (see gssapi-login.ts). The connection then holds the
// identity sasl:<user> (and super for zookeeper.superUser). A failed login
// gets AuthFailed, or SessionClosedRequireSaslAuth when enforce.auth requires sasl, and the connection is
// closed once that reply is written (the session itself lives on until it expires, as in ZooKeeper).
import { randomBytes } from 'node:crypto';
import { DecodeError, type Reader } from '../../protocol/bytes.js';
import { ErrorCode } from '../../protocol/zookeeper/codes.js';
import { GetSASLRequest, SetSASLResponse, type Id } from '../../protocol/zookeeper/records.js';
import type { Logger } from '../logger.js';
import { DigestMd5Server, SaslError } from '../security/digest-md5.js';
import { SaslGssapiError } from '../security/kerberos/sasl-gssapi.js';
import type { ZooAuthConfig } from './auth-config.js';
import { GssapiLogin } from './gssapi-login.js';
import { body, replyFrame } from './replies.js';

/** ZooKeeper's fixed DIGEST-MD5 service and server name (SecurityUtils: the digest-uri is zookeeper/zk-sasl-md5). */
const SASL_PROTOCOL = 'zookeeper';
const SASL_SERVER_NAME = 'zk-sasl-md5';
const NONCE_BYTES = 30;

/** What authentication needs of a client connection. */
export interface AuthConnection {
  readonly auth: Id[];
  readonly remote: string;
  readonly sessionId: bigint;
  reply(frame: Buffer[]): void;
  closeWhenFlushed(): void;
}

export class Authenticator {
  /** Each connection's exchange in progress (or finished): one login per connection. */
  private readonly exchanges = new WeakMap<AuthConnection, DigestMd5Server | GssapiLogin>();

  constructor(
    private readonly config: ZooAuthConfig,
    private readonly log: Logger,
  ) {}

  /** Answers a GetSASLRequest with the next DIGEST-MD5 or GSSAPI token, or refuses and closes. */
  sasl(conn: AuthConnection, xid: number, r: Reader): void {
    let token: Buffer;
    try {
      token = GetSASLRequest.read(r).token ?? Buffer.alloc(0);
    } catch (err) {
      if (err instanceof DecodeError) return this.refuse(conn, xid, 'malformed SASL request');
      throw err;
    }
    const { saslUsers: users, kerberos } = this.config;
    // ZooKeeper without a JAAS Server section answers a login with an empty token, on which kazoo asks
    // again forever; a refusal ends the login instead.
    if (!users && !kerberos) return this.refuse(conn, xid, 'SASL is not configured (no JAAS Server section)');
    let exchange = this.exchanges.get(conn);
    // DIGEST-MD5 clients open with an empty token, GSSAPI ones with their initial context token.
    if (!exchange && token.length > 0) {
      if (!kerberos) return this.refuse(conn, xid, 'GSSAPI is not configured (no Krb5LoginModule in the JAAS Server section)');
      exchange = new GssapiLogin(kerberos);
      this.exchanges.set(conn, exchange);
    }
    if (!exchange) {
      if (!users) return this.refuse(conn, xid, 'DIGEST-MD5 is not configured (no DigestLoginModule users)');
      exchange = new DigestMd5Server({
        protocol: SASL_PROTOCOL,
        serverName: SASL_SERVER_NAME,
        nonce: randomBytes(NONCE_BYTES).toString('base64'),
        password: (user) => users.get(user),
      });
      this.exchanges.set(conn, exchange);
    }
    let answer: Buffer | null;
    try {
      answer = exchange.evaluate(token);
    } catch (err) {
      if (err instanceof SaslError || err instanceof SaslGssapiError) return this.refuse(conn, xid, err.message);
      throw err;
    }
    const user = exchange.authorizationId;
    if (user !== undefined) {
      this.log.info({ remote: conn.remote, session: conn.sessionId.toString(16), user }, 'SASL authentication succeeded');
      addIds(conn, [{ scheme: 'sasl', id: user }, ...(user === this.config.saslSuperUser ? [{ scheme: 'super', id: '' }] : [])]);
    }
    conn.reply(replyFrame(xid, 0n, ErrorCode.ok, body(SetSASLResponse, { token: answer })));
  }

  /**
   * With enforce.auth.enabled, whether a request (other than auth and SASL) may go on; a connection that
   * has not authenticated with one of enforce.auth.schemes gets SessionClosedRequireSaslAuth and is closed.
   */
  admit(conn: AuthConnection, xid: number): boolean {
    const schemes = this.config.enforceSchemes;
    if (!schemes || conn.auth.some((id) => schemes.has(id.scheme))) return true;
    this.log.warn(
      { remote: conn.remote, session: conn.sessionId.toString(16), schemes: conn.auth.map((id) => id.scheme), required: [...schemes] },
      'closing connection: not authenticated with a scheme enforce.auth.schemes requires',
    );
    conn.reply(replyFrame(xid, 0n, ErrorCode.sessionClosedRequireSaslAuth));
    conn.closeWhenFlushed();
    return false;
  }

  private refuse(conn: AuthConnection, xid: number, reason: string): void {
    this.log.warn({ remote: conn.remote, session: conn.sessionId.toString(16), reason }, 'SASL authentication failed; closing connection');
    const saslRequired = this.config.enforceSchemes?.has('sasl') ?? false;
    conn.reply(replyFrame(xid, 0n, saslRequired ? ErrorCode.sessionClosedRequireSaslAuth : ErrorCode.authFailed));
    conn.closeWhenFlushed();
  }
}

/** Adds identities the connection does not hold yet. */
export function addIds(conn: Pick<AuthConnection, 'auth'>, ids: readonly Id[]): void {
  for (const id of ids) if (!conn.auth.some((a) => a.scheme === id.scheme && a.id === id.id)) conn.auth.push(id);
}
