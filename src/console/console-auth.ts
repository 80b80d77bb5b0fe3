// Who a console request speaks for, when the node's Kafka side is secured (a SASL listener or an
// authorizer): HTTP Basic credentials checked against the same users the SASL listeners accept (PLAIN's
// from their JAAS entries, SCRAM's from the credential store), through the SASL code itself, so there is
// one notion of a user and a password. Failures count against the same per-address limit the Kafka
// listeners use: an address guessing passwords is refused alike on both.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Authorizer, Requester } from '../kafka/acl/authorizer.js';
import type { AuthFailureLimit } from '../kafka/sasl/failure-limit.js';
import { SaslAuthenticationError } from '../kafka/sasl/mechanism.js';
import type { PlainMechanism } from '../kafka/sasl/plain.js';
import { passwordMatches, SCRAM_MECHANISMS, type CredentialLookup, type ScramMechanismName } from '../kafka/sasl/scram.js';
import { ApiError } from './api-error.js';

export interface ConsoleSecurity {
  /** The PLAIN users of the node's SASL listeners (one entry per listener serving PLAIN). */
  readonly plain: readonly PlainMechanism[];
  /** SCRAM credentials, when a SASL listener serves SCRAM. */
  readonly scram: CredentialLookup | undefined;
  /** The broker's authorizer; absent, every authenticated user may do everything (as on Kafka's listeners). */
  readonly authorizer: Authorizer | undefined;
  readonly failures: AuthFailureLimit;
}

/** A SCRAM login is trusted again without PBKDF2 for this long (the page calls the API several times a second). */
export const SCRAM_LOGIN_CACHE_MS = 60_000;
/** SCRAM logins remembered at most; the oldest is forgotten first. */
export const SCRAM_LOGINS_MAX = 256;

interface RememberedLogin {
  readonly mechanism: ScramMechanismName;
  /** The stored key the password matched: a changed or deleted credential no longer matches it. */
  readonly storedKey: Buffer;
  readonly until: number;
}

/**
 * SCRAM logins that passed recently, keyed by a hash of user and password (the password itself is not
 * kept). Every HTTP call carries Basic credentials, and checking a SCRAM password costs thousands of
 * PBKDF2 rounds: without this a console page would spend a core's milliseconds on every request.
 */
export class ScramLoginCache {
  private readonly logins = new Map<string, RememberedLogin>();

  constructor(private readonly now: () => number = Date.now) {}

  static key(user: string, password: string): string {
    return createHash('sha256').update(user).update('\u0000').update(password).digest('base64');
  }

  /** The remembered login for `key` while fresh (an expired one is forgotten). */
  get(key: string): RememberedLogin | undefined {
    const login = this.logins.get(key);
    if (login === undefined || login.until > this.now()) return login;
    this.logins.delete(key);
    return undefined;
  }

  remember(key: string, mechanism: ScramMechanismName, storedKey: Buffer): void {
    this.logins.delete(key);
    if (this.logins.size >= SCRAM_LOGINS_MAX) this.logins.delete(this.logins.keys().next().value!);
    this.logins.set(key, { mechanism, storedKey, until: this.now() + SCRAM_LOGIN_CACHE_MS });
  }

  forget(key: string): void {
    this.logins.delete(key);
  }

  get size(): number {
    return this.logins.size;
  }
}

/** The realm a browser shows in its login prompt. */
export const REALM = 'Skein console';
/** A Basic header longer than this is refused unread: no user name and password need more. */
const AUTHORIZATION_CHARS_MAX = 4096;

/** A 401: the browser then asks for a user name and password. */
export class Unauthenticated extends ApiError {
  constructor(message: string) {
    super(401, message);
  }
}

/** The client's address as ACL hosts name it ("::ffff:127.0.0.1" is 127.0.0.1). */
export function clientHost(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

async function scramPasswordIsValid(lookup: CredentialLookup, cache: ScramLoginCache, user: string, password: string): Promise<boolean> {
  const key = ScramLoginCache.key(user, password);
  const known = cache.get(key);
  if (known !== undefined) {
    // The credential is still looked up (a cheap read): one changed or deleted since is checked afresh.
    const credential = await lookup(user, known.mechanism);
    if (credential && credential.storedKey.length === known.storedKey.length && timingSafeEqual(credential.storedKey, known.storedKey)) return true;
    cache.forget(key);
  }
  for (const mechanism of SCRAM_MECHANISMS) {
    const credential = await lookup(user, mechanism);
    if (credential && passwordMatches(mechanism, password, credential)) {
      cache.remember(key, mechanism, credential.storedKey);
      return true;
    }
  }
  return false;
}

async function passwordIsValid(security: ConsoleSecurity, cache: ScramLoginCache, user: string, password: string): Promise<boolean> {
  const plainToken = Buffer.from(`\u0000${user}\u0000${password}`, 'utf8');
  for (const plain of security.plain) {
    try {
      await plain.start().respond(plainToken);
      return true;
    } catch (err) {
      if (!(err instanceof SaslAuthenticationError)) throw err;
    }
  }
  return security.scram !== undefined && scramPasswordIsValid(security.scram, cache, user, password);
}

/** The request's principal and host from its Basic credentials; throws 401 (or 429 past the failure limit). */
export async function authenticate(security: ConsoleSecurity, cache: ScramLoginCache, req: IncomingMessage): Promise<Requester> {
  const host = clientHost(req);
  if (security.failures.blocked(host)) throw new ApiError(429, 'too many failed logins from this address: try again in a minute');
  const header = req.headers.authorization;
  if (header === undefined) throw new Unauthenticated('log in with a user of the cluster (HTTP Basic authentication)');
  const m = header.length <= AUTHORIZATION_CHARS_MAX ? /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header.trim()) : null;
  const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const [user, password] = colon > 0 ? [decoded.slice(0, colon), decoded.slice(colon + 1)] : ['', ''];
  if (user === '' || password === '' || !(await passwordIsValid(security, cache, user, password))) {
    security.failures.record(host);
    // One message for every refusal: it does not tell an unknown user from a wrong password.
    throw new Unauthenticated('invalid user name or password');
  }
  return { principal: `User:${user}`, host };
}
