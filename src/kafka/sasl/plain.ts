// SASL/PLAIN (RFC 4616) as Kafka's PlainSaslServer serves it: one token "authzid NUL authcid NUL passwd",
// checked against the user_<name>="<password>" options of the listener's PlainLoginModule entry. The
// refusals use Kafka's own messages, none of which repeats what the client sent.
import { createHash, timingSafeEqual } from 'node:crypto';
import { JaasError, type LoginModule } from '../../security/jaas.js';
import { SaslAuthenticationError, type SaslExchange, type SaslMechanism, type SaslStep } from './mechanism.js';

export const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';

/** Equal strings in time that depends on neither (digests first, so the length does not show). */
export function secretsEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

export class PlainMechanism implements SaslMechanism {
  readonly name = 'PLAIN';

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  /** The users of a PlainLoginModule entry (its username/password options are the broker's own client login). */
  static fromJaas(entry: LoginModule): PlainMechanism {
    if (entry.className !== PLAIN_LOGIN_MODULE) throw new JaasError(`PLAIN needs ${PLAIN_LOGIN_MODULE}, not ${entry.className}`);
    const users = new Map<string, string>();
    for (const [key, value] of entry.options) if (key.startsWith('user_')) users.set(key.slice('user_'.length), value);
    return new PlainMechanism(users);
  }

  start(): SaslExchange {
    return { respond: (token) => this.authenticate(token) };
  }

  private authenticate(token: Buffer): SaslStep {
    const parts = token.toString('utf8').split('\u0000');
    if (parts.length !== 3) throw new SaslAuthenticationError(`Invalid SASL/PLAIN response: expected 3 tokens, got ${parts.length}`);
    const [authorizationId, username, password] = parts as [string, string, string];
    if (username === '') throw new SaslAuthenticationError('Authentication failed: username not specified');
    if (password === '') throw new SaslAuthenticationError('Authentication failed: password not specified');
    const expected = this.users.get(username);
    // Compare against something even for an unknown user, so the time taken does not tell users apart.
    const matches = secretsEqual(password, expected ?? '');
    if (expected === undefined || !matches) throw new SaslAuthenticationError('Authentication failed: Invalid username or password');
    if (authorizationId !== '' && authorizationId !== username) {
      throw new SaslAuthenticationError('Authentication failed: Client requested an authorization id that is different from username');
    }
    return { done: true, challenge: Buffer.alloc(0), user: username };
  }
}
