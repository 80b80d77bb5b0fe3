// Who a console request speaks for, when the node's Kafka side is secured (a SASL listener or an
// authorizer): HTTP Basic credentials checked against the same users the SASL listeners accept (PLAIN's
// from their JAAS entries, SCRAM's from the credential store), through the SASL code itself, so there is
// one notion of a user and a password. Failures count against the same per-address limit the Kafka
// listeners use: an address guessing passwords is refused alike on both.
import type { IncomingMessage } from 'node:http';
import type { Authorizer, Requester } from '../kafka/acl/authorizer.js';
import type { AuthFailureLimit } from '../kafka/sasl/failure-limit.js';
import { SaslAuthenticationError } from '../kafka/sasl/mechanism.js';
import type { PlainMechanism } from '../kafka/sasl/plain.js';
import { passwordMatches, SCRAM_MECHANISMS, type CredentialLookup } from '../kafka/sasl/scram.js';
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

async function passwordIsValid(security: ConsoleSecurity, user: string, password: string): Promise<boolean> {
  const plainToken = Buffer.from(`\u0000${user}\u0000${password}`, 'utf8');
  for (const plain of security.plain) {
    try {
      await plain.start().respond(plainToken);
      return true;
    } catch (err) {
      if (!(err instanceof SaslAuthenticationError)) throw err;
    }
  }
  if (security.scram) {
    for (const mechanism of SCRAM_MECHANISMS) {
      const credential = await security.scram(user, mechanism);
      if (credential && passwordMatches(mechanism, password, credential)) return true;
    }
  }
  return false;
}

/** The request's principal and host from its Basic credentials; throws 401 (or 429 past the failure limit). */
export async function authenticate(security: ConsoleSecurity, req: IncomingMessage): Promise<Requester> {
  const host = clientHost(req);
  if (security.failures.blocked(host)) throw new ApiError(429, 'too many failed logins from this address: try again in a minute');
  const header = req.headers.authorization;
  if (header === undefined) throw new Unauthenticated('log in with a user of the cluster (HTTP Basic authentication)');
  const m = header.length <= AUTHORIZATION_CHARS_MAX ? /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header.trim()) : null;
  const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const [user, password] = colon > 0 ? [decoded.slice(0, colon), decoded.slice(colon + 1)] : ['', ''];
  if (user === '' || password === '' || !(await passwordIsValid(security, user, password))) {
    security.failures.record(host);
    // One message for every refusal: it does not tell an unknown user from a wrong password.
    throw new Unauthenticated('invalid user name or password');
  }
  return { principal: `User:${user}`, host };
}
